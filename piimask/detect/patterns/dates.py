"""DATE_TIME: calendar dates (dates of birth and the like), each checked with :mod:`datetime`."""

from __future__ import annotations

import datetime as dt
import re

from piimask.detect.patterns._base import (
    VERSION_WORDS,
    BaseRecognizer,
    has_context,
    keyword_regex,
)
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
# Month names joined to numbers by dashes or dots, as forms and spreadsheets print them:
# "5-MAY-2021", "05.May.21", and partial dates "May-2021", "May-21", "21-May".
_DAY_MON_YEAR = re.compile(
    rf"(?<![\w/.-])(?P<d>[0-9]{{1,2}})(?P<sep>[-./])(?P<m>{_MONTH})(?P=sep)(?P<y>[0-9]{{4}}|[0-9]{{2}}){_END}",
    re.IGNORECASE,
)
_MON_NUMBER = re.compile(
    rf"(?<![\w/.-])(?P<m>{_MONTH})-(?P<n>[0-9]{{4}}|[0-9]{{1,2}}){_END}", re.IGNORECASE
)
_DAY_MON = re.compile(rf"(?<![\w/.-])(?P<d>[0-9]{{1,2}})-(?P<m>{_MONTH})(?![\w-])", re.IGNORECASE)
# Month and four-digit year: "5/2021", "05/2021" (a two-digit year would be a fraction).
_MONTH_YEAR = re.compile(rf"(?<![\w/.:-])(?P<m>[0-9]{{1,2}})/(?P<y>(?:19|20)[0-9]{{2}}){_END}")
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


def _named_month(name: str) -> int | None:
    """The month of a written month name; "may"/"mar" in lower case are words, not months."""
    if not (name[0].isupper() or name.isupper()):
        return None
    return _MONTHS[name.lower()]


def _month_name_forms(text: str) -> list[tuple[int, int, float]]:
    found: list[tuple[int, int, float]] = []
    for match in _DAY_MON_YEAR.finditer(text):
        month = _named_month(match["m"])
        if month and _date(_full_year(match["y"]), month, int(match["d"])):
            found.append((match.start(), match.end(), 0.85))
    for match in _MON_NUMBER.finditer(text):
        month, number = _named_month(match["m"]), match["n"]
        if month is None:
            continue
        # "May-21" is the 21st or 2021; either way a date. Four digits must be a year.
        ok = _date(int(number), month, 1) if len(number) == 4 else 1 <= int(number) <= 31
        if ok:
            found.append((match.start(), match.end(), 0.75))
    for match in _DAY_MON.finditer(text):
        month = _named_month(match["m"])
        if month and _date(2000, month, int(match["d"])):
            found.append((match.start(), match.end(), 0.75))
    return found


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
        found.extend(_month_name_forms(text))
        for match in _MONTH_YEAR.finditer(text):
            if 1 <= int(match["m"]) <= 12:
                found.append((match.start(), match.end(), 0.75))
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
        year = _full_year(year_text)
        a, b = int(match["a"]), int(match["b"])
        if len(year_text) == 2 and match["sep"] != "/":
            # "1.2.34" and "3-4-56" read as versions or ranges; a first field over 12
            # can only be a day ("21.5.21"), unless a version word stands before it.
            text, start = match.string, match.start()
            if a <= 12 or VERSION_WORDS.search(text, max(0, start - 12), start):
                return False
            return _date(year, b, a) is not None
        return _date(year, a, b) is not None or _date(year, b, a) is not None

    def validate(self, value: str) -> bool:
        if any(start == 0 and end == len(value) for start, end, _ in _month_name_forms(value)):
            return True
        month_year = _MONTH_YEAR.fullmatch(value)
        if month_year is not None:
            return 1 <= int(month_year["m"]) <= 12
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
