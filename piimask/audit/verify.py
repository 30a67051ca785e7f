"""Check an audit trail: every event intact, every chain linked, every source offset covered.

Rules, per source topic-partition (the chain), in trail order:

* **edited** (error): ``hash`` is not the HMAC of the event's other fields under the
  audit-chain key named by ``chain_key_id`` — the event changed after sealing.
* **broken_link** (error): ``prev_hash`` is neither the previous event's ``hash`` nor a
  segment start — an event before it was deleted, inserted or reordered.
* **chain_start_missing** (error, or notice with ``partial_start``): the first event of
  a chain is not a segment start — the trail's beginning is missing (deleted, or expired
  by the audit topic's retention).
* **segment start** (``prev_hash = "genesis:<uuid>"``): a worker that (re)started without
  the last hash. Accepted where its source offset continues the chain (``<= highest
  offset seen + 1``), i.e. it resumes at or before the committed offset; re-covered
  offsets are duplicates.
* **gap** (error; notice with ``allow_gaps``): an event's source offset is more than one
  past the highest offset seen so far — the offsets in between have no event. Every input
  record gets an event of some outcome (dead-lettered and tombstone records too), so nothing
  may be missing. Offsets that hold no record (transaction markers of transactional
  producers, records removed by compaction) also show as gaps: ``allow_gaps`` is for such
  input topics; deleted events are still caught by their successor's broken link.
* **duplicate** (notice): an event for an offset that already has one — the record was
  processed again after a restart (at-least-once). Consecutive ones are reported as a run.
* **duplicate_copy** (notice): a byte-for-byte resend of an event already accepted (same
  id, same hash), e.g. a producer retry; it is otherwise ignored.
* **malformed** / **invalid** / **unsealed** (error): not JSON, not a valid event (field
  names only, never values), or missing ``hash``/``prev_hash``.
* **incomplete** (error, only when asked with ``expect_through``): the chain does not reach
  an offset the auditor knows was processed — catches a truncated tail, which no chain
  can reveal on its own.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from piimask.audit.chain import compute_hash, is_segment_start
from piimask.audit.events import AuditEvent
from piimask.audit.trail import TrailEntry, describe_validation_error

Severity = Literal["error", "notice"]
KeyLookup = Callable[[str | None], bytes | None]

# Producer retries resend an event shortly after the original; remembering this many
# recent event ids per chain is enough to recognise such copies without unbounded memory.
_RECENT_IDS = 4096


@dataclass(frozen=True)
class Issue:
    severity: Severity
    kind: str
    location: str
    message: str
    event_id: str | None = None
    source: str | None = None

    def render(self) -> str:
        parts = [f"{self.severity.upper()} {self.kind}", self.location]
        if self.source:
            parts.append(f"source {self.source}")
        if self.event_id:
            parts.append(f"event {self.event_id}")
        return " | ".join(parts) + f": {self.message}"


@dataclass
class ChainSummary:
    topic: str
    partition: int
    events: int = 0
    first_offset: int | None = None
    last_offset: int | None = None
    segments: int = 0
    duplicates: int = 0


@dataclass
class VerifyResult:
    entries: int
    issues: list[Issue]
    chains: list[ChainSummary]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "errors": len(self.errors),
            "notices": len(self.issues) - len(self.errors),
            "chains": [asdict(c) for c in self.chains],
            "issues": [asdict(i) for i in self.issues],
        }


@dataclass
class _DuplicateRun:
    first: int
    last: int
    count: int
    location: str
    event_id: str


@dataclass
class _ChainState:
    summary: ChainSummary
    last_hash: str | None = None
    low: int | None = None
    high: int | None = None
    recent: OrderedDict[str, str] = field(default_factory=OrderedDict)
    dup_run: _DuplicateRun | None = None


class Verifier:
    """Feed trail entries in order, then ``finish``; memory is bounded per chain."""

    def __init__(
        self,
        keys: KeyLookup,
        *,
        partial_start: bool = False,
        allow_gaps: bool = False,
        expect_through: Mapping[tuple[str, int], int] | None = None,
    ) -> None:
        self._keys = keys
        self._partial_start = partial_start
        self._allow_gaps = allow_gaps
        self._expect_through = dict(expect_through or {})
        self._chains: dict[tuple[str, int], _ChainState] = {}
        self._issues: list[Issue] = []
        self._entries = 0

    def feed_all(self, entries: Iterable[TrailEntry]) -> None:
        for entry in entries:
            self.feed(entry)

    def feed(self, entry: TrailEntry) -> None:
        self._entries += 1
        try:
            document = json.loads(entry.text)
        except ValueError:
            self._error("malformed", entry.location, "not a JSON document")
            return
        if not isinstance(document, dict):
            self._error("malformed", entry.location, "not a JSON object")
            return
        try:
            event = AuditEvent.model_validate(document)
        except ValidationError as exc:
            event_id = document.get("event_id")
            self._issues.append(
                Issue(
                    "error",
                    "invalid",
                    entry.location,
                    describe_validation_error(exc),
                    event_id=event_id
                    if isinstance(event_id, str) and len(event_id) == 36
                    else None,
                )
            )
            return
        self._check(entry, document, event)

    def _check(self, entry: TrailEntry, document: dict[str, Any], event: AuditEvent) -> None:
        chain_id = (event.source_topic, event.source_partition)
        state = self._chains.get(chain_id)
        if state is None:
            state = _ChainState(ChainSummary(event.source_topic, event.source_partition))
            self._chains[chain_id] = state
        where = entry.location
        eid = str(event.event_id)
        src = event.source

        if event.hash is None or event.prev_hash is None:
            self._error("unsealed", where, "event has no hash/prev_hash", eid, src)
            return

        seen = state.recent.get(eid)
        if seen is not None:
            if seen == event.hash:
                self._notice(
                    "duplicate_copy", where, "identical copy of an earlier event", eid, src
                )
                return
            self._error("edited", where, "event id reused with different content", eid, src)

        key = self._keys(event.chain_key_id)
        if key is None:
            self._error(
                "unknown_key",
                where,
                f"no audit-chain key for key id {event.chain_key_id!r} in the key ring",
                eid,
                src,
            )
        elif compute_hash(key, document) != event.hash:
            self._error("edited", where, "hash does not match the event's content", eid, src)

        offset = event.source_offset
        if is_segment_start(event.prev_hash):
            state.summary.segments += 1
            if state.high is not None and offset > state.high + 1:
                self._flush_duplicates(state)
                self._gap(
                    where,
                    f"segment starts at offset {offset}, but there is no event for"
                    f" {_offsets(state.high + 1, offset - 1)} (a restart may resume only at or"
                    " before the next offset)",
                    eid,
                    src,
                )
        elif state.last_hash is None:
            kind = "chain_start_missing"
            message = (
                "first event of this chain links to an event not in the trail"
                " (earlier events deleted or expired)"
            )
            if self._partial_start:
                self._notice(kind, where, message, eid, src)
            else:
                self._error(kind, where, message, eid, src)
        elif event.prev_hash != state.last_hash:
            self._error(
                "broken_link",
                where,
                "prev_hash does not match the previous event of this chain"
                " (an event was deleted, inserted or reordered before this one)",
                eid,
                src,
            )

        if state.high is not None and offset <= state.high and offset >= (state.low or 0):
            run = state.dup_run
            if run is not None and offset == run.last + 1:
                run.last = offset
                run.count += 1
            else:
                self._flush_duplicates(state)
                state.dup_run = _DuplicateRun(offset, offset, 1, where, eid)
            state.summary.duplicates += 1
        else:
            self._flush_duplicates(state)
            if (
                state.high is not None
                and offset > state.high + 1
                and not is_segment_start(event.prev_hash)
            ):
                self._gap(
                    where,
                    f"no event for {_offsets(state.high + 1, offset - 1)} before this one",
                    eid,
                    src,
                )

        state.last_hash = event.hash
        state.low = offset if state.low is None else min(state.low, offset)
        state.high = offset if state.high is None else max(state.high, offset)
        state.recent[eid] = event.hash
        if len(state.recent) > _RECENT_IDS:
            state.recent.popitem(last=False)
        summary = state.summary
        summary.events += 1
        summary.first_offset = state.low
        summary.last_offset = state.high

    def _flush_duplicates(self, state: _ChainState) -> None:
        run = state.dup_run
        if run is None:
            return
        state.dup_run = None
        s = state.summary
        self._notice(
            "duplicate",
            run.location,
            f"{_offsets(run.first, run.last)} processed again"
            f" ({run.count} event(s); at-least-once after a restart)",
            run.event_id,
            f"{s.topic}:{s.partition}:{run.first}",
        )

    def finish(self) -> VerifyResult:
        for state in self._chains.values():
            self._flush_duplicates(state)
        for (topic, partition), through in sorted(self._expect_through.items()):
            chain = self._chains.get((topic, partition))
            high = None if chain is None else chain.high
            if high is None or high < through:
                have = "no events" if high is None else f"events only up to offset {high}"
                self._error(
                    "incomplete",
                    f"chain {topic}:{partition}",
                    f"expected events through offset {through}, found {have}",
                )
        chains = sorted(
            (s.summary for s in self._chains.values()), key=lambda c: (c.topic, c.partition)
        )
        return VerifyResult(self._entries, list(self._issues), chains)

    def _gap(self, location: str, message: str, event_id: str, source: str) -> None:
        severity: Severity = "notice" if self._allow_gaps else "error"
        self._issues.append(Issue(severity, "gap", location, message, event_id, source))

    def _error(
        self,
        kind: str,
        location: str,
        message: str,
        event_id: str | None = None,
        source: str | None = None,
    ) -> None:
        self._issues.append(Issue("error", kind, location, message, event_id, source))

    def _notice(
        self,
        kind: str,
        location: str,
        message: str,
        event_id: str | None = None,
        source: str | None = None,
    ) -> None:
        self._issues.append(Issue("notice", kind, location, message, event_id, source))


def _offsets(first: int, last: int) -> str:
    return f"offset {first}" if first == last else f"offsets {first}..{last}"


def verify_entries(
    entries: Iterable[TrailEntry],
    keys: KeyLookup,
    *,
    partial_start: bool = False,
    allow_gaps: bool = False,
    expect_through: Mapping[tuple[str, int], int] | None = None,
) -> VerifyResult:
    verifier = Verifier(
        keys, partial_start=partial_start, allow_gaps=allow_gaps, expect_through=expect_through
    )
    verifier.feed_all(entries)
    return verifier.finish()
