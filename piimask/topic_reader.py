"""Reading Kafka topics to their end: the one reader the audit trail, dead-letter replay and
the demo use.

The rule: a read covers every partition from its start offset up to the end offset the
partition had when the read began, and stops there. **A partial read is an error, never
silent**: when no partition has moved for ``stall_timeout`` seconds before reaching its end
(an unreachable broker, an open transaction holding a ``read_committed`` reader back), the
read raises :class:`TopicStalledError`; it never returns fewer records than were there.

Partitions are discovered once, from cluster metadata of all topics (asking for one topic by
name can auto-create it on some brokers), and assigned directly: no consumer group, so a read
never moves anyone's committed offsets and needs no group permissions.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError

Isolation = Literal["read_committed", "read_uncommitted"]
# keyword arguments passed through to the aiokafka clients (security, client id)
ClientKwargs = Mapping[str, object]


class TopicReadError(RuntimeError):
    """A topic could not be read to its end."""


class BrokerUnreachableError(TopicReadError, ConnectionError):
    """No connection to the bootstrap servers."""


class TopicMissingError(TopicReadError, LookupError):
    """A topic to read does not exist."""


class TopicStalledError(TopicReadError, TimeoutError):
    """No partition moved for ``stall_timeout`` seconds before reaching its end."""


@dataclass(frozen=True, slots=True)
class ReadRecord:
    """One record read, with its own coordinates."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()


@dataclass(slots=True)
class ReadBatch:
    """Records fetched together, and each partition's next offset after them."""

    records: list[ReadRecord]
    positions: dict[TopicPartition, int] = field(default_factory=dict)
    # False for the one batch of a read that had nothing to fetch (every partition at its end)
    fetched: bool = True


async def topic_partitions(
    bootstrap: str,
    topics: Sequence[str],
    *,
    client_kwargs: ClientKwargs | None = None,
    timeout: float = 30.0,
) -> list[TopicPartition]:
    """Every partition of ``topics``, sorted; raises :class:`TopicMissingError` naming a
    topic the cluster does not have."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap,
        request_timeout_ms=int(timeout * 1000),
        **dict(client_kwargs or {}),
    )
    try:
        await admin.start()
    except KafkaConnectionError:
        await admin.close()
        raise BrokerUnreachableError(f"cannot connect to the Kafka broker at {bootstrap}") from None
    try:
        described = await admin.describe_topics()
    finally:
        await admin.close()
    found: dict[str, list[int]] = {}
    for entry in described:
        if entry.get("topic") in topics and entry.get("partitions"):
            found[entry["topic"]] = [int(p["partition"]) for p in entry["partitions"]]
    missing = [t for t in topics if t not in found]
    if missing:
        raise TopicMissingError(f"topic {missing[0]!r} does not exist on the broker")
    return sorted(TopicPartition(t, p) for t in topics for p in found[t])


async def read_to_end(
    bootstrap: str,
    topics: Sequence[str],
    *,
    client_kwargs: ClientKwargs | None = None,
    start_offsets: Mapping[TopicPartition, int] | None = None,
    isolation: Isolation = "read_committed",
    stall_timeout: float = 30.0,
    metadata_timeout: float = 30.0,
    max_records: int = 5000,
) -> AsyncIterator[ReadBatch]:
    """Batches of ``topics`` from ``start_offsets`` (default: the beginning) to the end
    offsets at call time; the last batch (possibly empty) has every position at its end.

    Raises :class:`TopicReadError` subclasses: broker unreachable, topic missing, stalled.
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level=isolation,
        **dict(client_kwargs or {}),
    )
    try:
        await consumer.start()
    except KafkaConnectionError:
        await consumer.stop()
        raise BrokerUnreachableError(f"cannot connect to the Kafka broker at {bootstrap}") from None
    try:
        tps = await topic_partitions(
            bootstrap, topics, client_kwargs=client_kwargs, timeout=metadata_timeout
        )
        consumer.assign(tps)
        beginnings = await consumer.beginning_offsets(tps)
        ends = await consumer.end_offsets(tps)
        positions: dict[TopicPartition, int] = {}
        for tp in tps:
            start = max((start_offsets or {}).get(tp, 0), beginnings[tp])
            consumer.seek(tp, start)
            positions[tp] = start
        pending = {tp for tp in tps if positions[tp] < ends[tp]}
        last_progress = time.monotonic()
        if not pending:
            yield ReadBatch([], dict(positions), fetched=False)
        while pending:
            fetched = await consumer.getmany(*pending, timeout_ms=500, max_records=max_records)
            records = [
                ReadRecord(
                    r.topic,
                    r.partition,
                    r.offset,
                    r.key,
                    r.value,
                    tuple((k, bytes(v)) for k, v in (r.headers or ())),
                )
                for tp, batch in fetched.items()
                for r in batch
                if r.offset < ends[tp]
            ]
            for tp in list(pending):
                # transaction markers occupy offsets without records: trust the position
                position = await consumer.position(tp)
                if position != positions[tp]:
                    last_progress = time.monotonic()
                positions[tp] = min(position, ends[tp])
                if position >= ends[tp]:
                    pending.discard(tp)
            if records or not pending:
                yield ReadBatch(records, dict(positions))
            if pending and time.monotonic() - last_progress > stall_timeout:
                names = ", ".join(sorted({tp.topic for tp in pending}))
                raise TopicStalledError(
                    f"reading {names} stalled for {stall_timeout:.0f}s before its end offsets "
                    "(an open transaction may hold the partition)"
                )
    finally:
        await consumer.stop()


async def read_all(
    bootstrap: str,
    topics: Sequence[str],
    *,
    client_kwargs: ClientKwargs | None = None,
    isolation: Isolation = "read_committed",
    stall_timeout: float = 30.0,
) -> list[ReadRecord]:
    """Every record of ``topics`` up to their end offsets at call time (see :func:`read_to_end`)."""
    out: list[ReadRecord] = []
    async for batch in read_to_end(
        bootstrap,
        topics,
        client_kwargs=client_kwargs,
        isolation=isolation,
        stall_timeout=stall_timeout,
    ):
        out.extend(batch.records)
    return out
