"""Stream worker throughput and latency on a real broker, beside offline ``piimask mask``.

    python benchmarks/stream_throughput.py [--bootstrap HOST:PORT] [--records 20000]
        [--half-load-seconds 60] [--batch-size 64]

1. offline: ``piimask mask`` on the same records (a JSONL file), wall time -> records/s;
2. full load: a ``piimask worker`` subprocess consumes a topic that receives all records
   as fast as the producer can write them; records/s from the first produce to the last
   masked output; latency = output append time - input create time (the output topic
   uses LogAppendTime, the worker keeps the input's timestamp otherwise);
3. half load: records produced at half the measured rate for a while; latency p50/p99.

Prints one line per measurement and a JSON summary. Uses its own uniquely named topics.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
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


def load_texts(n: int) -> list[str]:
    rows = [json.loads(line)["text"] for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    return [rows[i % len(rows)] for i in range(n)]


def offline(texts: list[str], batch_size: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        src.write_text(
            "".join(json.dumps({"id": f"r{i}", "text": t}) + "\n" for i, t in enumerate(texts)),
            encoding="utf-8",
        )
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable, "-m", "piimask", "mask", str(src),
                "-o", str(Path(tmp) / "out.jsonl"), "--dev-keys", "--batch-size", str(batch_size),
            ],
            check=True,
            cwd=REPO,
        )  # fmt: skip
        seconds = time.perf_counter() - started
    return {"records": len(texts), "seconds": seconds, "rate": len(texts) / seconds}


async def create_topics(bootstrap: str, base: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics(
            [
                NewTopic(base, 1, 1),
                NewTopic(
                    f"{base}.masked",
                    1,
                    1,
                    topic_configs={"message.timestamp.type": "LogAppendTime"},
                ),
                NewTopic(f"{base}.audit", 1, 1),
                NewTopic(f"{base}.dlq", 1, 1),
            ]
        )
    finally:
        await admin.close()


class OutputClock:
    """Reads the output topic; remembers each key's output (append) timestamp in ms."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = AIOKafkaConsumer(
            topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
        )
        self.seen: dict[bytes, int] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.consumer.start()
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            batch = await self.consumer.getmany(timeout_ms=200)
            for msgs in batch.values():
                for m in msgs:
                    if m.key is not None:
                        self.seen.setdefault(m.key, m.timestamp)

    async def wait_for(self, keys: set[bytes], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not keys <= self.seen.keys():
            if time.monotonic() > deadline:
                missing = len(keys - self.seen.keys())
                raise TimeoutError(f"{missing} records never reached the output topic")
            await asyncio.sleep(0.2)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self.consumer.stop()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def produce_all(
    producer: AIOKafkaProducer, topic: str, items: list[tuple[bytes, bytes]]
) -> dict[bytes, int]:
    created: dict[bytes, int] = {}
    futures = []
    for key, value in items:
        futures.append(await producer.send(topic, value=value, key=key))
    for (key, _), fut in zip(items, futures, strict=True):
        created[key] = (await fut).timestamp
    return created


async def produce_paced(
    producer: AIOKafkaProducer, topic: str, items: list[tuple[bytes, bytes]], rate: float
) -> dict[bytes, int]:
    created: dict[bytes, int] = {}
    started = time.monotonic()
    futures = []
    for i, (key, value) in enumerate(items):
        due = started + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        futures.append((key, await producer.send(topic, value=value, key=key)))
    for key, fut in futures:
        created[key] = (await fut).timestamp
    return created


def latencies(created: dict[bytes, int], seen: dict[bytes, int]) -> dict[str, float]:
    values = [(seen[k] - t) / 1000 for k, t in created.items() if k in seen]
    return {
        "p50_ms": 1000 * percentile(values, 0.50),
        "p99_ms": 1000 * percentile(values, 0.99),
        "mean_ms": 1000 * statistics.fmean(values),
    }


async def streaming(args: argparse.Namespace, texts: list[str]) -> dict[str, Any]:
    base = f"bench-{uuid.uuid4().hex[:8]}"
    await create_topics(args.bootstrap, base)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIIMASK_")}
    keys = KeyRing.generate().to_json()
    env.update(
        {
            "PIIMASK_KAFKA_BOOTSTRAP": args.bootstrap,
            "PIIMASK_INPUT_TOPICS": base,
            "PIIMASK_AUDIT_TOPIC": f"{base}.audit",
            "PIIMASK_DLQ_TOPIC": f"{base}.dlq",
            "PIIMASK_GROUP_ID": f"{base}-g",
            "PIIMASK_KEYS": keys,
            "PIIMASK_METRICS_PORT": "0",
            "PIIMASK_LOG_LEVEL": "WARNING",
            "PIIMASK_BATCH_SIZE": str(args.batch_size),
            "PIIMASK_PROCESSING_GUARANTEE": args.guarantee,
        }
    )
    worker = subprocess.Popen([sys.executable, "-m", "piimask", "worker"], env=env, cwd=REPO)
    clock = OutputClock(args.bootstrap, f"{base}.masked")
    producer = AIOKafkaProducer(bootstrap_servers=args.bootstrap, acks="all", linger_ms=5)
    await producer.start()
    await clock.start()
    try:
        # Warm-up: the worker has joined and loaded the model once this comes out.
        await produce_all(producer, base, [(b"warmup", b"hello")])
        await clock.wait_for({b"warmup"}, timeout=180)

        full = [(f"f{i}".encode(), t.encode()) for i, t in enumerate(texts)]
        started = time.time()
        created = await produce_all(producer, base, full)
        await clock.wait_for(set(created), timeout=3600)
        last = max(clock.seen[k] for k in created) / 1000
        full_rate = len(full) / (last - started)
        full_result = {"records": len(full), "rate": full_rate, **latencies(created, clock.seen)}
        print(f"stream full load: {full_rate:.1f} records/s, {json.dumps(full_result)}")

        half_rate = full_rate / 2
        n_half = max(50, int(half_rate * args.half_load_seconds))
        half = [(f"h{i}".encode(), texts[i % len(texts)].encode()) for i in range(n_half)]
        created = await produce_paced(producer, base, half, half_rate)
        await clock.wait_for(set(created), timeout=600)
        half_result = {
            "records": n_half,
            "rate": half_rate,
            **latencies(created, clock.seen),
        }
        print(f"stream half load: {json.dumps(half_result)}")
    finally:
        await producer.stop()
        await clock.stop()
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=120)
    return {"full": full_result, "half": half_result, "worker_exit": worker.returncode}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--bootstrap", default=os.environ.get("PIIMASK_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    )
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--half-load-seconds", type=float, default=60.0)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument(
        "--guarantee", choices=["at-least-once", "exactly-once"], default="at-least-once"
    )
    parser.add_argument("--skip-offline", action="store_true")
    args = parser.parse_args()

    texts = load_texts(args.records)
    summary: dict[str, Any] = {"records": len(texts), "batch_size": args.batch_size}
    if not args.skip_offline:
        summary["offline"] = offline(texts, args.batch_size)
        print(f"offline piimask mask: {summary['offline']['rate']:.1f} records/s")
    summary["stream"] = asyncio.run(streaming(args, texts))
    if "offline" in summary:
        ratio = summary["stream"]["full"]["rate"] / summary["offline"]["rate"]
        summary["stream_vs_offline"] = ratio
        print(f"streaming / offline throughput: {ratio:.0%}")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
