import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from piimask.detect.decode import (
    LabelSpace,
    decode_spans,
    join_adjacent,
    viterbi_bio,
    weigh_capitalised_names,
    widen_to_word_edges,
)
from piimask.detect.labels import RAMPART_LABEL_MAP, build_label_map
from piimask.spans import Span

LABELS = ("O", "B-GIVEN_NAME", "I-GIVEN_NAME", "B-SURNAME", "I-SURNAME", "B-CITY", "I-CITY")
SPACE = LabelSpace.build(LABELS, build_label_map(list(LABELS), None))


def one_hot(*labels: str, confidence: float = 0.9) -> np.ndarray:
    rows = np.full(
        (len(labels), len(LABELS)), (1 - confidence) / (len(LABELS) - 1), dtype=np.float32
    )
    for i, label in enumerate(labels):
        rows[i, LABELS.index(label)] = confidence
    return rows


def test_fine_labels_collapse_into_entity_types() -> None:
    assert SPACE.types == ("PERSON", "LOCATION")
    assert SPACE.grouped_types == frozenset({"PERSON"})
    assert (
        RAMPART_LABEL_MAP["BUILDING_NUMBER"] == RAMPART_LABEL_MAP["STREET_NAME"] == "STREET_ADDRESS"
    )


def test_given_name_and_surname_become_one_person() -> None:
    text = "Hi Alex Rivera"
    probs = one_hot("O", "B-GIVEN_NAME", "B-SURNAME")
    spans = decode_spans(text, probs, [(0, 2), (3, 7), (8, 14)], [0, 1, 2], SPACE, "average")
    assert [(s.start, s.end, s.entity_type) for s in spans] == [(3, 14, "PERSON")]


@pytest.mark.parametrize("aggregation", ["first", "average", "max"])
def test_a_word_is_labelled_whole_never_a_subword_alone(aggregation: str) -> None:
    text = "to Ouagadougou"
    # the middle subword alone looks like a city: the word as a whole still decides as one
    probs = np.vstack([one_hot("O"), one_hot("B-CITY"), one_hot("I-CITY"), one_hot("I-CITY")])
    offsets = [(0, 2), (3, 5), (5, 9), (9, 14)]
    spans = decode_spans(text, probs, offsets, [0, 1, 1, 1], SPACE, aggregation)  # type: ignore[arg-type]
    assert [(text[s.start : s.end], s.entity_type) for s in spans] == [("Ouagadougou", "LOCATION")]


def test_inside_tag_never_starts_a_span_of_its_own() -> None:
    # I-CITY after O is not allowed: Viterbi must pick B-CITY or O
    emissions = np.array([[0.9, 0.05, 0.05, 0.0, 0.0], [0.1, 0.1, 0.8, 0.0, 0.0]], dtype=np.float32)
    path = viterbi_bio(emissions)
    assert path[1] != 2 or path[0] in (1, 2)


@given(st.lists(st.lists(st.floats(0.001, 1.0), min_size=5, max_size=5), min_size=1, max_size=30))
def test_viterbi_paths_are_always_valid_bio(rows: list[list[float]]) -> None:
    path = viterbi_bio(np.asarray(rows, dtype=np.float32))
    previous = 0
    for state in path:
        if state in (2, 4):  # inside states
            assert previous in (state - 1, state)
        previous = state


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        ("Ouagadougou", (3, 7), "Ouagadougou"),
        ("at Ouagadougou.", (5, 9), "Ouagadougou"),
        ("x 4111 y", (2, 6), "4111"),
    ],
)
def test_spans_widen_to_whole_words(text: str, span: tuple[int, int], expected: str) -> None:
    (widened,) = widen_to_word_edges(text, [Span(*span, "LOCATION")])
    assert text[widened.start : widened.end] == expected


@pytest.mark.parametrize(
    ("text", "parts", "expected"),
    [
        ("Laerke P. Iversen", [(0, 6), (10, 17)], ["Laerke P. Iversen"]),
        ("Sandra J. Nadel", [(0, 8), (10, 15)], ["Sandra J. Nadel"]),
        ("Alex, Rivera", [(0, 4), (6, 12)], ["Alex", "Rivera"]),
    ],
)
def test_person_parts_join_across_whitespace_and_initials_only(
    text: str, parts: list[tuple[int, int]], expected: list[str]
) -> None:
    spans = join_adjacent(text, [Span(s, e, "PERSON") for s, e in parts], frozenset({"PERSON"}))
    assert [text[s.start : s.end] for s in spans] == expected


