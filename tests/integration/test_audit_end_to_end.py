"""A worker run over the dev set, then the auditor's view of it.

After ``python -m piimask worker`` has processed every dev record: the audit report's
totals match the run, the chains verify, ``find --value`` for each gold e-mail address
returns the records that held it, and no gold PII value appears in any audit event or in
the worker's log.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from click.testing import CliRunner, Result

from piimask.audit.find import value_variants
from piimask.audit.topic import read_topic
from piimask.audit.trail import TrailEntry
from piimask.cli import main
from piimask.keys import KeyRing
from piimask.topic_reader import topic_partitions
from tests.integration.stream_support import (
    DEV_SET,
    Topics,
    WorkerProcess,
    create_topics,
    produce,
    read_all,
    worker_env,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

PARTITIONS = 2
# Gold labels that are PII (the dev set README's "core PII").
CORE_PII = {
    "PERSON",
    "STREET_ADDRESS",
    "GPE",
    "ZIP_CODE",
    "PHONE_NUMBER",
    "EMAIL_ADDRESS",
    "CREDIT_CARD",
    "IBAN_CODE",
    "US_SSN",
    "US_DRIVER_LICENSE",
    "IP_ADDRESS",
    "DOMAIN_NAME",
}
# Values shorter than 5 characters, and short runs of bare digits/hex (a ZIP code, say),
# could occur by chance inside timestamps, offsets, uuids and digests: the scan skips them.
_BARE_HEX = re.compile(r"^[0-9a-fA-F]+$")


def scannable(value: str) -> bool:
    return len(value) >= 5 and not (_BARE_HEX.match(value) and len(value) < 12)


def run(*args: str, keys: str = "") -> Result:
    return CliRunner().invoke(main, ["audit", *args], env={"PIIMASK_KEYS": keys})


async def delete_topics(bootstrap: str, topics: Topics) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([topics.input, topics.output, topics.audit, topics.dlq])
    finally:
        await admin.close()


async def total_records(bootstrap: str, topic: str) -> int:
    tps = await topic_partitions(bootstrap, [topic])
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        return int(sum((await consumer.end_offsets(tps)).values()))
    finally:
        await consumer.stop()


async def wait_for_audit(bootstrap: str, topic: str, n: int, worker: WorkerProcess) -> None:
    deadline = time.monotonic() + 480
    while time.monotonic() < deadline:
        if await total_records(bootstrap, topic) >= n:
            return
        if not worker.alive():
            raise AssertionError(f"worker exited early:\n{worker.log_tail()}")
        await asyncio.sleep(2)
    raise AssertionError(f"audit topic has fewer than {n} events:\n{worker.log_tail()}")


def read_audit_texts(bootstrap: str, topic: str) -> list[str]:
    texts: list[str] = []

    def on_batch(entries: list[TrailEntry], _positions: dict[int, int]) -> None:
        texts.extend(e.text for e in entries)

    asyncio.run(read_topic(bootstrap, topic, on_batch))
    return texts


@pytest.fixture(scope="module")
def dev_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def run_result(
    kafka_bootstrap: str, dev_rows: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """One worker run over the whole dev set; record i goes to partition i % 2."""
    keyring = KeyRing.generate("k1")
    topics = Topics.fresh("audit-e2e", partitions=PARTITIONS)
    asyncio.run(create_topics(kafka_bootstrap, topics))
    workdir = tmp_path_factory.mktemp("audit-e2e")
    env = worker_env(
        kafka_bootstrap,
        topics,
        keyring.to_json(),
        PIIMASK_GROUP_ID=f"{topics.input}-g",
        PIIMASK_LOG_LEVEL="INFO",
    )
    worker = WorkerProcess(env, workdir / "worker.log")
    worker.start()
    try:
        asyncio.run(
            produce(
                kafka_bootstrap,
                topics.input,
                [(row["id"].encode(), row["text"].encode()) for row in dev_rows],
                partition_of=lambda i: i % PARTITIONS,
            )
        )
        asyncio.run(wait_for_audit(kafka_bootstrap, topics.audit, len(dev_rows), worker))
        assert worker.terminate() == 0, worker.log_tail()
    finally:
        worker.ensure_stopped()
    outputs = asyncio.run(read_all(kafka_bootstrap, topics.output, idle=2.0, timeout=60))
    dead = asyncio.run(read_all(kafka_bootstrap, topics.dlq, idle=1.0, timeout=30))
    db = workdir / "audit.sqlite"
    indexed = run("index", "--db", str(db), "--bootstrap", kafka_bootstrap, "--topic", topics.audit)
    assert indexed.exit_code == 0, indexed.output
    yield {
        "keyring": keyring,
        "topics": topics,
        "worker": worker,
        "db": db,
        "outputs": outputs,
        "dead": dead,
        "coords": {i: (i % PARTITIONS, i // PARTITIONS) for i in range(len(dev_rows))},
    }
    with contextlib.suppress(Exception):
        asyncio.run(asyncio.wait_for(delete_topics(kafka_bootstrap, topics), 15))


def test_report_totals_match_the_run(run_result: dict[str, Any], dev_rows: list[Any]) -> None:
    report = json.loads(run("report", "--db", str(run_result["db"]), "--format", "json").output)
    n = len(dev_rows)
    assert report["events"] == n
    assert report["records"] == n
    outcomes = report["outcomes"]
    assert sum(outcomes.values()) == n
    assert outcomes["masked"] + outcomes["clean"] + outcomes["tombstone"] == len(
        run_result["outputs"]
    )
    assert outcomes["dead_lettered"] == len(run_result["dead"])
    stopped = [e for e in run_result["worker"].log_lines() if e.get("message") == "worker stopped"]
    if stopped and "records" in stopped[-1]:
        assert stopped[-1]["records"] == n
    assert report["findings"]["by_entity_type"].get("EMAIL_ADDRESS", 0) > 0
    assert set(report["scores"]) == set(report["findings"]["by_entity_type"])


def test_chains_verify_through_the_last_input_offset(
    kafka_bootstrap: str, run_result: dict[str, Any], dev_rows: list[Any]
) -> None:
    topics = run_result["topics"]
    last = {p: max(o for q, o in run_result["coords"].values() if q == p) for p in range(2)}
    args = ["verify", "--bootstrap", kafka_bootstrap, "--topic", topics.audit]
    for p, o in last.items():
        args += ["--expect-through", f"{topics.input}:{p}:{o}"]
    result = run(*args, keys=run_result["keyring"].to_json())
    assert result.exit_code == 0, result.output
    assert f"OK: {len(dev_rows)} events in {PARTITIONS} chain(s)" in result.output


def test_find_value_returns_exactly_the_records_that_held_each_gold_email(
    run_result: dict[str, Any], dev_rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    topics = run_result["topics"]
    holders: dict[str, set[str]] = defaultdict(set)
    for i, row in enumerate(dev_rows):
        p, o = run_result["coords"][i]
        for span in row["spans"]:
            if span["label"] == "EMAIL_ADDRESS":
                holders[row["text"][span["start"] : span["end"]]].add(f"{topics.input}:{p}:{o}")
    emails = sorted(holders)
    assert emails
    values = tmp_path / "values.txt"
    values.write_text("\n".join(emails) + "\n")
    result = run(
        "find",
        "--db",
        str(run_result["db"]),
        "--value-file",
        str(values),
        "--format",
        "json",
        keys=run_result["keyring"].to_json(),
    )
    assert result.exit_code == 0, result.output
    found: dict[str, set[str]] = defaultdict(set)
    for match in json.loads(result.output)["matches"]:
        if match["matched"] == "value":
            found[emails[match["value_index"] - 1]].add(match["source"])
    wrong = {}
    for email in emails:
        # find also tries the trimmed, lower-cased form of the asked value
        expected = set().union(*(holders.get(v, set()) for v in value_variants(email)))
        if found[email] != expected:
            wrong[f"email #{emails.index(email) + 1}"] = (len(found[email]), len(expected))
    assert not wrong, f"(found, expected) record counts differ: {wrong}"
    for email in emails:
        assert email not in result.output


def test_no_gold_pii_value_in_any_audit_event_or_worker_log(
    kafka_bootstrap: str, run_result: dict[str, Any], dev_rows: list[dict[str, Any]]
) -> None:
    values = {
        row["text"][s["start"] : s["end"]]
        for row in dev_rows
        for s in row["spans"]
        if s["label"] in CORE_PII
    }
    checked = {v for v in values if scannable(v)}
    assert len(checked) > 0.8 * len(values), "the scan would skip too many values"
    events = read_audit_texts(kafka_bootstrap, run_result["topics"].audit)
    assert len(events) == len(dev_rows)
    trail = "\n".join(events)
    log = run_result["worker"].log_path.read_text(errors="replace")
    leaks_in_trail = sorted(v for v in checked if v in trail)
    leaks_in_log = sorted(v for v in checked if v in log)
    # report counts only: the assertion message must not print PII either
    assert not leaks_in_trail, f"{len(leaks_in_trail)} gold values found in audit events"
    assert not leaks_in_log, f"{len(leaks_in_log)} gold values found in the worker log"
