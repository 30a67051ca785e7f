"""Records/s of the two runtimes (aiokafka, faust) on the same traffic, in one run.

    python benchmarks/runtime_throughput.py [--bootstrap HOST:PORT] [--records 3000]
        [--rounds 1] [--batch-size 64]

All records of the dev set (cycled) are produced once to one 2-partition input topic.
Then, one after another, a ``piimask worker`` subprocess of each runtime reads the whole
topic in its own consumer group (same key ring, policy, model and batch size) into its
own output topic. records/s = records masked between the first and the last output seen
/ the time between them (model load and group join are left out). ``--rounds 2`` runs
aiokafka, faust, faust, aiokafka (the load of a shared machine drifts; this order favours
neither runtime): compare the runtimes within one run. Prints one line per runtime and
round, then a JSON summary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from piimask.keys import KeyRing

REPO = Path(__file__).resolve().parents[1]
DEV_SET = REPO.parent / "shared" / "eval" / "presidio_synth_dev.jsonl"
RUNTIMES = ("aiokafka", "faust")


def load_texts(n: int) -> list[str]:
    rows = [json.loads(line)["text"] for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    return [rows[i % len(rows)] for i in range(n)]


async def admin(bootstrap: str, create: list[NewTopic], delete: list[str]) -> None:
    client = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await client.start()
    try:
        if create:
            await client.create_topics(create)
        if delete:
            await client.delete_topics(delete)
    finally:
        await client.close()


async def produce_all(bootstrap: str, topic: str, texts: list[str]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        futures = [
            await producer.send(topic, value=t.encode(), key=f"r{i}".encode(), partition=i % 2)
            for i, t in enumerate(texts)
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def watch(bootstrap: str, topic: str, n: int, proc: subprocess.Popen[bytes]) -> float:
    """records/s between the first and the n-th output record seen on ``topic``."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    seen = 0
    first: tuple[float, int] | None = None
    try:
        while seen < n:
            if proc.poll() is not None:
                raise RuntimeError(f"worker exited with {proc.returncode}")
            batch = await consumer.getmany(timeout_ms=500)
            got = sum(len(v) for v in batch.values())
            if got and first is None:
                first = (time.monotonic(), got)
            seen += got
        assert first is not None
        elapsed = time.monotonic() - first[0]
        return (seen - first[1]) / elapsed if elapsed > 0 else float("nan")
    finally:
        await consumer.stop()


async def one_run(
    args: argparse.Namespace, base: str, runtime: str, round_no: int, keys: str, log_dir: Path
) -> float:
    output = f"{base}.{runtime}{round_no}"
    audit, dlq = f"{output}.audit", f"{output}.dlq"
    await admin(
        args.bootstrap, [NewTopic(output, 2, 1), NewTopic(audit, 1, 1), NewTopic(dlq, 1, 1)], []
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIIMASK_")}
    env.update(
        {
            "PIIMASK_KAFKA_BOOTSTRAP": args.bootstrap,
            "PIIMASK_KEYS": keys,
            "PIIMASK_METRICS_PORT": "0",
            "PIIMASK_INPUT_TOPICS": base,
            "PIIMASK_OUTPUT_TOPIC_TEMPLATE": "{topic}." + f"{runtime}{round_no}",
            "PIIMASK_AUDIT_TOPIC": audit,
            "PIIMASK_DLQ_TOPIC": dlq,
            "PIIMASK_GROUP_ID": output,
            "PIIMASK_RUNTIME": runtime,
            "PIIMASK_BATCH_SIZE": str(args.batch_size),
            "PIIMASK_LOG_LEVEL": "WARNING",
        }
    )
    with (log_dir / f"{runtime}{round_no}.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "piimask", "worker"],
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            rate = await watch(args.bootstrap, output, args.records, proc)
        finally:
            proc.terminate()
            proc.wait(timeout=120)
    await admin(args.bootstrap, [], [output, audit, dlq])
    return rate


async def run(args: argparse.Namespace) -> dict[str, Any]:
    base = f"bench-runtimes-{uuid.uuid4().hex[:8]}"
    await admin(args.bootstrap, [NewTopic(base, 2, 1)], [])
    rates: dict[str, list[float]] = {r: [] for r in RUNTIMES}
    try:
        await produce_all(args.bootstrap, base, load_texts(args.records))
        keys = KeyRing.generate().to_json()
        with tempfile.TemporaryDirectory() as tmp:
            for round_no in range(args.rounds):
                # ABBA order: a load that drifts during the run favours neither runtime.
                order = RUNTIMES if round_no % 2 == 0 else RUNTIMES[::-1]
                for runtime in order:
                    rate = await one_run(args, base, runtime, round_no, keys, Path(tmp))
                    rates[runtime].append(rate)
                    print(
                        f"round {round_no + 1} {runtime:>8}: {rate:7.1f} records/s "
                        f"({args.records} records, batch {args.batch_size}, "
                        f"load average {os.getloadavg()[0]:.1f})",
                        flush=True,
                    )
    finally:
        await admin(args.bootstrap, [], [base])
    return {
        "records": args.records,
        "batch_size": args.batch_size,
        "records_per_second": {r: round(statistics.median(v), 1) for r, v in rates.items()},
        "faust_vs_aiokafka": round(
            statistics.median(rates["faust"]) / statistics.median(rates["aiokafka"]), 3
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    summary = asyncio.run(run(parser.parse_args()))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
