"""What a masked JSON number becomes under ``json.masked_numbers`` (pseudonym or null).

``pseudonym`` keeps the field a number of the same shape: the same sign, as many digits
before and after the decimal point, the first digit never 0 (so the digit count holds),
each digit drawn from a keyed hash of the value. Deterministic under one key (equal values
stay equal, joins keep working), unreadable without it, not reversible. ``text`` (the
masked string) is handled by the caller.
"""

from __future__ import annotations

import json
from typing import Final

from piimask.keys import KeyRing

_PURPOSE: Final = "json-number-pseudonym"


def _digits(keyring: KeyRing, text: str, count: int) -> str:
    out: list[str] = []
    block = 0
    while len(out) < count:
        digest = keyring.hmac_hex(_PURPOSE, f"{block}:{text}".encode())
        # two hex characters per digit: 256 values mod 10 has a bias under 2.4%, fine for
        # a pseudonym (it is not a secret; the key is)
        out.extend(str(int(digest[i : i + 2], 16) % 10) for i in range(0, len(digest), 2))
        block += 1
    return "".join(out[:count])


def pseudonym_number(text: str, keyring: KeyRing) -> int | float:
    """A number shaped like the JSON number ``text`` (``-123.45`` -> ``-804.17``)."""
    value = json.loads(text)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValueError("not a JSON number")
    mantissa, e, exponent = text.lstrip("-").lower().partition("e")
    whole, _, frac = mantissa.partition(".")
    n_whole = max(len(whole.lstrip("0")), 1)
    digits = _digits(keyring, text, n_whole + len(frac))
    head = str(int(digits[0]) % 9 + 1) if n_whole > 1 or whole != "0" else "0"
    new_whole = head + digits[1:n_whole]
    sign = "-" if text.startswith("-") else ""
    if isinstance(value, int):
        return int(sign + new_whole)
    new_frac = digits[n_whole:] or "0"
    return float(f"{sign}{new_whole}.{new_frac}{e}{exponent}")


def masked_number(text: str, mode: str, keyring: KeyRing) -> object:
    """The masked value of the JSON number ``text`` under ``mode`` (pseudonym or null)."""
    if mode == "null":
        return None
    if mode == "pseudonym":
        return pseudonym_number(text, keyring)
    raise ValueError(f"json.masked_numbers {mode!r} is not handled here")
