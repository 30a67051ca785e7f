from __future__ import annotations

import json
from typing import Any

import pytest

from piimask.demo.kafka_io import ReadRecord
from piimask.demo.report import (
    pair_records,
    parse_audit,
    pick_examples,
    render_pair,
    render_summary,
    summarize,
)


def rec(topic: str, partition: int, offset: int, value: str | None, key: str = "k") -> ReadRecord:
    return ReadRecord(
        topic, partition, offset, key.encode(), None if value is None else value.encode(), ()
    )


def event(
    src: tuple[str, int, int],
    outcome: str,
    out: tuple[str, int, int] | None = None,
    findings: list[dict[str, Any]] | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    return {
        "source_topic": src[0],
        "source_partition": src[1],
        "source_offset": src[2],
        "output_topic": out[0] if out else None,
        "output_partition": out[1] if out else None,
        "output_offset": out[2] if out else None,
        "outcome": outcome,
        "reason": reason,
        "findings": findings or [],
    }


PERSON = {"entity_type": "PERSON", "operator": "replace", "masked": True}
EMAIL = {"entity_type": "EMAIL_ADDRESS", "operator": "hash", "masked": True}
KEPT = {"entity_type": "DATE_TIME", "operator": "keep", "masked": False}


def test_inputs_are_paired_with_outputs_through_audit_events() -> None:
    inputs = [rec("in", 0, 0, "Hi Ann", "chat-1"), rec("in", 0, 1, "plain", "note-2")]
    outputs = [rec("in.masked", 2, 5, "Hi <PERSON_1>"), rec("in.masked", 2, 6, "plain")]
    audit = [
        event(("in", 0, 0), "masked", ("in.masked", 2, 5), [PERSON]),
        event(("in", 0, 1), "clean", ("in.masked", 2, 6)),
    ]
    pairs, missing = pair_records(inputs, outputs, audit)
    assert missing == 0
    assert [(p.outcome, p.output.value if p.output else None) for p in pairs] == [
        ("masked", b"Hi <PERSON_1>"),
        ("clean", b"plain"),
    ]
    assert [p.kind for p in pairs] == ["chat", "note"]


def test_inputs_without_audit_events_are_counted_as_missing() -> None:
    pairs, missing = pair_records([rec("in", 0, 0, "x"), rec("in", 0, 1, "y")], [], [])
    assert (pairs, missing) == ([], 2)


def test_a_reprocessed_record_counts_once_with_its_last_event() -> None:
    audit = [
        event(("in", 0, 0), "dead_lettered", reason="masking_error"),
        event(("in", 0, 0), "masked", ("in.masked", 0, 0), [PERSON]),
    ]
    pairs, _ = pair_records([rec("in", 0, 0, "Ann")], [rec("in.masked", 0, 0, "<P>")], audit)
    assert [p.outcome for p in pairs] == ["masked"]


def test_summary_counts_outcomes_reasons_and_findings() -> None:
    inputs = [rec("in", 0, i, "v") for i in range(3)]
    audit = [
        event(("in", 0, 0), "masked", ("o", 0, 0), [PERSON, PERSON, EMAIL]),
        event(("in", 0, 1), "masked", ("o", 0, 1), [KEPT, PERSON]),
        event(("in", 0, 2), "dead_lettered", ("dlq", 0, 0), reason="invalid_json"),
    ]
    pairs, missing = pair_records(inputs, [], audit)
    summary = summarize(pairs, len(inputs), missing)
    assert summary.outcomes == {"masked": 2, "dead_lettered": 1}
    assert summary.reasons == {"invalid_json": 1}
    assert summary.entities[("PERSON", "replace", True)] == 3
    text = render_summary(summary)
    assert "Records: 3 in → 2 masked, 0 clean, 1 dead-lettered" in text
    assert "Dead-letter reasons: invalid_json 1" in text
    assert "keep 1 (not masked)" in text


def test_examples_cover_each_kind_before_repeating_one() -> None:
    inputs = [rec("in", 0, i, "v", key) for i, key in enumerate(["t-1", "t-2", "c-3", "e-4"])]
    outputs = [rec("o", 0, i, "m") for i in range(4)]
    audit = [event(("in", 0, i), "masked", ("o", 0, i), [PERSON]) for i in range(4)]
    pairs, _ = pair_records(inputs, outputs, audit)
    assert [p.kind for p in pick_examples(pairs, 3)] == ["t", "c", "e"]
    assert len(pick_examples(pairs, 10)) == 4


@pytest.mark.parametrize("width", [80, 140])
def test_render_pair_shows_original_and_masked_within_the_width(width: int) -> None:
    original = "Ticket: Ann Lee (ann@example.com) " * 5
    pairs, _ = pair_records(
        [rec("in", 0, 0, original)],
        [rec("o", 0, 0, "Ticket: <PERSON_1> (<EMAIL>) " * 5)],
        [event(("in", 0, 0), "masked", ("o", 0, 0), [PERSON, EMAIL])],
    )
    text = render_pair(pairs[0], width)
    assert "masked: EMAIL_ADDRESS→hash, PERSON→replace" in text
    assert all(len(line) <= width for line in text.splitlines()[1:])
    assert "original" in text
    assert "<PERSON_1>" in text


def test_render_pair_pretty_prints_json_documents() -> None:
    doc = {"user": {"name": "Ann"}}
    pairs, _ = pair_records(
        [rec("in", 0, 0, json.dumps(doc))],
        [rec("o", 0, 0, json.dumps({"user": {"name": "<PERSON_1>"}}))],
        [event(("in", 0, 0), "masked", ("o", 0, 0), [PERSON])],
    )
    text = render_pair(pairs[0], 120)
    assert any('"name": "Ann",' in line or '"name": "Ann"' in line for line in text.splitlines())


def test_parse_audit_skips_records_that_are_not_events() -> None:
    records = [
        rec("a", 0, 0, json.dumps(event(("in", 0, 0), "clean"))),
        rec("a", 0, 1, "not json"),
        rec("a", 0, 2, None),
        rec("a", 0, 3, "[1, 2]"),
    ]
    assert len(parse_audit(records)) == 1
