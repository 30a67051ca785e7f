"""PHONE_NUMBER: library matches, context-gated national formats, no cards/SSNs/dates/addresses."""

from __future__ import annotations

import pytest

from piimask.detect.patterns import PhoneRecognizer, default_recognizers

RECOGNIZER = PhoneRecognizer()


def values(text: str, recognizer: PhoneRecognizer = RECOGNIZER) -> list[str]:
    return [text[s.start : s.end] for s in recognizer.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(555) 123-4567", ["(555) 123-4567"]),
        ("Call me at (555) 123-4567.", ["(555) 123-4567"]),
        ("+44 20 7946 0958", ["+44 20 7946 0958"]),
        ("office line: +44 20 7946 0958", ["+44 20 7946 0958"]),
        ("555.123.4567", ["555.123.4567"]),
        ("fax 001-234-567-8901x123", ["001-234-567-8901x123"]),
        ("Desk: (155)954-3783x511\n", ["(155)954-3783x511"]),
        ("call 212-555-0100 or 212-555-0199", ["212-555-0100", "212-555-0199"]),
        ("They're not answering at 476 6970", ["476 6970"]),
        ("Phone:\n084 967 4136\n", ["084 967 4136"]),
        ("mobile: 06-42894155", ["06-42894155"]),
        ("Fax: +41 (0)79 722 79 98", ["+41 (0)79 722 79 98"]),
        ("tel. +90(273)4646869", ["+90(273)4646869"]),
        ("my number is 8 (705) 331-8123", ["8 (705) 331-8123"]),
        ("please text 03.34.08.71.06 asap", ["03.34.08.71.06"]),
        ("Phone: 555 1234, 555 5678 or 555 9999", ["555 1234", "555 5678", "555 9999"]),
        ("call 555-123-4567 2 times", ["555-123-4567"]),
        ("電話：+81 3-1234-5678。", ["+81 3-1234-5678"]),
        ("how can we reach you? you can call 633 8374", ["633 8374"]),
        ("555 0100 is my cell", ["555 0100"]),
    ],
)
def test_finds_phone_numbers(text: str, expected: list[str]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "476 6970",  # short local format needs a phone word
        "card 4111111111111111",  # Luhn-valid card
        "his social security number is 470-32-4377",
        "Date: 1991-07-03 19:28:53\n",  # ISO timestamp
        "call a taxi to 21616 23 Settlement Road",  # street address
        "The office is at 75585 176 Akti Pagalou",
        "My driver's license number is 5017491413",  # another identifier's number
        "address 150.62.52.223 blocked",  # IPv4
        "I work for Cabco Series 2004-102 Trust",
        "Order 12345678 ships today",
        "call me at 5-1",
        "[20/Nov/2026:11:32:14.412881201 +0000] replication done",  # a clock's fraction
        "",
    ],
)
def test_rejects_non_phone_numbers(text: str) -> None:
    assert values(text) == []


@pytest.mark.parametrize(
    "text", ["(02) 9519 3105", "(026) 0479-773", "0688 843 79 56", "03.34.08.71.06"]
)
def test_distinctive_national_formats_are_taken_weakly_without_context(text: str) -> None:
    [span] = RECOGNIZER.find(text)
    assert (span.start, span.end) == (0, len(text))
    assert span.score <= 0.5


@pytest.mark.parametrize("text", ["1 000 000", "population 331 002 651", "2024 2025 2026"])
def test_thousands_and_years_are_not_phone_numbers(text: str) -> None:
    assert values(text) == []


def test_context_scores_higher_than_bare_format() -> None:
    [bare] = RECOGNIZER.find("212-555-0100")
    [stated] = RECOGNIZER.find("Phone: 212-555-0100")
    assert bare.score < stated.score


def test_default_regions_are_configurable() -> None:
    german = PhoneRecognizer(regions=["DE"])
    assert values("030 1234567", german) == ["030 1234567"]
    assert values("030 1234567") == []


def test_unknown_region_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown phone region code"):
        PhoneRecognizer(regions=["XX"])


def test_default_recognizers_pass_phone_regions() -> None:
    [phone] = default_recognizers(["PHONE_NUMBER"], phone_regions=["GB"])
    assert isinstance(phone, PhoneRecognizer)
    assert phone.regions == ("GB",)


@pytest.mark.parametrize(
    ("value", "valid"),
    [("(555) 123-4567", True), ("476 6970", True), ("12", False), ("4111111111111111", False)],
)
def test_validate(value: str, valid: bool) -> None:
    assert RECOGNIZER.validate(value) is valid


@pytest.mark.parametrize(
    "text",
    ["(+44 20 7946 0958", "[+44 20 7946 0958", "[+44 20 7946 0958]", "\uff08+44 20 7946 0958"],
)
def test_a_bracket_around_an_international_number_stays_outside(text: str) -> None:
    from piimask.detect.patterns.phone import PhoneRecognizer

    assert [text[s.start : s.end] for s in PhoneRecognizer().find(text)] == ["+44 20 7946 0958"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a piece of a claim's number is none; a callback is a phone word
        (
            "FNOL HOM-2026-044120 registered for policy holder Henrike Altmeyer, "
            "callback 0171 5550193",
            ["0171 5550193"],
        ),
        ("build_2026044120 done", []),
        ("call +1-202-604-4120 now", ["+1-202-604-4120"]),
    ],
)
def test_digits_joined_to_a_code_are_no_phone_and_a_callback_names_one(
    text: str, expected: list[str]
) -> None:
    assert [text[s.start : s.end] for s in PhoneRecognizer().find(text)] == expected
