"""The auditor's commands against a real broker: index, report, verify, find, dump."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from click.testing import CliRunner, Result

from piimask.audit import AuditChain, AuditEvent
from piimask.audit.synthetic import synthetic_events, synthetic_values
from piimask.cli import main
from piimask.keys import KeyRing

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

VALUES = synthetic_values(30)


async def create_topic(bootstrap: str, topic: str, partitions: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, partitions, 1)])
    finally:
        await admin.close()


async def delete_topics(bootstrap: str, topics: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics(topics)
    finally:
        await admin.close()


async def produce(bootstrap: str, topic: str, events: Sequence[AuditEvent]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        futures = [
            await producer.send(
                topic,
                value=e.model_dump_json().encode(),
                key=f"{e.source_topic}:{e.source_partition}".encode(),
            )
            for e in events
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


def run(*args: str) -> Result:
    return CliRunner().invoke(
        main, ["audit", *args], env={"PIIMASK_KEYS": "", "PIIMASK_KEY_FILE": ""}
    )


@pytest.fixture(scope="module")
def keyring() -> KeyRing:
    return KeyRing.generate("k1")


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory, keyring: KeyRing) -> Path:
    path = tmp_path_factory.mktemp("keys") / "keys.json"
    path.write_text(keyring.to_json())
    return path


@pytest.fixture(scope="module")
def created_topics(kafka_bootstrap: str) -> Iterator[list[str]]:
    topics: list[str] = []
    yield topics
    with contextlib.suppress(Exception):
        asyncio.run(asyncio.wait_for(delete_topics(kafka_bootstrap, topics), 15))


@pytest.fixture(scope="module")
def trail(
    kafka_bootstrap: str, keyring: KeyRing, created_topics: list[str]
) -> tuple[str, list[AuditEvent], AuditChain]:
    """An audit topic (2 partitions) holding 300 sealed events of 3 source partitions."""
    topic = f"audit-it-{uuid.uuid4().hex[:8]}"
    chain = AuditChain.from_keyring(keyring)
    events = list(
        synthetic_events(keyring, chain, records=300, partitions=3, values=VALUES, seed=7)
    )
    asyncio.run(create_topic(kafka_bootstrap, topic, 2))
    created_topics.append(topic)
    asyncio.run(produce(kafka_bootstrap, topic, events))
    return topic, events, chain


def expected_totals(events: Sequence[AuditEvent]) -> tuple[int, dict[str, int], int]:
    outcomes = Counter(e.outcome for e in events)
    findings = sum(len(e.findings) for e in events)
    return len(events), dict(outcomes), findings


def test_index_then_report_totals_match_what_was_produced(
    kafka_bootstrap: str, trail: tuple[str, list[AuditEvent], AuditChain], tmp_path: Path
) -> None:
    topic, events, _ = trail
    db = tmp_path / "audit.sqlite"
    indexed = run("index", "--db", str(db), "--bootstrap", kafka_bootstrap, "--topic", topic)
    assert indexed.exit_code == 0, indexed.output
    assert "indexed 300 event(s), 0 rejected" in indexed.output

    report = json.loads(run("report", "--db", str(db), "--format", "json").output)
    records, outcomes, findings = expected_totals(events)
    assert report["records"] == records
    assert {k: v for k, v in report["outcomes"].items() if v} == outcomes
    assert report["findings"]["total"] == findings

    direct = run("report", "--bootstrap", kafka_bootstrap, "--topic", topic, "--format", "json")
    assert direct.exit_code == 0, direct.output
    assert json.loads(direct.output) == report


def test_index_is_incremental(
    kafka_bootstrap: str, keyring: KeyRing, created_topics: list[str], tmp_path: Path
) -> None:
    topic = f"audit-inc-{uuid.uuid4().hex[:8]}"
    chain = AuditChain.from_keyring(keyring)
    events = list(synthetic_events(keyring, chain, records=40, seed=3))
    asyncio.run(create_topic(kafka_bootstrap, topic, 1))
    created_topics.append(topic)
    asyncio.run(produce(kafka_bootstrap, topic, events[:25]))
    db = tmp_path / "audit.sqlite"
    args = ("index", "--db", str(db), "--bootstrap", kafka_bootstrap, "--topic", topic)
    assert "indexed 25 event(s)" in run(*args).output
    assert "indexed 0 event(s)" in run(*args).output
    asyncio.run(produce(kafka_bootstrap, topic, events[25:]))
    second = run(*args)
    assert "indexed 15 event(s)" in second.output
    assert "holds 40" in second.output
    assert json.loads(run("report", "--db", str(db)).output)["records"] == 40


def test_verify_passes_on_the_topic_and_fails_on_a_tampered_copy(
    kafka_bootstrap: str,
    trail: tuple[str, list[AuditEvent], AuditChain],
    key_file: Path,
    tmp_path: Path,
) -> None:
    topic, _, _ = trail
    ok = run(
        "verify",
        "--bootstrap",
        kafka_bootstrap,
        "--topic",
        topic,
        "--key-file",
        str(key_file),
        "--expect-through",
        "orders:0:99",
    )
    assert ok.exit_code == 0, ok.output
    assert "OK: 300 events in 3 chain(s)" in ok.output

    copy = tmp_path / "trail.jsonl"
    dumped = run("dump", "--bootstrap", kafka_bootstrap, "--topic", topic, "-o", str(copy))
    assert dumped.exit_code == 0, dumped.output
    lines = copy.read_text().splitlines()
    assert len(lines) == 300
    assert run("verify", "--file", str(copy), "--key-file", str(key_file)).exit_code == 0

    victim = json.loads(lines[150])
    doc = json.loads(lines[151])
    doc["outcome"], doc["findings"], doc["reason"] = "clean", [], None
    tampered = [*lines[:150], json.dumps(doc), *lines[152:]]
    copy.write_text("\n".join(tampered) + "\n")
    bad = run("verify", "--file", str(copy), "--key-file", str(key_file))
    assert bad.exit_code == 1
    assert f"event {doc['event_id']}: hash does not match" in bad.output
    assert "ERROR broken_link" in bad.output  # the deleted victim's successor
    assert victim["event_id"] not in bad.output


def test_find_by_value_over_the_index_returns_exactly_the_records_that_held_it(
    kafka_bootstrap: str,
    trail: tuple[str, list[AuditEvent], AuditChain],
    keyring: KeyRing,
    key_file: Path,
    tmp_path: Path,
) -> None:
    topic, events, _ = trail
    db = tmp_path / "audit.sqlite"
    run("index", "--db", str(db), "--bootstrap", kafka_bootstrap, "--topic", topic)
    value = VALUES[5]
    fingerprint = keyring.fingerprint(value)
    expected = {e.source for e in events if any(f.fingerprint == fingerprint for f in e.findings)}
    assert expected
    found = run(
        "find", "--db", str(db), "--key-file", str(key_file), "--value", value, "--format", "json"
    )
    assert found.exit_code == 0, found.output
    assert set(json.loads(found.output)["records"]) == expected
    assert value not in found.output


def test_reading_a_missing_topic_is_a_clear_error(kafka_bootstrap: str) -> None:
    result = run("report", "--bootstrap", kafka_bootstrap, "--topic", "no-such-audit-topic-x")
    assert result.exit_code == 1
    assert "does not exist" in result.output
