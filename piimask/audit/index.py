"""SQLite index of an audit trail: events + findings, so report/find/verify scale to millions.

Each event keeps its exact JSON (``raw``) for ``verify``; the columns are for queries.
Findings an event summarised (beyond the ones it lists in full) are kept as counts
(``finding_counts``) and as the event's fingerprint digest (``digests``), which ``find``
tests; ``n_findings`` counts listed and summarised findings alike. A shadow detector's
comparison (events of sampled records) goes to ``shadow_events`` and ``shadow_counts``.
``latest`` marks the last event seen for each source record, so reports count a record
processed twice (at-least-once) once. Consumed audit-topic offsets are stored in the same
transaction as the events they produced, so an interrupted ``index`` resumes exactly.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from piimask.audit.events import AuditEvent
from piimask.audit.trail import TrailEntry, describe_validation_error

SCHEMA_VERSION = 1

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    time_us INTEGER NOT NULL,
    source_topic TEXT NOT NULL,
    source_partition INTEGER NOT NULL,
    source_offset INTEGER NOT NULL,
    key_fingerprint TEXT,
    output_topic TEXT,
    output_partition INTEGER,
    output_offset INTEGER,
    outcome TEXT NOT NULL,
    reason TEXT,
    policy_version TEXT NOT NULL,
    policy_sha256 TEXT NOT NULL,
    model_name TEXT NOT NULL,
    model_sha256 TEXT NOT NULL,
    n_findings INTEGER NOT NULL,
    latest INTEGER NOT NULL,
    location TEXT NOT NULL,
    raw TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_time ON events (time_us);
CREATE INDEX IF NOT EXISTS events_source ON events (source_topic, source_partition, source_offset);
CREATE INDEX IF NOT EXISTS events_key_fp ON events (key_fingerprint)
    WHERE key_fingerprint IS NOT NULL;
CREATE TABLE IF NOT EXISTS findings (
    seq INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    entity_type TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    field TEXT,
    operator TEXT NOT NULL,
    score REAL NOT NULL,
    detector TEXT NOT NULL,
    masked INTEGER NOT NULL,
    reason TEXT,
    key_id TEXT,
    fingerprint TEXT NOT NULL,
    PRIMARY KEY (seq, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS findings_fp ON findings (fingerprint);
CREATE TABLE IF NOT EXISTS finding_counts (
    seq INTEGER NOT NULL,
    entity_type TEXT NOT NULL,
    operator TEXT NOT NULL,
    masked INTEGER NOT NULL,
    not_masked INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS finding_counts_seq ON finding_counts (seq);
CREATE TABLE IF NOT EXISTS digests (
    seq INTEGER PRIMARY KEY,
    digest TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rejected (
    seq INTEGER PRIMARY KEY,
    location TEXT NOT NULL,
    error TEXT NOT NULL,
    raw TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS shadow_events (
    seq INTEGER PRIMARY KEY,
    model_name TEXT NOT NULL,
    model_sha256 TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS shadow_counts (
    seq INTEGER NOT NULL,
    entity_type TEXT NOT NULL,
    both INTEGER NOT NULL,
    live_only INTEGER NOT NULL,
    shadow_only INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS shadow_counts_seq ON shadow_counts (seq);
CREATE TABLE IF NOT EXISTS consumed (
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    next_offset INTEGER NOT NULL,
    PRIMARY KEY (topic, partition)
);
"""

