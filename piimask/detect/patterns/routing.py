"""ROUTING_NUMBER: US ABA routing transit numbers (checksum 3-7-1), only next to banking words."""

from __future__ import annotations

import re

from piimask.detect.patterns._base import BaseRecognizer, has_context, keyword_regex
from piimask.spans import Span

_CANDIDATE = re.compile(r"(?<![\w.,/-])[0-9]{9}(?![\w-]|[.,][0-9])")
CONTEXT = keyword_regex(
    [
        "routing",
        "routing number",
        "routing no",
        "routing #",
        "aba",
        "aba number",
        "rtn",
        "transit number",
        "bank routing",
        "abartn",
    ]
)
# Valid leading two digits: Federal Reserve districts (00-12), thrifts (21-32),
# electronic (61-72) and traveler's cheques (80).
_PREFIXES = frozenset(
    [f"{n:02d}" for n in range(0, 13)]
    + [f"{n:02d}" for n in range(21, 33)]
    + [f"{n:02d}" for n in range(61, 73)]
    + ["80"]
)


def aba_valid(digits: str) -> bool:
    if len(digits) != 9 or not digits.isdigit() or digits[:2] not in _PREFIXES:
        return False
    if digits == "000000000":
        return False
    d = [int(c) for c in digits]
    total = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])
    return total % 10 == 0


class RoutingNumberRecognizer(BaseRecognizer):
    name = "ROUTING_NUMBER"
    entity_type = "ROUTING_NUMBER"

    def find(self, text: str) -> list[Span]:
        # Any nine digits pass the checksum one time in ten: the banking word is
        # the real evidence, the checksum only removes typos and other numbers.
        return [
            self.span(m.start(), m.end(), 0.85)
            for m in _CANDIDATE.finditer(text)
            if aba_valid(m.group())
            and has_context(
                text, m.start(), m.end(), CONTEXT, before=30, after=15, digit_free_gap=True
            )
        ]

    def validate(self, value: str) -> bool:
        return aba_valid(value)
