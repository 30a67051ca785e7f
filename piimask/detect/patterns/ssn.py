"""US_SSN: social security numbers with the SSA's structural rules."""

from __future__ import annotations

import re

from piimask.detect.patterns._base import BaseRecognizer, has_context, keyword_regex
from piimask.spans import Span

_DASHED = re.compile(r"(?<![\w.,/-])([0-9]{3})-([0-9]{2})-([0-9]{4})(?![\w-]|[.,][0-9])")
_SPACED_OR_DOTTED = re.compile(
    r"(?<![\w.,/-])([0-9]{3})([ .])([0-9]{2})\2([0-9]{4})(?![\w-]|[.,][0-9])"
)
_PLAIN = re.compile(r"(?<![\w.,/-])([0-9]{3})([0-9]{2})([0-9]{4})(?![\w-]|[.,][0-9])")
_ANY = re.compile(r"([0-9]{3})[ .-]?([0-9]{2})[ .-]?([0-9]{4})")

CONTEXT = keyword_regex(
    [
        "ssn",
        "ssns",
        "ss#",
        "ss #",
        "ss no",
        "social security",
        "social sec",
        "soc sec",
        "ssa",
        "tin",
        "itin",
        "taxpayer id",
    ]
)

# Numbers printed on sample cards and in advertising, never issued to a person.
_KNOWN_FAKES = frozenset({"123456789", "078051120", "219099999", "457555462"})


def ssn_parts_valid(area: str, group: str, serial: str) -> bool:
    if area in {"000", "666"} or area[0] == "9":
        return False
    if group == "00" or serial == "0000":
        return False
    if area + group + serial in _KNOWN_FAKES:
        return False
    digits = area + group + serial
    return len(set(digits)) > 1


class UsSsnRecognizer(BaseRecognizer):
    name = "US_SSN"
    entity_type = "US_SSN"

    def find(self, text: str) -> list[Span]:
        spans: list[Span] = []
        for match in _DASHED.finditer(text):
            if ssn_parts_valid(*match.groups()):
                context = has_context(text, match.start(), match.end(), CONTEXT, before=50)
                spans.append(self.span(match.start(), match.end(), 0.95 if context else 0.85))
        # Without dashes nine digits are as likely an order or phone number: only
        # take them when the text talks about social security numbers.
        for pattern in (_SPACED_OR_DOTTED, _PLAIN):
            for match in pattern.finditer(text):
                area, group, serial = match.group(1), match.groups()[-2], match.groups()[-1]
                if not ssn_parts_valid(area, group, serial):
                    continue
                if has_context(text, match.start(), match.end(), CONTEXT, before=50, after=20):
                    spans.append(self.span(match.start(), match.end(), 0.85))
        spans.sort()
        return spans

    def validate(self, value: str) -> bool:
        match = _ANY.fullmatch(value)
        if match is None:
            return False
        separators = {c for c in value if not c.isdigit()}
        if len(separators) > 1 or (separators and len(value) != 11):
            return False
        return ssn_parts_valid(*match.groups())
