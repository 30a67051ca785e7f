"""The key ring: loading, derivation, deterministic encryption, rotation, no key in messages."""

from __future__ import annotations

import base64
import json
import pickle
from pathlib import Path

import pytest

from piimask.keys import KeyRing, KeyRingError
from piimask.settings import Settings

KEY_A = bytes(range(32))
KEY_B = bytes(range(100, 148))
B64_A = base64.b64encode(KEY_A).decode()
B64_B = base64.b64encode(KEY_B).decode()


def ring_json(active: str = "k1", **keys: str) -> str:
    return json.dumps({"active": active, "keys": keys or {"k1": B64_A}})


def test_from_json_reads_active_key_and_all_ids() -> None:
    ring = KeyRing.from_json(ring_json("k1", k0=B64_B, k1=B64_A))
    assert ring.active_id == "k1"
    assert ring.key_ids == ("k0", "k1")
    assert ring.has_key("k0")
    assert not ring.has_key("k9")


def test_from_json_accepts_urlsafe_base64_without_padding() -> None:
    urlsafe = base64.urlsafe_b64encode(bytes([251] * 33)).decode().rstrip("=")
    assert "-" in urlsafe or "_" in urlsafe
    ring = KeyRing.from_json(ring_json("k1", k1=urlsafe))
    assert ring.active_id == "k1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        (json.dumps({"active": "k1"}), "'keys' must be a non-empty object"),
        (json.dumps({"active": "k1", "keys": {}}), "'keys' must be a non-empty object"),
        (json.dumps({"keys": {"k1": B64_A}}), "'active' must be a key id"),
        (
            json.dumps({"active": "k2", "keys": {"k1": B64_A}}),
            "active key id 'k2' is not in the ring",
        ),
        (json.dumps({"active": "k1", "keys": {"k1": "%%%"}}), "keys.k1: not valid base64"),
        (json.dumps({"active": "k1", "keys": {"k1": 5}}), "keys.k1: must be a base64 string"),
        (
            json.dumps({"active": "k1", "keys": {"k1": base64.b64encode(b"short").decode()}}),
            "too short: 5 bytes",
        ),
        (json.dumps({"active": "a:b", "keys": {"a:b": B64_A}}), "key id 'a:b' is invalid"),
        (json.dumps({"active": "k1", "keys": {"k1": B64_A}, "extra": 1}), "unknown field"),
    ],
)
def test_from_json_rejects_bad_rings_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(KeyRingError, match=message):
        KeyRing.from_json(text)


def test_errors_and_repr_never_contain_key_material() -> None:
    secret = base64.b64encode(b"s" * 31).decode()  # too short: the error must not echo it
    with pytest.raises(KeyRingError) as info:
        KeyRing.from_json(ring_json("k1", k1=secret))
    assert secret not in str(info.value)
    ring = KeyRing.from_json(ring_json("k1", k1=B64_A))
    for text in (repr(ring), str(ring)):
        assert B64_A not in text
        assert KEY_A.hex() not in text
    assert "k1" in repr(ring)


def test_key_ring_refuses_to_be_pickled() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(KeyRing.generate())


def test_from_settings_prefers_inline_keys_over_key_file(tmp_path: Path) -> None:
    file = tmp_path / "ring.json"
    file.write_text(ring_json("file", file=B64_B))
    settings = Settings(keys=ring_json("inline", inline=B64_A), key_file=file)
    assert KeyRing.from_settings(settings).active_id == "inline"
    assert KeyRing.from_settings(Settings(key_file=file)).active_id == "file"


def test_from_settings_without_keys_says_how_to_configure_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PIIMASK_KEYS", raising=False)
    monkeypatch.delenv("PIIMASK_KEY_FILE", raising=False)
    with pytest.raises(KeyRingError, match=r"PIIMASK_KEYS.*PIIMASK_KEY_FILE"):
        KeyRing.from_settings(Settings())


