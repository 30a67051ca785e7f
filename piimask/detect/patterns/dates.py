"""DATE_TIME and EVENT_TIME: calendar dates, each checked with :mod:`datetime`.

A date is personal data when it dates a person: a birth, an admission, a discharge, a
passport's expiry. A machine timestamp (a date with a time of day, as logs and events
print them: ISO 8601, syslog, common log format, HTTP dates) records when something
happened in a system. The two get different types so that a policy can keep event times
(the shipped default does) and still mask personal dates:

- ``DATE_TIME``: a date without a time of day, or any date in a personal context
  ("born", "DOB", "admitted", "discharged", "expiry" ... just before it);
- ``EVENT_TIME``: a date with a time of day and no personal context, and the log forms
  that carry no year ("Nov  3 14:07:12", klog's "I1103 14:07:12.512345").

A policy that must remove every date (HIPAA Safe Harbor) masks both types.
"""

from __future__ import annotations

import datetime as dt
import re

from piimask.detect.patterns._base import (
    VERSION_WORDS,
    BaseRecognizer,
    IntervalSet,
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
# A time of day after an ISO date; the fraction may follow a comma (Python's logging).
_TIME = (
    r"(?:[T ](?P<hh>[0-9]{2}):(?P<mi>[0-9]{2})(?::(?P<ss>[0-9]{2})(?:[.,][0-9]{1,9})?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)
# A time of day right after any other date form: "31 Jan 2024 08:00:00.123", "03/11/2026
# 14:07", "Tue, 03 Nov 2026 14:07:12 GMT" (HTTP), sssd's padded "2026-11-02  5:41:00".
# Prose ("on May 3, 2021 at 10:30") stays a date.
_TIME_AFTER = re.compile(
    r"(?:[ ]{1,2}|T|:)(?P<hh>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<ss>[0-9]{2})(?:[.,][0-9]{1,9})?)?"
    r"(?:[ ]?(?:Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2}))?(?![\w:]|\.[0-9])"
)  # a comma and digits after the clock: the next field of a CSV line ("00:17:30,0132...")
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
_TIMED = re.compile(r"[0-9]:[0-9]{2}")
_MONTH_YEAR = re.compile(rf"(?<![\w/.:-])(?P<m>[0-9]{{1,2}})/(?P<y>(?:19|20)[0-9]{{2}}){_END}")
CONTEXT = keyword_regex(
    ["born", "dob", "d.o.b", "date of birth", "birth date", "birthdate", "birthday", "b-day",
     "birth", "geboren", "né", "née"]
)  # fmt: skip
# Words that make a date (even one with a time of day) a date in a person's life.
PERSONAL_CONTEXT = keyword_regex(
    ["born", "dob", "d.o.b", "date of birth", "birth date", "birthdate", "birthday", "b-day",
     "birth", "geboren", "né", "née", "admitted", "admission", "admit date", "discharged",
     "discharge", "died", "death", "deceased", "date of death", "expiry", "expires",
     "expiration", "expiry date", "valid until", "valid thru", "issued", "date of issue",
     "appointment", "visit", "surgery", "procedure", "hired", "married", "passport"]
)  # fmt: skip
# A date written as eight digits, year first (HL7, DICOM, mainframes: "19620815").
_COMPACT = re.compile(
    r"(?<![\w.-])(?P<y>(?:19|20)[0-9]{2})(?P<m>[01][0-9])(?P<d>[0-3][0-9])(?![\w.-])"
)
_COMPACT_BEFORE = re.compile(
    r"\b(?:dob|d\.o\.b\.?|date of birth|birth ?date|birthdate|born|birthday)\W{0,4}$",
    re.IGNORECASE,
)
# Log forms with a date that other forms do not read: syslog's "Nov  3 14:07:12" and
# klog's "I1103 14:07:12.512345".
_SYSLOG = re.compile(
    rf"(?<![\w/.:-])(?P<m>{_MONTH})[ ]{{1,2}}(?P<d>[0-9]{{1,2}})[ ]"
    r"(?P<hh>[0-9]{2}):(?P<mi>[0-9]{2}):(?P<ss>[0-9]{2})(?:[.,][0-9]{1,9})?(?![\w:]|[.,][0-9])",
    re.IGNORECASE,
)
# The common log format's "10/Oct/2000:13:55:36 -0700" (access logs).
_CLF = re.compile(
    rf"(?<![\w/.-])(?P<d>[0-9]{{2}})/(?P<m>{_MONTH})/(?P<y>[0-9]{{4}})"
    r":(?P<hh>[0-9]{2}):(?P<mi>[0-9]{2}):(?P<ss>[0-9]{2})(?:[ ][+-][0-9]{4})?(?![\w:])",
    re.IGNORECASE,
)
# Year-first dates with dots and a time of day, as ClickHouse and others print them
# ("2026.11.02 04:50:11.118204"). Without the time "2024.10.1" is a calendar version.
_DOTTED = re.compile(
    r"(?<![\w/.:-])(?P<y>[0-9]{4})\.(?P<m>[0-9]{2})\.(?P<d>[0-9]{2})[ T]"
    r"(?P<hh>[0-9]{2}):(?P<mi>[0-9]{2}):(?P<ss>[0-9]{2})(?:[.,][0-9]{1,9})?(?![\w:]|[.,][0-9])"
)
# Db2's timestamp: "2026-12-02-00.27.40.551204+000".
_DB2 = re.compile(
    r"(?<![\w/.:-])(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})-(?P<hh>[0-9]{2})\."
    r"(?P<mi>[0-9]{2})\.(?P<ss>[0-9]{2})(?:\.[0-9]{1,6})?(?:[+-][0-9]{3,4})?(?![\w.:])"
)
_KLOG = re.compile(
    r"(?m)^[IWEF](?P<m>[0-9]{2})(?P<d>[0-9]{2})[ ]"
    r"(?P<hh>[0-9]{2}):(?P<mi>[0-9]{2}):(?P<ss>[0-9]{2})\.[0-9]{6}(?![\w:])"
)


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


def _clock_ok(hh: str, mi: str, ss: str | None) -> bool:
    try:
        dt.time(int(hh), int(mi), int(ss or 0))
    except ValueError:
        return False
    return True


def _time_after(text: str, end: int) -> int | None:
    """End of a valid time of day that follows a date ending at ``end``, if one does."""
    match = _TIME_AFTER.match(text, end)
    if match is None or not _clock_ok(match["hh"], match["mi"], match["ss"]):
        return None
    return match.end()


# A time of day with seconds right before a date, as some programs print a timestamp
# ("Time: 05:20:11 UTC 11/02/2026"): a clock reading, so the date is an event time.
_TIME_BEFORE = re.compile(
    r"(?<![\w:.])(?P<hh>[0-9]{1,2}):(?P<mi>[0-9]{2}):(?P<ss>[0-9]{2})(?:[.,][0-9]{1,9})?"
    r"(?:[ ](?:Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2}))?(?:[ ](?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?)?[ ]$"
)


def _time_before(text: str, start: int) -> int | None:
    """Start of a valid time of day with seconds that ends right before ``start``."""
    match = _TIME_BEFORE.search(text, max(0, start - 32), start)
    if match is None or not _clock_ok(match["hh"], match["mi"], match["ss"]):
        return None
    return match.start()


def _log_times(text: str) -> list[tuple[int, int]]:
    found = []
    for match in _CLF.finditer(text):
        month = _named_month(match["m"])
        if (
            month
            and _date(int(match["y"]), month, int(match["d"]))
            and _clock_ok(match["hh"], match["mi"], match["ss"])
        ):
            found.append((match.start(), match.end()))
    for match in _SYSLOG.finditer(text):
        month = _named_month(match["m"])
        if (
            month
            and _date(2000, month, int(match["d"]))
            and _clock_ok(match["hh"], match["mi"], match["ss"])
        ):
            found.append((match.start(), match.end()))
    for match in (*_DOTTED.finditer(text), *_DB2.finditer(text)):
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
        if _date(year, month, day) and _clock_ok(match["hh"], match["mi"], match["ss"]):
            found.append((match.start(), match.end()))
    for match in _KLOG.finditer(text):
        month, day = int(match["m"]), int(match["d"])
        if _date(2000, month, day) and _clock_ok(match["hh"], match["mi"], match["ss"]):
            found.append((match.start(), match.end()))
    return found


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
    """Dates (``DATE_TIME``) and machine timestamps (``EVENT_TIME``); see the module docstring."""

    name = "DATE_TIME"
    entity_type = "DATE_TIME"
    event_type = "EVENT_TIME"

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
        for match in _COMPACT.finditer(text):
            # "DOB 19620815", "dob=19870412": eight digits are a date only after a birth word
            if _date(int(match["y"]), int(match["m"]), int(match["d"])) and _COMPACT_BEFORE.search(
                text, max(0, match.start() - 16), match.start()
            ):
                found.append((match.start(), match.end(), 0.85))
        for match in _MONTH_YEAR.finditer(text):
            if 1 <= int(match["m"]) <= 12:
                found.append((match.start(), match.end(), 0.75))
        spans = []
        taken = IntervalSet()
        for start, end in _log_times(text):
            if taken.add(start, end):
                spans.append(self._classified(text, start, end, 0.85, timed=True))
        for start, end, score in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
            timed = _TIMED.search(text, start, end) is not None
            time_end = None if timed else _time_after(text, end)
            if time_end is not None:
                end, timed = time_end, True
            clock = None if timed else _time_before(text, start)
            if taken.add(start, end):
                spans.append(
                    self._classified(
                        text, start, end, score, timed=timed or clock is not None, context=clock
                    )
                )
        spans.sort()
        return spans

    def _classified(
        self,
        text: str,
        start: int,
        end: int,
        score: float,
        *,
        timed: bool,
        context: int | None = None,
    ) -> Span:
        """``context``: where the words that date a person would end, when not at ``start``
        (before the time of day of "born 04:10:00 UTC 03/14/2027")."""
        at = start if context is None else context
        personal = has_context(text, at, end, PERSONAL_CONTEXT, before=40, digit_free_gap=True)
        if timed and not personal:
            return Span(start, end, self.event_type, score, self.detector)
        if has_context(text, at, end, CONTEXT, before=40, digit_free_gap=True) or personal:
            score = 0.95
        return self.span(start, end, score)

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
        """Whether ``value`` is exactly one date or timestamp that :meth:`find` reports."""
        spans = self.find(value)
        return len(spans) == 1 and spans[0].start == 0 and spans[0].end == len(value)
