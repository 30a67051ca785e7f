"""The place gazetteer reports places with evidence beyond the list, not common words."""

import pytest

from piimask.detect.places import extend_with_region, find_places


def found(text: str) -> list[str]:
    return [text[s.start : s.end] for s in extend_with_region(text, find_places(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I moved to Chillicothe, OH last year.", ["Chillicothe, OH"]),
        ("What to do in San Rafael Ca?", ["San Rafael Ca"]),
        ("Fantastic Nova Scotia Cottage", ["Nova Scotia"]),
        ("I love London", ["London"]),
        ("California has great weather", ["California"]),
        ("Queensland is hot", ["Queensland"]),
        ("we flew to new york last week", ["new york"]),
        ("Could you guys go to Ipswich , QLD", ["Ipswich , QLD"]),
        ("She was born near Tucson and raised in Albuquerque.", ["Tucson", "Albuquerque"]),
    ],
)
def test_places_with_evidence_are_found(text: str, expected: list[str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Reading is fun, and I live in Reading.",
        "Nice weather today.",
        "Split the bill with Hope.",
        "Jackson said hi.",
        "We met in May.",
        "Sand Hill park was a great beach",
        "IN THE END it is OR not",
        "reading a book in nice weather",
    ],
)
def test_common_words_and_bare_single_names_are_not_places(text: str) -> None:
    assert found(text) == []


def test_title_case_region_code_only_at_a_sentence_end() -> None:
    assert found("a trip to San Rafael On Monday") == ["San Rafael"]