def test_from_settings_names_the_setting_that_is_broken(tmp_path: Path) -> None:
    with pytest.raises(KeyRingError, match="PIIMASK_KEYS: key ring is not valid JSON"):
        KeyRing.from_settings(Settings(keys="{"))
    with pytest.raises(KeyRingError, match="cannot read key file"):
        KeyRing.from_settings(Settings(key_file=tmp_path / "missing.json"))


def test_generated_ring_round_trips_through_json() -> None:
    ring = KeyRing.generate("main")
    again = KeyRing.from_json(ring.to_json())
    assert again.active_id == "main"
    assert again.fingerprint("x") == ring.fingerprint("x")


def test_fingerprint_is_deterministic_keyed_and_hex() -> None:
    ring_a = KeyRing({"k1": KEY_A}, "k1")
    ring_b = KeyRing({"k1": KEY_B}, "k1")
    fp = ring_a.fingerprint("ann@example.com")
    assert fp == ring_a.fingerprint("ann@example.com")
    assert fp != ring_a.fingerprint("ann@example.org")
    assert fp != ring_b.fingerprint("ann@example.com")
    assert len(fp) == 64
    int(fp, 16)


def test_sub_keys_differ_per_purpose_and_per_key_id() -> None:
    ring = KeyRing({"k0": KEY_B, "k1": KEY_A}, "k1")
    assert ring.hmac_key("audit-chain") == ring.hmac_key("audit-chain", "k1")
    assert ring.hmac_key("audit-chain") != ring.hmac_key("fingerprint")
    assert ring.hmac_key("audit-chain", "k0") != ring.hmac_key("audit-chain", "k1")
    assert len(ring.hmac_key("x")) == 32
    assert KEY_A not in ring.hmac_key("x")


def test_hmac_key_of_unknown_id_fails() -> None:
    with pytest.raises(KeyRingError, match="unknown key id 'zz'"):
        KeyRing.generate().hmac_key("x", "zz")


def test_encrypt_bytes_round_trips_and_binds_context() -> None:
    ring = KeyRing.generate()
    blob = ring.encrypt_bytes(b"payload", context=b"topic/0/42")
    assert b"payload" not in blob
    assert ring.decrypt_bytes(blob, context=b"topic/0/42") == b"payload"
    with pytest.raises(KeyRingError, match="modified or made with a different key"):
        ring.decrypt_bytes(blob, context=b"topic/0/43")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda b: b[:-1] + bytes([b[-1] ^ 1]),
        lambda b: b[:-3],
        lambda b: b"XXXX" + b[4:],
        lambda b: b[:5],
        lambda b: b"",
    ],
    ids=["flipped-bit", "truncated", "bad-magic", "header-only", "empty"],
)
def test_decrypt_bytes_refuses_tampered_blobs(tamper: object) -> None:
    ring = KeyRing.generate()
    blob = ring.encrypt_bytes(b"payload")
    assert callable(tamper)
    with pytest.raises(KeyRingError):
        ring.decrypt_bytes(tamper(blob))


def test_rotation_keeps_old_blobs_readable_and_uses_new_key_for_new_ones() -> None:
    old = KeyRing.generate("k1")
    blob = old.encrypt_bytes(b"old")
    rotated = old.with_new_key("k2")
    assert rotated.active_id == "k2"
    assert rotated.decrypt_bytes(blob) == b"old"
    new_blob = rotated.encrypt_bytes(b"new")
    with pytest.raises(KeyRingError, match="unknown key id 'k2'"):
        old.decrypt_bytes(new_blob)
    with pytest.raises(KeyRingError, match="already exists"):
        rotated.with_new_key("k1")


def test_seal_is_deterministic_for_the_same_input_and_key() -> None:
    ring = KeyRing.generate()
    a = ring.seal(b"x", purpose="t", associated=[b"A"])
    assert a == ring.seal(b"x", purpose="t", associated=[b"A"])
    assert a != ring.seal(b"x", purpose="t", associated=[b"B"])
    key_id, ciphertext = a
    assert ring.unseal(ciphertext, key_id=key_id, purpose="t", associated=[b"A"]) == b"x"
