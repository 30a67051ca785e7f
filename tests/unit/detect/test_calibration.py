"""Choosing thresholds and score maps from a labelled sample (character-level, additive)."""

import pytest

from piimask.detect.calibration import (
    Sample,
    ScoredSpan,
    choose_thresholds,
    ece_by_type,
    expected_calibration_error,
    fit_calibration,
    isotonic,
    quality,
    recall_curve,
    reliability,
)
from piimask.spans import Span


def span(
    entity_type: str, score: float, true: int, false: int, detector: str = "model"
) -> ScoredSpan:
    on_gold = {entity_type: true} if true else {}
    return ScoredSpan(entity_type, detector, score, true + false, on_gold, false, gated=True)


def sample_of(spans: list[ScoredSpan], gold: dict[str, int]) -> Sample:
    return Sample(spans=spans, gold_chars=gold)


def test_a_span_is_scored_by_the_gold_characters_it_covers_and_neutral_ones_count_neither() -> None:
    sample = Sample()
    #        0123456789012345678901234
    text = "Ann met Bob on 2024-01-01"
    sample.add(
        len(text),
        gold=[(0, 3, "PERSON"), (8, 11, "PERSON")],
        neutral=[(15, 25)],
        predicted=[
            Span(0, 7, "PERSON", 0.9, "model"),  # Ann + " met" (4 false characters)
            Span(15, 25, "DATE_TIME", 0.8, "pattern:DATE"),  # on a neutral span
            Span(8, 11, "LOCATION", 0.6, "gazetteer:PLACE"),  # wrong type still masks
        ],
    )
    first, date, place = sample.spans
    assert (dict(first.on_gold), first.false_chars) == ({"PERSON": 3}, 4)
    assert (dict(date.on_gold), date.false_chars, date.judged) == ({}, 0, False)
    assert place.gated is False  # gazetteers have no minimum score in the engine
    assert sample.gold_chars == {"PERSON": 6}
    q = quality(sample, {})
    assert q.recall == {"PERSON": 1.0}
    assert q.precision["PERSON"] == pytest.approx(3 / 7)


@pytest.mark.parametrize(
    ("thresholds", "recall", "precision"),
    [
        ({}, 1.0, 10 / 16),
        ({"PERSON": 0.5}, 0.8, 8 / 9),
        ({"PERSON": 0.95}, 0.0, 1.0),
    ],
)
def test_quality_adds_up_the_spans_a_threshold_keeps(
    thresholds: dict[str, float], recall: float, precision: float
) -> None:
    sample = sample_of([span("PERSON", 0.9, 8, 1), span("PERSON", 0.3, 2, 5)], {"PERSON": 10})
    q = quality(sample, thresholds)
    assert q.overall_recall == pytest.approx(recall)
    assert q.overall_precision == pytest.approx(precision)


def test_thresholds_drop_false_alarms_only_while_recall_stays_at_the_target() -> None:
    spans = [
        span("PERSON", 0.95, 90, 0),
        span("PERSON", 0.40, 0, 30),  # a pure false alarm
        span("PERSON", 0.30, 9, 0),  # needed for 0.99
        span("PERSON", 0.10, 0, 40),  # a pure false alarm below it
        span("EMAIL_ADDRESS", 1.0, 1, 0),
    ]
    sample = sample_of(spans, {"PERSON": 100, "EMAIL_ADDRESS": 1})
    loose = choose_thresholds(sample, 0.90, per_type=False)
    assert 0.40 < loose["PERSON"] <= 0.95  # everything below 0.95 can go
    strict = choose_thresholds(sample, 0.99, per_type=False)
    assert 0.10 < strict["PERSON"] <= 0.30  # keeps the 0.30 span, drops the 0.10 one
    q = quality(sample, strict)
    assert q.overall_recall >= 0.99 * 100 / 101


