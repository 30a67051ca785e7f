"""Reversible ``<enc:TYPE:KEYID:payload>`` tokens: AES-SIV, findable in any text by a regex."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Final

from piimask.keys import KeyRing, KeyRingError

_PURPOSE: Final = "token"
_AD_PREFIX: Final = b"piimask-enc-token/v1"

ENC_TOKEN_RE: Final = re.compile(r"<enc:([A-Z][A-Z0-9_]*):([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]+)>")
"""Matches one encrypt token; groups: entity type, key id, base64url payload (no padding)."""

_NON_TOKEN_CHARS: Final = re.compile(r"[^A-Z0-9_]")


def token_entity(entity_type: str) -> str:
    """The entity type as it can appear in a token (the detector may use any string)."""
    cleaned = _NON_TOKEN_CHARS.sub("_", entity_type.upper())
    if not cleaned or not cleaned[0].isalpha():
        cleaned = "PII_" + cleaned
    return cleaned


def encrypt_token(value: str, entity_type: str, keyring: KeyRing) -> tuple[str, str]:
    """``(token, key_id)``. Deterministic: same value, type and key -> same token.

    The entity type is authenticated data, so relabelling a token makes it undecryptable.
    """
    entity = token_entity(entity_type)
    key_id, ciphertext = keyring.seal(
        value.encode("utf-8", "surrogatepass"),
        purpose=_PURPOSE,
        associated=[_AD_PREFIX, entity.encode("ascii")],
    )
    payload = base64.urlsafe_b64encode(ciphertext).rstrip(b"=").decode("ascii")
    return f"<enc:{entity}:{key_id}:{payload}>", key_id


class TokenError(Exception):
    """A token could not be decrypted; the message names the problem, never a value."""


@dataclass(frozen=True, slots=True)
class EncToken:
    entity_type: str
    key_id: str
    payload: str


def parse_token(token: str) -> EncToken:
    m = ENC_TOKEN_RE.fullmatch(token)
    if m is None:
        raise TokenError("not an encrypt token")
    return EncToken(m.group(1), m.group(2), m.group(3))


def decrypt_token(token: EncToken, keyring: KeyRing) -> str:
    padded = token.payload + "=" * (-len(token.payload) % 4)
    try:
        ciphertext = base64.urlsafe_b64decode(padded)
    except (binascii.Error, ValueError):
        raise TokenError("token payload is not valid base64url (modified token?)") from None
    if not keyring.has_key(token.key_id):
        raise TokenError(f"unknown key id {token.key_id!r}: this key ring cannot unmask it")
    try:
        plain = keyring.unseal(
            ciphertext,
            key_id=token.key_id,
            purpose=_PURPOSE,
            associated=[_AD_PREFIX, token.entity_type.encode("ascii")],
        )
    except KeyRingError:
        raise TokenError(
            f"token does not authenticate with key {token.key_id!r}: "
            "it was modified, or made with a different key of the same id"
        ) from None
    try:
        return plain.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        raise TokenError("token decrypted to invalid UTF-8") from None
