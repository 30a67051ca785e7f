"""Evidence rules for names and places that only one detector reported."""

import numpy as np
import pytest

from piimask.detect.decode import LabelSpace
from piimask.detect.evidence import (
    ModelEvidence,
    drop_unknown_lowercase_places,
    is_lone,
    require_model_support,
    trim_lowercase_edges,
    veto_by_entities,
)
from piimask.detect.places import is_place_name
from piimask.spans import Span

NER = "ner:en_core_web_sm"


def _span(text: str, value: str, entity_type: str, detector: str = "model") -> Span:
    start = text.index(value)
    return Span(start, start + len(value), entity_type, 0.7, detector)


@pytest.mark.parametrize(
    ("detector", "lone"),
    [
        ("model", True),
        (NER, True),
        (f"model+{NER}", False),
        ("pattern:EMAIL_ADDRESS", False),
        ("gazetteer:PLACE", False),
    ],
)
def test_only_a_model_or_ner_span_without_a_second_detector_is_lone(
    detector: str, lone: bool
) -> None:
    assert is_lone(Span(0, 1, "PERSON", 0.5, detector)) is lone


TEXT = "Iraqi officials met in Basra."
NORP = Span(0, 5, "NORP", 1.0, NER)


@pytest.mark.parametrize(
    ("span", "vetoed"),
    [
        (Span(0, 5, "LOCATION", 0.8, "model"), True),
        (Span(0, 5, "PERSON", 0.8, "model"), False),  # the veto names LOCATION only
        (Span(0, 5, "LOCATION", 0.8, f"model+{NER}"), False),  # confirmed by a second detector
        (Span(0, 14, "LOCATION", 0.8, "model"), False),  # runs past the NORP entity
        (Span(23, 28, "LOCATION", 0.8, "model"), False),  # no NORP entity there
    ],
)
def test_a_lone_model_place_inside_a_norp_entity_is_vetoed(span: Span, vetoed: bool) -> None:
    out = veto_by_entities([span], [NORP], {"NORP": frozenset({"LOCATION"})})
    assert (out == []) is vetoed


def test_no_vetoes_configured_keeps_every_span() -> None:
    span = Span(0, 5, "LOCATION", 0.8, "model")
    assert veto_by_entities([span], [NORP], {}) == [span]


def _evidence(per_token_person: list[float]) -> ModelEvidence:
    """Two-token text 'ab cd' with the given PERSON probability per token."""
    labels = ["O", "B-PERSON", "I-PERSON"]
    space = LabelSpace.build(labels, {"PERSON": "PERSON"})
    probs = np.array([[1.0 - p, p, 0.0] for p in per_token_person], dtype=np.float32)
    return ModelEvidence.build(probs, [(0, 2), (3, 5)], space)


@pytest.mark.parametrize(
    ("probabilities", "kept"),
    [
        ([0.001, 0.002], False),
        ([0.001, 0.2], True),  # the highest token decides
        ([0.5, 0.5], True),
    ],
)
def test_a_lone_ner_name_needs_some_support_from_the_onnx_model(
    probabilities: list[float], kept: bool
) -> None:
    span = Span(0, 5, "PERSON", 0.7, NER)
    out = require_model_support([span], _evidence(probabilities), {"PERSON": 0.01})
    assert (out == [span]) is kept


@pytest.mark.parametrize(
    "span",
    [
        Span(0, 5, "PERSON", 0.7, f"model+{NER}"),  # agreement needs no support
        Span(0, 5, "PERSON", 0.7, "model"),  # the rule is about NER spans
        Span(0, 5, "LOCATION", 0.7, NER),  # type not configured
    ],
)
def test_model_support_leaves_other_spans_alone(span: Span) -> None:
    assert require_model_support([span], _evidence([0.0, 0.0]), {"PERSON": 0.01}) == [span]


def test_the_model_support_of_a_type_the_model_lacks_is_zero() -> None:
    assert _evidence([0.9, 0.9]).support(Span(0, 5, "US_SSN")) == 0.0
    assert ModelEvidence.empty().support(Span(0, 5, "PERSON")) == 0.0


