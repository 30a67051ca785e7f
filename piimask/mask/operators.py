"""The mask operators: small pure functions from an original value to its replacement."""

from __future__ import annotations

import math

from piimask.keys import KeyRing
from piimask.mask.policy import HashParams, MaskParams, ReplaceParams, Rule
from piimask.mask.pseudonym import normalize, pseudonymize
from piimask.mask.tokens import encrypt_token


def redact(value: str) -> str:
    return ""


def replace(entity_type: str, params: ReplaceParams, number: int | None = None) -> str:
    return params.render(entity_type, number)


def mask_chars(value: str, params: MaskParams) -> str:
    """Mask characters, keeping ``keep_first``/``keep_last`` readable unless that would leave
    less than ``min_masked_fraction`` of them masked (then everything is masked)."""
    separators = params.separators if params.skip_separators else ""
    positions = [i for i, ch in enumerate(value) if ch not in separators]
    if not positions:
        # a value made only of separators would otherwise come out unchanged
        positions = list(range(len(value)))
    n = len(positions)
    keep_first, keep_last = params.keep_first, params.keep_last
    if n - keep_first - keep_last < math.ceil(n * params.min_masked_fraction):
        keep_first = keep_last = 0
    chars = list(value)
    for i in positions[keep_first : n - keep_last]:
        chars[i] = params.char
    return "".join(chars)


def hash_token(
    value: str, entity_type: str, params: HashParams, keyring: KeyRing
) -> tuple[str, str]:
    """``(token, key_id)``: truncated HMAC-SHA256 of the value under the active key.

    The entity type is not part of the HMAC, so one value hashes the same whatever type the
    detector gave it (joins across types keep working)."""
    message = normalize(value, params.normalize).encode("utf-8", "surrogatepass")
    digest = keyring.hmac_hex("hash", message)[: params.length]
    key_id = keyring.active_id
    return params.format.format(entity=entity_type, key_id=key_id, digest=digest), key_id


def apply_operator(
    rule: Rule, value: str, entity_type: str, keyring: KeyRing, *, number: int | None = None
) -> tuple[str, str | None]:
    """``(replacement, key_id or None)`` for one value under one rule."""
    if rule.operator == "redact":
        return redact(value), None
    if rule.operator == "replace":
        return replace(entity_type, rule.params, number), None
    if rule.operator == "mask":
        return mask_chars(value, rule.params), None
    if rule.operator == "hash":
        return hash_token(value, entity_type, rule.params, keyring)
    if rule.operator == "encrypt":
        return encrypt_token(value, entity_type, keyring)
    if rule.operator == "pseudonymize":
        return pseudonymize(
            value,
            entity_type,
            keyring,
            locale=rule.params.locale,
            normalization=rule.params.normalize,
        )
    return value, None  # keep
