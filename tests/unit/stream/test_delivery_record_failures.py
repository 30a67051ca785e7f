"""Failures that depend on one record dead-letter that record; the batch goes on (issue 9)."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka.errors import MessageSizeTooLargeError

from piimask.audit import AuditChain
from piimask.keys import KeyRing
from piimask.stream.delivery import BatchSender, Destinations, RecordsRejected
from piimask.stream.pipeline import Forward
from tests.unit.stream.helpers import context, record

DEST = Destinations(
    output_template="{topic}.masked",
    audit_topic="piimask.audit",
    dlq_topic="piimask.dlq",
    group_id="g",
    model_name="rampart",
    model_sha256="ab" * 32,
    max_record_bytes=100_000,
)


class RefusingProducer:
    """Refuses outputs whose value starts with b"BIG": at send time or in the ack."""

    def __init__(self, *, at_send: bool) -> None:
        self.at_send = at_send
        self.sent: list[dict[str, Any]] = []

    async def partitions_for(self, topic: str) -> set[int]:
        return {0}

    async def send(self, topic: str, **kw: Any) -> asyncio.Future[Any]:
        big = topic.endswith(".masked") and (kw.get("value") or b"").startswith(b"BIG")
        if big and self.at_send:
            raise MessageSizeTooLargeError("record too large")
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if big:
            fut.set_exception(MessageSizeTooLargeError())
        else:
            self.sent.append({"topic": topic, **kw})
            fut.set_result(SimpleNamespace(topic=topic, partition=0, offset=len(self.sent)))
        return fut


class Mask:
    """An applied mask whose entity type breaks the audit event format."""

    entity_type = "not an identifier"
    start, end, field, operator, score = 0, 3, None, "redact", 0.9
    detector, masked, reason, key_id = "model", True, None, None
    fingerprint = "c" * 64


def batch() -> list[Any]:
    return [
        Forward(record(b"a", offset=1), b"fine", "clean"),
        Forward(record(b"b", offset=2), b"BIG value", "clean"),
        Forward(record(b"c", offset=3), b"[REDACTED]", "masked", (Mask(),)),
        Forward(record(b"d", offset=4), b"also fine", "clean"),
    ]


def audit_events(producer: RefusingProducer) -> list[dict[str, Any]]:
    return [json.loads(s["value"]) for s in producer.sent if s["topic"] == "piimask.audit"]


@pytest.mark.parametrize("at_send", [True, False], ids=["refused-at-send", "refused-in-ack"])
def test_refused_output_and_broken_audit_event_are_dead_lettered_and_the_batch_goes_on(
    keyring: KeyRing, at_send: bool
) -> None:
    producer = RefusingProducer(at_send=at_send)
    sender = BatchSender(DEST, keyring=keyring, chain=AuditChain.from_keyring(keyring))
    sent = asyncio.run(sender.send(producer, batch(), context(keyring)))
    assert [o.outcome if isinstance(o, Forward) else o.reason for o in sent] == [
        "clean",
        "output_rejected",
        "audit_event_error",
        "clean",
    ]
    events = audit_events(producer)
    assert [e["source_offset"] for e in events] == [1, 2, 3, 4]
    assert [e["outcome"] for e in events] == ["clean", "dead_lettered", "dead_lettered", "clean"]
    letters = [s for s in producer.sent if s["topic"] == "piimask.dlq"]
    assert len(letters) == 2
    assert all(e["output_topic"] for e in events)


def test_in_a_transaction_a_refusal_in_the_ack_asks_for_the_batch_again(keyring: KeyRing) -> None:
    producer = RefusingProducer(at_send=False)
    sender = BatchSender(DEST, keyring=keyring, chain=AuditChain.from_keyring(keyring))
    with pytest.raises(RecordsRejected) as caught:
        asyncio.run(sender.send(producer, batch(), context(keyring), transactional=True))
    assert list(caught.value.details) == [1]
    assert audit_events(producer) == []
