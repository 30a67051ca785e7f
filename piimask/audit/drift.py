"""Drift between two periods of the audit trail: finding rates and score distributions per type.

Everything comes from what the trail already records (entity type, score and detector of
each finding; one event per record): no text is needed. Per entity type it compares

- the finding rate per 1,000 scanned records (masked or clean; dead letters and tombstones
  were not scanned), listed and summarised findings alike, and
- the score distribution of the listed findings, by population stability index (PSI) over
  fixed score bins;

and, over all types, the mix of entity types (PSI of their shares). A type is flagged when
its rate moved by more than ``max_rate_change`` (relative) or its scores' PSI passed
``max_psi``, provided one of the periods holds ``min_findings`` of it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from piimask.audit.index import AuditIndex
from piimask.audit.report import TimeRange

# Score bins: detectors score most true findings near the top, so the top is finer.
SCORE_EDGES = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
# Empty bins get this share, so a bin seen in one period only adds a finite term.
_PSI_FLOOR = 1e-4


def parse_time_range(text: str) -> TimeRange:
    """``FROM..TO`` (ISO 8601, UTC when no zone; either side may be empty) -> ``[FROM, TO)``."""
    if ".." not in text:
        raise ValueError(f"not FROM..TO: {text!r}")
    low, high = text.split("..", 1)

    def moment(value: str) -> datetime | None:
        value = value.strip()
        if not value:
            return None
        parsed = datetime.fromisoformat(value)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed

    since, until = moment(low), moment(high)
    if since is not None and until is not None and until <= since:
        raise ValueError(f"empty range (TO is not after FROM): {text!r}")
    return TimeRange(since, until)


def score_bin(score: float) -> int:
    index = 0
    for i, edge in enumerate(SCORE_EDGES):
        if score >= edge:
            index = i
    return index


def psi(base: Sequence[int], window: Sequence[int]) -> float:
    """Population stability index of two histograms over the same bins (0: identical)."""
    total_b, total_w = sum(base), sum(window)
    if not total_b or not total_w:
        return 0.0
    value = 0.0
    for b, w in zip(base, window, strict=True):
        pb = max(b / total_b, _PSI_FLOOR)
        pw = max(w / total_w, _PSI_FLOOR)
        value += (pw - pb) * math.log(pw / pb)
    return value


@dataclass(slots=True)
class PeriodStats:
    """What one period of the trail holds: records scanned, findings and scores per type."""

    records: int = 0
    findings: dict[str, int] = field(default_factory=dict)
    by_detector: dict[str, int] = field(default_factory=dict)
    scores: dict[str, list[int]] = field(default_factory=dict)  # type -> histogram

    def rate(self, count: int) -> float:
        return 1000.0 * count / self.records if self.records else 0.0


def detector_families(detector: str) -> str:
    """``model+ner:en_core_web_sm`` -> ``model+ner``; ``pattern:EMAIL_ADDRESS`` -> ``pattern``."""
    return "+".join(sorted({part.split(":", 1)[0] for part in detector.split("+")}))


def period_stats(index: AuditIndex, window: TimeRange) -> PeriodStats:
    params = window.bounds()
    db = index.db
    stats = PeriodStats()
    (stats.records,) = db.execute(
        "SELECT count(*) FROM events WHERE latest = 1 AND time_us >= ? AND time_us < ?"
        " AND outcome IN ('masked', 'clean')",
        params,
    ).fetchone()
    for entity, detector, score in db.execute(
        "SELECT f.entity_type, f.detector, f.score FROM findings f JOIN events e ON e.seq = f.seq"
        " WHERE e.latest = 1 AND e.time_us >= ? AND e.time_us < ?",
        params,
    ):
        stats.findings[entity] = stats.findings.get(entity, 0) + 1
        family = detector_families(detector)
        stats.by_detector[family] = stats.by_detector.get(family, 0) + 1
        histogram = stats.scores.setdefault(entity, [0] * len(SCORE_EDGES))
        histogram[score_bin(score)] += 1
    for entity, n in db.execute(
        "SELECT c.entity_type, sum(c.masked + c.not_masked) FROM finding_counts c"
        " JOIN events e ON e.seq = c.seq"
        " WHERE e.latest = 1 AND e.time_us >= ? AND e.time_us < ? GROUP BY c.entity_type",
        params,
    ):
        stats.findings[entity] = stats.findings.get(entity, 0) + int(n)
    return stats


@dataclass(frozen=True, slots=True)
class DriftLimits:
    max_rate_change: float = 0.5
    max_psi: float = 0.25
    min_findings: int = 20
    min_records: int = 100


@dataclass(frozen=True, slots=True)
class TypeDrift:
    entity_type: str
    base_findings: int
    window_findings: int
    base_rate: float
    window_rate: float
    rate_change: float | None  # relative; None when the baseline had none
    score_psi: float | None  # None when either period has too few scored findings
    flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DriftReport:
    base: PeriodStats
    window: PeriodStats
    types: tuple[TypeDrift, ...]
    mix_psi: float
    flags: tuple[str, ...]  # report-wide drift: the entity-type mix
    insufficient: tuple[str, ...]  # why the periods cannot be judged (too few records)

    @property
    def drifted(self) -> bool:
        return bool(self.flags) or any(t.flags for t in self.types)

    def flagged_types(self) -> list[str]:
        return [t.entity_type for t in self.types if t.flags]

    def to_dict(self) -> dict[str, Any]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "drifted": self.drifted,
            "insufficient": list(self.insufficient),
            "flags": list(self.flags),
            "flagged_types": self.flagged_types(),
            "baseline": {
                "records": self.base.records,
                "findings": sum(self.base.findings.values()),
            },
            "window": {
                "records": self.window.records,
                "findings": sum(self.window.findings.values()),
            },
            "entity_type_mix_psi": round(self.mix_psi, 4),
            "entity_types": {
                t.entity_type: {
                    "baseline_findings": t.base_findings,
                    "window_findings": t.window_findings,
                    "baseline_per_1000_records": round(t.base_rate, 2),
                    "window_per_1000_records": round(t.window_rate, 2),
                    "rate_change": rounded(t.rate_change),
                    "score_psi": rounded(t.score_psi),
                    "flags": list(t.flags),
                }
                for t in self.types
            },
            "detectors": {
                d: {
                    "baseline_per_1000_records": round(
                        self.base.rate(self.base.by_detector.get(d, 0)), 2
                    ),
                    "window_per_1000_records": round(
                        self.window.rate(self.window.by_detector.get(d, 0)), 2
                    ),
                }
                for d in sorted(set(self.base.by_detector) | set(self.window.by_detector))
            },
        }


def _shares(counts: Mapping[str, int], keys: Sequence[str]) -> list[int]:
    return [counts.get(k, 0) for k in keys]


def compare(base: PeriodStats, window: PeriodStats, limits: DriftLimits) -> DriftReport:
    flags: list[str] = []
    insufficient = [
        f"{name} has {period.records} scanned records (fewer than {limits.min_records})"
        for name, period in (("baseline", base), ("window", window))
        if period.records < limits.min_records
    ]
    types = sorted(set(base.findings) | set(window.findings))
    rows: list[TypeDrift] = []
    for t in types:
        nb, nw = base.findings.get(t, 0), window.findings.get(t, 0)
        rb, rw = base.rate(nb), window.rate(nw)
        change = (rw - rb) / rb if rb > 0 else None
        hist_b = base.scores.get(t)
        hist_w = window.scores.get(t)
        score_psi = None
        if (
            hist_b is not None
            and hist_w is not None
            and sum(hist_b) >= limits.min_findings
            and sum(hist_w) >= limits.min_findings
        ):
            score_psi = psi(hist_b, hist_w)
        row_flags: list[str] = []
        if max(nb, nw) >= limits.min_findings:
            if change is None:
                row_flags.append("new")
            elif abs(change) > limits.max_rate_change:
                row_flags.append("rate")
            if score_psi is not None and score_psi > limits.max_psi:
                row_flags.append("scores")
        rows.append(TypeDrift(t, nb, nw, rb, rw, change, score_psi, tuple(row_flags)))
    mix = psi(_shares(base.findings, types), _shares(window.findings, types))
    if mix > limits.max_psi:
        flags.append(f"entity-type mix PSI {mix:.3f} > {limits.max_psi:g}")
    return DriftReport(base, window, tuple(rows), mix, tuple(flags), tuple(insufficient))


def format_drift(report: DriftReport) -> str:
    lines = [
        f"baseline: {report.base.records} scanned records, "
        f"{sum(report.base.findings.values())} findings; window: {report.window.records} "
        f"records, {sum(report.window.findings.values())} findings",
        f"entity-type mix PSI: {report.mix_psi:.4f}",
        "",
        f"{'entity type':<18}{'per 1k base':>12}{'per 1k window':>15}{'change':>9}"
        f"{'score PSI':>11}  flags",
    ]
    for t in report.types:
        change = "-" if t.rate_change is None else f"{100 * t.rate_change:+.0f}%"
        score_psi = "-" if t.score_psi is None else f"{t.score_psi:.3f}"
        lines.append(
            f"{t.entity_type:<18}{t.base_rate:>12.1f}{t.window_rate:>15.1f}{change:>9}"
            f"{score_psi:>11}  {','.join(t.flags)}"
        )
    detectors = sorted(set(report.base.by_detector) | set(report.window.by_detector))
    if detectors:
        lines += ["", f"{'detector':<18}{'per 1k base':>12}{'per 1k window':>15}"]
        for d in detectors:
            base_rate = report.base.rate(report.base.by_detector.get(d, 0))
            window_rate = report.window.rate(report.window.by_detector.get(d, 0))
            lines.append(f"{d:<18}{base_rate:>12.1f}{window_rate:>15.1f}")
    lines.append("")
    for problem in report.insufficient:
        lines.append(f"cannot judge: {problem}")
    for flag in report.flags:
        lines.append(f"drift: {flag}")
    flagged = report.flagged_types()
    if flagged:
        lines.append("drift: " + ", ".join(flagged))
    if not report.drifted and not report.insufficient:
        lines.append("no drift past the limits")
    return "\n".join(lines)
