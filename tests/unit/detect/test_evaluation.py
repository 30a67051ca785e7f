from collections.abc import Sequence
from pathlib import Path

import pytest

from piimask.detect.evaluation import (
    NAME_PLACE_TYPES,
    REAL_TEXT_SCHEME,
    EvalCounts,
    GoldRecord,
    GoldSpan,
    detect_label_scheme,
    evaluate,
    format_report,
    read_gold_file,
)
from piimask.spans import Span


def test_perfect_detection_scores_one_everywhere() -> None:
    counts = EvalCounts()
    counts.add(20, [GoldSpan(0, 4, "PERSON")], [Span(0, 4, "PERSON")])
    report = counts.report()
    assert report["char_recall"] == report["char_precision"] == 1.0
    assert report["leaked_spans"] == 0.0


def test_a_gold_span_with_one_unmasked_character_counts_as_leaked() -> None:
    counts = EvalCounts()
    counts.add(20, [GoldSpan(0, 4, "EMAIL_ADDRESS")], [Span(0, 3, "EMAIL_ADDRESS")])
    report = counts.report()
    assert report["leaked_spans"] == 1.0
    assert report["leaked_structured_spans"] == 1.0
    assert report["char_recall"] == pytest.approx(0.75)


def test_masking_an_ignored_label_is_neither_hit_nor_false_positive() -> None:
    counts = EvalCounts()
    counts.add(
        30,
        [GoldSpan(0, 4, "PERSON"), GoldSpan(10, 20, "DATE_TIME")],
        [Span(0, 4, "PERSON"), Span(10, 20, "DATE_TIME")],
    )
    report = counts.report()
    assert report["char_precision"] == 1.0
    assert report["span"]["precision"] == 1.0  # type: ignore[index]


def test_masked_characters_outside_gold_lower_precision() -> None:
    counts = EvalCounts()
    counts.add(10, [GoldSpan(0, 2, "PERSON")], [Span(0, 4, "PERSON")])
    assert counts.report()["char_precision"] == 0.5


@pytest.mark.parametrize(
    ("labels", "scheme"),
    [
        (["PERSON", "LOCATION", "ORG", "OTHER"], "real"),
        (["STREET_ADDRESS", "LOCATION", "ZIP_CODE"], "real"),
        (["PERSON"], "real"),
        (["PERSON", "GPE", "PHONE_NUMBER", "ORGANIZATION"], "synthetic"),
        (["PERSON", "STREET_ADDRESS", "DATE_TIME"], "synthetic"),
        ([], "synthetic"),
    ],
)
def test_the_label_scheme_is_read_from_the_gold_labels(labels: list[str], scheme: str) -> None:
    assert detect_label_scheme(labels).name == scheme


def test_real_text_scheme_treats_org_and_other_as_neutral() -> None:
    records = [
        GoldRecord(
            "Jane met Acme in Paris",
            (
                {"start": 0, "end": 4, "label": "PERSON"},
                {"start": 9, "end": 13, "label": "ORG"},
                {"start": 17, "end": 22, "label": "LOCATION"},
            ),
        )
    ]

    def detect(texts: Sequence[str]) -> list[list[Span]]:
        return [[Span(0, 4, "PERSON"), Span(9, 13, "ORGANIZATION")] for _ in texts]

    report = evaluate(detect, records, REAL_TEXT_SCHEME)
    assert report["char_precision"] == 1.0  # the masked organisation is no false alarm
    assert report["char_recall"] == pytest.approx(4 / 9, abs=1e-4)
    assert report["leaked_spans"] == 0.5  # the place
    assert report["label_scheme"] == "real"


def test_name_place_precision_counts_predicted_name_characters_inside_any_gold_span() -> None:
    counts = EvalCounts(ignored_types=frozenset({"ORG"}), name_place_types=NAME_PLACE_TYPES)
    counts.add(
        30,
        [GoldSpan(0, 4, "PERSON"), GoldSpan(10, 14, "ORG")],
        [
            Span(0, 4, "PERSON"),  # on gold
            Span(10, 14, "LOCATION"),  # on a neutral gold span: still inside a gold span
            Span(20, 24, "PERSON"),  # outside: a false alarm
            Span(25, 30, "PHONE_NUMBER"),  # not a name/place type: not judged
        ],
    )
    report = counts.report()
    assert report["name_place_precision"] == pytest.approx(8 / 12, abs=1e-4)
    assert report["name_place_chars"] == 12
    assert report["name_place_precision_by_type"] == {"LOCATION": 1.0, "PERSON": 0.5}


def test_synthetic_reports_have_no_name_place_precision() -> None:
    counts = EvalCounts()
    counts.add(10, [GoldSpan(0, 4, "PERSON")], [Span(0, 4, "PERSON")])
    assert "name_place_precision" not in counts.report()
    assert "label scheme" not in format_report(counts.report())


def test_batching_does_not_change_the_report() -> None:
    records = [
        GoldRecord("Ann " * (i + 1), ({"start": 0, "end": 3, "label": "PERSON"},)) for i in range(7)
    ]

    def detect(texts: Sequence[str]) -> list[list[Span]]:
        return [[Span(0, 3, "PERSON")] if len(t) % 8 else [] for t in texts]

    whole = evaluate(detect, records, REAL_TEXT_SCHEME)
    assert evaluate(detect, records, REAL_TEXT_SCHEME, batch_size=2) == whole


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("[1, 2]", "line 1: expected a JSON object"),
        ('{"text": 1, "spans": []}', "line 1: needs 'text'"),
        ('{"text": "a", "spans": [{"start": 0}]}', "line 1: bad gold span"),
        ("{", "line 1: invalid JSON"),
    ],
)
def test_a_malformed_gold_file_names_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        read_gold_file(path)
