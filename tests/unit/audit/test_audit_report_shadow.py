"""``audit report`` sums the shadow detector's agreement fields per model and entity type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from audit_helpers import as_entries, as_lines

from piimask.audit import AuditChain, AuditEvent, build_audit_event
from piimask.audit.events import ShadowComparison, ShadowCount
from piimask.audit.index import AuditIndex
from piimask.audit.render import report_rows, report_table
from piimask.audit.report import build_report

SHA = "ef" * 32
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def event(offset: int, shadow: ShadowComparison | None) -> AuditEvent:
    return build_audit_event(
        source_topic="orders",
        source_partition=0,
        source_offset=offset,
        key_fingerprint=None,
        output_topic="orders.masked",
        outcome="clean",
        reason=None,
        policy_version="1",
        policy_sha256=SHA,
        model_name="rampart+adapter",
        model_sha256=SHA,
        masks=[],
        timestamp=T0 + timedelta(minutes=offset),
        shadow=shadow,
    )


def compared(*rows: tuple[str, int, int, int], status: str = "compared") -> ShadowComparison:
    return ShadowComparison(
        model_name="rampart",
        model_sha256="cd" * 32,
        status=status,  # type: ignore[arg-type]
        agreement=[
            ShadowCount(entity_type=e, both=b, live_only=lo, shadow_only=so)
            for e, b, lo, so in rows
        ],
    )


def index(chain: AuditChain) -> AuditIndex:
    events = [
        event(0, compared(("PERSON", 2, 1, 0), ("EMAIL_ADDRESS", 1, 0, 0))),
        event(1, None),
        event(2, compared(("PERSON", 1, 0, 2))),
        event(3, compared(status="failed")),
        event(4, compared()),  # neither side found anything
    ]
    idx = AuditIndex(":memory:")
    idx.add(as_entries(as_lines([chain.seal(e) for e in events])))
    return idx


def test_report_sums_agreement_per_entity_type_and_counts_sampled_records(
    chain: AuditChain,
) -> None:
    (shadow,) = build_report(index(chain))["shadow"]
    assert (shadow["model_name"], shadow["records"], shadow["failed"]) == ("rampart", 3, 1)
    assert shadow["by_entity_type"] == {
        "EMAIL_ADDRESS": {"both": 1, "live_only": 0, "shadow_only": 0, "agreement": 1.0},
        "PERSON": {"both": 3, "live_only": 1, "shadow_only": 2, "agreement": 0.5},
    }
    assert shadow["total"] == {"both": 4, "live_only": 1, "shadow_only": 2, "agreement": 0.5714}


def test_table_and_csv_show_the_shadow_section(chain: AuditChain) -> None:
    report = build_report(index(chain))
    text = report_table(report)
    assert "shadow model rampart" in text
    assert "records compared 3  failed 1" in text
    rows = report_rows(report)
    assert (f"shadow:rampart@{'cd' * 32}", "PERSON", "agreement", 0.5) in rows


def test_a_trail_without_shadow_fields_reports_no_shadow(chain: AuditChain) -> None:
    idx = AuditIndex(":memory:")
    idx.add(as_entries(as_lines([chain.seal(event(0, None))])))
    report = build_report(idx)
    assert report["shadow"] == []
    assert "shadow model" not in report_table(report)


def test_an_event_without_a_shadow_has_no_shadow_key_in_its_json() -> None:
    assert '"shadow"' not in event(0, None).model_dump_json()
    assert '"shadow"' in event(0, compared()).model_dump_json()
