"""Pair each demo input with its masked output through the audit events, and print them."""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any

from piimask.demo.kafka_io import ReadRecord


@dataclass(frozen=True)
class Pair:
    source: ReadRecord
    outcome: str
    output: ReadRecord | None
    reason: str | None = None
    findings: tuple[dict[str, Any], ...] = ()

    @property
    def kind(self) -> str:
        key = (self.source.key or b"").decode("utf-8", "replace")
        return key.split("-", 1)[0] if "-" in key else "other"


@dataclass
class Summary:
    inputs: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    entities: Counter[tuple[str, str, bool]] = field(default_factory=Counter)
    unaccounted: int = 0


def parse_audit(records: Iterable[ReadRecord]) -> list[dict[str, Any]]:
    events = []
    for r in records:
        if r.value is None:
            continue
        try:
            doc = json.loads(r.value)
        except ValueError:
            continue
        if isinstance(doc, dict) and "source_topic" in doc:
            events.append(doc)
    return events


def pair_records(
    inputs: Sequence[ReadRecord],
    outputs: Sequence[ReadRecord],
    audit_events: Sequence[dict[str, Any]],
) -> tuple[list[Pair], int]:
    """One :class:`Pair` per input that has an audit event, and the number without one.

    A record processed twice (at-least-once after a restart) has two events; the
    last one wins, as it describes the output that was committed.
    """
    by_output = {(r.topic, r.partition, r.offset): r for r in outputs}
    latest: dict[tuple[str, int, int], dict[str, Any]] = {}
    for event in audit_events:
        latest[(event["source_topic"], event["source_partition"], event["source_offset"])] = event
    pairs: list[Pair] = []
    missing = 0
    for rec in inputs:
        ev = latest.get((rec.topic, rec.partition, rec.offset))
        if ev is None:
            missing += 1
            continue
        out = None
        if ev.get("output_topic") is not None and ev.get("output_offset") is not None:
            out = by_output.get((ev["output_topic"], ev["output_partition"], ev["output_offset"]))
        pairs.append(
            Pair(
                source=rec,
                outcome=str(ev.get("outcome")),
                output=out,
                reason=ev.get("reason"),
                findings=tuple(ev.get("findings") or ()),
            )
        )
    return pairs, missing


def summarize(pairs: Sequence[Pair], inputs: int, unaccounted: int) -> Summary:
    summary = Summary(inputs=inputs, unaccounted=unaccounted)
    for p in pairs:
        summary.outcomes[p.outcome] += 1
        if p.reason and p.outcome == "dead_lettered":
            summary.reasons[p.reason] += 1
        for f in p.findings:
            summary.entities[(str(f["entity_type"]), str(f["operator"]), bool(f["masked"]))] += 1
    return summary


def pick_examples(pairs: Sequence[Pair], n: int) -> list[Pair]:
    """Up to ``n`` examples, one of each message kind first, masked ones preferred."""
    ranked = sorted(pairs, key=lambda p: (p.outcome != "masked", p.source.offset))
    chosen: list[Pair] = []
    seen: set[str] = set()
    for p in ranked:
        if p.kind not in seen and p.output is not None:
            chosen.append(p)
            seen.add(p.kind)
    for p in ranked:
        if len(chosen) >= n:
            break
        if p not in chosen and p.output is not None:
            chosen.append(p)
    return chosen[:n]


def _lines(value: bytes | None, width: int) -> list[str]:
    if value is None:
        return ["(tombstone)"]
    text = value.decode("utf-8", "replace")
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    raw_lines = json.dumps(doc, indent=1, ensure_ascii=False).splitlines() if doc else [text]
    out: list[str] = []
    for line in raw_lines:
        indent = len(line) - len(line.lstrip(" "))
        out.extend(
            textwrap.wrap(line, width, subsequent_indent=" " * (indent + 2), drop_whitespace=False)
            or [""]
        )
    return out


def render_pair(pair: Pair, width: int) -> str:
    """Original and masked text side by side (stacked when the terminal is narrow)."""
    found = Counter(f"{f['entity_type']}→{f['operator']}" for f in pair.findings if f["masked"])
    what = ", ".join(f"{k}×{v}" if v > 1 else k for k, v in sorted(found.items())) or "nothing"
    head = (
        f"── {pair.source.topic} partition {pair.source.partition} offset "
        f"{pair.source.offset} · {pair.outcome}: {what}"
    )
    out_value = pair.output.value if pair.output is not None else None
    if width < 100:
        body = ["  original:"] + [f"    {line}" for line in _lines(pair.source.value, width - 4)]
        body += ["  masked:"] + [f"    {line}" for line in _lines(out_value, width - 4)]
        return "\n".join([head, *body])
    col = (width - 3) // 2
    left, right = _lines(pair.source.value, col), _lines(out_value, col)
    rows = [f"{'original'.ljust(col)} │ masked"]
    rows += [f"{a.ljust(col)} │ {b}" for a, b in zip_longest(left, right, fillvalue="")]
    return "\n".join([head, *rows])


def render_summary(summary: Summary) -> str:
    o = summary.outcomes
    lines = [
        f"Records: {summary.inputs} in → {o['masked']} masked, {o['clean']} clean, "
        f"{o['dead_lettered']} dead-lettered"
        + (f", {o['tombstone']} tombstones" if o["tombstone"] else "")
        + (f", {summary.unaccounted} not processed yet" if summary.unaccounted else ""),
    ]
    if summary.reasons:
        lines.append(
            "Dead-letter reasons: "
            + ", ".join(f"{r} {n}" for r, n in summary.reasons.most_common())
        )
    if summary.entities:
        lines.append("Findings from the audit events (entity type, operator, count):")
        totals: Counter[str] = Counter()
        for (entity, _, _), n in summary.entities.items():
            totals[entity] += n
        for entity, _ in totals.most_common():
            parts = []
            for (e, op, masked), n in sorted(summary.entities.items()):
                if e == entity:
                    parts.append(f"{op} {n}" if masked else f"{op} {n} (not masked)")
            lines.append(f"  {entity:<20} {totals[entity]:>5}   {', '.join(parts)}")
    return "\n".join(lines)
