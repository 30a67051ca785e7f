"""DATE_TIME: calendar dates (dates of birth and the like), each checked with :mod:`datetime`."""

from __future__ import annotations

import datetime as dt
import re

from piimask.detect.patterns._base import BaseRecognizer, has_context, keyword_regex
from piimask.spans import Span

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_END = r"(?![\w-]|[.,/:][0-9])"
_TIME = (
    r"(?:[T ](?P<hh>[0-9]{2}):(?P<mi>[0-9]{2})(?::(?P<ss>[0-9]{2})(?:\.[0-9]{1,9})?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)
_ISO = re.compile(
    rf"(?<![\w/.:-])(?P<y>[0-9]{{4}})(?P<sep>[-/])(?P<m>[0-9]{{1,2}})(?P=sep)(?P<d>[0-9]{{1,2}}){_TIME}{_END}"
)
_NUMERIC = re.compile(
    rf"(?<![\w/.:-])(?P<a>[0-9]{{1,2}})(?P<sep>[/.-])(?P<b>[0-9]{{1,2}})(?P=sep)(?P<y>[0-9]{{4}}|[0-9]{{2}}){_END}"
)
_DAY = r"(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?"
_MONTH_FIRST = re.compile(
    rf"(?<!\w)(?P<m>{_MONTH})\.?[ ]{_DAY},?[ ](?P<y>[0-9]{{4}}){_END}", re.IGNORECASE
)
_DAY_FIRST = re.compile(
    rf"(?<![\w.]){_DAY}[ ](?:of[ ])?(?P<m>{_MONTH})\.?,?[ ](?P<y>[0-9]{{4}}){_END}",
    re.IGNORECASE,
)
CONTEXT = keyword_regex(
    ["born", "dob", "d.o.b", "date of birth", "birth date", "birthdate", "birthday", "b-day",
     "birth", "geboren", "né", "née"]
)  # fmt: skip


def _date(year: int, month: int, day: int) -> dt.date | None:
    if not 1800 <= year <= 2199:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _time_ok(match: re.Match[str]) -> bool:
    if match.group("hh") is None:
        return True
    try:
        dt.time(int(match.group("hh")), int(match.group("mi")), int(match.group("ss") or 0))
    except ValueError:
        return False
    return True


def _full_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # Two-digit years: the window a person writing today would mean.
        year += 2000 if year <= (dt.date.today().year % 100) + 10 else 1900
    return year


class DateRecognizer(BaseRecognizer):
    name = "DATE_TIME"
    entity_type = "DATE_TIME"

    def find(self, text: str) -> list[Span]:
        found: list[tuple[int, int, float]] = []
        for match in _ISO.finditer(text):
            year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
            if _date(year, month, day) and _time_ok(match):
                found.append((match.start(), match.end(), 0.85))
        for match in _NUMERIC.finditer(text):
            if self._numeric_ok(match):
                found.append((match.start(), match.end(), 0.75))
        for pattern in (_MONTH_FIRST, _DAY_FIRST):
            for match in pattern.finditer(text):
                month = _MONTHS[match["m"].lower()]
                if _date(int(match["y"]), month, int(match["d"])):
                    found.append((match.start(), match.end(), 0.85))
        spans = []
        for start, end, score in found:
            if has_context(text, start, end, CONTEXT, before=40, digit_free_gap=True):
                score = 0.95
            spans.append(self.span(start, end, score))
        spans.sort()
        return spans

    @staticmethod
    def _numeric_ok(match: re.Match[str]) -> bool:
        year_text = match["y"]
        # "1.2.34" and "3-4-56" read as versions or ranges; only "/" takes a short year.
        if len(year_text) == 2 and match["sep"] != "/":
            return False
        year = _full_year(year_text)
        a, b = int(match["a"]), int(match["b"])
        return _date(year, a, b) is not None or _date(year, b, a) is not None

    def validate(self, value: str) -> bool:
        for pattern in (_ISO, _NUMERIC, _MONTH_FIRST, _DAY_FIRST):
            match = pattern.fullmatch(value)
            if match is None:
                continue
            if pattern is _ISO:
                ok = _date(int(match["y"]), int(match["m"]), int(match["d"])) and _time_ok(match)
                return bool(ok)
            if pattern is _NUMERIC:
                return self._numeric_ok(match)
            month = _MONTHS[match["m"].lower()]
            return _date(int(match["y"]), month, int(match["d"])) is not None
        return False
