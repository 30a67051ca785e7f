"""MAC_ADDRESS: EUI-48 hardware addresses in colon, dash and Cisco dotted notation."""

from __future__ import annotations

import re

from piimask.detect.patterns._base import BaseRecognizer
from piimask.spans import Span

_HEX2 = r"[0-9A-Fa-f]{2}"
# A colon after the last pair ends a clause ("connect to F4:7B:09:3C:88:12: refused"); a
# seventh hex group would make it no MAC.
_SEPARATED = re.compile(
    rf"(?<![\w:.-]){_HEX2}([:-])(?:{_HEX2}\1){{4}}{_HEX2}(?![\w-]|:[0-9A-Fa-f]|\.\w)"
)
_CISCO = re.compile(r"(?<![\w:.-])[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?![\w:.-]|\.\w)")
_ALL_DIGITS = re.compile(r"[0-9:.-]+")
# Broadcast and all-zero addresses name no device.
_NO_DEVICE = frozenset({"ffffffffffff", "000000000000"})


def _hex_digits(value: str) -> str:
    return "".join(c for c in value.lower() if c not in ":.-")


def _score(value: str) -> float:
    if not _ALL_DIGITS.fullmatch(value):
        return 0.9
    # Without a hex letter, dashed or dotted groups are often other codes; colons
    # in six pairs are rarely anything but an address.
    return 0.8 if ":" in value else 0.5


class MacAddressRecognizer(BaseRecognizer):
    name = "MAC_ADDRESS"
    entity_type = "MAC_ADDRESS"

    def find(self, text: str) -> list[Span]:
        spans = [
            self.span(m.start(), m.end(), _score(m.group()))
            for pattern in (_SEPARATED, _CISCO)
            for m in pattern.finditer(text)
            if _hex_digits(m.group()) not in _NO_DEVICE
        ]
        spans.sort()
        return spans

    def validate(self, value: str) -> bool:
        if _hex_digits(value) in _NO_DEVICE:
            return False
        return bool(_SEPARATED.fullmatch(value) or _CISCO.fullmatch(value))
