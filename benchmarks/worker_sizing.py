"""Worker sizing: throughput, CPU per record and memory of one `piimask worker` process.

    python benchmarks/worker_sizing.py --bootstrap 127.0.0.1:9092 --records 1000

Produces synthetic demo traffic (support tickets and chat lines, or JSON events with
--format json) to a fresh topic, starts one worker, and reports from the worker's own
metrics and /proc: records/s (wall), CPU seconds per record (user+system of the worker
process: less sensitive to other load on the machine than wall time), peak RSS. Needs
Linux (/proc) and a broker.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from pathlib import Path

from piimask.demo import kafka_io
from piimask.demo.traffic import generate
from piimask.demo.workers import start_worker, stop_workers, wait_ready
from piimask.keys import KeyRing
from piimask.settings import Settings

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def processed(port: int) -> float:
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        text = resp.read().decode()
    return sum(
        s.value
        for fam in text_string_to_metric_families(text)
        for s in fam.samples
        if s.name == "piimask_records_total"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bootstrap", default="127.0.0.1:9092")
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--format", choices=["text", "json"], default="text")
    ap.add_argument("--partitions", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--threads", type=int, help="PIIMASK_INTRA_OP_THREADS [default: auto]")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/piimask-sizing"))
    ap.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra PIIMASK_ setting of the worker, e.g. NER_ENABLED=false (repeatable)",
    )
    args = ap.parse_args()

    settings = Settings(kafka_bootstrap=args.bootstrap)
    base = f"sizing-{uuid.uuid4().hex[:8]}"
    topics = [base, f"{base}.masked", f"{base}.audit", f"{base}.dlq"]
    asyncio.run(kafka_io.create_topics(settings, topics, args.partitions))
    msgs = [m for m in generate(args.records * 6, seed=1) if m.format == args.format]
    msgs = msgs[: args.records]
    chars = sum(len(m.value) for m in msgs) / len(msgs)
    asyncio.run(
        kafka_io.produce(settings, ((base, m.key.encode(), m.value.encode()) for m in msgs))
    )

    args.workdir.mkdir(parents=True, exist_ok=True)
    env = {
        "PIIMASK_KAFKA_BOOTSTRAP": args.bootstrap,
        "PIIMASK_INPUT_TOPICS": base,
        "PIIMASK_AUDIT_TOPIC": f"{base}.audit",
        "PIIMASK_DLQ_TOPIC": f"{base}.dlq",
        "PIIMASK_GROUP_ID": f"{base}-g",
        "PIIMASK_MESSAGE_FORMAT": args.format,
        "PIIMASK_KEYS": KeyRing.generate().to_json(),
        "PIIMASK_BATCH_SIZE": str(args.batch_size),
        "PIIMASK_LOG_LEVEL": "WARNING",
        **({"PIIMASK_INTRA_OP_THREADS": str(args.threads)} if args.threads is not None else {}),
        **{f"PIIMASK_{k.upper()}": v for k, _, v in (s.partition("=") for s in args.setting)},
    }
    t_start = time.monotonic()
    worker = start_worker("sizing", env, args.workdir)
    try:
        wait_ready([worker], 300)
        pid = worker.proc.pid
        startup_s = time.monotonic() - t_start
        rss_idle = status_kib(pid, "VmRSS")
        cpu0, t0 = cpu_seconds(pid), time.monotonic()
        while processed(worker.port) < len(msgs):
            if worker.proc.poll() is not None:
                raise SystemExit(f"worker exited; see {worker.log_path}")
            time.sleep(0.2)
        wall = time.monotonic() - t0
        cpu = cpu_seconds(pid) - cpu0
        peak = status_kib(pid, "VmHWM")
    finally:
        stop_workers([worker])
        asyncio.run(kafka_io.delete_topics(settings, topics))
    load1 = os.getloadavg()[0]
    print(f"records            {len(msgs)} {args.format}, mean {chars:.0f} chars")
    print(f"startup to ready   {startup_s:.1f} s")
    print(f"throughput         {len(msgs) / wall:.1f} records/s wall ({wall:.1f} s)")
    print(
        f"cpu per record     {1000 * cpu / len(msgs):.1f} ms  -> "
        f"{len(msgs) / cpu:.1f} records/s per fully used core"
    )
    print(f"memory             idle RSS {rss_idle / 1024:.0f} MiB, peak RSS {peak / 1024:.0f} MiB")
    print(f"machine            {os.cpu_count()} cpus, load average {load1:.1f} at the end")


if __name__ == "__main__":
    main()
