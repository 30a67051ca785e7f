"""CREDIT_CARD: issuer prefix + length + Luhn, digit groups, no matches inside longer runs."""

from __future__ import annotations

import pytest

from piimask.detect.patterns import CreditCardRecognizer
from piimask.detect.patterns.credit_card import is_card_number

RECOGNIZER = CreditCardRecognizer()


def values(text: str) -> list[str]:
    return [text[s.start : s.end] for s in RECOGNIZER.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4111111111111111", ["4111111111111111"]),  # whole text
        ("pay with 4111 1111 1111 1111", ["4111 1111 1111 1111"]),  # end of text
        ("4111-1111-1111-1111 is mine", ["4111-1111-1111-1111"]),  # start of text
        ("(5500 0000 0000 0004).", ["5500 0000 0000 0004"]),  # inside punctuation
        ("«4012888888881881»", ["4012888888881881"]),  # unicode quotes
        ("カード番号：4111111111111111。", ["4111111111111111"]),  # CJK around
        ("amex 378282246310005 ok", ["378282246310005"]),
        ("amex 3782 822463 10005 ok", ["3782 822463 10005"]),  # 4-6-5 blocks
        ("diners 30569309025904", ["30569309025904"]),
        ("discover 6011111111111117", ["6011111111111117"]),
        ("jcb 3530111333300000", ["3530111333300000"]),
        ("mastercard 2-series 2221000000000009", ["2221000000000009"]),
        ("visa 13 4222222222222", ["4222222222222"]),
        ("maestro 12 501870266928", ["501870266928"]),
        ("unionpay 6200000000000005", ["6200000000000005"]),
        ("card 4111 1111 1111 1111 exp 12/25", ["4111 1111 1111 1111"]),
        ("card 4111 1111 1111 1111 12/25", ["4111 1111 1111 1111"]),  # trailing group dropped
        ("two: 4111111111111111, 5500000000000004", ["4111111111111111", "5500000000000004"]),
    ],
)
def test_finds_valid_card_numbers(text: str, expected: list[str]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111112",  # Luhn fails
        "1234567812345670",  # Luhn ok, no issuer uses prefix 12
        "99111111111111111",  # unknown prefix
        "374111111111111111",  # Amex prefix at 18 digits
        "94111111111111111111",  # 20 digits
        "x4111111111111111",  # glued to a word
        "04111111111111111",  # inside a longer digit run
        "41111111111111110",  # longer run
        "4111.1111.1111.1111",  # dots are not card separators
        "4111 1111-1111 1111",  # mixed separators
        "4111  1111  1111  1111",  # double spaces
        "411 1111 1111 11111",  # lead block not 4 digits
        "12345",
        "",
    ],
)
def test_rejects_invalid_or_embedded_numbers(text: str) -> None:
    assert values(text) == []


def test_span_metadata() -> None:
    [span] = RECOGNIZER.find("card: 4111111111111111")
    assert (span.start, span.end, span.entity_type) == (6, 22, "CREDIT_CARD")
    assert span.detector == "pattern:CREDIT_CARD"
    assert span.score == 1.0


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("4111 1111 1111 1111", True),
        ("4111111111111112", False),
        ("4111 1111-1111 1111", False),
        ("hello", False),
    ],
)
def test_validate_accepts_exactly_card_numbers(value: str, valid: bool) -> None:
    assert RECOGNIZER.validate(value) is valid


def test_is_card_number_accepts_maestro_leading_zero_prefix() -> None:
    assert is_card_number("060412345674")
    assert not is_card_number("050412345675")
