"""No record stops the worker, and broker outages do not either (issue 9).

1. A 100,000-character record of digits and punctuation (thousands of findings; its audit
   event used to exceed the producer limit and crash-loop the worker) among 20 normal
   records in one partition: the worker never exits, all 21 records have an output or a
   dead letter and one audit event, nothing is produced twice.
2. A broker of the test's own, SIGKILLed for 20 s and restarted, while an at-least-once
   and an exactly-once worker run: every record has at least one / exactly one (under
   read_committed) output, /readyz went 503 and back within 15 s each way, and the worker
   logged at most 30 ERROR lines.
3. The same broker frozen with SIGSTOP for 30 s: the same checks.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from piimask.demo.workers import free_port
from piimask.keys import KeyRing
from tests.integration.ops_support import http_status, scrape, total
from tests.integration.private_broker import PrivateBroker
from tests.integration.stream_support import (
    ProgressWatcher,
    Topics,
    WorkerProcess,
    create_topics,
    delete_topics,
    dev_records,
    produce,
    read_all,
    worker_env,
)

pytestmark = pytest.mark.integration

GUARANTEES = ("at-least-once", "exactly-once")
MAX_ERROR_LINES = 30
READY_WITHIN_S = 15.0


def digits_and_punctuation(size: int, seed: int = 9) -> str:
    """Phone-, card- and SSN-like runs of digits joined by punctuation, ``size`` characters."""
    rng = random.Random(seed)
    parts: list[str] = []
    length = 0
    while length < size:
        shape = rng.randrange(3)
        if shape == 0:
            part = f"({rng.randint(200, 989)}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
        elif shape == 1:
            part = f"{rng.randint(100, 899)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
        else:
            part = "-".join(f"{rng.randint(0, 9999):04d}" for _ in range(4))
        part += rng.choice([", ", "; ", " / ", ". ", " | "])
        parts.append(part)
        length += len(part)
    return "".join(parts)[:size]


def error_lines(worker: WorkerProcess) -> list[dict[str, Any]]:
    return [ln for ln in worker.log_lines() if ln.get("level") in ("ERROR", "CRITICAL")]


# --- 1: one record with thousands of findings ---------------------------------------------


async def huge_record_scenario(bootstrap: str, tmp_path: Path) -> dict[str, Any]:
    topics = Topics.fresh("huge", partitions=1)
    await create_topics(bootstrap, topics)
    try:
        rows = dev_records(20)
        values = [row["text"].encode() for _, row in rows]
        values.insert(10, digits_and_punctuation(100_000).encode())
        await produce(
            bootstrap, topics.input, [(f"r{i:02d}".encode(), v) for i, v in enumerate(values)]
        )
        env = worker_env(
            bootstrap, topics, KeyRing.generate().to_json(), PIIMASK_GROUP_ID=f"{topics.input}-g"
        )
        worker = WorkerProcess(env, tmp_path / "worker.log")
        worker.start()
        try:
            deadline = time.monotonic() + 100
            events: list[Any] = []
            while time.monotonic() < deadline and len(events) < 21:
                assert worker.alive(), f"worker exited:\n{worker.log_tail()}"
                events = await read_all(bootstrap, topics.audit, idle=1.0, timeout=10)
            assert worker.alive(), f"worker exited:\n{worker.log_tail()}"
            outputs = await read_all(bootstrap, topics.output, idle=1.0, timeout=10)
            letters = await read_all(bootstrap, topics.dlq, idle=1.0, timeout=10)
            assert worker.terminate() == 0
        finally:
            worker.ensure_stopped()
        return {
            "events": [json.loads(e.value) for e in events],
            "outputs": outputs,
            "letters": letters,
            "huge_size": len(values[10]),
            "errors": error_lines(worker),
        }
    finally:
        await delete_topics(bootstrap, topics)


def test_a_record_with_thousands_of_findings_neither_stops_nor_stalls_the_worker(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    result = asyncio.run(huge_record_scenario(kafka_bootstrap, tmp_path))
    events = result["events"]
    assert sorted(e["source_offset"] for e in events) == list(range(21)), "one event per record"
    assert len(result["outputs"]) + len(result["letters"]) == 21, "nothing produced twice"
    huge = next(e for e in events if e["source_offset"] == 10)
    sizes = sorted(len(json.dumps(e)) for e in events)
    print(f"\nhuge record: outcome {huge['outcome']}, {huge.get('findings_total')} findings,")
    print(f"  audit event {len(json.dumps(huge))} bytes (largest event {sizes[-1]} bytes)")
    assert sizes[-1] < 1_048_576
    if huge["outcome"] != "dead_lettered":
        assert huge["findings_total"] > 1_000
        assert len(huge["findings"]) <= 100
        summarised = sum(c["masked"] + c["not_masked"] for c in huge["findings_summary"])
        assert len(huge["findings"]) + summarised == huge["findings_total"]
        assert huge["findings_digest"].startswith("bloom1:")
    by_offset = {e["source_offset"]: e for e in events}
    outputs = {(r.partition, r.offset) for r in result["outputs"]}
    for offset, event in by_offset.items():
        if event["outcome"] != "dead_lettered":
            assert (event["output_partition"], event["output_offset"]) in outputs, offset


# --- 2 and 3: broker faults ---------------------------------------------------------------


@pytest.fixture(scope="module")
def private_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateBroker]:
    broker = PrivateBroker(tmp_path_factory.mktemp("private-kafka"))
    try:
        broker.start()
        yield broker
    finally:
        broker.stop()


@dataclass
class ReadinessLog:
    """Polls /readyz of one worker every 0.25 s from a thread: (monotonic time, status)."""

    port: int
    samples: list[tuple[float, int | None]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), http_status(self.port, "/readyz", timeout=1)))
            self._stop.wait(0.25)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def first(self, status: int, after: float) -> float | None:
        return next((t for t, s in self.samples if t >= after and s == status), None)


@dataclass
class Run:
    guarantee: str
    topics: Topics
    worker: WorkerProcess
    port: int
    readiness: ReadinessLog


async def fault_scenario(
    broker: PrivateBroker, kind: str, tmp_path: Path, outage_s: float
) -> dict[str, Any]:
    bootstrap = broker.bootstrap
    runs: list[Run] = []
    # Enough input that batches are still in flight when the broker goes away.
    before, after = 400, 100
    rows = dev_records(before + after)
    records = [(rid.encode(), row["text"].encode()) for rid, row in rows]
    for guarantee in GUARANTEES:
        topics = Topics.fresh(f"{kind}-{guarantee[:5]}", partitions=2)
        await create_topics(bootstrap, topics)
        await produce(bootstrap, topics.input, records[:before], partition_of=lambda i: i % 2)
        port = free_port()
        env = worker_env(
            bootstrap,
            topics,
            KeyRing.generate().to_json(),
            PIIMASK_GROUP_ID=f"{topics.input}-g",
            PIIMASK_TRANSACTIONAL_ID_PREFIX=topics.input,
            PIIMASK_PROCESSING_GUARANTEE=guarantee,
            PIIMASK_METRICS_PORT=str(port),
        )
        worker = WorkerProcess(env, tmp_path / f"worker-{guarantee}.log")
        runs.append(Run(guarantee, topics, worker, port, ReadinessLog(port)))
    timeline: dict[str, float] = {}
    try:
        for run in runs:
            run.worker.start()
            run.readiness.start()
        for run in runs:
            async with ProgressWatcher(bootstrap, run.topics.output) as progress:
                await progress.wait_for(before // 8, stall=150, alive=run.worker.alive)
        assert all(r.readiness.first(200, 0) is not None for r in runs), "never ready"
        timeline["fault"] = time.monotonic()
        if kind == "kill":
            broker.kill()
            await asyncio.sleep(outage_s)
            broker.start()
        else:
            broker.freeze()
            await asyncio.sleep(outage_s)
            broker.thaw()
        timeline["back"] = time.monotonic()
        for run in runs:
            await produce(
                bootstrap, run.topics.input, records[before:], partition_of=lambda i: i % 2
            )
        for run in runs:
            async with ProgressWatcher(bootstrap, run.topics.output) as progress:
                try:
                    await progress.wait_for(before + after, stall=90, alive=run.worker.alive)
                except AssertionError as exc:
                    raise AssertionError(
                        f"{run.guarantee}: {exc}\n{run.worker.log_tail(60)}"
                    ) from None
            deadline = time.monotonic() + 30
            while run.readiness.first(200, timeline["back"]) is None:
                assert time.monotonic() < deadline, f"{run.guarantee}: /readyz never 200 again"
                await asyncio.sleep(0.5)
        results: dict[str, Any] = {"timeline": timeline, "runs": {}}
        for run in runs:
            assert run.worker.alive(), f"{run.guarantee} worker exited:\n{run.worker.log_tail()}"
            broker_up = total(scrape(run.port), "piimask_broker_up")
            outputs = await read_all(
                bootstrap, run.topics.output, committed_only=True, expect=before + after, idle=2
            )
            events = await read_all(
                bootstrap, run.topics.audit, committed_only=True, expect=before + after, idle=2
            )
            run.readiness.stop()
            code = run.worker.terminate()
            results["runs"][run.guarantee] = {
                # Keys are masked (deterministically) too: count them, do not compare them.
                "keys": Counter(r.key for r in outputs),
                "audited": Counter(
                    (e["source_partition"], e["source_offset"])
                    for e in (json.loads(r.value) for r in events)
                ),
                "readiness": run.readiness,
                "errors": error_lines(run.worker),
                "exit": code,
                "starts": run.worker.starts,
                "broker_up": broker_up,
                "log_tail": run.worker.log_tail(),
            }
        results["expected"] = {(i % 2, i // 2) for i in range(before + after)}
        return results
    finally:
        for run in runs:
            run.readiness.stop()
            run.worker.ensure_stopped()
            await delete_topics(bootstrap, run.topics)


@pytest.mark.parametrize(
    ("kind", "outage_s"), [("kill", 20), ("stop", 30)], ids=["sigkill-20s", "sigstop-30s"]
)
def test_broker_outage_loses_nothing_and_readiness_follows_the_broker(
    private_broker: PrivateBroker, tmp_path: Path, kind: str, outage_s: int
) -> None:
    results = asyncio.run(fault_scenario(private_broker, kind, tmp_path, outage_s))
    fault, back = results["timeline"]["fault"], results["timeline"]["back"]
    for guarantee, run in results["runs"].items():
        keys: Counter[bytes] = run["keys"]
        audited: Counter[tuple[int, int]] = run["audited"]
        expected = results["expected"]
        assert set(audited) == expected, f"{guarantee}: records without an audit event"
        assert len(keys) == len(expected), f"{guarantee}: records without an output"
        if guarantee == "exactly-once":
            assert sum(keys.values()) == len(expected), "exactly-once produced a record twice"
            assert sum(audited.values()) == len(expected), "exactly-once audited a record twice"
        readiness: ReadinessLog = run["readiness"]
        down = readiness.first(503, fault)
        up = readiness.first(200, back)
        went_down = None if down is None else round(down - fault, 1)
        came_up = None if up is None else round(up - back, 1)
        print(
            f"\n{kind} {guarantee}: /readyz 503 after {went_down} s, 200 again {came_up} s"
            f" after the broker returned; {len(run['errors'])} ERROR lines;"
            f" {sum(keys.values())} outputs for {len(keys)} records"
        )
        assert down is not None, f"{guarantee}: /readyz never turned 503"
        assert down - fault <= READY_WITHIN_S
        assert up is not None
        assert up - back <= READY_WITHIN_S
        assert run["broker_up"] == 1.0
        assert len(run["errors"]) <= MAX_ERROR_LINES, run["errors"][:5]
        assert run["starts"] == 1
        assert run["exit"] == 0, run["log_tail"]
