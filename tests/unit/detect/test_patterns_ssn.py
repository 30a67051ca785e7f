"""US_SSN: dashed always; spaced, dotted and plain only with SSN words; SSA rules enforced."""

from __future__ import annotations

import pytest

from piimask.detect.patterns import UsSsnRecognizer

RECOGNIZER = UsSsnRecognizer()


def values(text: str) -> list[str]:
    return [text[s.start : s.end] for s in RECOGNIZER.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("470-32-4377", ["470-32-4377"]),
        ("His social security number is 869-69-0367", ["869-69-0367"]),
        ("(ssn: 078-05-1121).", ["078-05-1121"]),
        ("ssn 470 32 4377", ["470 32 4377"]),
        ("SSN: 470.32.4377", ["470.32.4377"]),
        ("social security no. 470324377", ["470324377"]),
        ("470324377 is my SSN", ["470324377"]),
        ("numéro «470-32-4377»", ["470-32-4377"]),
    ],
)
def test_finds_valid_ssns(text: str, expected: list[str]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "000-12-3456",  # area 000
        "666-12-3456",  # area 666
        "912-34-5678",  # area 9xx
        "123-00-4567",  # group 00
        "123-45-0000",  # serial 0000
        "123-45-6789",  # advertised sample
        "078-05-1120",  # the Woolworth wallet card
        "111-11-1111",  # one repeated digit
        "470 32 4377",  # spaced without SSN context
        "order 470324377",  # plain without SSN context
        "ssn 470-32-43771",  # longer run
        "a470-32-4377",  # glued to a word
        "SSN: 470.32-4377",  # mixed separators
        "2024-01-3105",
    ],
)
def test_rejects_invalid_or_unsupported_numbers(text: str) -> None:
    assert values(text) == []


def test_context_raises_score() -> None:
    [bare] = RECOGNIZER.find("470-32-4377")
    [stated] = RECOGNIZER.find("SSN 470-32-4377")
    assert bare.score < stated.score <= 1.0


@pytest.mark.parametrize(
    ("value", "valid"),
    [("470-32-4377", True), ("470324377", True), ("470-32.4377", False), ("666-32-4377", False)],
)
def test_validate(value: str, valid: bool) -> None:
    assert RECOGNIZER.validate(value) is valid
