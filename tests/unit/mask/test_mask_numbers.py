"""json.masked_numbers pseudonym: a number of the same shape from a keyed hash."""

from __future__ import annotations

import pytest

from piimask.keys import KeyRing
from piimask.mask.numbers import masked_number, pseudonym_number


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("94107", r"^[1-9]\d{4}$"),
        ("4111111111111111", r"^[1-9]\d{15}$"),
        ("-123.45", r"^-[1-9]\d{2}\.\d{1,2}$"),
        ("7", r"^[1-9]$"),
    ],
)
def test_a_pseudonym_keeps_sign_and_digit_count(keyring: KeyRing, text: str, shape: str) -> None:
    import re

    assert re.match(shape, str(pseudonym_number(text, keyring)))


def test_a_pseudonym_is_an_int_for_an_int_and_a_float_for_a_float(keyring: KeyRing) -> None:
    assert isinstance(pseudonym_number("94107", keyring), int)
    assert isinstance(pseudonym_number("1.5", keyring), float)
    assert isinstance(pseudonym_number("1e5", keyring), float)


def test_a_pseudonym_is_deterministic_per_key_and_differs_across_keys(
    keyring: KeyRing, other_keyring: KeyRing
) -> None:
    one = pseudonym_number("4111111111111111", keyring)
    assert pseudonym_number("4111111111111111", keyring) == one
    assert pseudonym_number("4111111111111111", other_keyring) != one


def test_null_mode_gives_none_and_text_mode_is_the_callers(keyring: KeyRing) -> None:
    assert masked_number("94107", "null", keyring) is None
    with pytest.raises(ValueError, match="text"):
        masked_number("94107", "text", keyring)
