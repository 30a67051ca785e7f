"""Where an audit trail is read from: an index file, a JSONL file, or the audit topic."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from piimask.audit.index import AuditIndex, IndexStats
from piimask.audit.topic import read_topic
from piimask.audit.trail import TrailEntry, iter_jsonl, read_jsonl


class EntrySink(Protocol):
    def feed(self, entry: TrailEntry) -> None: ...


@dataclass(frozen=True)
class TrailSource:
    """Exactly one of ``db``, ``file`` or (``bootstrap``, ``topic``) is used, in that order."""

    db: Path | None = None
    file: Path | None = None
    bootstrap: str | None = None
    topic: str | None = None
    client_kwargs: Mapping[str, Any] | None = None

    def describe(self) -> str:
        if self.db is not None:
            return f"index {self.db}"
        if self.file is not None:
            return f"file {self.file}"
        return f"topic {self.topic} on {self.bootstrap}"

    def open_index(self) -> AuditIndex:
        """The trail as an index: the file itself, or an in-memory one built from the source."""
        if self.db is not None:
            if not self.db.exists():
                raise FileNotFoundError(f"no audit index at {self.db} (build one with audit index)")
            return AuditIndex(self.db)
        index = AuditIndex(":memory:")
        if self.file is not None:
            index.add(self.file_entries())
        else:
            index_topic(index, self._bootstrap(), self._topic(), self.client_kwargs)
        return index

    def file_entries(self) -> Iterator[TrailEntry]:
        assert self.file is not None
        if str(self.file) == "-":
            return iter_jsonl(sys.stdin, name="stdin")
        return read_jsonl(self.file)

    def _bootstrap(self) -> str:
        if not self.bootstrap:
            raise ValueError("no audit trail source: give --db, --file or --bootstrap/--topic")
        return self.bootstrap

    def _topic(self) -> str:
        if not self.topic:
            raise ValueError("no audit topic: give --topic (or set PIIMASK_AUDIT_TOPIC)")
        return self.topic

    def stream_entries(self, sink: EntrySink) -> None:
        """Hand every entry to ``sink.feed`` in trail order without building an index."""
        if self.db is not None:
            with self.open_index() as index:
                for entry in index.entries():
                    sink.feed(entry)
            return
        if self.file is not None:
            for entry in self.file_entries():
                sink.feed(entry)
            return

        def on_batch(entries: list[TrailEntry], _positions: dict[int, int]) -> None:
            for entry in entries:
                sink.feed(entry)

        asyncio.run(
            read_topic(self._bootstrap(), self._topic(), on_batch, client_kwargs=self.client_kwargs)
        )


def index_topic(
    index: AuditIndex,
    bootstrap: str,
    topic: str,
    client_kwargs: Mapping[str, Any] | None = None,
) -> tuple[IndexStats, dict[int, int]]:
    """Add the topic's events not yet in ``index``; returns counts and the next offsets."""
    return asyncio.run(index_topic_async(index, bootstrap, topic, client_kwargs))


async def index_topic_async(
    index: AuditIndex,
    bootstrap: str,
    topic: str,
    client_kwargs: Mapping[str, Any] | None = None,
) -> tuple[IndexStats, dict[int, int]]:
    added = rejected = 0

    def on_batch(entries: list[TrailEntry], positions: dict[int, int]) -> None:
        nonlocal added, rejected
        stats = index.add(entries, consumed={(topic, p): o for p, o in positions.items()})
        added += stats.added
        rejected += stats.rejected

    positions = await read_topic(
        bootstrap,
        topic,
        on_batch,
        start_offsets=index.consumed_offsets(topic),
        client_kwargs=client_kwargs,
    )
    return IndexStats(added, rejected), positions