def test_per_type_holds_every_gold_type_to_the_target_not_just_the_total() -> None:
    spans = [
        span("PERSON", 0.9, 1000, 0),
        span("ZIP_CODE", 0.2, 5, 50),
        span("ZIP_CODE", 0.9, 5, 0),
    ]
    sample = sample_of(spans, {"PERSON": 1000, "ZIP_CODE": 10})
    overall = choose_thresholds(sample, 0.99, per_type=False)
    assert overall["ZIP_CODE"] > 0.2  # losing half the ZIP codes is 0.5% of all characters
    per_type = choose_thresholds(sample, 0.99, per_type=True)
    assert per_type["ZIP_CODE"] <= 0.2
    assert quality(sample, per_type).recall["ZIP_CODE"] == 1.0


def test_an_unreachable_target_keeps_every_span_seen() -> None:
    sample = sample_of([span("PERSON", 0.5, 5, 5)], {"PERSON": 10})
    assert choose_thresholds(sample, 0.99, per_type=True, unmoved={"PERSON": 0.35}) == {
        "PERSON": 0.35
    }


def test_a_type_with_nothing_to_gain_keeps_its_lowest_score_or_the_lower_default() -> None:
    sample = sample_of([span("EMAIL_ADDRESS", 0.9, 5, 0)], {"EMAIL_ADDRESS": 5})
    assert choose_thresholds(sample, 0.5, per_type=False) == {"EMAIL_ADDRESS": 0.0}
    assert choose_thresholds(sample, 0.5, per_type=False, unmoved={"EMAIL_ADDRESS": 1.0}) == {
        "EMAIL_ADDRESS": 0.9
    }


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ([(0.1, False), (0.2, True), (0.3, False), (0.9, True)], [0.0, 0.5, 1.0]),
        ([(0.5, True), (0.5, True), (0.5, False)], [pytest.approx(2 / 3, abs=1e-4)]),
        ([(0.2, True), (0.8, False)], [0.5]),
        ([(0.1, True), (0.5, True), (0.9, True)], [1.0]),  # equal steps pool into one
    ],
)
def test_isotonic_regression_pools_adjacent_violators(
    points: list[tuple[float, bool]], expected: list[float]
) -> None:
    fitted = isotonic(points)
    assert fitted.calibrated == expected
    assert fitted.spans == len(points)


def test_calibration_maps_need_enough_spans_per_detector_and_fall_back_to_the_type() -> None:
    many = [span("PERSON", 0.6, 1, 2 if i % 2 else 0) for i in range(30)]
    few = [span("PERSON", 0.9, 0, 3, detector="ner:x") for _ in range(3)]
    calibration = fit_calibration(many + few)
    assert set(calibration.maps) == {"*", "model"}
    assert calibration.score("model", "PERSON", 0.6) == pytest.approx(0.5)
    assert calibration.score("ner:x", "PERSON", 0.9) == calibration.maps["*"]["PERSON"](0.9)
    assert calibration.score("model", "EMAIL_ADDRESS", 0.42) == 0.42  # no map: unchanged


def test_expected_calibration_error_is_the_weighted_gap_between_score_and_accuracy() -> None:
    spans = [span("PERSON", 0.95, 1, 0)] * 3 + [span("PERSON", 0.95, 0, 1)]
    assert expected_calibration_error(spans) == pytest.approx(abs(0.75 - 0.95))
    assert ece_by_type(spans) == {"PERSON": pytest.approx(0.2)}
    (only,) = reliability(spans)
    assert (only.spans, only.share_correct) == (4, 0.75)


def test_recall_curve_falls_as_the_threshold_of_the_type_rises() -> None:
    sample = sample_of([span("PERSON", 0.8, 6, 0), span("PERSON", 0.3, 4, 0)], {"PERSON": 10})
    assert recall_curve(sample, "PERSON", [0.0, 0.5, 0.9], {}) == [
        (0.0, 1.0),
        (0.5, 0.6),
        (0.9, 0.0),
    ]
