"""Poison guard: a record that stopped the worker K times in a row is dead-lettered.

Every failure the worker foresees dead-letters the record; this is for what nobody foresaw
(a crash in a native library, the process killed for memory on one record, a bug). Such a
record would stop every worker that reads it, forever.

The memory lives in the committed offset's metadata, so it survives restarts and moves
with the partition to another worker. Before it processes a partition's first batch after
an assignment, the worker commits the offset it already had with an *attempt mark*
``piimask-attempt/1:<offset>:<attempts>:<window end>``; the batch's own commit clears it.
A mark still there at the next assignment means the worker died on that batch. Then the
partition is processed one record at a time through the end of that batch (the
*window*), each record marked before it is processed, so the mark names the record that
stopped the worker. When a record's mark shows ``max_attempts`` attempts, the record is
dead-lettered with reason ``poison_record`` instead of being processed again.

Cost: one offset commit per partition per assignment; after a crash, the window is
processed record by record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka.structs import TopicPartition

from piimask.stream.records import SourceRecord

POISON_REASON = "poison_record"
MAX_ATTEMPTS = 3
_PREFIX = "piimask-attempt/1"


@dataclass(frozen=True, slots=True)
class AttemptMark:
    """Processing from ``offset`` began ``attempts`` times without a commit."""

    offset: int
    attempts: int
    window_end: int

    def encode(self) -> str:
        return f"{_PREFIX}:{self.offset}:{self.attempts}:{self.window_end}"

    @classmethod
    def decode(cls, metadata: str | None) -> AttemptMark | None:
        """The mark in committed-offset metadata; None for anything else."""
        if not metadata or not metadata.startswith(_PREFIX + ":"):
            return None
        parts = metadata[len(_PREFIX) + 1 :].split(":")
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            return None
        offset, attempts, end = (int(p) for p in parts)
        if attempts < 1 or end < offset:
            return None
        return cls(offset, attempts, end)


@dataclass(frozen=True, slots=True)
class PartitionPlan:
    """What to do with one partition's records of a fetched batch."""

    process: list[SourceRecord]
    poison: SourceRecord | None = None
    attempts: int = 0
    # Commit the partition's current offset with this mark before processing.
    mark: AttemptMark | None = None
    # Records after the first were held back: fetch again from here.
    seek_to: int | None = None


class PoisonGuard:
    """Per-partition attempt marks and windows (pure logic; the worker commits and seeks)."""

    def __init__(self, max_attempts: int = MAX_ATTEMPTS) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.max_attempts = max_attempts
        self._fresh: set[TopicPartition] = set()
        self._mark: dict[TopicPartition, AttemptMark] = {}
        self._window: dict[TopicPartition, int] = {}

    def assigned(self, tp: TopicPartition, committed: int | None, metadata: str | None) -> None:
        """The partition was (re)assigned at ``committed`` with this offset metadata."""
        self._fresh.add(tp)
        mark = AttemptMark.decode(metadata)
        if mark is not None and committed is not None and mark.offset == committed:
            self._mark[tp] = mark
            self._window[tp] = mark.window_end
        else:
            self._mark.pop(tp, None)
            self._window.pop(tp, None)

    def revoked(self, tp: TopicPartition) -> None:
        self._fresh.discard(tp)
        self._mark.pop(tp, None)
        self._window.pop(tp, None)

    def suspect(self, tp: TopicPartition) -> bool:
        return tp in self._window

    def plan(self, tp: TopicPartition, records: Sequence[SourceRecord]) -> PartitionPlan:
        """``records``: the partition's records of this batch, in offset order."""
        first = records[0]
        offset = first.offset
        previous = self._mark.get(tp)
        window = self._window.get(tp)
        fresh = tp in self._fresh
        self._fresh.discard(tp)
        held_back = records[1].offset if len(records) > 1 else None
        if previous is not None and previous.offset == offset:
            if previous.attempts >= self.max_attempts:
                self._mark.pop(tp, None)
                return PartitionPlan(
                    [], poison=first, attempts=previous.attempts, seek_to=held_back
                )
            mark = AttemptMark(offset, previous.attempts + 1, previous.window_end)
        elif window is not None and offset <= window:
            mark = AttemptMark(offset, 1, window)
        elif fresh:
            mark = AttemptMark(offset, 1, records[-1].offset)
            self._mark[tp] = mark
            self._window.pop(tp, None)
            return PartitionPlan(list(records), mark=mark)
        else:
            self._window.pop(tp, None)
            return PartitionPlan(list(records))
        # Suspect: one record at a time, so the mark names the record being processed.
        self._mark[tp] = mark
        return PartitionPlan([first], mark=mark, seek_to=held_back)
