"""Helpers for the stream worker's integration tests: topics, producing, reading back, workers.

Every test makes its own uniquely named topics and consumer group, because several test
sessions share one broker.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

REPO = Path(__file__).resolve().parents[2]
DEV_SET = REPO.parent / "shared" / "eval" / "presidio_synth_dev.jsonl"
STRUCTURED = ("CREDIT_CARD", "US_SSN", "IBAN_CODE", "EMAIL_ADDRESS", "IP_ADDRESS")


@functools.cache
def shared_engine() -> Any:
    """One model load per test process, shared by the in-process worker tests."""
    from piimask.detect import DetectionEngine, DetectorConfig

    return DetectionEngine.load(DetectorConfig())


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class Topics:
    """One test's topic family: input, output (template default), audit, dead letters."""

    input: str
    audit: str
    dlq: str
    partitions: int = 1

    @property
    def output(self) -> str:
        return f"{self.input}.masked"

    @classmethod
    def fresh(cls, prefix: str, partitions: int = 1) -> Topics:
        base = unique(prefix)
        return cls(base, f"{base}.audit", f"{base}.dlq", partitions)

    def env(self) -> dict[str, str]:
        return {
            "PIIMASK_INPUT_TOPICS": self.input,
            "PIIMASK_AUDIT_TOPIC": self.audit,
            "PIIMASK_DLQ_TOPIC": self.dlq,
        }


async def create_topics(
    bootstrap: str, topics: Topics, *, input_config: dict[str, str] | None = None
) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics(
            [
                NewTopic(topics.input, topics.partitions, 1, topic_configs=input_config or {}),
                NewTopic(topics.output, topics.partitions, 1),
                NewTopic(topics.audit, 1, 1),
                NewTopic(topics.dlq, 1, 1),
            ]
        )
    finally:
        await admin.close()


async def delete_topics(bootstrap: str, topics: Topics) -> None:
    """Remove a test's topics (kept with PIIMASK_KAFKA_KEEP_TOPICS=1, for debugging)."""
    if os.environ.get("PIIMASK_KAFKA_KEEP_TOPICS") == "1":
        return
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([topics.input, topics.output, topics.audit, topics.dlq])
    except Exception as exc:  # cleanup must not hide the test's own result
        print(f"could not delete topics of {topics.input}: {type(exc).__name__}")
    finally:
        await admin.close()


async def produce(
    bootstrap: str,
    topic: str,
    records: Iterable[tuple[bytes | None, bytes | None]],
    *,
    partition_of: Any = None,
    headers: Sequence[tuple[str, bytes]] = (),
    max_request_size: int = 1_048_576,
) -> int:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_request_size=max_request_size,
    )
    await producer.start()
    n = 0
    try:
        futures = []
        for i, (key, value) in enumerate(records):
            partition = None if partition_of is None else partition_of(i)
            futures.append(
                await producer.send(
                    topic, value=value, key=key, partition=partition, headers=list(headers)
                )
            )
            n += 1
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return n


