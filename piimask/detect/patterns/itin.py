"""US_ITIN: IRS individual taxpayer identification numbers (``9XX-7X-XXXX``)."""

from __future__ import annotations

import re

from piimask.detect.patterns._base import BaseRecognizer, has_context, keyword_regex
from piimask.spans import Span

_DASHED = re.compile(r"(?<![\w.,/-])(9[0-9]{2})-([0-9]{2})-([0-9]{4})(?![\w-]|[.,][0-9])")
# One dash missing or none: nine digits are as likely an order or phone number, so
# these need a tax word nearby.
_LOOSE = re.compile(r"(?<![\w.,/-])(9[0-9]{2})[ -]?([0-9]{2})[ -]?([0-9]{4})(?![\w-]|[.,][0-9])")
CONTEXT = keyword_regex(
    ["itin", "itins", "tin", "tax id", "taxpayer", "taxpayer id", "tax identification", "irs"]
)


def itin_group_valid(group: str) -> bool:
    """The IRS issues ITINs with middle digits 50-65, 70-88, 90-92 and 94-99."""
    value = int(group)
    return 50 <= value <= 65 or 70 <= value <= 88 or 90 <= value <= 92 or 94 <= value <= 99


class UsItinRecognizer(BaseRecognizer):
    name = "US_ITIN"
    entity_type = "US_ITIN"

    def find(self, text: str) -> list[Span]:
        spans: list[Span] = []
        for match in _DASHED.finditer(text):
            if itin_group_valid(match.group(2)):
                context = has_context(text, match.start(), match.end(), CONTEXT, before=50)
                spans.append(self.span(match.start(), match.end(), 0.95 if context else 0.85))
        taken = {(s.start, s.end) for s in spans}
        for match in _LOOSE.finditer(text):
            if (match.start(), match.end()) in taken or not itin_group_valid(match.group(2)):
                continue
            if has_context(text, match.start(), match.end(), CONTEXT, before=50, after=20):
                spans.append(self.span(match.start(), match.end(), 0.85))
        spans.sort()
        return spans

    def validate(self, value: str) -> bool:
        match = _LOOSE.fullmatch(value)
        return match is not None and itin_group_valid(match.group(2))
