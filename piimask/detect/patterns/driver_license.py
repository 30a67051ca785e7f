"""DRIVER_LICENSE: US licence numbers right after (or before) a driver's licence phrase.

State formats range from 1 letter + 4 digits to 20 mixed characters, so the shape
alone says little: the recognizer only looks where the text names a licence.
"""

from __future__ import annotations

import re

from piimask.detect.patterns._base import BaseRecognizer, keyword_regex
from piimask.spans import Span

CONTEXT = keyword_regex(
    [
        "driver's license",
        "drivers license",
        "driver license",
        "driver's licence",
        "drivers licence",
        "driver licence",
        "driving license",
        "driving licence",
        "driver's lic",
        "driver lic",
        "license number",
        "licence number",
        "license no",
        "licence no",
        "license num",
        "license #",
        "licence #",
        "license id",
        "lic no",
        "lic #",
        "lic num",
        "dl",
        "dl#",
        "dl no",
        "d/l",
        "dln",
        "dmv",
    ]
)
# A token of letters, digits and inner dashes; "#" or ":" may precede it.
_TOKEN = re.compile(r"(?<![\w-])[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){3,24}(?![\w-])")
# Shapes used by US states: optional letters, then digits, maybe trailing letters.
_STATE_SHAPE = re.compile(
    r"[A-Za-z]{0,3}[0-9]{4,18}[A-Za-z]{0,2}|[0-9]{2,3}[A-Za-z]{2,3}[0-9]{4,6}"
    r"|[A-Za-z][0-9][A-Za-z][0-9][A-Za-z]|[A-Za-z][0-9]{3}-?[0-9]{3}-?[0-9]{2}-?[0-9]{3}-?[0-9]"
)
_DATE_LIKE = re.compile(r"[0-9]{1,4}-[0-9]{1,2}-[0-9]{1,4}")
_WINDOW_BEFORE = 40
_WINDOW_AFTER = 30


def _token_ok(token: str) -> bool:
    plain = token.replace("-", "")
    if not 5 <= len(plain) <= 20:
        return False
    if sum(c.isdigit() for c in plain) < 2:
        return False
    return not _DATE_LIKE.fullmatch(token)


class DriverLicenseRecognizer(BaseRecognizer):
    name = "DRIVER_LICENSE"
    entity_type = "DRIVER_LICENSE"

    def find(self, text: str) -> list[Span]:
        spans: list[Span] = []
        taken_until = 0
        for keyword in CONTEXT.finditer(text):
            # The first identifier-like token after the phrase, or the last one before it
            # ("D1234567 is my driver's license").
            token = self._first_after(text, max(keyword.end(), taken_until))
            if token is None:
                token = self._last_before(text, keyword.start(), taken_until)
            if token is None:
                continue
            start, end = token
            taken_until = max(taken_until, end)
            if any(s.start == start for s in spans):
                continue
            score = 0.85 if _STATE_SHAPE.fullmatch(text[start:end]) else 0.7
            spans.append(self.span(start, end, score))
        spans.sort()
        return spans

    @staticmethod
    def _first_after(text: str, position: int) -> tuple[int, int] | None:
        limit = min(len(text), position + _WINDOW_BEFORE)
        for match in _TOKEN.finditer(text, position, limit):
            if match.end() == limit and limit < len(text):
                return None
            if _token_ok(match.group()):
                return match.start(), match.end()
            if any(c.isdigit() for c in match.group()):
                return None  # a number that is not a licence sits in between
        return None

    @staticmethod
    def _last_before(text: str, position: int, floor: int) -> tuple[int, int] | None:
        window_start = max(floor, position - _WINDOW_AFTER)
        found: tuple[int, int] | None = None
        for match in _TOKEN.finditer(text, window_start, position):
            if _token_ok(match.group()):
                found = (match.start(), match.end())
            elif any(c.isdigit() for c in match.group()):
                found = None
        if found is None:
            return None
        gap = text[found[1] : position].lower()
        return found if re.fullmatch(r"[\s:#,-]*(?:is|was|=)?[\s\w']{0,16}", gap) else None

    def validate(self, value: str) -> bool:
        return _TOKEN.fullmatch(value) is not None and _token_ok(value)
