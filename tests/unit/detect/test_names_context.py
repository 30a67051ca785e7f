"""Names after honorifics; the optional lower-case guess filter."""

import pytest

from piimask.detect.names import (
    drop_lowercase_guesses,
    find_inverted_names,
    find_titled_names,
    trim_possessives,
)
from piimask.spans import Span


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Visit Capt. Spastic 's Joke List", ["Spastic"]),
        ("Dr Okafor will see you", ["Okafor"]),
        ("tokenised: Dr . Cox said", ["Cox"]),
        ("Ask Mrs. Mary Ann Smith", ["Mary Ann Smith"]),
        ("Mr. and Mrs. are titles", []),
        ("Ask Mr. Kevin Stone. Who knows? Mr. J. Smith", ["Kevin Stone", "J. Smith"]),
        ("the drive was fine", []),
    ],
)
def test_the_capitalised_words_after_an_honorific_are_a_name(text: str, names: list[str]) -> None:
    assert [text[s.start : s.end] for s in find_titled_names(text)] == names


@pytest.mark.parametrize(
    ("text", "detector", "families", "kept"),
    [
        ("I liked bacon. Great place", "ner:en_core_web_sm", {"ner"}, False),
        ("I liked bacon. Great place", "model", {"ner"}, True),
        ("I liked bacon. Great place", "model", {"ner", "model"}, False),
        ("I liked bacon. Great place", "model+ner:en_core_web_sm", {"ner", "model"}, True),
        ("i liked bacon. great place", "ner:en_core_web_sm", {"ner"}, True),
        ("I liked bacon. Great place", "ner:en_core_web_sm", set(), True),
    ],
)
def test_a_lone_lowercase_name_is_dropped_only_for_the_listed_detectors_in_text_with_capitals(
    text: str, detector: str, families: set[str], kept: bool
) -> None:
    bacon = Span(8, 13, "PERSON", 0.9, detector)
    assert (drop_lowercase_guesses(text, [bacon], families) == [bacon]) is kept


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jay Pearce's car", "Jay Pearce"),
        ("Jay Pearce’s car", "Jay Pearce"),
        ("Marilena Buccho ' s book", "Marilena Buccho"),
        ("the Joneses' house", "the Joneses"),
    ],
)
def test_a_possessive_is_no_part_of_the_name(text: str, expected: str) -> None:
    end = text.index(" car") if " car" in text else text.rindex(" ")
    [span] = trim_possessives(text, [Span(0, end, "PERSON")])
    assert text[span.start : span.end] == expected


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ('"Lenhart, Matthew" <matthew.lenhart@example.com>', ["Lenhart, Matthew"]),
        ("Townsend, George", ["Townsend, George"]),
        ("Thanks, John\n", []),
        ("I went to Paris, France", []),
        ("Hi all, Bob said", []),
        ("Smith, Zzyzx", []),
    ],
)
def test_surname_comma_given_name_entries_are_names(text: str, names: list[str]) -> None:
    assert [text[s.start : s.end] for s in find_inverted_names(text)] == names
