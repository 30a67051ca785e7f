"""Encrypt tokens: unmasking for key holders, clear failures for everyone else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from piimask.keys import KeyRing
from piimask.mask import (
    ENC_TOKEN_RE,
    MessageMasker,
    UnmaskError,
    unmask_json,
    unmask_text,
    unmask_text_strict,
)
from piimask.mask.policy import parse_policy_data
from piimask.mask.tokens import encrypt_token
from piimask.spans import Span

DEV_SET = (
    Path(__file__).resolve().parents[3].parent / "shared" / "eval" / "presidio_synth_dev.jsonl"
)
ENCRYPT_ALL = parse_policy_data({"version": "enc", "default": {"operator": "encrypt"}})


def encrypt_masker(keyring: KeyRing) -> MessageMasker:
    return MessageMasker(ENCRYPT_ALL, keyring, message_format="text")


def mask(keyring: KeyRing, text: str, spans: list[Span]) -> str:
    masker = encrypt_masker(keyring)
    return masker.apply(masker.plan(text), [spans]).payload


def test_unmask_restores_every_token_of_a_text(keyring: KeyRing) -> None:
    text = "SSN 123-45-6789, IBAN DE89370400440532013000, Zoë 👋🏽"
    spans = [Span(4, 15, "US_SSN"), Span(22, 44, "IBAN_CODE"), Span(46, 49, "PERSON")]
    masked = mask(keyring, text, spans)
    assert len(ENC_TOKEN_RE.findall(masked)) == 3
    result = unmask_text(masked, keyring)
    assert result.value == text
    assert result.tokens == 3
    assert result.issues == []


def test_unmask_with_the_wrong_key_fails_naming_the_position_not_the_value(
    keyring: KeyRing, other_keyring: KeyRing
) -> None:
    masked = mask(keyring, "ssn 123-45-6789", [Span(4, 15, "US_SSN")])
    with pytest.raises(UnmaskError) as info:
        unmask_text_strict(masked, other_keyring)
    message = str(info.value)
    assert message.startswith("token at offset 4: token does not authenticate with key 'k1'")
    assert "123-45-6789" not in message


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-3] + ("A" if t[-3] != "A" else "B") + t[-2:],  # payload changed
        lambda t: t.replace(":US_SSN:", ":PERSON:"),  # relabelled
        lambda t: t[:-6] + ">",  # truncated
        lambda t: t.replace(":k1:", ":k9:"),  # unknown key id
        lambda t: t[:-2] + "A>",  # base64 tail bits
    ],
    ids=["payload", "relabel", "truncated", "unknown-key", "tail"],
)
def test_modified_tokens_are_refused(keyring: KeyRing, tamper: object) -> None:
    token, _ = encrypt_token("123-45-6789", "US_SSN", keyring)
    assert callable(tamper)
    modified = tamper(token)
    assert modified != token
    result = unmask_text(f"x {modified} y", keyring)
    if result.issues:
        assert result.issues[0].offset == 2
        assert result.value == f"x {modified} y"  # failed tokens stay as they are
    else:  # a change in padding bits may decode to the same ciphertext: then it is the original
        assert result.value == "x 123-45-6789 y"


def test_unknown_key_id_is_reported_as_such(keyring: KeyRing) -> None:
    token, _ = encrypt_token("v", "US_SSN", keyring)
    result = unmask_text(token.replace(":k1:", ":k9:"), keyring)
    assert "unknown key id 'k9'" in result.issues[0].message


def test_rotated_ring_unmasks_tokens_of_old_and_new_keys() -> None:
    old = KeyRing.generate("k1")
    old_token, _ = encrypt_token("old value", "PERSON", old)
    rotated = old.with_new_key("k2")
    new_token, key_id = encrypt_token("new value", "PERSON", rotated)
    assert key_id == "k2"
    assert unmask_text_strict(f"{old_token} {new_token}", rotated) == "old value new value"


def test_unmask_json_walks_every_string_and_key_and_names_the_field(
    keyring: KeyRing, other_keyring: KeyRing
) -> None:
    token, _ = encrypt_token('He said "hi"\n', "PERSON", keyring)
    doc = {"a": [1, {"b": f"x {token}"}], "c": token, token: "keys too"}
    result = unmask_json(doc, keyring)
    assert result.value == {
        "a": [1, {"b": 'x He said "hi"\n'}],
        "c": 'He said "hi"\n',
        'He said "hi"\n': "keys too",
    }
    json.dumps(result.value)  # still serializable: quotes are escaped by the serializer
    bad = unmask_json(doc, other_keyring)
    assert [(i.field, i.offset) for i in bad.issues] == [
        ("$.a[1].b", 2),
        ("$.c", 0),
        (f"$[{json.dumps(token)}]~", 0),  # a key, named as it is in the masked input
    ]


def test_text_without_tokens_is_returned_unchanged(keyring: KeyRing) -> None:
    assert (
        unmask_text_strict("<enc:nope> plain <PERSON_1>", keyring) == "<enc:nope> plain <PERSON_1>"
    )


@pytest.mark.skipif(not DEV_SET.is_file(), reason="../shared/eval dev set not present")
def test_encrypt_then_unmask_returns_every_dev_set_record_exactly(keyring: KeyRing) -> None:
    masker = encrypt_masker(keyring)
    records = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    values = 0
    for record in records:
        text = record["text"]
        spans = [Span(s["start"], s["end"], s["label"]) for s in record["spans"]]
        masked = masker.apply(masker.plan(text), [spans])
        assert len(ENC_TOKEN_RE.findall(masked.payload)) == len(spans)  # gold never overlaps
        values += len(spans)
        assert unmask_text_strict(masked.payload, keyring) == text, record["id"]
    assert values > 2500
