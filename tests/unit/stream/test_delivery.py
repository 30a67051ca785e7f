from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka.errors import KafkaTimeoutError
from aiokafka.structs import TopicPartition

from piimask.audit import AuditChain
from piimask.keys import KeyRing
from piimask.stream.delivery import BatchSender, Destinations
from piimask.stream.guarantees import AtLeastOnce
from piimask.stream.pipeline import DeadLetterOutcome, Forward
from piimask.stream.records import SourceRecord
from piimask.stream.routing import MODEL_HEADER, POLICY_VERSION_HEADER
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


class FakeProducer:
    def __init__(
        self,
        partitions: dict[str, int],
        fail_topic: str | None = None,
        error: type[Exception] = KafkaTimeoutError,
    ) -> None:
        self.partitions = partitions
        self.fail_topic = fail_topic
        self.error = error
        self.sent: list[dict[str, Any]] = []
        self._offsets: dict[tuple[str, int], int] = {}

    async def partitions_for(self, topic: str) -> set[int]:
        return set(range(self.partitions.get(topic, 1)))

    async def send(self, topic: str, **kw: Any) -> asyncio.Future[Any]:
        partition = kw.get("partition")
        partition = 0 if partition is None else partition
        offset = self._offsets.get((topic, partition), 0)
        self._offsets[(topic, partition)] = offset + 1
        self.sent.append({"topic": topic, **kw})
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if topic == self.fail_topic:
            fut.set_exception(self.error())
        else:
            fut.set_result(SimpleNamespace(topic=topic, partition=partition, offset=offset))
        return fut


class FakeConsumer:
    def __init__(self) -> None:
        self.commits: list[dict[TopicPartition, int]] = []

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append(offsets)


def outcomes(keyring: KeyRing) -> list[Any]:
    return [
        Forward(
            record(b"masked one", offset=5, partition=2),
            b"masked one",
            "clean",
            key=b"k",
            headers=(("trace", b"t1"),),
        ),
        DeadLetterOutcome(record(b"{bad", offset=6, partition=2), "invalid_json", "at line 1"),
        Forward(record(None, offset=7, partition=2), None, "tombstone", key=b"k"),
    ]


def test_the_masked_key_and_headers_go_out_never_the_inputs(keyring: KeyRing) -> None:
    source = SourceRecord(
        topic="in",
        partition=0,
        offset=1,
        key=b"jane.doe@example.com",
        value=b"hi",
        headers=(("x-user", b"jane.doe@example.com"),),
    )
    masked = Forward(
        source, b"hi", "masked", key=b"<EMAIL_ADDRESS:k1:ab12>", headers=(("x-user", b"<E>"),)
    )
    producer = FakeProducer({"in.masked": 1})
    asyncio.run(sender(keyring).send(producer, [masked], context(keyring)))
    out = producer.sent[0]
    assert out["key"] == b"<EMAIL_ADDRESS:k1:ab12>"
    assert out["headers"][0] == ("x-user", b"<E>")
    assert all(b"jane" not in json.dumps(str(s)).encode() for s in producer.sent)


def sender(keyring: KeyRing) -> BatchSender:
    return BatchSender(DEST, keyring=keyring, chain=AuditChain.from_keyring(keyring))


def test_batch_sends_outputs_and_dead_letters_then_audit_events_in_order(
    keyring: KeyRing,
) -> None:
    producer = FakeProducer({"in.masked": 4})
    asyncio.run(sender(keyring).send(producer, outcomes(keyring), context(keyring)))
    topics = [s["topic"] for s in producer.sent]
    assert topics == ["in.masked", "piimask.dlq", "in.masked"] + ["piimask.audit"] * 3
    out = producer.sent[0]
    assert out["partition"] == 2
    assert out["key"] == b"k"
    assert out["timestamp_ms"] == 1_700_000_000_000
    names = [name for name, _ in out["headers"]]
    assert names == ["trace", POLICY_VERSION_HEADER, MODEL_HEADER]
    assert producer.sent[2]["value"] is None
    events = [json.loads(s["value"]) for s in producer.sent[3:]]
    assert {s["key"] for s in producer.sent[3:]} == {b"in:2"}
    assert [e["outcome"] for e in events] == ["clean", "dead_lettered", "tombstone"]
    assert [e["source_offset"] for e in events] == [5, 6, 7]
    assert events[1]["output_topic"] == "piimask.dlq"
    assert events[1]["reason"] == "invalid_json"
    assert events[1]["prev_hash"] == events[0]["hash"]
    assert events[2]["prev_hash"] == events[1]["hash"]


def test_output_topic_with_fewer_partitions_leaves_the_choice_to_the_key(
    keyring: KeyRing,
) -> None:
    producer = FakeProducer({"in.masked": 2})
    asyncio.run(sender(keyring).send(producer, outcomes(keyring)[:1], context(keyring)))
    assert producer.sent[0]["partition"] is None


def test_offsets_are_committed_after_the_acks_as_last_plus_one(keyring: KeyRing) -> None:
    consumer = FakeConsumer()
    producer = FakeProducer({"in.masked": 4})
    alo = AtLeastOnce(consumer, sender(keyring), lambda **_: producer)  # type: ignore[arg-type]
    asyncio.run(alo.deliver(outcomes(keyring), context(keyring)))
    assert consumer.commits == [{TopicPartition("in", 2): 8}]


@pytest.mark.parametrize("fail_topic", ["piimask.dlq", "in.masked", "piimask.audit"])
def test_nothing_is_committed_when_any_send_fails(keyring: KeyRing, fail_topic: str) -> None:
    consumer = FakeConsumer()
    producer = FakeProducer({"in.masked": 4}, fail_topic=fail_topic)
    alo = AtLeastOnce(
        consumer,
        sender(keyring),
        lambda **_: producer,  # type: ignore[arg-type]
        outage_tolerance_s=0.6,
    )
    with pytest.raises(KafkaTimeoutError):
        asyncio.run(alo.deliver(outcomes(keyring), context(keyring)))
    assert consumer.commits == []
    # A broker timeout is retried (with backoff) until the outage tolerance is spent.
    assert sum(1 for s in producer.sent if s["topic"] == fail_topic) >= 2


class NotABrokerError(Exception):
    pass


def test_a_failure_that_is_not_the_broker_s_is_not_retried(keyring: KeyRing) -> None:
    consumer = FakeConsumer()
    producer = FakeProducer({"in.masked": 4}, fail_topic="piimask.audit", error=NotABrokerError)
    alo = AtLeastOnce(consumer, sender(keyring), lambda **_: producer)  # type: ignore[arg-type]
    with pytest.raises(NotABrokerError):
        asyncio.run(alo.deliver(outcomes(keyring), context(keyring)))
    assert consumer.commits == []
    assert sum(1 for s in producer.sent if s["topic"] == "piimask.audit") == len(outcomes(keyring))
