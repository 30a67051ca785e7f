"""Drift, end to end: a real worker, a real Prometheus server with the shipped rules, the trail.

Traffic of one mix (support notes naming a person and an e-mail address), then the same
notes with each name replaced by a lower-case word. Prometheus scrapes the worker every
second and evaluates deploy/prometheus/piimask-rules.yml with short windows (5 s rates, a
60 s baseline: the expressions are the shipped ones); PiimaskFindingRateDrift must fire for
PERSON after the change and not before. Then `piimask audit drift` over the worker's audit
trail flags PERSON and exits 1.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from faker import Faker

from piimask.cli import main
from piimask.demo.workers import free_port
from piimask.keys import KeyRing
from tests.integration.ops_support import http_status, scrape, total, wait_until
from tests.integration.prometheus_support import (
    DASHBOARD,
    RULES,
    PrometheusServer,
    shortened_rules,
    start_prometheus,
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

# Written for this test (not evaluation data); values come from Faker.
SHAPES = (
    "Ticket {n}: {name} asked us to send the new contract to {email}.",
    "Order {n} was delivered to {name}; the receipt went to {email}.",
    "Support note {n}: {name} called about the invoice, reply to {email}.",
    "Case {n}: refund approved for {name}, confirmation sent to {email}.",
)
RATE = 20  # records per second, both phases
BASELINE_RECORDS = 160
MIN_WINDOW_RECORDS = 140


def traffic(start: int, n: int, *, lower_case_names: bool) -> list[tuple[bytes, bytes]]:
    fake = Faker("en_US")
    fake.seed_instance(start)
    rng = random.Random(start)  # reproducible test data, not secrets
    out = []
    for i in range(start, start + n):
        name = fake.word() if lower_case_names else fake.name()
        text = rng.choice(SHAPES).format(n=i, name=name, email=fake.email())
        out.append((f"k{i}".encode(), text.encode()))
    return out


@pytest.fixture
def cleanup() -> Iterator[list[WorkerProcess | PrometheusServer]]:
    started: list[WorkerProcess | PrometheusServer] = []
    yield started
    for thing in started:
        if isinstance(thing, WorkerProcess):
            thing.ensure_stopped()
        else:
            thing.stop()


def test_a_drift_alert_fires_and_audit_drift_flags_person_when_names_turn_into_words(
    kafka_bootstrap: str, tmp_path: Path, cleanup: list[WorkerProcess | PrometheusServer]
) -> None:
    topics = Topics.fresh("drift")
    asyncio.run(create_topics(kafka_bootstrap, topics))
    port = free_port()
    worker = WorkerProcess(
        worker_env(
            kafka_bootstrap,
            topics,
            KeyRing.generate().to_json(),
            PIIMASK_GROUP_ID=f"{topics.input}-g",
            PIIMASK_METRICS_PORT=str(port),
        ),
        tmp_path / "worker.log",
    )
    cleanup.append(worker)
    worker.start()
    prometheus = start_prometheus(
        tmp_path / "prometheus",
        port=free_port(),
        targets=[f"127.0.0.1:{port}"],
        rules_text=shortened_rules(RULES.read_text(encoding="utf-8")),
    )
    cleanup.append(prometheus)
    wait_until(prometheus.ready, 60, "prometheus ready")

    def ready() -> bool:
        assert worker.alive(), worker.log_tail()
        return http_status(port, "/readyz", timeout=1) == 200

    wait_until(ready, 180, "worker ready")

    def send(start: int, n: int, *, lower: bool) -> None:
        """``n`` records at RATE per second."""
        for offset in range(0, n, RATE // 4):
            began = time.monotonic()
            chunk = traffic(start + offset, min(RATE // 4, n - offset), lower_case_names=lower)
            asyncio.run(produce(kafka_bootstrap, topics.input, chunk))
            time.sleep(max(0.0, 0.25 - (time.monotonic() - began)))

    def processed() -> float:
        return total(scrape(port), "piimask_records_total")

    # Phase 1: the baseline mix.
    send(0, BASELINE_RECORDS, lower=False)
    wait_until(lambda: processed() >= BASELINE_RECORDS, 120, "baseline processed")
    wait_until(
        lambda: bool(prometheus.query("piimask:findings_per_1k_records:avg7d")["data"]["result"]),
        30,
        "baseline recorded",
    )
    # Only the type whose mix is about to change is asserted: a short baseline leaves the
    # model's occasional STREET_ADDRESS guesses ("delivered to ...") noisy enough to alert.
    before = [a["entity_type"] for a in prometheus.firing("PiimaskFindingRateDrift")]
    assert "PERSON" not in before, f"drift alert before the change: {before}"
    boundary = datetime.now(UTC)

    # Phase 2: names become lower-case words; keep the traffic coming until the alert fires.
    sent, fired = 0, []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        send(BASELINE_RECORDS + sent, RATE, lower=True)
        sent += RATE
        fired = [
            a for a in prometheus.firing("PiimaskFindingRateDrift") if a["entity_type"] == "PERSON"
        ]
        if fired and sent >= MIN_WINDOW_RECORDS:
            break
    assert worker.alive(), worker.log_tail()
    assert fired, f"no PERSON drift alert\n{prometheus.log_tail()}"
    assert fired[0]["job"] == "piimask"
    # The e-mail addresses did not change: their finding rate must not alert.
    firing = [a["entity_type"] for a in prometheus.firing("PiimaskFindingRateDrift")]
    assert "EMAIL_ADDRESS" not in firing, firing

    # Every dashboard query is valid PromQL against this server's series.
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"].replace("$job", ".*").replace("$entity_type", ".*")
            answer = prometheus.query(expr)
            assert answer["status"] == "success", (panel["title"], answer)
    scores = prometheus.query('sum(piimask_finding_score_count{entity_type="PERSON"})')
    assert float(scores["data"]["result"][0]["value"][1]) > 0

    # The audit trail of the same run: audit drift flags PERSON and exits 1.
    expected = BASELINE_RECORDS + sent
    wait_until(lambda: processed() >= expected, 120, "window processed")
    audit = asyncio.run(read_all(kafka_bootstrap, topics.audit, expect=expected, timeout=60))
    trail = tmp_path / "audit.jsonl"
    trail.write_text("".join(r.value.decode() + "\n" for r in audit), encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "audit",
            "drift",
            "--file",
            str(trail),
            "--baseline",
            f"..{boundary.isoformat()}",
            "--window",
            f"{boundary.isoformat()}..",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert "PERSON" in report["flagged_types"], report
    assert "EMAIL_ADDRESS" not in report["flagged_types"], report
    assert report["baseline"]["records"] == BASELINE_RECORDS
    assert report["window"]["records"] == sent
    assert worker.terminate() == 0
