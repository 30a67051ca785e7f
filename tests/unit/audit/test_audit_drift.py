"""Drift between two periods of an audit trail: rates per 1,000 records, score PSI, exit codes."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from piimask.audit.drift import (
    DriftLimits,
    PeriodStats,
    compare,
    detector_families,
    parse_time_range,
    psi,
)
from piimask.audit.events import AuditEvent, build_audit_event
from piimask.audit.synthetic import MODEL_SHA256, POLICY_SHA256, SyntheticMask
from piimask.cli import main

T0 = datetime(2026, 3, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def finding(entity_type: str, score: float, detector: str = "model") -> SyntheticMask:
    return SyntheticMask(
        entity_type, 0, 4, None, "replace", score, detector, True, None, None, "a" * 64
    )


def events(
    start: datetime, records: int, per_record: Sequence[SyntheticMask], every: int = 1
) -> list[AuditEvent]:
    """``records`` events one second apart; every ``every``-th one holds ``per_record``."""
    out = []
    for n in range(records):
        masks = list(per_record) if n % every == 0 else []
        out.append(
            build_audit_event(
                source_topic="orders",
                source_partition=0,
                source_offset=int((start - T0).total_seconds()) + n,
                key_fingerprint=None,
                output_topic="orders.masked",
                outcome="masked" if masks else "clean",
                reason=None,
                policy_version="1",
                policy_sha256=POLICY_SHA256,
                model_name="rampart",
                model_sha256=MODEL_SHA256,
                masks=masks,
                timestamp=start + timedelta(seconds=n),
            )
        )
    return out


def trail(tmp_path: Path, *periods: list[AuditEvent]) -> Path:
    path = tmp_path / "trail.jsonl"
    lines = [e.model_dump_json() for period in periods for e in period]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def drift(path: Path, *extra: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(
        main,
        [
            "audit",
            "drift",
            "--file",
            str(path),
            "--baseline",
            f"{T0.isoformat()}..{(T0 + DAY).isoformat()}",
            "--window",
            f"{(T0 + DAY).isoformat()}..",
            "--format",
            "json",
            *extra,
        ],
    )
    return result.exit_code, json.loads(result.output)


BASE = [finding("PERSON", 0.9, "model+ner:en_core_web_sm"), finding("EMAIL_ADDRESS", 1.0)]


def test_the_same_mix_in_both_periods_is_no_drift(tmp_path: Path) -> None:
    path = trail(tmp_path, events(T0, 200, BASE), events(T0 + DAY, 300, BASE))
    code, report = drift(path)
    assert code == 0, report
    assert report["drifted"] is False
    person = report["entity_types"]["PERSON"]  # type: ignore[index]
    assert person["baseline_per_1000_records"] == person["window_per_1000_records"] == 1000.0
    assert report["detectors"]["model+ner"]["window_per_1000_records"] == 1000.0  # type: ignore[index]


def test_names_that_stop_being_found_flag_person_and_exit_1(tmp_path: Path) -> None:
    without_names = [finding("EMAIL_ADDRESS", 1.0)]
    path = trail(tmp_path, events(T0, 200, BASE), events(T0 + DAY, 200, without_names))
    code, report = drift(path)
    assert code == 1
    assert report["flagged_types"] == ["PERSON"]
    assert report["entity_types"]["PERSON"]["rate_change"] == -1.0  # type: ignore[index]
    assert report["entity_types"]["PERSON"]["flags"] == ["rate"]  # type: ignore[index]


def test_a_shift_of_scores_at_the_same_rate_is_flagged_by_psi(tmp_path: Path) -> None:
    lower = [finding("PERSON", 0.45, "model"), finding("EMAIL_ADDRESS", 1.0)]
    path = trail(tmp_path, events(T0, 200, BASE), events(T0 + DAY, 200, lower))
    code, report = drift(path)
    assert code == 1
    assert report["entity_types"]["PERSON"]["flags"] == ["scores"]  # type: ignore[index]
    assert report["entity_types"]["PERSON"]["score_psi"] > 0.25  # type: ignore[index,operator]


def test_rare_types_are_not_judged_and_limits_are_options(tmp_path: Path) -> None:
    base = events(T0, 200, BASE)
    window = events(T0 + DAY, 200, [*BASE, finding("IBAN_CODE", 1.0)], every=20)  # 10 IBANs
    window += events(T0 + DAY + timedelta(hours=1), 0, [])
    path = trail(tmp_path, base, window)
    code, report = drift(path, "--max-psi", "10")
    assert report["entity_types"]["IBAN_CODE"]["flags"] == []  # type: ignore[index]
    assert code == 1  # PERSON and EMAIL fell to 1 in 20 records
    code, report = drift(path, "--max-rate-change", "0.99", "--max-psi", "10")
    assert code == 0, report


def test_a_period_with_too_few_records_cannot_be_judged(tmp_path: Path) -> None:
    path = trail(tmp_path, events(T0, 200, BASE), events(T0 + DAY, 30, BASE))
    code, report = drift(path)
    assert code == 3
    assert report["insufficient"] == ["window has 30 scanned records (fewer than 100)"]


def test_the_table_names_the_flagged_types(tmp_path: Path) -> None:
    path = trail(tmp_path, events(T0, 200, BASE), events(T0 + DAY, 200, BASE[1:]))
    result = CliRunner().invoke(
        main,
        [
            "audit",
            "drift",
            "--file",
            str(path),
            "--baseline",
            "..2026-03-02",
            "--window",
            "2026-03-02..",
        ],
    )
    assert result.exit_code == 1
    assert "drift: PERSON" in result.output
    assert "-100%" in result.output
    assert re.search(r"model\+ner +1000\.0 +0\.0", result.output), result.output


@pytest.mark.parametrize(
    ("text", "since", "until"),
    [
        ("2026-03-01..2026-03-02", T0, T0 + DAY),
        ("..2026-03-02T00:00:00+00:00", None, T0 + DAY),
        ("2026-03-01T01:00:00+01:00..", T0, None),
    ],
)
def test_time_ranges_are_from_to_with_open_sides(
    text: str, since: datetime | None, until: datetime | None
) -> None:
    window = parse_time_range(text)
    assert (window.since, window.until) == (since, until)


@pytest.mark.parametrize("text", ["2026-03-01", "2026-03-02..2026-03-01", "yesterday..today"])
def test_a_bad_time_range_is_an_error(text: str) -> None:
    with pytest.raises(ValueError, match=r"FROM|range|Invalid|isoformat"):
        parse_time_range(text)


@pytest.mark.parametrize(
    ("base", "window", "expected"),
    [
        ([50, 50], [50, 50], 0.0),
        ([90, 10], [10, 90], 2 * 0.8 * math.log(9)),
        # an empty bin counts as a share of 1e-4, not as zero (no infinite terms)
        ([100, 0], [99, 1], 0.01 * math.log(0.99) * -1 + (0.01 - 1e-4) * math.log(0.01 / 1e-4)),
    ],
)
def test_population_stability_index(base: list[int], window: list[int], expected: float) -> None:
    assert psi(base, window) == pytest.approx(expected)


def test_detector_families_drop_the_model_names() -> None:
    assert detector_families("ner:en_core_web_sm+model") == "model+ner"
    assert detector_families("pattern:EMAIL_ADDRESS") == "pattern"


def test_compare_on_empty_periods_reports_why_it_cannot_judge() -> None:
    report = compare(PeriodStats(), PeriodStats(), DriftLimits())
    assert len(report.insufficient) == 2
    assert report.drifted is False
