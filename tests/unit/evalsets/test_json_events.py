"""The JSON events dev set: reproducible, many shapes, gold labels that point at real fields."""

from __future__ import annotations

import json
from collections.abc import Sequence

from piimask.evalsets.json_eval import (
    _parse_path,
    format_json_report,
    parse_json_gold,
    score_json,
)
from piimask.evalsets.json_events import (
    MORE_PII,
    MORE_SHARE,
    MORE_TELEMETRY,
    TELEMETRY,
    demo_events,
    generate,
    main,
)
from piimask.keys import KeyRing
from piimask.mask import default_policy
from piimask.mask.jsonpath import format_path
from piimask.spans import Span


def _get(doc: object, path: str) -> object:
    for key in _parse_path(path):
        doc = doc[key]  # type: ignore[index]
    return doc


def test_the_same_seed_gives_the_same_events() -> None:
    first = [e.to_json() for e in generate(30)]
    again = [e.to_json() for e in generate(30)]
    assert first == again
    assert [e.to_json() for e in generate(30, seed=1)] != first


def test_every_family_of_every_split_is_generated() -> None:
    families = {(e.split, e.family) for e in generate(60)}
    for table in (TELEMETRY, MORE_TELEMETRY, MORE_PII):
        for split, members in table.items():
            assert {(split, name) for name, _ in members} <= families


def test_the_second_pass_shapes_leave_the_first_pass_events_as_they_were() -> None:
    events = list(generate(60, splits=("dev",)))
    first = [e for e in events if int(e.id.rsplit("-", 1)[1]) < 60]
    more = [e for e in events if int(e.id.rsplit("-", 1)[1]) >= 60]
    assert len(first) == 60
    assert len(more) == 60 // MORE_SHARE
    assert {e.family for e in more} <= {n for n, _ in (*MORE_TELEMETRY["dev"], *MORE_PII["dev"])}
    assert not {e.family for e in first} & {e.family for e in more}


def test_gold_paths_point_at_string_or_number_fields_and_spans_inside_them() -> None:
    events = [*generate(90), *demo_events(10)]
    assert any(e.pii for e in events)
    assert any(e.spans for e in events)
    for event in events:
        for path in event.pii:
            assert isinstance(_get(event.value, path), str | int)
        for path, spans in event.spans.items():
            text = _get(event.value, path)
            assert isinstance(text, str)
            for span in spans:
                assert 0 <= int(span["start"]) < int(span["end"]) <= len(text)  # type: ignore[call-overload]


def test_telemetry_events_carry_no_gold_pii() -> None:
    assert all(not e.pii and not e.spans for e in generate(60) if e.kind == "telemetry")


def test_paths_round_trip_through_format_path() -> None:
    for path in (("a", 0, "b"), ("user-email",), ("x y", 3)):
        assert _parse_path(format_path(path)) == path


def test_the_command_writes_one_gold_line_per_event(tmp_path: object) -> None:
    out = f"{tmp_path}/events.jsonl"
    main(["-o", out, "--count", "6", "--demo", "2"])
    with open(out, encoding="utf-8") as f:
        lines = [json.loads(line) for line in f]
    assert len(lines) == 6 * 4 + 2 * (6 // MORE_SHARE) + 2  # 4 splits, more shapes, demo
    assert {"id", "split", "kind", "family", "value", "pii", "spans"} <= set(lines[0])


class Guesses:
    """Like the model on lone values: every token is a TAX_ID, every phrase a PERSON (an
    id guess in a sentence needs a word naming it, a name does not)."""

    def __call__(self, texts: Sequence[str]) -> list[list[Span]]:
        return [[Span(0, len(t), "PERSON" if " " in t else "TAX_ID", 0.7, "model")] for t in texts]


def test_scoring_counts_false_masks_missed_pii_fields_and_leaked_spans() -> None:
    gold = parse_json_gold(
        {
            "id": "1",
            "value": {"qty": 2, "email": "ann@example.com", "x": 7, "note": "call Ann"},
            "pii": {"$.email": "EMAIL_ADDRESS"},
            "spans": {"$.note": [{"start": 5, "end": 8, "label": "PERSON"}]},
        },
        "line 1",
    )
    report = score_json([gold], Guesses(), default_policy(), KeyRing.generate())
    row = report["groups"]["all"]  # type: ignore[index]
    assert row["fields"] == 4
    assert row["pii_free_fields"] == 2
    assert row["false_masks"] == 0  # qty: a count; x: a bare number, no validated pattern
    assert row["pii_fields_masked"] == 1
    assert row["free_text_spans"] == 1
    assert row["free_text_spans_leaked"] == 0  # the note: full detection
    assert "false masks" in format_json_report(report)


def test_the_report_has_a_row_per_split_and_family() -> None:
    lines = [
        {"id": "a", "split": "dev", "kind": "telemetry", "family": "gps", "value": {"x": 1}},
        {"id": "b", "split": "final", "kind": "telemetry", "family": "gps", "value": {"y": 2}},
    ]
    gold = [parse_json_gold({**line, "pii": {}, "spans": {}}, "line") for line in lines]
    report = score_json(gold, Guesses(), default_policy(), KeyRing.generate())
    families = report["families"]
    assert isinstance(families, dict)
    assert set(families) == {"dev/gps", "final/gps"}
    assert families["dev/gps"]["pii_free_fields"] == 1
    assert "dev/gps 0/1" in format_json_report(report)
