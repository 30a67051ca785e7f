"""Names after honorifics; the optional lower-case guess filter."""

import pytest

from piimask.detect.names import drop_lowercase_guesses, find_titled_names
from piimask.spans import Span


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Visit Capt. Spastic 's Joke List", ["Spastic"]),
        ("Dr Okafor will see you", ["Okafor"]),
        ("Ask Mrs. Mary Ann Smith", ["Mary Ann Smith"]),
        ("Mr. and Mrs. are titles", []),
        ("the drive was fine", []),
    ],
)
def test_the_capitalised_words_after_an_honorific_are_a_name(text: str, names: list[str]) -> None:
    assert [text[s.start : s.end] for s in find_titled_names(text)] == names


def test_lowercase_model_guesses_are_dropped_only_in_text_with_capitals() -> None:
    bacon = Span(8, 13, "PERSON", 0.9, "model")
    assert drop_lowercase_guesses("I liked bacon. Great place", [bacon]) == []
    assert drop_lowercase_guesses("i liked bacon. great place", [bacon]) == [bacon]
    assert (
        drop_lowercase_guesses(
            "I liked bacon. Great place", [Span(8, 13, "PERSON", 0.9, "model+ner:x")]
        )
        != []
    )
