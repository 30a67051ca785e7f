"""Read the audit topic from given offsets up to its current end, then stop.

No consumer group: partitions are assigned directly, so auditing never moves anyone's
committed offsets and needs no group permissions on the broker. The reading itself is
``piimask.topic_reader``'s (one rule: a partial read is an error, never silent).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from aiokafka import TopicPartition

from piimask.audit.trail import TrailEntry
from piimask.topic_reader import ClientKwargs, TopicMissingError, TopicReadError, read_to_end

Batch = Callable[[list[TrailEntry], dict[int, int]], None]


class AuditTopicError(RuntimeError):
    """The audit topic could not be read (missing topic, unreachable broker, stalled read)."""


async def read_topic(
    bootstrap: str,
    topic: str,
    on_batch: Batch,
    *,
    start_offsets: Mapping[int, int] | None = None,
    client_kwargs: ClientKwargs | None = None,
    stall_timeout: float = 30.0,
    metadata_timeout: float = 30.0,
) -> dict[int, int]:
    """Call ``on_batch(entries, next_offsets)`` per fetched batch; return the next offsets.

    ``next_offsets`` maps each audit partition to the offset after the last entry handed
    over so far, so a caller storing it with the entries can resume exactly.
    """
    starts = {TopicPartition(topic, p): o for p, o in (start_offsets or {}).items()}
    positions: dict[int, int] = {}
    try:
        async for batch in read_to_end(
            bootstrap,
            [topic],
            client_kwargs=client_kwargs,
            start_offsets=starts,
            # events of aborted transactions (exactly-once workers) never happened
            isolation="read_committed",
            stall_timeout=stall_timeout,
            metadata_timeout=metadata_timeout,
        ):
            positions = {tp.partition: offset for tp, offset in batch.positions.items()}
            if not batch.fetched:
                continue
            entries = [
                TrailEntry(
                    text=(r.value or b"").decode("utf-8", errors="replace"),
                    location=f"audit partition {r.partition} offset {r.offset}",
                    audit_partition=r.partition,
                    audit_offset=r.offset,
                )
                for r in batch.records
            ]
            on_batch(entries, dict(positions))
    except TopicMissingError:
        raise AuditTopicError(f"audit topic {topic!r} does not exist on the broker") from None
    except TopicReadError as exc:
        raise AuditTopicError(str(exc)) from None
    return positions
