"""CRYPTO: Bitcoin addresses, legacy Base58Check (``1...``, ``3...``) and SegWit bech32/bech32m.

Each candidate must pass its own checksum (double SHA-256 for Base58Check, the
BCH code of BIP 173 / BIP 350 for bech32 and bech32m), so random words and hex
hashes of the same length are not reported.
"""

from __future__ import annotations

import hashlib
import re

from piimask.detect.patterns._base import BaseRecognizer
from piimask.spans import Span

_BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {c: i for i, c in enumerate(_BASE58_ALPHABET)}
_BECH32_ALPHABET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {c: i for i, c in enumerate(_BECH32_ALPHABET)}
_BECH32_CONST = 1
_BECH32M_CONST = 0x2BC830A3

_BASE58 = re.compile(r"(?<![\w/.-])[13][1-9A-HJ-NP-Za-km-z]{25,34}(?![\w-])")
_BECH32 = re.compile(r"(?<![\w/.-])(?:bc1|BC1)[02-9ac-hj-np-zAC-HJ-NP-Z]{11,71}(?![\w-])")


def _base58_decode(value: str) -> bytes | None:
    number = 0
    for char in value:
        index = _BASE58_INDEX.get(char)
        if index is None:
            return None
        number = number * 58 + index
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    leading_zeros = len(value) - len(value.lstrip("1"))
    return b"\x00" * leading_zeros + body


def base58check_valid(value: str) -> bool:
    """A mainnet P2PKH (version 0) or P2SH (version 5) address with a valid checksum."""
    raw = _base58_decode(value)
    if raw is None or len(raw) != 25 or raw[0] not in (0, 5):
        return False
    payload, checksum = raw[:-4], raw[-4:]
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] == checksum


def _bech32_polymod(values: list[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i, g in enumerate(generator):
            checksum ^= g if (top >> i) & 1 else 0
    return checksum


def bech32_valid(value: str) -> bool:
    """A ``bc1`` SegWit address: bech32 for witness version 0, bech32m for 1-16 (BIP 350)."""
    if value.lower() != value and value.upper() != value:
        return False
    value = value.lower()
    hrp, _, data_part = value.rpartition("1")
    # Version, a 2- to 40-byte witness program (4 to 64 characters) and 6 checksum characters.
    if hrp != "bc" or not 11 <= len(data_part) <= 71:
        return False
    data = [_BECH32_INDEX[c] for c in data_part]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    constant = _bech32_polymod(expanded + data)
    version = data[0]
    if version == 0:
        return constant == _BECH32_CONST and len(data_part) in (39, 59)
    return constant == _BECH32M_CONST and 1 <= version <= 16


class CryptoRecognizer(BaseRecognizer):
    name = "CRYPTO"
    entity_type = "CRYPTO"

    def find(self, text: str) -> list[Span]:
        spans = [
            self.span(m.start(), m.end(), 1.0)
            for pattern, valid in ((_BASE58, base58check_valid), (_BECH32, bech32_valid))
            for m in pattern.finditer(text)
            if valid(m.group())
        ]
        spans.sort()
        return spans

    def validate(self, value: str) -> bool:
        return base58check_valid(value) or bech32_valid(value)
