from __future__ import annotations

import hashlib

import pytest

from piimask.keys import KeyRing
from piimask.stream.deadletter import (
    DeadLetter,
    DeadLetterError,
    make_dead_letter,
    open_dead_letter,
    parse,
    serialize,
)
from tests.unit.stream.helpers import record

SECRET = b"card 4111 1111 1111 1111 for ann@example.com"


def letter_for(keyring: KeyRing, value: bytes | None = SECRET, limit: int = 100_000) -> DeadLetter:
    return make_dead_letter(
        record(value, offset=7, key=b"user-42"),
        reason="invalid_json",
        detail="Expecting value at line 1 column 1",
        keyring=keyring,
        max_record_bytes=limit,
        group_id="g",
        policy_version="v1",
    )


def test_dead_letter_keeps_the_original_encrypted_and_unreadable(keyring: KeyRing) -> None:
    letter = letter_for(keyring)
    data = serialize(letter)
    assert b"4111" not in data
    assert b"ann@example.com" not in data
    assert b"user-42" not in data
    assert letter.source == "in:0:7"
    assert letter.replayable


def test_dead_letter_round_trips_key_value_and_headers(keyring: KeyRing) -> None:
    original = open_dead_letter(parse(serialize(letter_for(keyring))), keyring)
    assert original.value == SECRET
    assert original.key == b"user-42"
    assert original.headers == (("trace", b"t1"),)


def test_a_letter_cannot_be_opened_with_another_key_ring(keyring: KeyRing) -> None:
    with pytest.raises(DeadLetterError, match="cannot decrypt"):
        open_dead_letter(letter_for(keyring), KeyRing.generate("other"))


def test_an_encrypted_value_moved_to_another_letter_does_not_decrypt(keyring: KeyRing) -> None:
    letter = letter_for(keyring)
    moved = letter.model_copy(update={"source_offset": 8})
    with pytest.raises(DeadLetterError):
        open_dead_letter(moved, keyring)


def test_too_large_original_keeps_only_size_and_sha256(keyring: KeyRing) -> None:
    big = b"x" * 50_000
    letter = letter_for(keyring, big, limit=20_000)
    assert letter.omitted == "too_large"
    assert letter.value_encrypted is None
    assert letter.value_size == 50_000
    assert letter.value_sha256 == hashlib.sha256(big).hexdigest()
    assert len(serialize(letter)) < 2_000
    with pytest.raises(DeadLetterError, match="not kept"):
        open_dead_letter(letter, keyring)


def test_dead_letter_rejects_reasons_that_are_not_codes(keyring: KeyRing) -> None:
    with pytest.raises(ValueError, match="reason"):
        letter_for(keyring).model_validate(
            {**letter_for(keyring).model_dump(), "reason": "free text with value"}
        )
