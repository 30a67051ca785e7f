"""Aggregate an indexed audit trail: outcomes, findings, score distributions per entity type.

Findings that events summarised (counted, not listed) add to the totals per entity type
and operator; they have no score or detector, so ``scores`` and ``by_detector`` cover the
listed findings only, and their unmasked ones count under the reason "summarised".

Records are counted once each (the last event for a source offset wins), so a record
re-processed after a restart does not inflate the totals; ``events`` counts every event.

``shadow`` sums the shadow detector's agreement fields (records it sampled) per shadow
model and entity type: spans both found, only the live detectors, only the shadow, and
``agreement`` = both / all three.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piimask.audit.events import OUTCOMES
from piimask.audit.index import AuditIndex, from_micros, to_micros

AGREEMENT_KEYS = ("both", "live_only", "shadow_only")
# Bounds used when a side of the range is open, so every query has the same static SQL.
_MIN_US = -(2**62)
_MAX_US = 2**62


@dataclass(frozen=True)
class TimeRange:
    since: datetime | None = None
    until: datetime | None = None

    def bounds(self) -> tuple[int, int]:
        """``[since, until)`` in microseconds since the epoch."""
        low = _MIN_US if self.since is None else to_micros(self.since)
        high = _MAX_US if self.until is None else to_micros(self.until)
        return low, high


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default method)."""
    if not sorted_values:
        raise ValueError("no values")
    position = (len(sorted_values) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    weight = position - low
    return sorted_values[low] * (1 - weight) + sorted_values[high] * weight


def score_summary(scores: list[float]) -> dict[str, float | int]:
    scores.sort()
    return {
        "count": len(scores),
        "min": round(scores[0], 4),
        "p10": round(percentile(scores, 0.10), 4),
        "p50": round(percentile(scores, 0.50), 4),
        "p90": round(percentile(scores, 0.90), 4),
        "mean": round(math.fsum(scores) / len(scores), 4),
    }


def build_report(index: AuditIndex, window: TimeRange | None = None) -> dict[str, Any]:
    window = window or TimeRange()
    params = window.bounds()
    db = index.db

    events_total, first_us, last_us = db.execute(
        "SELECT count(*), min(time_us), max(time_us) FROM events"
        " WHERE time_us >= ? AND time_us < ?",
        params,
    ).fetchone()

    outcomes = dict.fromkeys(OUTCOMES, 0)
    for outcome, n in db.execute(
        "SELECT outcome, count(*) FROM events"
        " WHERE latest = 1 AND time_us >= ? AND time_us < ? GROUP BY outcome",
        params,
    ):
        outcomes[outcome] = n
    records = sum(outcomes.values())
    dead_letter_reasons = dict(
        db.execute(
            "SELECT reason, count(*) FROM events WHERE latest = 1 AND time_us >= ?"
            " AND time_us < ? AND outcome = 'dead_lettered'"
            " GROUP BY reason ORDER BY count(*) DESC, reason",
            params,
        ).fetchall()
    )

    by_entity: dict[str, int] = defaultdict(int)
    by_operator: dict[str, int] = defaultdict(int)
    by_detector: dict[str, int] = defaultdict(int)
    not_masked: dict[str, int] = defaultdict(int)
    scores: dict[str, list[float]] = defaultdict(list)
    masked_total = findings_total = 0
    cursor = db.execute(
        "SELECT f.entity_type, f.operator, f.detector, f.masked, f.reason, f.score"
        " FROM findings f JOIN events e ON e.seq = f.seq"
        " WHERE e.latest = 1 AND e.time_us >= ? AND e.time_us < ?",
        params,
    )
    for entity, operator, detector, masked, reason, score in cursor:
        findings_total += 1
        by_entity[entity] += 1
        by_operator[operator] += 1
        by_detector[detector] += 1
        scores[entity].append(score)
        if masked:
            masked_total += 1
        else:
            not_masked[reason or "unknown"] += 1

    # Findings an event only counted (beyond those it lists in full): no scores, no detector.
    summarised_total = 0
    for entity, operator, masked, not_masked_n in db.execute(
        "SELECT c.entity_type, c.operator, sum(c.masked), sum(c.not_masked)"
        " FROM finding_counts c JOIN events e ON e.seq = c.seq"
        " WHERE e.latest = 1 AND e.time_us >= ? AND e.time_us < ?"
        " GROUP BY c.entity_type, c.operator",
        params,
    ):
        n = int(masked) + int(not_masked_n)
        summarised_total += n
        findings_total += n
        masked_total += int(masked)
        by_entity[entity] += n
        by_operator[operator] += n
        if not_masked_n:
            not_masked["summarised"] += int(not_masked_n)

    def ranked(counts: dict[str, int]) -> dict[str, int]:
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    policies = [
        {"policy_version": v, "policy_sha256": h, "records": n}
        for v, h, n in db.execute(
            "SELECT policy_version, policy_sha256, count(*) FROM events"
            " WHERE latest = 1 AND time_us >= ? AND time_us < ?"
            " GROUP BY policy_version, policy_sha256 ORDER BY min(time_us)",
            params,
        )
    ]
    models = [
        {"model_name": m, "model_sha256": h, "records": n}
        for m, h, n in db.execute(
            "SELECT model_name, model_sha256, count(*) FROM events"
            " WHERE latest = 1 AND time_us >= ? AND time_us < ?"
            " GROUP BY model_name, model_sha256 ORDER BY min(time_us)",
            params,
        )
    ]

    def iso(us: int | None) -> str | None:
        return None if us is None else from_micros(us).isoformat()

    return {
        "range": {
            "since": window.since.isoformat() if window.since else None,
            "until": window.until.isoformat() if window.until else None,
            "first_event": iso(first_us),
            "last_event": iso(last_us),
        },
        "events": events_total,
        "records": records,
        "outcomes": outcomes,
        "dead_lettered_by_reason": dead_letter_reasons,
        "findings": {
            "total": findings_total,
            "masked": masked_total,
            "summarised": summarised_total,
            "not_masked_by_reason": ranked(not_masked),
            "by_entity_type": ranked(by_entity),
            "by_operator": ranked(by_operator),
            "by_detector": ranked(by_detector),
        },
        "scores": {entity: score_summary(values) for entity, values in sorted(scores.items())},
        "policies": policies,
        "models": models,
        "shadow": shadow_report(index, params),
    }


def _agreement_row(both: int, live_only: int, shadow_only: int) -> dict[str, float | int]:
    """Counts and the share of spans both sides found (1.0 when neither found any)."""
    spans = both + live_only + shadow_only
    return {
        "both": both,
        "live_only": live_only,
        "shadow_only": shadow_only,
        "agreement": round(both / spans, 4) if spans else 1.0,
    }


def shadow_report(index: AuditIndex, params: tuple[int, int]) -> list[dict[str, Any]]:
    """Per shadow model: records compared or failed, and agreement per entity type."""
    db = index.db
    out: list[dict[str, Any]] = []
    for name, sha256, compared, failed in db.execute(
        "SELECT s.model_name, s.model_sha256, sum(s.status = 'compared'), sum(s.status = 'failed')"
        " FROM shadow_events s JOIN events e ON e.seq = s.seq"
        " WHERE e.latest = 1 AND e.time_us >= ? AND e.time_us < ?"
        " GROUP BY s.model_name, s.model_sha256 ORDER BY min(e.time_us)",
        params,
    ):
        by_type = {
            entity: _agreement_row(int(b), int(lo), int(so))
            for entity, b, lo, so in db.execute(
                "SELECT c.entity_type, sum(c.both), sum(c.live_only), sum(c.shadow_only)"
                " FROM shadow_counts c JOIN shadow_events s ON s.seq = c.seq"
                " JOIN events e ON e.seq = c.seq"
                " WHERE e.latest = 1 AND e.time_us >= ? AND e.time_us < ?"
                " AND s.model_name = ? AND s.model_sha256 = ?"
                " GROUP BY c.entity_type ORDER BY c.entity_type",
                (*params, name, sha256),
            )
        }
        totals = [sum(int(row[k]) for row in by_type.values()) for k in AGREEMENT_KEYS]
        out.append(
            {
                "model_name": name,
                "model_sha256": sha256,
                "records": int(compared),
                "failed": int(failed),
                "total": _agreement_row(*totals),
                "by_entity_type": by_type,
            }
        )
    return out
