"""Reading a topic to its end on the real broker: everything up to the end offsets, from given
offsets, and a clear error for a topic that does not exist (never an empty, silent read)."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import TopicPartition

from piimask.topic_reader import TopicMissingError, read_all, read_to_end, topic_partitions
from tests.integration.stream_support import Topics, create_topics, delete_topics, produce

pytestmark = pytest.mark.integration


async def scenario(bootstrap: str) -> None:
    topics = Topics.fresh("reader", partitions=2)
    await create_topics(bootstrap, topics)
    try:
        values = [f"v{i}".encode() for i in range(40)]
        await produce(
            bootstrap,
            topics.input,
            [(f"k{i}".encode(), v) for i, v in enumerate(values)],
            partition_of=lambda i: i % 2,
        )
        parts = await topic_partitions(bootstrap, [topics.input])
        assert parts == [TopicPartition(topics.input, 0), TopicPartition(topics.input, 1)]

        records = await read_all(bootstrap, [topics.input])
        assert sorted(r.value for r in records if r.value) == sorted(values)
        assert {(r.partition, r.offset) for r in records} == {
            (p, o) for p in (0, 1) for o in range(20)
        }

        starts = {TopicPartition(topics.input, 0): 15, TopicPartition(topics.input, 1): 20}
        batches = [b async for b in read_to_end(bootstrap, [topics.input], start_offsets=starts)]
        later = [r for b in batches for r in b.records]
        assert {(r.partition, r.offset) for r in later} == {(0, o) for o in range(15, 20)}
        assert batches[-1].positions == {
            TopicPartition(topics.input, 0): 20,
            TopicPartition(topics.input, 1): 20,
        }

        empty = await read_all(bootstrap, [topics.audit])
        assert empty == []
        with pytest.raises(TopicMissingError, match="does not exist"):
            await read_all(bootstrap, [f"{topics.input}.nope"])
    finally:
        await delete_topics(bootstrap, topics)


def test_a_topic_is_read_to_its_end_from_the_given_offsets(kafka_bootstrap: str) -> None:
    asyncio.run(scenario(kafka_bootstrap))