_INSERT_EVENT = """
INSERT INTO events (seq, event_id, time_us, source_topic, source_partition, source_offset,
    key_fingerprint, output_topic, output_partition, output_offset, outcome, reason,
    policy_version, policy_sha256, model_name, model_sha256, n_findings, latest, location, raw)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
_INSERT_FINDING = """
INSERT INTO findings (seq, idx, entity_type, start, "end", field, operator, score, detector,
    masked, reason, key_id, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
_INSERT_COUNT = """
INSERT INTO finding_counts (seq, entity_type, operator, masked, not_masked) VALUES (?, ?, ?, ?, ?)
"""
_SUPERSEDE = """
UPDATE events SET latest = 0
WHERE source_topic = ? AND source_partition = ? AND source_offset = ? AND latest = 1
"""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(moment: datetime) -> int:
    delta = moment.astimezone(UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


@dataclass(frozen=True)
class IndexStats:
    added: int
    rejected: int


class AuditIndex:
    """An open index file (or ``":memory:"``). Not thread-safe; one writer at a time."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self.db = sqlite3.connect(self.path)
        if self.path != ":memory:":
            self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        # Random fingerprints make index inserts touch pages all over the file: a larger
        # page cache (64 MiB) keeps bulk indexing from thrashing.
        self.db.execute("PRAGMA cache_size = -65536")
        self.db.executescript(_DDL)
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
            self.db.commit()
        elif int(row[0]) != SCHEMA_VERSION:
            raise ValueError(
                f"{self.path}: index schema version {row[0]}, this piimask writes"
                f" {SCHEMA_VERSION}; rebuild the index"
            )
        self._next_seq = self._max_seq() + 1

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> AuditIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _max_seq(self) -> int:
        row = self.db.execute(
            "SELECT max(m) FROM (SELECT max(seq) AS m FROM events"
            " UNION ALL SELECT max(seq) FROM rejected)"
        ).fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    # --- writing -------------------------------------------------------------------------

    def add(
        self,
        entries: Iterable[TrailEntry],
        *,
        consumed: dict[tuple[str, int], int] | None = None,
        batch_size: int = 5000,
    ) -> IndexStats:
        """Parse, validate and insert entries in batches; ``consumed`` is stored with the last."""
        added = rejected = 0
        batch: list[TrailEntry] = []
        for entry in entries:
            batch.append(entry)
            if len(batch) >= batch_size:
                a, r = self._add_batch(batch, None)
                added, rejected, batch = added + a, rejected + r, []
        a, r = self._add_batch(batch, consumed)
        return IndexStats(added + a, rejected + r)

    def _add_batch(
        self, batch: Sequence[TrailEntry], consumed: dict[tuple[str, int], int] | None
    ) -> tuple[int, int]:
        events: list[tuple[Any, ...]] = []
        findings: list[tuple[Any, ...]] = []
        counts: list[tuple[Any, ...]] = []
        digests: list[tuple[int, str]] = []
        shadows: list[tuple[Any, ...]] = []
        shadow_counts: list[tuple[Any, ...]] = []
        rejects: list[tuple[Any, ...]] = []
        last_in_batch: dict[tuple[str, int, int], int] = {}
        parsed: list[tuple[int, AuditEvent, TrailEntry]] = []
        for entry in batch:
            seq = self._next_seq
            self._next_seq += 1
            try:
                event = AuditEvent.model_validate_json(entry.text)
            except ValidationError as exc:
                rejects.append((seq, entry.location, describe_validation_error(exc), entry.text))
                continue
            parsed.append((seq, event, entry))
            last_in_batch[(event.source_topic, event.source_partition, event.source_offset)] = seq
        for seq, event, entry in parsed:
            coords = (event.source_topic, event.source_partition, event.source_offset)
            events.append(
                (
                    seq,
                    str(event.event_id),
                    to_micros(event.time),
                    *coords,
                    event.key_fingerprint,
                    event.output_topic,
                    event.output_partition,
                    event.output_offset,
                    event.outcome,
                    event.reason,
                    event.policy_version,
                    event.policy_sha256,
                    event.model_name,
                    event.model_sha256,
                    event.total_findings,
                    1 if last_in_batch[coords] == seq else 0,
                    entry.location,
                    entry.text,
                )
            )
            findings.extend(
                (
                    seq,
                    idx,
                    f.entity_type,
                    f.start,
                    f.end,
                    f.field,
                    f.operator,
                    f.score,
                    f.detector,
                    int(f.masked),
                    f.reason,
                    f.key_id,
                    f.fingerprint,
                )
                for idx, f in enumerate(event.findings)
            )
            counts.extend(
                (seq, c.entity_type, c.operator, c.masked, c.not_masked)
                for c in event.findings_summary or ()
            )
            if event.findings_digest is not None:
                digests.append((seq, event.findings_digest))
            if event.shadow is not None:
                sh = event.shadow
                shadows.append((seq, sh.model_name, sh.model_sha256, sh.status))
                shadow_counts.extend(
                    (seq, c.entity_type, c.both, c.live_only, c.shadow_only) for c in sh.agreement
                )
        with self.db:
            self.db.executemany(_SUPERSEDE, list(last_in_batch))
            self.db.executemany(_INSERT_EVENT, events)
            self.db.executemany(_INSERT_FINDING, findings)
            self.db.executemany(_INSERT_COUNT, counts)
            self.db.executemany("INSERT INTO digests (seq, digest) VALUES (?, ?)", digests)
            self.db.executemany(
                "INSERT INTO shadow_events (seq, model_name, model_sha256, status)"
                " VALUES (?, ?, ?, ?)",
                shadows,
            )
            self.db.executemany(
                "INSERT INTO shadow_counts (seq, entity_type, both, live_only, shadow_only)"
                " VALUES (?, ?, ?, ?, ?)",
                shadow_counts,
            )
            self.db.executemany(
                "INSERT INTO rejected (seq, location, error, raw) VALUES (?, ?, ?, ?)", rejects
            )
            if consumed:
                self.db.executemany(
                    "INSERT OR REPLACE INTO consumed (topic, partition, next_offset)"
                    " VALUES (?, ?, ?)",
                    [(t, p, o) for (t, p), o in consumed.items()],
                )
        return len(events), len(rejects)

    def consumed_offsets(self, topic: str) -> dict[int, int]:
        rows = self.db.execute(
            "SELECT partition, next_offset FROM consumed WHERE topic = ?", (topic,)
        ).fetchall()
        return {int(p): int(o) for p, o in rows}

    # --- reading -------------------------------------------------------------------------

    def entries(self) -> Iterator[TrailEntry]:
        """Every stored event and rejected entry, in the order they were added."""
        cursor = self.db.execute(
            "SELECT seq, raw, location FROM events UNION ALL"
            " SELECT seq, raw, location FROM rejected ORDER BY seq"
        )
        for _seq, raw, location in cursor:
            yield TrailEntry(text=raw, location=location)

    def counts(self) -> tuple[int, int]:
        events = self.db.execute("SELECT count(*) FROM events").fetchone()[0]
        rejected = self.db.execute("SELECT count(*) FROM rejected").fetchone()[0]
        return int(events), int(rejected)
