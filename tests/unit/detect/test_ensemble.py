"""Combining detectors: agreement raises scores, weak lone spans can be held back."""

import pytest

from piimask.detect.ensemble import combine, detector_family
from piimask.spans import Span

MODEL = Span(0, 8, "PERSON", 0.6, "model")
NER = Span(5, 8, "PERSON", 0.7, "ner:en_core_web_sm")


def test_agreeing_spans_get_the_noisy_or_of_their_scores_and_both_names() -> None:
    out = combine([[MODEL], [NER]], {})
    assert {s.detector for s in out} == {"model+ner:en_core_web_sm"}
    assert all(s.score == pytest.approx(1 - 0.4 * 0.3) for s in out)
    assert [(s.start, s.end) for s in out] == [(0, 8), (5, 8)]


def test_spans_of_different_types_do_not_agree() -> None:
    loc = Span(5, 8, "LOCATION", 0.7, "ner:en_core_web_sm")
    assert combine([[MODEL], [loc]], {}) == [MODEL, loc]


@pytest.mark.parametrize(
    ("floors", "kept"),
    [
        ({}, True),
        ({"ner": {"PERSON": 0.8}}, False),
        ({"ner": {"LOCATION": 0.8}}, True),
        ({"model": {"PERSON": 0.8}}, True),
    ],
)
def test_a_lone_span_is_held_to_its_detectors_floor(
    floors: dict[str, dict[str, float]], kept: bool
) -> None:
    assert (combine([[], [NER]], floors) == [NER]) is kept


def test_a_floor_never_drops_a_span_another_detector_confirms() -> None:
    out = combine([[MODEL], [NER]], {"ner": {"PERSON": 0.99}, "model": {"PERSON": 0.99}})
    assert len(out) == 2


@pytest.mark.parametrize(
    ("detector", "family"),
    [("ner:en_core_web_sm", "ner"), ("model", "model"), ("gazetteer:PLACE", "gazetteer")],
)
def test_detector_family_is_the_name_before_the_colon(detector: str, family: str) -> None:
    assert detector_family(detector) == family