@pytest.mark.parametrize(
    ("text", "value", "kept"),
    [
        ("We went back by helicopter.", "helicopter", False),
        ("Welcome to Oregon from Troutdale ( east portland ) .", "east portland", True),
        ("Best tacos in Noida, I swear.", "Noida", True),  # capitalised: not this rule's
        ("Tell me about a great restaurant in sf or nearby.", "sf", True),  # locative cue
        ("we went back by helicopter.", "helicopter", True),  # all lower case: case says nothing
    ],
)
def test_a_lone_lower_case_model_place_must_be_a_listed_place(
    text: str, value: str, kept: bool
) -> None:
    span = _span(text, value, "LOCATION")
    out = drop_unknown_lowercase_places(text, [span], {"model"}, is_place_name)
    assert (out == [span]) is kept


def test_a_confirmed_lower_case_place_is_kept() -> None:
    text = "We went back by helicopter."
    span = _span(text, "helicopter", "LOCATION", f"model+{NER}")
    assert drop_unknown_lowercase_places(text, [span], {"model"}, is_place_name) == [span]


@pytest.mark.parametrize(
    ("text", "value", "entity_type", "expected"),
    [
        (
            "we returned to St Georges by helicopter.",
            "St Georges by helicopter",
            "LOCATION",
            ["St Georges"],
        ),
        ("It is north of Miami.", "north of Miami", "LOCATION", ["Miami"]),
        ("a new Scottish place downtown", "new Scottish place", "LOCATION", ["Scottish"]),
        ("the Gaza strip is", "Gaza strip", "LOCATION", ["Gaza strip"]),  # a feature noun
        ("off the Gulf of Mexico", "Gulf of Mexico", "LOCATION", ["Gulf of Mexico"]),
        ("join accounts with ms. Carla", "ms. Carla", "PERSON", ["Carla"]),
        ("I'm so jealous! said Selma to Jason", "Selma to Jason", "PERSON", ["Selma", "Jason"]),
        ("support for Donald trump if", "Donald trump", "PERSON", ["Donald trump"]),
        ("look to bin Laden for", "bin Laden", "PERSON", ["bin Laden"]),
        ("Which: McDonald s , Burger King", "McDonald s", "LOCATION", ["McDonald s"]),
        ("by the invisible man", "the invisible man", "PERSON", ["the invisible man"]),
        ("a film starring Kimura", "starring Kimura", "PERSON", ["Kimura"]),
        ("the songwriter Lisa Beich said", "songwriter Lisa Beich", "PERSON", ["Lisa Beich"]),
        ("Don muthafuckin Cheadle is", "muthafuckin Cheadle", "PERSON", ["muthafuckin Cheadle"]),
        ("By samantha Fox", "samantha Fox", "PERSON", ["Fox"]),
        (
            "said orville to stephanie\nLorencz Berta",
            "stephanie\nLorencz Berta",
            "PERSON",
            ["stephanie\nLorencz Berta"],
        ),  # a new line: boundaries split it later
        ("the poet de Vries wrote", "de Vries", "PERSON", ["de Vries"]),
    ],
)
def test_lower_case_edge_words_are_trimmed_off_names_and_places(
    text: str, value: str, entity_type: str, expected: list[str]
) -> None:
    out = trim_lowercase_edges(text, [_span(text, value, entity_type)])
    assert [text[s.start : s.end] for s in out] == expected


def test_text_written_all_in_lower_case_is_not_trimmed() -> None:
    text = "went to orchard academy by bus"
    span = _span(text, "orchard academy by bus", "LOCATION")
    assert trim_lowercase_edges(text, [span]) == [span]


def test_other_types_and_confirmed_spans_are_not_trimmed() -> None:
    text = "lives on Havnegade 69 street and met Selma to Jason"
    address = _span(text, "Havnegade 69 street", "STREET_ADDRESS")
    agreed = _span(text, "Selma to Jason", "PERSON", f"model+{NER}")
    assert trim_lowercase_edges(text, [address, agreed]) == [address, agreed]
