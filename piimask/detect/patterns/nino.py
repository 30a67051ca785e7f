"""UK_NINO: UK National Insurance numbers (``AB 12 34 56 C``), with HMRC's prefix rules."""

from __future__ import annotations

import re

from piimask.detect.patterns._base import BaseRecognizer, has_context, keyword_regex
from piimask.spans import Span

# Two prefix letters, three pairs of digits, a suffix A-D; single spaces optional.
_CANDIDATE = re.compile(
    r"(?<![\w-])([A-Za-z]{2}) ?([0-9]{2}) ?([0-9]{2}) ?([0-9]{2}) ?([A-Da-d])(?![\w-])"
)
CONTEXT = keyword_regex(
    ["nino", "ni number", "ni no", "national insurance", "national insurance number", "nin"]
)
# HMRC: D, F, I, Q, U and V are never used in the prefix, O never second; these
# prefixes are not allocated (and TN is a temporary placeholder, not a person's number).
_BAD_FIRST = frozenset("DFIQUV")
_BAD_SECOND = frozenset("DFIOQUV")
_BAD_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def nino_valid(value: str) -> bool:
    match = _CANDIDATE.fullmatch(value)
    if match is None:
        return False
    letters = match.group(1) + match.group(5)
    # Mixed case ("Ab 12 34 56 c") is prose, not a number someone typed or printed.
    if not (letters.isupper() or letters.islower()):
        return False
    prefix = match.group(1).upper()
    return (
        prefix[0] not in _BAD_FIRST and prefix[1] not in _BAD_SECOND and prefix not in _BAD_PREFIXES
    )


class UkNinoRecognizer(BaseRecognizer):
    name = "UK_NINO"
    entity_type = "UK_NINO"

    def find(self, text: str) -> list[Span]:
        spans = []
        for match in _CANDIDATE.finditer(text):
            if not nino_valid(match.group()):
                continue
            context = has_context(text, match.start(), match.end(), CONTEXT, before=50)
            spans.append(self.span(match.start(), match.end(), 0.95 if context else 0.85))
        return spans

    def validate(self, value: str) -> bool:
        return nino_valid(value)
