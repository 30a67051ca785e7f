"""Small Kafka helpers for the demo: create and delete topics, produce messages; reading a
topic to its end is ``piimask.topic_reader``'s."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

from piimask.settings import Settings
from piimask.stream.kafka_security import client_security_kwargs
from piimask.topic_reader import ReadRecord, read_all

__all__ = ["ReadRecord", "create_topics", "delete_topics", "produce", "read_to_end"]


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


async def read_to_end(settings: Settings, topics: Sequence[str]) -> list[ReadRecord]:
    """Every record currently in ``topics`` (from the beginning up to the end offsets); a read
    that stalls before the end is an error (``piimask.topic_reader``), never a partial list."""
    return await read_all(
        settings.kafka_bootstrap,
        topics,
        client_kwargs=client_security_kwargs(settings),
        isolation="read_uncommitted",
    )
