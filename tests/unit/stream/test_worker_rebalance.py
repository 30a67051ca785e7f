"""The worker loop around a rebalance, with a fake consumer and guarantee (no broker)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from aiokafka.structs import TopicPartition

from piimask.keys import KeyRing
from piimask.settings import Settings
from piimask.stream.delivery import MaskingContext
from piimask.stream.worker import Worker
from tests.unit.stream.helpers import RegexDetector, context

TP = TopicPartition("in", 0)


class FetchingConsumer:
    """Hands out records from its position, like aiokafka's buffered fetches."""

    def __init__(self, position: int) -> None:
        self.position = position
        self.seeks: list[int] = []
        self.marks: list[dict[TopicPartition, Any]] = []

    async def commit(self, offsets: dict[TopicPartition, Any]) -> None:
        # Only the poison guard's attempt marks come here (the guarantee commits batches).
        self.marks.append(offsets)

    def assignment(self) -> set[TopicPartition]:
        return {TP}

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.seeks.append(offset)
        self.position = offset

    async def getmany(self, timeout_ms: int, max_records: int) -> dict[TopicPartition, Any]:
        start, self.position = self.position, self.position + 2
        return {
            TP: [
                SimpleNamespace(
                    topic=TP.topic,
                    partition=TP.partition,
                    offset=o,
                    key=b"k",
                    value=b"hello",
                    headers=(),
                    timestamp=None,
                )
                for o in range(start, start + 2)
            ]
        }


class SlowAssignGuarantee:
    """on_assigned waits (like init_producer_id) before seeking to the committed offset."""

    def __init__(self, consumer: FetchingConsumer, committed: int) -> None:
        self.consumer = consumer
        self.committed = committed
        self.release = asyncio.Event()
        self.delivered: list[list[int]] = []

    async def on_assigned(self, assigned: set[TopicPartition]) -> None:
        await self.release.wait()
        self.consumer.seek(TP, self.committed)

    async def committed_position(self, tp: TopicPartition) -> int | None:
        return self.committed

    async def deliver(self, outcomes: Sequence[Any], ctx: MaskingContext) -> None:
        self.delivered.append([o.record.offset for o in outcomes])


async def fetch_during_assignment(keyring: KeyRing) -> SlowAssignGuarantee:
    worker = Worker(
        Settings(input_topics=["in"], processing_guarantee="exactly-once"),  # type: ignore[call-arg]
        detector=RegexDetector(),
        model_name="m",
        model_sha256="0" * 64,
        keyring=keyring,
        context=context(keyring),
    )
    consumer = FetchingConsumer(position=10)
    guarantee = SlowAssignGuarantee(consumer, committed=10)
    worker.consumer, worker.guarantee = consumer, guarantee  # type: ignore[assignment]
    assigning = asyncio.create_task(worker._on_assigned({TP}))
    await asyncio.sleep(0)  # the callback holds the lock and waits for its producers
    # A step starting now fetches from the position aiokafka chose before the seek.
    step = asyncio.create_task(worker._step(consumer))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    guarantee.release.set()
    await assigning
    await step
    await worker._step(consumer)  # type: ignore[arg-type]
    await worker._drain()
    return guarantee


def test_batch_fetched_before_assignment_seek_is_dropped_not_delivered_twice(
    keyring: KeyRing,
) -> None:
    guarantee = asyncio.run(fetch_during_assignment(keyring))
    delivered = [o for batch in guarantee.delivered for o in batch]
    assert len(delivered) == len(set(delivered)), f"offsets delivered twice: {delivered}"
    assert delivered == [10, 11]
