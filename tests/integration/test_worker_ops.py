"""Operations of a real worker process: readiness, metrics that match a run, policy reload."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from piimask.demo.traffic import generate
from piimask.demo.workers import free_port
from piimask.keys import KeyRing
from tests.integration.ops_support import (
    http_status,
    scrape,
    series,
    total,
    wait_until,
    write_policy,
)
from tests.integration.stream_support import (
    Topics,
    WorkerProcess,
    create_topics,
    produce,
    read_all,
    worker_env,
)

pytestmark = pytest.mark.integration

POLICY_HEADER = "piimask-policy-version"


def texts(n: int, seed: int) -> list[tuple[bytes, bytes]]:
    msgs = [m for m in generate(n * 2, seed=seed) if m.format == "text"][:n]
    assert len(msgs) == n
    return [(m.key.encode(), m.value.encode()) for m in msgs]


@pytest.fixture
def worker_factory(tmp_path: Path) -> Iterator[list[WorkerProcess]]:
    started: list[WorkerProcess] = []
    yield started
    for w in started:
        w.ensure_stopped()


def start(
    bootstrap: str,
    topics: Topics,
    tmp_path: Path,
    started: list[WorkerProcess],
    **extra: str,
) -> tuple[WorkerProcess, int]:
    port = free_port()
    env = worker_env(
        bootstrap,
        topics,
        KeyRing.generate().to_json(),
        PIIMASK_GROUP_ID=f"{topics.input}-g",
        PIIMASK_METRICS_PORT=str(port),
        **extra,
    )
    worker = WorkerProcess(env, tmp_path / f"worker-{len(started)}.log")
    started.append(worker)
    worker.start()
    return worker, port


def test_readiness_flips_after_group_join_and_metrics_match_the_run(
    kafka_bootstrap: str, tmp_path: Path, worker_factory: list[WorkerProcess]
) -> None:
    topics = Topics.fresh("ops-metrics", partitions=2)
    asyncio.run(create_topics(kafka_bootstrap, topics))
    worker, port = start(kafka_bootstrap, topics, tmp_path, worker_factory)

    # Poll fast from process start: nothing listens while the model loads, then 503 until
    # the consumer group assigns partitions, then 200.
    seen: list[int | None] = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        status = http_status(port, "/readyz", timeout=1)
        if not seen or seen[-1] != status:
            seen.append(status)
        if status == 200:
            break
        assert worker.alive(), worker.log_tail()
        time.sleep(0.01)
    assert seen[-1] == 200, f"never ready: {seen}\n{worker.log_tail()}"
    answered = [s for s in seen if s is not None]
    assert answered[0] == 503, f"readiness answers: {answered}"
    assert http_status(port, "/healthz") == 200

    n = 40
    asyncio.run(produce(kafka_bootstrap, topics.input, texts(n, seed=11)))
    outputs = asyncio.run(read_all(kafka_bootstrap, topics.output, expect=n, timeout=180))
    audit = asyncio.run(read_all(kafka_bootstrap, topics.audit, expect=n, timeout=60))
    assert len(outputs) == n
    assert len(audit) == n

    # Counters are updated after the audit event is acknowledged; give them a moment.
    wait_until(lambda: total(scrape(port), "piimask_records_total") >= n, 30, "records_total == n")
    m = scrape(port)
    assert total(m, "piimask_records_in_total", topic=topics.input) == n
    assert total(m, "piimask_records_total") == n
    events = [json.loads(r.value) for r in audit]
    by_outcome: dict[str, int] = {}
    for ev in events:
        by_outcome[ev["outcome"]] = by_outcome.get(ev["outcome"], 0) + 1
    for outcome, count in by_outcome.items():
        assert total(m, "piimask_records_total", outcome=outcome) == count, outcome
    assert total(m, "piimask_dead_letters_total") == by_outcome.get("dead_lettered", 0)

    found = sum(len(ev["findings"]) for ev in events)
    assert found > 0
    assert total(m, "piimask_findings_total") == found
    entity_types = {s["entity_type"] for s in series(m, "piimask_findings_total")}
    assert entity_types == {f["entity_type"] for ev in events for f in ev["findings"]}

    assert total(m, "piimask_batch_size_sum") == n
    assert total(m, "piimask_end_to_end_seconds_count") == n
    assert total(m, "piimask_detect_seconds_count") >= 1
    assert total(m, "piimask_mask_seconds_count") >= 1
    assert total(m, "piimask_model_windows_sum") >= 1
    lag = {(s["topic"], s["partition"]) for s in series(m, "piimask_consumer_lag")}
    assert lag <= {(topics.input, "0"), (topics.input, "1")}
    assert lag
    (policy,) = series(m, "piimask_policy_info")
    assert policy["version"] == events[0]["policy_version"]
    assert policy["sha256"] == events[0]["policy_sha256"]

    # Labels carry types, never values: no input text shows up in the exposition.
    exposition = " ".join(str(k) for k in m)
    for _, value in texts(n, seed=11):
        for word in value.decode().split():
            if "@" in word:
                assert word.strip("().,") not in exposition

    assert worker.terminate() == 0


def test_sighup_reloads_a_valid_policy_and_keeps_the_old_one_on_an_invalid_one(
    kafka_bootstrap: str, tmp_path: Path, worker_factory: list[WorkerProcess]
) -> None:
    topics = Topics.fresh("ops-reload")
    asyncio.run(create_topics(kafka_bootstrap, topics))
    policy = tmp_path / "policy.yaml"
    write_policy(policy, "ops-v1")
    worker, port = start(
        kafka_bootstrap,
        topics,
        tmp_path,
        worker_factory,
        PIIMASK_POLICY_FILE=str(policy),
        PIIMASK_POLICY_RELOAD="sighup",
    )
    wait_until(lambda: http_status(port, "/readyz") == 200, 180, "worker ready")
    assert worker.proc is not None

    def send_and_collect(batch: int, expect_total: int) -> list[str]:
        asyncio.run(produce(kafka_bootstrap, topics.input, texts(5, seed=batch)))
        out = asyncio.run(
            read_all(kafka_bootstrap, topics.output, expect=expect_total, timeout=120)
        )
        assert len(out) == expect_total
        versions = []
        for r in out[expect_total - 5 :]:
            headers = dict(r.headers)
            versions.append(headers[POLICY_HEADER].decode())
        return versions

    assert send_and_collect(1, 5) == ["ops-v1"] * 5

    write_policy(policy, "ops-v2")
    worker.proc.send_signal(signal.SIGHUP)
    wait_until(
        lambda: total(scrape(port), "piimask_policy_reloads_total", result="ok") == 1,
        30,
        "policy reload accepted",
    )
    assert series(scrape(port), "piimask_policy_info")[0]["version"] == "ops-v2"
    assert send_and_collect(2, 10) == ["ops-v2"] * 5

    policy.write_text("version: broken\nentities:\n  CREDIT_CARD:\n    operator: shred\n")
    worker.proc.send_signal(signal.SIGHUP)
    wait_until(
        lambda: total(scrape(port), "piimask_policy_reloads_total", result="rejected") == 1,
        30,
        "invalid policy rejected",
    )
    assert worker.alive()
    assert http_status(port, "/healthz") == 200
    assert send_and_collect(3, 15) == ["ops-v2"] * 5

    audit = asyncio.run(read_all(kafka_bootstrap, topics.audit, expect=15, timeout=60))
    versions = [json.loads(r.value)["policy_version"] for r in audit]
    assert versions == ["ops-v1"] * 5 + ["ops-v2"] * 10

    # The rejection is logged naming the field at fault.
    rejected = [ln for ln in worker.log_lines() if "policy reload rejected" in ln.get("msg", "")]
    assert len(rejected) == 1
    assert "entities.CREDIT_CARD.operator" in rejected[0]["error"]
    assert worker.terminate() == 0
