"""A Bloom filter over keyed fingerprints: lets ``audit find`` test summarised findings.

An audit event lists at most a bounded number of findings in full; the fingerprints of the
rest go into this filter. It holds only bits derived from HMAC fingerprints, so without the
key ring nobody can test a value against it, and it never yields a value. A hit means
"probably held" (false-positive rate about 1% at 10 bits per fingerprint, more when the
filter had to be capped to keep the event within the producer limit); a miss is certain.
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass

BITS_PER_ITEM = 10
MIN_BITS = 64
_PREFIX = "bloom1"


def _positions(fingerprint: str, bits: int, hashes: int) -> list[int]:
    # Double hashing (Kirsch-Mitzenmacher) over a digest of the fingerprint, so the
    # positions do not depend on the fingerprint's length or hex form.
    digest = hashlib.sha256(fingerprint.encode("ascii", "replace")).digest()
    h1 = int.from_bytes(digest[:8], "big")
    h2 = int.from_bytes(digest[8:16], "big") | 1
    return [(h1 + i * h2) % bits for i in range(hashes)]


@dataclass(frozen=True, slots=True)
class FingerprintDigest:
    """``bits`` bits, ``hashes`` probes per fingerprint; serialised as ``bloom1:<m>:<k>:<b64>``."""

    bits: int
    hashes: int
    data: bytes

    @classmethod
    def build(cls, fingerprints: Iterable[str], *, max_bits: int) -> FingerprintDigest:
        items = sorted(set(fingerprints))
        bits = max(MIN_BITS, min(max_bits, len(items) * BITS_PER_ITEM))
        bits = (bits + 7) // 8 * 8
        hashes = max(1, min(16, round(bits / max(1, len(items)) * math.log(2))))
        data = bytearray(bits // 8)
        for fp in items:
            for pos in _positions(fp, bits, hashes):
                data[pos >> 3] |= 1 << (pos & 7)
        return cls(bits, hashes, bytes(data))

    def might_contain(self, fingerprint: str) -> bool:
        return all(
            self.data[pos >> 3] & (1 << (pos & 7))
            for pos in _positions(fingerprint, self.bits, self.hashes)
        )

    def encode(self) -> str:
        return f"{_PREFIX}:{self.bits}:{self.hashes}:{base64.b64encode(self.data).decode()}"

    @classmethod
    def decode(cls, text: str) -> FingerprintDigest:
        prefix, bits, hashes, data = text.split(":", 3)
        if prefix != _PREFIX:
            raise ValueError(f"unknown digest format {prefix[:16]!r}")
        raw = base64.b64decode(data, validate=True)
        m, k = int(bits), int(hashes)
        if m <= 0 or m % 8 or len(raw) * 8 != m or not 1 <= k <= 16:
            raise ValueError("digest size does not match its header")
        return cls(m, k, raw)


def encoded_size(bits: int) -> int:
    """Characters of :meth:`FingerprintDigest.encode` for a filter of ``bits`` bits."""
    return len(_PREFIX) + len(str(bits)) + 6 + 4 * math.ceil(bits / 8 / 3)
