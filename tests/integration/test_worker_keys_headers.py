"""PII in record keys, headers and JSON object keys, through the real worker, broker and model.

Nothing of it may reach the output topic, the audit topic, the dead-letter topic or the
log; two records with the same PII key must end on the same output key and partition (a
compacted output topic keeps per-key history), and a tombstone of the key must delete the
masked key.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from piimask.audit.find import find_by_values
from piimask.audit.index import AuditIndex
from piimask.audit.trail import TrailEntry
from piimask.keys import KeyRing
from piimask.ops.logs import configure_logging
from piimask.settings import Settings
from piimask.stream.app import build_worker
from tests.integration.stream_support import (
    Topics,
    create_topics,
    delete_topics,
    read_all,
    shared_engine,
)

pytestmark = pytest.mark.integration

JANE_MAIL = "jane.doe@example.com"
ROBERT_MAIL = "robert.johnson@example.com"
MARIA_MAIL = "maria.garcia@example.com"
SECRETS = (JANE_MAIL, ROBERT_MAIL, MARIA_MAIL, "Jane Smith", "Robert Johnson", "Maria Garcia")

# (key, value, headers)
RECORDS: list[tuple[bytes, bytes | None, list[tuple[str, bytes]]]] = [
    (
        JANE_MAIL.encode(),
        json.dumps(
            {
                "contacts": {JANE_MAIL: {"name": "Jane Smith", "phone": "415-555-0132"}},
                "people": [{"Robert Johnson": {"email": ROBERT_MAIL}}, {"Maria Garcia": 3}],
            }
        ).encode(),
        [("x-user", b"Jane Smith"), ("x-mail", JANE_MAIL.encode()), ("trace", b"t-1")],
    ),
    (JANE_MAIL.encode(), b'{"n": 2}', [("x-mail", JANE_MAIL.encode())]),
    (b"Robert Johnson", b'{"note": "created"}', []),
    (b"Robert Johnson", None, [("x-user", b"Robert Johnson")]),  # tombstone
    (MARIA_MAIL.encode(), b'{"broken": ', [("x-user", b"Maria Garcia")]),  # dead letter
]
N_OUT, N_DLQ = 4, 1


async def produce_records(bootstrap: str, topic: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        futures = [
            await producer.send(topic, key=key, value=value, headers=headers)
            for key, value, headers in RECORDS
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def run_worker(bootstrap: str, topics: Topics, keyring: KeyRing) -> dict[str, Any]:
    await create_topics(bootstrap, topics)
    await produce_records(bootstrap, topics.input)
    log = io.StringIO()
    restore = _capture_worker_log(log)
    settings = Settings(
        kafka_bootstrap=bootstrap,
        input_topics=[topics.input],
        audit_topic=topics.audit,
        dlq_topic=topics.dlq,
        group_id=f"{topics.input}-g",
        message_format="json",
        metrics_port=0,
    )
    worker = build_worker(settings, engine=shared_engine(), keyring=keyring)
    task = asyncio.create_task(worker.run())
    try:
        outputs = await read_all(bootstrap, topics.output, expect=N_OUT, timeout=120)
        letters = await read_all(bootstrap, topics.dlq, expect=N_DLQ, timeout=30)
        audits = await read_all(bootstrap, topics.audit, expect=len(RECORDS), timeout=30)
    finally:
        worker.stop()
        await asyncio.wait_for(task, 60)
        restore()
    inputs = await read_all(bootstrap, topics.input, expect=len(RECORDS), timeout=30)
    return {
        "outputs": outputs,
        "letters": letters,
        "audits": audits,
        "inputs": inputs,
        "log": log.getvalue().splitlines(),
    }


@pytest.fixture(scope="module")
def keyring() -> KeyRing:
    return KeyRing.generate()


def _capture_worker_log(stream: io.StringIO) -> Callable[[], None]:
    """The worker's own logging set-up at its most verbose level, into ``stream``."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    clients = {name: logging.getLogger(name).level for name in ("aiokafka", "kafka")}
    hooks = (sys.excepthook, threading.excepthook)
    configure_logging("DEBUG", "json", stream=stream)

    def restore() -> None:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
        for name, client_level in clients.items():
            logging.getLogger(name).setLevel(client_level)
        sys.excepthook, threading.excepthook = hooks

    return restore


@pytest.fixture(scope="module")
def run(kafka_bootstrap: str, keyring: KeyRing) -> Iterator[dict[str, Any]]:
    topics = Topics.fresh("keys", partitions=3)
    try:
        yield asyncio.run(run_worker(kafka_bootstrap, topics, keyring))
    finally:
        asyncio.run(delete_topics(kafka_bootstrap, topics))


def texts_of(messages: list[Any]) -> list[str]:
    return [repr((m.key, m.value, list(m.headers or ()))) for m in messages]


@pytest.mark.parametrize("where", ["outputs", "audits", "letters", "log"])
def test_no_pii_of_keys_headers_or_values_appears_verbatim(run: dict[str, Any], where: str) -> None:
    seen = run["log"] if where == "log" else texts_of(run[where])
    assert seen, f"nothing read from {where}"
    for text in seen:
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} in {where}"


def test_records_with_the_same_pii_key_share_output_key_and_partition(run: dict[str, Any]) -> None:
    source = {(m.key, m.value): (m.partition, m.offset) for m in run["inputs"]}
    events = {
        (e["source_partition"], e["source_offset"]): e
        for e in (json.loads(a.value) for a in run["audits"])
    }
    outputs = {(m.partition, m.offset): m for m in run["outputs"]}

    def output_of(index: int) -> Any:
        key, value, _headers = RECORDS[index]
        event = events[source[(key, value)]]
        return outputs[(event["output_partition"], event["output_offset"])]

    first, second = output_of(0), output_of(1)
    assert first.key == second.key
    assert first.partition == second.partition
    assert first.key.startswith(b"<EMAIL_ADDRESS:")
    robert, tombstone = output_of(2), output_of(3)
    assert tombstone.value is None
    assert robert.key == tombstone.key  # the tombstone deletes the masked key
    assert robert.partition == tombstone.partition


def test_audit_findings_name_the_key_header_and_object_key_paths(run: dict[str, Any]) -> None:
    events = [json.loads(a.value) for a in run["audits"]]
    first = next(e for e in events if e["source_offset"] == 0 and len(e["findings"]) > 3)
    fields = {f["field"] for f in first["findings"]}
    assert "key" in fields
    assert "header:x-user" in fields
    assert "header:x-mail" in fields
    assert any(f.startswith("$.contacts[") and f.endswith("]~") for f in fields)
    assert any(f.startswith("$.people[0][") and f.endswith("]~") for f in fields)
    outcomes = sorted(e["outcome"] for e in events)
    assert outcomes == ["dead_lettered", "masked", "masked", "masked", "tombstone"]


def test_audit_find_by_value_finds_the_records_whose_key_held_it(
    run: dict[str, Any], keyring: KeyRing
) -> None:
    index = AuditIndex(":memory:")
    index.add(
        [TrailEntry(text=a.value.decode(), location=f"offset {a.offset}") for a in run["audits"]]
    )
    matches = find_by_values(index, keyring, [JANE_MAIL])
    keyed = {m.source for m in matches if m.matched == "record_key"}
    in_key = {m.source for m in matches if m.field == "key"}
    assert len(keyed) == 2
    assert keyed == in_key
