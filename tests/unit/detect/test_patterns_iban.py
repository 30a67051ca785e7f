"""IBAN_CODE: country length table and mod-97, compact or in blocks of four, any case."""

from __future__ import annotations

import pytest

from piimask.detect.patterns import IbanRecognizer
from piimask.detect.patterns.iban import IBAN_LENGTHS, mod97_valid

RECOGNIZER = IbanRecognizer()


def values(text: str) -> list[str]:
    return [text[s.start : s.end] for s in RECOGNIZER.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GB82WEST12345698765432", ["GB82WEST12345698765432"]),
        ("IBAN: GB82 WEST 1234 5698 7654 32.", ["GB82 WEST 1234 5698 7654 32"]),
        ("my iban is gb82 west 1234 5698 7654 32", ["gb82 west 1234 5698 7654 32"]),
        ("DE89370400440532013000 is the account", ["DE89370400440532013000"]),
        ("(DE89 3704 0044 0532 0130 00)", ["DE89 3704 0044 0532 0130 00"]),
        ("Konto: FR1420041010050500013M02606", ["FR1420041010050500013M02606"]),
        ("NL91ABNA0417164300, bitte", ["NL91ABNA0417164300"]),
        ("norsk NO9386011117947", ["NO9386011117947"]),
        ("«BE68539007547034»", ["BE68539007547034"]),
        ("IBAN：CH9300762011623852957。", ["CH9300762011623852957"]),
        # Dashes are not the ISO print form, but people type them (Presidio's cases do).
        ("GB82-WEST-1234-5698-7654-32", ["GB82-WEST-1234-5698-7654-32"]),
        (
            "GB82 WEST 1234 5698 7654 32 and DE89370400440532013000",
            ["GB82 WEST 1234 5698 7654 32", "DE89370400440532013000"],
        ),
    ],
)
def test_finds_valid_ibans(text: str, expected: list[str]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "GB82WEST12345698765433",  # check digits wrong
        "GB82WEST1234569876543",  # one short for GB
        "GB82WEST123456987654321",  # one long for GB (runs into an alphanumeric)
        "XGB82WEST12345698765432",  # glued to a letter
        "GB82 WES T123 4569 8765 432",  # blocks not of four
        "GB82-WEST 1234 5698 7654 32",  # dashes and spaces mixed
        "GB82-WES-T123-4569-8765-432",  # dashed blocks not of four
        "AB12",
        "qq" + "35" + "abcdefabcdefabcd",  # unknown country in lower case (hash-like)
        "",
    ],
)
def test_rejects_invalid_ibans(text: str) -> None:
    assert values(text) == []


def test_unregistered_country_is_taken_with_lower_score() -> None:
    # Faker and some banks print IBAN-like codes for countries outside the registry.
    [span] = RECOGNIZER.find("IBAN BD03HZYJ805196836")
    assert span.score < 1.0


def test_validated_iban_scores_one() -> None:
    [span] = RECOGNIZER.find("GB82WEST12345698765432")
    assert span.score == 1.0
    assert span.detector == "pattern:IBAN_CODE"


def test_length_table_covers_sepa_countries() -> None:
    sepa = (
        "AD AT BE BG CH CY CZ DE DK EE ES FI FR GB GI GR HR HU IE IS IT LI LT LU LV MC MT NL NO "
        "PL PT RO SE SI SK SM VA"
    )
    assert set(sepa.split()) <= set(IBAN_LENGTHS)


@pytest.mark.parametrize(
    ("value", "valid"),
    [("GB82WEST12345698765432", True), ("GB82WEST12345698765433", False)],
)
def test_mod97(value: str, valid: bool) -> None:
    assert mod97_valid(value) is valid
