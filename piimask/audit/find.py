"""Answer data-subject requests from the index: which records held a value, what one record held.

The trail stores only keyed fingerprints of the exact value string. ``find`` fingerprints
the requested value under every key id in the ring (so records from before a key
rotation are found too), and also its trimmed and its trimmed lower-cased form, because
the same e-mail address is often written with different case. Any other variant
(a phone number with other punctuation, say) must be asked for as its own value.

Events of records with very many findings list only the first ones in full and keep the
fingerprints of the rest in a Bloom filter digest: a value found there is reported as
``matched="value_digest"`` (the record probably held it; without position or entity type).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from piimask.audit.digest import FingerprintDigest
from piimask.audit.index import AuditIndex, from_micros
from piimask.coordinates import parse_source as parse_source


class Fingerprinter(Protocol):
    """The part of ``piimask.keys.KeyRing`` ``find`` needs."""

    @property
    def key_ids(self) -> tuple[str, ...]: ...
    def fingerprint(self, value: str, *, key_id: str | None = None) -> str: ...


def value_variants(value: str) -> list[str]:
    """The value as given, trimmed, and trimmed + lower-cased (distinct, in that order)."""
    variants: list[str] = []
    for candidate in (value, value.strip(), value.strip().lower()):
        if candidate and candidate not in variants:
            variants.append(candidate)
    return variants


def value_fingerprints(keyring: Fingerprinter, value: str) -> list[str]:
    return sorted(
        {
            keyring.fingerprint(variant, key_id=key_id)
            for variant in value_variants(value)
            for key_id in keyring.key_ids
        }
    )


@dataclass(frozen=True)
class Match:
    """One audit event (= one output record) that held the value, or one finding of a record."""

    event_id: str
    time: str
    source: str
    output: str | None
    outcome: str
    # "value" (a listed finding), "value_digest" (probably among the summarised findings:
    # a digest hit, ~1% false positives), "record_key", "record" (look-up by source), or
    # "record_summary" (a count of summarised findings of the looked-up record)
    matched: str
    entity_type: str | None = None
    field: str | None = None
    start: int | None = None
    end: int | None = None
    operator: str | None = None
    masked: bool | None = None
    reason: str | None = None
    score: float | None = None
    detector: str | None = None
    value_index: int | None = None  # which of the asked values matched (1-based), never the value
    count: int | None = None  # record_summary: how many summarised findings this row stands for

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def _event_part(row: Sequence[Any]) -> dict[str, Any]:
    event_id, time_us, st, sp, so, ot, op, oo, outcome = row
    output = None if ot is None else f"{ot}:{'' if op is None else op}:{'' if oo is None else oo}"
    return {
        "event_id": event_id,
        "time": from_micros(time_us).isoformat(),
        "source": f"{st}:{sp}:{so}",
        "output": output,
        "outcome": outcome,
    }


def _finding_part(row: Sequence[Any]) -> dict[str, Any]:
    entity, field, start, end, operator, masked, reason, score, detector = row
    return {
        "entity_type": entity,
        "field": field,
        "start": start,
        "end": end,
        "operator": operator,
        "masked": bool(masked),
        "reason": reason,
        "score": score,
        "detector": detector,
    }


def find_by_values(index: AuditIndex, keyring: Fingerprinter, values: Sequence[str]) -> list[Match]:
    """Every event with a finding (or a record key) equal to one of ``values``, in trail order."""
    by_fingerprint: dict[str, int] = {}
    for number, value in enumerate(values, start=1):
        for fp in value_fingerprints(keyring, value):
            by_fingerprint.setdefault(fp, number)
    if not by_fingerprint:
        return []
    fps = json.dumps(list(by_fingerprint))
    found: list[tuple[int, int, Match]] = []
    for row in index.db.execute(
        "SELECT e.seq, f.idx, f.fingerprint,"
        " e.event_id, e.time_us, e.source_topic, e.source_partition, e.source_offset,"
        " e.output_topic, e.output_partition, e.output_offset, e.outcome,"
        ' f.entity_type, f.field, f.start, f."end", f.operator, f.masked, f.reason, f.score,'
        " f.detector"
        " FROM findings f JOIN events e ON e.seq = f.seq"
        " WHERE f.fingerprint IN (SELECT value FROM json_each(?))",
        (fps,),
    ):
        seq, idx, fp = row[0], row[1], row[2]
        match = Match(
            **_event_part(row[3:12]),
            matched="value",
            **_finding_part(row[12:21]),
            value_index=by_fingerprint[fp],
        )
        found.append((seq, idx, match))
    for row in index.db.execute(
        "SELECT e.seq, e.key_fingerprint,"
        " e.event_id, e.time_us, e.source_topic, e.source_partition, e.source_offset,"
        " e.output_topic, e.output_partition, e.output_offset, e.outcome"
        " FROM events e WHERE e.key_fingerprint IN (SELECT value FROM json_each(?))",
        (fps,),
    ):
        match = Match(
            **_event_part(row[2:11]), matched="record_key", value_index=by_fingerprint[row[1]]
        )
        found.append((row[0], -1, match))
    # Summarised findings: a digest hit says the record probably held the value.
    for row in index.db.execute(
        "SELECT e.seq, d.digest,"
        " e.event_id, e.time_us, e.source_topic, e.source_partition, e.source_offset,"
        " e.output_topic, e.output_partition, e.output_offset, e.outcome"
        " FROM digests d JOIN events e ON e.seq = d.seq ORDER BY e.seq"
    ):
        try:
            digest = FingerprintDigest.decode(row[1])
        except ValueError:
            continue
        hit = next((fp for fp in by_fingerprint if digest.might_contain(fp)), None)
        if hit is not None:
            match = Match(
                **_event_part(row[2:11]), matched="value_digest", value_index=by_fingerprint[hit]
            )
            found.append((row[0], 1 << 30, match))
    found.sort(key=lambda item: (item[0], item[1]))
    return [m for _, _, m in found]


def find_by_source(index: AuditIndex, topic: str, partition: int, offset: int) -> list[Match]:
    """The findings of one input record, for every event about it (re-processing included).

    An event without findings (a clean or dead-lettered record) yields one match with
    only the event columns, so the record's outcome is always visible. Summarised findings
    come as ``record_summary`` rows with a ``count`` per entity type, operator and masked.
    """
    matches: list[Match] = []
    rows = index.db.execute(
        "SELECT e.seq, e.n_findings,"
        " e.event_id, e.time_us, e.source_topic, e.source_partition, e.source_offset,"
        " e.output_topic, e.output_partition, e.output_offset, e.outcome"
        " FROM events e"
        " WHERE e.source_topic = ? AND e.source_partition = ? AND e.source_offset = ?"
        " ORDER BY e.seq",
        (topic, partition, offset),
    ).fetchall()
    for row in rows:
        seq, n_findings = row[0], row[1]
        event = _event_part(row[2:11])
        if not n_findings:
            matches.append(Match(**event, matched="record"))
            continue
        for frow in index.db.execute(
            'SELECT f.entity_type, f.field, f.start, f."end", f.operator, f.masked, f.reason,'
            " f.score, f.detector FROM findings f WHERE f.seq = ? ORDER BY f.idx",
            (seq,),
        ):
            matches.append(Match(**event, matched="record", **_finding_part(frow)))
        for entity, operator, masked, not_masked in index.db.execute(
            "SELECT entity_type, operator, masked, not_masked FROM finding_counts"
            " WHERE seq = ? ORDER BY entity_type, operator",
            (seq,),
        ):
            for flag, n in ((True, masked), (False, not_masked)):
                if n:
                    matches.append(
                        Match(
                            **event,
                            matched="record_summary",
                            entity_type=entity,
                            operator=operator,
                            masked=flag,
                            count=int(n),
                        )
                    )
    return matches
