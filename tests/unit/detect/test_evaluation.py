import pytest

from piimask.detect.evaluation import EvalCounts, GoldSpan
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
