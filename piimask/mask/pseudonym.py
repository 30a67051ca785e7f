"""Deterministic fake values: one original -> one pseudonym per key, of the same kind.

The seed is an HMAC of (entity type, normalized value), so the mapping is stable across
messages and processes under one key and cannot be inverted without it. Fake values come
from Faker (cached per locale: building a Faker takes ~300 ms); Faker output for a given
seed can change between Faker versions, so pin Faker where pseudonyms must stay stable.

Structured identifiers keep their shape instead: every digit is replaced by a digit and every
letter by a letter of the same case, separators stay. Card numbers keep their length and get a
valid Luhn check digit; IBANs keep their country code and get valid check digits. Distinct
originals can collide on one pseudonym (rarely for names, more often for short values).
"""

from __future__ import annotations

import random
import string
import threading
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from faker import Faker

    from piimask.keys import KeyRing

_FakerCall = Callable[["Faker", str], str]


def _mac(fake: Faker, original: str) -> str:
    value = str(fake.mac_address())
    if "-" in original:
        value = value.replace(":", "-")
    return value.upper() if any(c in "ABCDEF" for c in original) else value


def _ip(fake: Faker, original: str) -> str:
    return str(fake.ipv6() if ":" in original else fake.ipv4())


_FAKER_PROVIDERS: dict[str, _FakerCall] = {
    "PERSON": lambda f, _o: str(f.name()),
    "EMAIL_ADDRESS": lambda f, _o: str(f.safe_email()),
    "STREET_ADDRESS": lambda f, _o: str(f.street_address()),
    "LOCATION": lambda f, _o: str(f.city()),
    "URL": lambda f, _o: str(f.url()),
    "DOMAIN_NAME": lambda f, _o: str(f.domain_name()),
    "IP_ADDRESS": _ip,
    "MAC_ADDRESS": _mac,
    "DATE_TIME": lambda f, _o: str(f.date()),
}


@cache
def _faker(locale: str) -> tuple[Faker, threading.Lock]:
    from faker import Faker

    # seed_instance + generate must not interleave between threads sharing the instance
    return Faker(locale), threading.Lock()


def _substitute_classes(value: str, rng: random.Random) -> str:
    out = []
    for ch in value:
        if ch.isdigit():
            out.append(rng.choice(string.digits))
        elif ch.isalpha():
            out.append(
                rng.choice(string.ascii_lowercase if ch.islower() else string.ascii_uppercase)
            )
        else:
            out.append(ch)
    return "".join(out)


def _luhn_check_digit(payload: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def _card(value: str, rng: random.Random) -> str:
    digit_positions = [i for i, c in enumerate(value) if c.isascii() and c.isdigit()]
    chars = list(_substitute_classes(value, rng))
    if len(digit_positions) < 2:
        return "".join(chars)
    chars[digit_positions[0]] = rng.choice("3456")
    payload = "".join(chars[i] for i in digit_positions[:-1])
    chars[digit_positions[-1]] = _luhn_check_digit(payload)
    return "".join(chars)


def _iban(value: str, rng: random.Random) -> str:
    positions = [i for i, c in enumerate(value) if c.isascii() and c.isalnum()]
    compact = [value[i] for i in positions]
    chars = list(_substitute_classes(value, rng))
    ok = (
        len(compact) >= 5
        and "".join(compact[:2]).isalpha()
        and "".join(compact[2:4]).isdigit()
        and all(c.isdigit() or c.isupper() for c in compact)
    )
    if not ok:
        return "".join(chars)
    chars[positions[0]], chars[positions[1]] = compact[0], compact[1]  # country stays
    new = [chars[i] for i in positions]
    rearranged = "".join(new[4:]) + new[0] + new[1] + "00"
    number = int("".join(str(int(c, 36)) for c in rearranged))
    check = f"{98 - number % 97:02d}"
    chars[positions[2]], chars[positions[3]] = check[0], check[1]
    return "".join(chars)


_SHAPE_PROVIDERS: dict[str, Callable[[str, random.Random], str]] = {
    "CREDIT_CARD": _card,
    "IBAN_CODE": _iban,
}


def normalize(value: str, how: Literal["none", "casefold"]) -> str:
    if how == "casefold":
        return " ".join(value.casefold().split())
    return value


def pseudonymize(
    value: str,
    entity_type: str,
    keyring: KeyRing,
    *,
    locale: str = "en_US",
    normalization: Literal["none", "casefold"] = "casefold",
) -> tuple[str, str]:
    """``(pseudonym, key_id)`` for ``value``; deterministic under the active key."""
    message = (
        entity_type.encode()
        + b"\x00"
        + normalize(value, normalization).encode("utf-8", "surrogatepass")
    )
    digest = keyring.hmac_hex("pseudonymize", message)
    seed = int(digest[:16], 16)
    provider = _FAKER_PROVIDERS.get(entity_type)
    if provider is not None:
        fake, lock = _faker(locale)
        with lock:
            fake.seed_instance(seed)
            fake_value = provider(fake, value)
    else:
        rng = random.Random(seed)  # noqa: S311 - determinism wanted, secrecy comes from the HMAC
        shape = _SHAPE_PROVIDERS.get(entity_type, _substitute_classes)
        fake_value = shape(value, rng)
    return fake_value, keyring.active_id
