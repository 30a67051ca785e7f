"""DATE_TIME: numeric and written dates that exist in the calendar."""

from __future__ import annotations

import pytest

from piimask.detect.patterns import DateRecognizer

RECOGNIZER = DateRecognizer()


def values(text: str) -> list[str]:
    return [text[s.start : s.end] for s in RECOGNIZER.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-31", ["2024-01-31"]),
        ("born 01/31/1990.", ["01/31/1990"]),
        ("DOB: 31.01.1990", ["31.01.1990"]),
        ("on January 31, 1990 we", ["January 31, 1990"]),
        ("(31 Jan 1990)", ["31 Jan 1990"]),
        ("the 3rd of March 1985", ["3rd of March 1985"]),
        ("sept. 9 2001", ["sept. 9 2001"]),
        ("Date: 1991-07-03 19:28:53.526788\n", ["1991-07-03 19:28:53.526788"]),
        ("at 2024-01-31T08:00:00Z", ["2024-01-31T08:00:00Z"]),
        ("11/7/1952", ["11/7/1952"]),
        ("日付：2024/01/31。", ["2024/01/31"]),
        ("paid 12/25/99", ["12/25/99"]),
        ("Today is 21.5.21", ["21.5.21"]),  # day over 12: only a date
        ("Today is 5-MAY-2021", ["5-MAY-2021"]),
        ("due 05.May.21", ["05.May.21"]),
        ("since May-2021", ["May-2021"]),
        ("on May-21,", ["May-21"]),
        ("by 21-May", ["21-May"]),
        ("card expires 05/2021", ["05/2021"]),
    ],
)
def test_finds_real_dates(text: str, expected: list[str]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2023-02-29",  # not a leap year
        "Feb 30, 2020",
        "31.04.1990",  # April has 30 days
        "13/13/2020",
        "2024-13-01",
        "1.2.34",  # version
        "12/25",  # no year
        "0999-01-01",  # out of range year
        "5.4.21",  # dotted short year with day <= 12: a version
        "version 21.5.21",
        "31-Feb",
        "it may-2 be",  # lower-case "may" is a word
        "score 7/10",
        "1/2 cup",
        "13/2021",  # no month 13
    ],
)
def test_rejects_impossible_dates(text: str) -> None:
    assert values(text) == []


def test_birth_context_raises_score() -> None:
    [plain] = RECOGNIZER.find("on 2024-01-31")
    [birth] = RECOGNIZER.find("date of birth: 2024-01-31")
    assert plain.score < birth.score