async def read_all(
    bootstrap: str,
    topic: str,
    *,
    committed_only: bool = True,
    expect: int | None = None,
    timeout: float = 60.0,
    idle: float = 3.0,
) -> list[Any]:
    """Records of ``topic`` from the beginning until ``expect`` are read or ``idle`` passes."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed" if committed_only else "read_uncommitted",
        max_partition_fetch_bytes=16 << 20,
        fetch_max_bytes=64 << 20,
    )
    await consumer.start()
    out: list[Any] = []
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + timeout
        last = time.monotonic()
        while time.monotonic() < deadline:
            if expect is not None and len(out) >= expect:
                # Give late duplicates a moment to show up before concluding.
                idle = min(idle, 1.0)
            batch = await consumer.getmany(timeout_ms=300)
            for msgs in batch.values():
                out.extend(msgs)
            if batch:
                last = time.monotonic()
            elif time.monotonic() - last > idle and (expect is None or len(out) >= expect):
                break
    finally:
        await consumer.stop()
    return out


def dev_records(n: int) -> list[tuple[str, dict[str, Any]]]:
    """``n`` (id, dev record) pairs: the dev set cycled, each with a unique id."""
    rows = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    return [(f"r{i:06d}", rows[i % len(rows)]) for i in range(n)]


def gold_values(rows: Iterable[dict[str, Any]], labels: Sequence[str] = STRUCTURED) -> set[str]:
    values = set()
    for row in rows:
        for span in row["spans"]:
            if span["label"] in labels:
                values.add(row["text"][span["start"] : span["end"]])
    return values


def worker_env(bootstrap: str, topics: Topics, keys_json: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIIMASK_")}
    env.update(
        {
            "PIIMASK_KAFKA_BOOTSTRAP": bootstrap,
            "PIIMASK_KEYS": keys_json,
            "PIIMASK_METRICS_PORT": "0",
            "PIIMASK_LOG_FORMAT": "json",
            "PIIMASK_SESSION_TIMEOUT_MS": "6000",
            **topics.env(),
        }
    )
    env.update(extra)
    return env


@dataclass
class WorkerProcess:
    """``python -m piimask worker`` in a subprocess, its log kept in a file."""

    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    exit_codes: list[int] = field(default_factory=list)

    def start(self) -> None:
        self.starts += 1
        log = self.log_path.open("ab")
        log.write(f"\n==== start {self.starts} ====\n".encode())
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "piimask", "worker"],
            env=self.env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.exit_codes.append(self.proc.wait(timeout=30))

    def terminate(self, timeout: float = 60) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=timeout)
        self.exit_codes.append(code)
        return code

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def ensure_stopped(self) -> None:
        if self.alive():
            assert self.proc is not None
            self.proc.kill()
            self.proc.wait(timeout=30)

    def log_lines(self) -> list[dict[str, Any]]:
        lines = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    lines.append(json.loads(line))
                except ValueError:
                    continue
        return lines

    def log_tail(self, n: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])


async def count_distinct_keys(
    bootstrap: str, topic: str, *, committed_only: bool = False
) -> set[bytes]:
    records = await read_all(bootstrap, topic, committed_only=committed_only, idle=0.5, timeout=20)
    return {r.key for r in records if r.key is not None}


class ProgressWatcher:
    """Follows a topic and reports how many distinct keys it has seen."""

    def __init__(self, bootstrap: str, topic: str, *, committed_only: bool = True) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.committed_only = committed_only
        self.keys: set[bytes] = set()
        self._consumer: AIOKafkaConsumer | None = None

    async def __aenter__(self) -> ProgressWatcher:
        self._consumer = AIOKafkaConsumer(
            self.topic,
            bootstrap_servers=self.bootstrap,
            group_id=None,
            auto_offset_reset="earliest",
            isolation_level="read_committed" if self.committed_only else "read_uncommitted",
        )
        await self._consumer.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._consumer is not None
        await self._consumer.stop()

    async def poll(self, timeout_ms: int = 200) -> int:
        assert self._consumer is not None
        batch = await self._consumer.getmany(timeout_ms=timeout_ms)
        for msgs in batch.values():
            self.keys.update(m.key for m in msgs if m.key is not None)
        return len(self.keys)

    async def wait_for(self, n: int, *, stall: float = 120.0, alive: Any = None) -> int:
        """Wait until ``n`` keys were seen; fail if none arrive for ``stall`` seconds.

        A stall limit rather than a deadline: on a busy 2-core machine the model's speed
        varies tenfold, while a stuck worker shows as no progress at all.
        """
        last_count, last_change = len(self.keys), time.monotonic()
        while True:
            count = await self.poll()
            if count >= n:
                return count
            if count != last_count:
                last_count, last_change = count, time.monotonic()
            elif time.monotonic() - last_change > stall:
                raise AssertionError(
                    f"no progress for {stall:.0f}s: {count} of {n} records reached {self.topic}"
                )
            if alive is not None and not alive():
                raise AssertionError("worker exited while waiting for progress")


def keys_kept_policy(directory: Path) -> Path:
    """The shipped policy with record keys kept as they are, for tests that follow records by
    key: the model flags ID-like keys such as ``r000123`` (GOVERNMENT_ID), and the default
    policy rewrites what it flags (test_worker_keys_headers covers that)."""
    from piimask.mask.policy import default_policy_text

    text = default_policy_text()
    kept = text.replace("\nrecord_key: scan", "\nrecord_key: keep", 1)
    assert kept != text, "the shipped policy no longer says record_key: scan"
    path = directory / "keys-kept-policy.yaml"
    path.write_text(kept, encoding="utf-8")
    return path
