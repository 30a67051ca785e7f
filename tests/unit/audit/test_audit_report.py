from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from audit_helpers import as_entries, as_lines
from hypothesis import given
from hypothesis import strategies as st

from piimask.audit import AuditChain, AuditEvent, build_audit_event
from piimask.audit.index import AuditIndex
from piimask.audit.render import report_rows, report_table
from piimask.audit.report import TimeRange, build_report, percentile
from piimask.audit.synthetic import SyntheticMask

SHA = "ef" * 32
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def mask(
    entity: str,
    score: float,
    *,
    operator: str = "hash",
    detector: str = "model",
    masked: bool = True,
    reason: str | None = None,
) -> SyntheticMask:
    return SyntheticMask(entity, 0, 4, None, operator, score, detector, masked, reason, None, SHA)


def event(
    offset: int,
    minute: int,
    outcome: str = "masked",
    masks: list[SyntheticMask] | None = None,
    reason: str | None = None,
    policy: str = "1",
) -> AuditEvent:
    return build_audit_event(
        source_topic="orders",
        source_partition=0,
        source_offset=offset,
        key_fingerprint=None,
        output_topic="orders.masked",
        outcome=outcome,  # type: ignore[arg-type]
        reason=reason,
        policy_version=policy,
        policy_sha256=SHA,
        model_name="rampart",
        model_sha256=SHA,
        masks=masks or [],
        timestamp=T0 + timedelta(minutes=minute),
    )


@pytest.fixture
def index(chain: AuditChain) -> AuditIndex:
    events = [
        event(0, 0, masks=[mask("EMAIL_ADDRESS", 0.5), mask("PERSON", 0.8, operator="replace")]),
        event(1, 1, masks=[mask("EMAIL_ADDRESS", 0.7, detector="pattern:EMAIL")]),
        event(2, 2, masks=[mask("EMAIL_ADDRESS", 0.9)]),
        event(3, 3, "clean", [mask("PERSON", 0.3, masked=False, reason="below_threshold")]),
        event(4, 4, "dead_lettered", reason="invalid_json"),
        event(5, 5, "dead_lettered", reason="too_large"),
        event(6, 6, "tombstone"),
        # offset 2 processed again after a restart, under a new policy version
        event(2, 7, masks=[mask("EMAIL_ADDRESS", 0.9)], policy="2"),
    ]
    idx = AuditIndex(":memory:")
    idx.add(as_entries(as_lines([chain.seal(e) for e in events])), batch_size=3)
    return idx


def test_report_counts_each_record_once_and_every_event(index: AuditIndex) -> None:
    report = build_report(index)
    assert report["events"] == 8
    assert report["records"] == 7
    assert report["outcomes"] == {"masked": 3, "clean": 1, "dead_lettered": 2, "tombstone": 1}
    assert report["dead_lettered_by_reason"] == {"invalid_json": 1, "too_large": 1}


def test_report_breaks_findings_down_by_entity_operator_detector_and_reason(
    index: AuditIndex,
) -> None:
    findings = build_report(index)["findings"]
    assert findings["total"] == 5
    assert findings["masked"] == 4
    assert findings["by_entity_type"] == {"EMAIL_ADDRESS": 3, "PERSON": 2}
    assert findings["by_operator"] == {"hash": 4, "replace": 1}
    assert findings["by_detector"] == {"model": 4, "pattern:EMAIL": 1}
    assert findings["not_masked_by_reason"] == {"below_threshold": 1}


def test_report_score_distribution_per_entity_type(index: AuditIndex) -> None:
    scores = build_report(index)["scores"]
    assert scores["EMAIL_ADDRESS"] == {
        "count": 3,
        "min": 0.5,
        "p10": 0.54,
        "p50": 0.7,
        "p90": 0.86,
        "mean": 0.7,
    }
    assert scores["PERSON"]["count"] == 2
    assert scores["PERSON"]["min"] == 0.3


def test_report_names_policies_and_models_that_handled_the_records(index: AuditIndex) -> None:
    report = build_report(index)
    assert [(p["policy_version"], p["records"]) for p in report["policies"]] == [("1", 6), ("2", 1)]
    assert report["models"] == [{"model_name": "rampart", "model_sha256": SHA, "records": 7}]


@pytest.mark.parametrize(
    ("since", "until", "records", "events"),
    [
        (None, None, 7, 8),
        (T0 + timedelta(minutes=4), None, 4, 4),
        (None, T0 + timedelta(minutes=2), 2, 2),
        (T0 + timedelta(minutes=1), T0 + timedelta(minutes=4), 2, 3),
        (T0 + timedelta(days=1), None, 0, 0),
    ],
)
def test_report_time_range_is_since_inclusive_until_exclusive(
    index: AuditIndex, since: datetime | None, until: datetime | None, records: int, events: int
) -> None:
    report = build_report(index, TimeRange(since, until))
    assert (report["records"], report["events"]) == (records, events)


def test_empty_trail_reports_zeros() -> None:
    report = build_report(AuditIndex(":memory:"))
    assert report["records"] == 0
    assert report["scores"] == {}
    assert report["range"]["first_event"] is None


def test_table_and_csv_renderings_hold_the_totals(index: AuditIndex) -> None:
    report = build_report(index)
    text = report_table(report)
    assert "records 7  events 8" in text
    assert "invalid_json" in text
    rows: list[Any] = report_rows(report)
    assert ("outcomes", "masked", "records", 3) in rows
    assert ("scores", "EMAIL_ADDRESS", "p50", 0.7) in rows


@given(st.lists(st.floats(0, 1), min_size=1, max_size=50), st.sampled_from([0.1, 0.5, 0.9]))
def test_percentile_matches_numpy_linear_interpolation(values: list[float], q: float) -> None:
    values.sort()
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q * 100)))
