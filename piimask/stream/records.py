"""The input record as the worker sees it, independent of the Kafka client's record type."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

Headers = tuple[tuple[str, bytes], ...]


class ConsumerRecordLike(Protocol):
    """What is read of an ``aiokafka.ConsumerRecord`` (aiokafka ships no type hints)."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def headers(self) -> Sequence[tuple[str, bytes | None]] | None: ...
    @property
    def timestamp(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One consumed record: coordinates, raw key/value bytes, headers, timestamp (ms)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Headers = ()
    timestamp_ms: int | None = None

    @property
    def coordinates(self) -> str:
        """``topic:partition:offset``, the record's address in logs, dead letters and audit."""
        return f"{self.topic}:{self.partition}:{self.offset}"

    @classmethod
    def from_consumer_record(cls, record: ConsumerRecordLike) -> SourceRecord:
        """Copy an ``aiokafka.ConsumerRecord`` (keys/values undeserialized bytes)."""
        headers = tuple((str(name), bytes(value or b"")) for name, value in record.headers or ())
        timestamp = record.timestamp if record.timestamp is not None else None
        if timestamp is not None and timestamp < 0:
            timestamp = None
        return cls(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            value=record.value,
            headers=headers,
            timestamp_ms=timestamp,
        )