def name_guess(person: float, city: float = 0.05) -> np.ndarray:
    """One word's probabilities: ``person`` on B-GIVEN_NAME, ``city`` on B-CITY, O the rest."""
    row = np.zeros((1, len(LABELS)), dtype=np.float32)
    row[0, LABELS.index("B-GIVEN_NAME")] = person
    row[0, LABELS.index("B-CITY")] = city
    row[0, 0] = 1.0 - person - city
    return row


@pytest.mark.parametrize(
    ("text", "person", "city", "prior", "expected"),
    [
        # the model's own call: PERSON 0.4 against O 0.55 is O
        ("Fuck Canelo", 0.4, 0.05, 1.0, []),
        # weighed twice, a capitalised word it ranks PERSON first becomes a name
        ("Fuck Canelo", 0.4, 0.05, 2.0, [("Canelo", "PERSON", 0.4)]),
        # lower-case words are not weighed: "fuck canelo" stays the model's call
        ("fuck canelo", 0.4, 0.05, 2.0, []),
        # a word ranked a place first is not made a person
        ("Fuck Canelo", 0.2, 0.3, 2.0, []),
        # too weak even when weighed
        ("Fuck Canelo", 0.2, 0.05, 2.0, []),
    ],
)
def test_capitalised_words_the_model_ranks_person_are_weighed_up_against_o(
    text: str, person: float, city: float, prior: float, expected: list[tuple[str, str, float]]
) -> None:
    probs = np.vstack([one_hot("O", confidence=0.99), name_guess(person, city)])
    split = text.index(" ")
    offsets = [(0, split), (split + 1, len(text))]
    spans = decode_spans(text, probs, offsets, [0, 1], SPACE, "average", prior)
    # the span score stays the model's own probability: the minimum score judges that
    assert [(text[s.start : s.end], s.entity_type, round(s.score, 2)) for s in spans] == expected


def test_weighing_names_leaves_the_emissions_it_was_given_unchanged() -> None:
    text = "Lima Canelo"
    emissions = np.array([[0.5, 0.1, 0.0, 0.4, 0.0], [0.55, 0.4, 0.0, 0.05, 0.0]])
    before = emissions.copy()
    weighed = weigh_capitalised_names(text, [(0, 4), (5, 11)], emissions, SPACE, 2.0)
    assert np.array_equal(emissions, before)
    assert weighed[1, 1] == pytest.approx(0.8)
    assert weighed[0, 1] == pytest.approx(0.1)  # "Lima" is capitalised but ranks a place first


def test_capitalised_words_on_machine_lines_are_not_weighed() -> None:
    text = "ok\nerror=Canelo"
    emissions = np.array([[0.9, 0.05, 0.0, 0.05, 0.0], [0.55, 0.4, 0.0, 0.05, 0.0]])
    extents = [(0, 2), (9, 15)]
    prose = weigh_capitalised_names(text, extents, emissions, SPACE, 2.0)
    machine = weigh_capitalised_names(text, extents, emissions, SPACE, 2.0, frozenset({3}))
    assert prose[1, 1] == pytest.approx(0.8)
    assert machine[1, 1] == pytest.approx(0.4)


def test_capitalised_words_in_a_message_value_of_a_machine_line_are_weighed() -> None:
    # the quoted message of a logfmt line is prose; the rest of the line is not
    text = 'level=warn src=Canelo msg="locked for Canelo"'
    emissions = np.array([[0.55, 0.4, 0.0, 0.05, 0.0], [0.55, 0.4, 0.0, 0.05, 0.0]])
    field, word = text.index("Canelo"), text.rindex("Canelo")
    extents = [(field, field + 6), (word, word + 6)]
    message = (text.index("locked"), len(text) - 1)
    weighed = weigh_capitalised_names(
        text, extents, emissions, SPACE, 2.0, frozenset({0}), [message]
    )
    assert weighed[0, 1] == pytest.approx(0.4)  # src=Canelo: a field of the machine line
    assert weighed[1, 1] == pytest.approx(0.8)  # inside msg="...": a word of prose
