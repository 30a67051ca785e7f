"""Read the audit topic from given offsets up to its current end, then stop.

No consumer group: partitions are assigned directly, so auditing never moves anyone's
committed offsets and needs no group permissions on the broker.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError

from piimask.audit.trail import TrailEntry

Batch = Callable[[list[TrailEntry], dict[int, int]], None]


class AuditTopicError(RuntimeError):
    """The audit topic could not be read (missing topic, unreachable broker, stalled read)."""


async def read_topic(
    bootstrap: str,
    topic: str,
    on_batch: Batch,
    *,
    start_offsets: Mapping[int, int] | None = None,
    client_kwargs: Mapping[str, Any] | None = None,
    stall_timeout: float = 30.0,
    metadata_timeout: float = 30.0,
) -> dict[int, int]:
    """Call ``on_batch(entries, next_offsets)`` per fetched batch; return the next offsets.

    ``next_offsets`` maps each audit partition to the offset after the last entry handed
    over so far, so a caller storing it with the entries can resume exactly.
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        # events of aborted transactions (exactly-once workers) never happened
        isolation_level="read_committed",
        **dict(client_kwargs or {}),
    )
    try:
        await consumer.start()
    except KafkaConnectionError:
        await consumer.stop()
        raise AuditTopicError(f"cannot connect to the Kafka broker at {bootstrap}") from None
    try:
        partitions = await _partitions(bootstrap, topic, client_kwargs or {}, metadata_timeout)
        tps = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(tps)
        beginnings = await consumer.beginning_offsets(tps)
        ends = await consumer.end_offsets(tps)
        positions: dict[int, int] = {}
        for tp in tps:
            start = max((start_offsets or {}).get(tp.partition, 0), beginnings[tp])
            consumer.seek(tp, start)
            positions[tp.partition] = start
        pending = {tp for tp in tps if positions[tp.partition] < ends[tp]}
        last_progress = time.monotonic()
        while pending:
            batches = await consumer.getmany(*pending, timeout_ms=500, max_records=5000)
            entries: list[TrailEntry] = []
            for tp, records in batches.items():
                for record in records:
                    if record.offset >= ends[tp]:
                        continue
                    text = (record.value or b"").decode("utf-8", errors="replace")
                    entries.append(
                        TrailEntry(
                            text=text,
                            location=f"audit partition {tp.partition} offset {record.offset}",
                            audit_partition=tp.partition,
                            audit_offset=record.offset,
                        )
                    )
            for tp in list(pending):
                # transaction markers occupy offsets without records: trust the position
                position = await consumer.position(tp)
                if position != positions[tp.partition]:
                    last_progress = time.monotonic()
                positions[tp.partition] = min(position, ends[tp])
                if position >= ends[tp]:
                    pending.discard(tp)
            if entries or not pending:
                on_batch(entries, dict(positions))
            if pending and time.monotonic() - last_progress > stall_timeout:
                raise AuditTopicError(
                    f"reading {topic} stalled for {stall_timeout:.0f}s before its end offsets"
                )
        return positions
    finally:
        await consumer.stop()


async def _partitions(
    bootstrap: str, topic: str, client_kwargs: Mapping[str, Any], timeout: float
) -> list[int]:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap,
        request_timeout_ms=int(timeout * 1000),
        **dict(client_kwargs),
    )
    await admin.start()
    try:
        # Metadata of all topics: asking for one by name could auto-create it on the broker.
        described = await admin.describe_topics()
    finally:
        await admin.close()
    for entry in described:
        if entry.get("topic") == topic and entry.get("partitions"):
            return sorted(int(p["partition"]) for p in entry["partitions"])
    raise AuditTopicError(f"audit topic {topic!r} does not exist on the broker")
