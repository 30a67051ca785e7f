"""Small Kafka helpers for the demo: create topics, produce messages, read topics to their end."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

from piimask.settings import Settings
from piimask.stream.kafka_security import client_security_kwargs


@dataclass(frozen=True, slots=True)
class ReadRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


def _common(settings: Settings) -> dict[str, Any]:
    return {"bootstrap_servers": settings.kafka_bootstrap, **client_security_kwargs(settings)}


async def create_topics(settings: Settings, topics: Sequence[str], partitions: int) -> None:
    admin = AIOKafkaAdminClient(**_common(settings))
    await admin.start()
    try:
        response = await admin.create_topics(
            [NewTopic(name, num_partitions=partitions, replication_factor=1) for name in topics]
        )
        for topic_error in response.topic_errors:
            name, code = topic_error[0], topic_error[1]
            if code not in (0, TopicAlreadyExistsError.errno):
                raise RuntimeError(f"cannot create topic {name}: {for_code(code).__name__}")
        # Metadata of a new topic reaches every listener a moment later; wait until it shows.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            known = set(await admin.list_topics())
            if set(topics) <= known:
                return
            await asyncio.sleep(0.2)
        raise TimeoutError("topics were created but do not show up in the broker's metadata")
    finally:
        await admin.close()


async def delete_topics(settings: Settings, topics: Sequence[str]) -> None:
    admin = AIOKafkaAdminClient(**_common(settings))
    await admin.start()
    try:
        await admin.delete_topics(list(topics))
    finally:
        await admin.close()


async def produce(
    settings: Settings,
    messages: Iterable[tuple[str, bytes, bytes]],
    *,
    on_sent: Callable[[int], None] | None = None,
) -> int:
    """Send ``(topic, key, value)`` triples; returns how many were acknowledged."""
    producer = AIOKafkaProducer(**_common(settings), acks="all", linger_ms=5)
    await producer.start()
    try:
        futures = []
        for topic, key, value in messages:
            futures.append(await producer.send(topic, value=value, key=key))
        sent = 0
        for fut in futures:
            await fut
            sent += 1
            if on_sent is not None:
                on_sent(sent)
        return sent
    finally:
        await producer.stop()


async def topic_partitions(settings: Settings, topics: Sequence[str]) -> list[TopicPartition]:
    """Partitions of the existing ``topics`` (a consumer only knows those it subscribed to)."""
    admin = AIOKafkaAdminClient(**_common(settings))
    await admin.start()
    try:
        # All topics: describing one by name could auto-create it on some brokers.
        described = await admin.describe_topics()
    finally:
        await admin.close()
    wanted = set(topics)
    return sorted(
        TopicPartition(entry["topic"], int(p["partition"]))
        for entry in described
        if entry.get("topic") in wanted
        for p in entry.get("partitions") or ()
    )


async def read_to_end(settings: Settings, topics: Sequence[str]) -> list[ReadRecord]:
    """Every record currently in ``topics`` (from the beginning up to the end offsets)."""
    consumer = AIOKafkaConsumer(
        **_common(settings), enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    out: list[ReadRecord] = []
    try:
        parts = await topic_partitions(settings, topics)
        if not parts:
            return out
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends: dict[TopicPartition, int] = await consumer.end_offsets(parts)
        remaining = {tp for tp, end in ends.items() if end > 0}
        deadline = time.monotonic() + 60
        while remaining and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            for tp, records in batches.items():
                for r in records:
                    out.append(
                        ReadRecord(
                            r.topic,
                            r.partition,
                            r.offset,
                            r.key,
                            r.value,
                            tuple((k, bytes(v)) for k, v in (r.headers or ())),
                        )
                    )
                if tp in remaining and await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
        return out
    finally:
        await consumer.stop()
