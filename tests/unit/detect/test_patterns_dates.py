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
        # eight digits after a birth word (HL7, DICOM)
        ("existing patient KOWALSKA^MARYA (DOB 19620815) merged", ["19620815"]),
        ("dob=19870412", ["19870412"]),
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
        "order 20261203 shipped",  # eight digits without a birth word: an id
        "DOB 19991301",  # no month 13
    ],
)
def test_rejects_impossible_dates(text: str) -> None:
    assert values(text) == []


def test_birth_context_raises_score() -> None:
    [plain] = RECOGNIZER.find("on 2024-01-31")
    [birth] = RECOGNIZER.find("date of birth: 2024-01-31")
    assert plain.score < birth.score


def typed(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.entity_type) for s in RECOGNIZER.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # machine timestamps: a date with a time of day, the log prefixes
        ("2026-11-03T14:07:12.512Z WARN payments", ("2026-11-03T14:07:12.512Z", "EVENT_TIME")),
        ("[2025-11-01 16:49:10,426] INFO", ("2025-11-01 16:49:10,426", "EVENT_TIME")),
        ("2019/10/19 01:22:43 [warn] 6618#54", ("2019/10/19 01:22:43", "EVENT_TIME")),
        ("Nov  3 14:07:12 host1 sshd[2211]: x", ("Nov  3 14:07:12", "EVENT_TIME")),
        ('- - [10/Oct/2000:13:55:36 -0700] "GET', ("10/Oct/2000:13:55:36 -0700", "EVENT_TIME")),
        ("Date: Sat, 02 Jun 2024 05:59:26 GMT;", ("02 Jun 2024 05:59:26 GMT", "EVENT_TIME")),
        ("1997:M 13 Jul 2024 22:02:34.586 *", ("13 Jul 2024 22:02:34.586", "EVENT_TIME")),
        ("I1103 14:07:12.512345    1234 c.go:12]", ("I1103 14:07:12.512345", "EVENT_TIME")),
        # year-first with dots and a time (ClickHouse), a padded one-digit hour (sssd)
        ("2025.03.07 09:15:44.880211 [ 51 ] {}", ("2025.03.07 09:15:44.880211", "EVENT_TIME")),
        ("(2025-03-07  9:15:44): [be[corp]]", ("2025-03-07  9:15:44", "EVENT_TIME")),
        # personal dates: no time of day, or a personal context before a timestamp
        ("on 2024-01-31", ("2024-01-31", "DATE_TIME")),
        ("born 1990-01-01 08:00", ("1990-01-01 08:00", "DATE_TIME")),
        ("admitted 2024-03-05 14:30 to ward 4", ("2024-03-05 14:30", "DATE_TIME")),
        ("discharged: 2024-03-09T10:00:00Z", ("2024-03-09T10:00:00Z", "DATE_TIME")),
        ("passport expiry 2031-05-01 00:00", ("2031-05-01 00:00", "DATE_TIME")),
        ("the visit on January 31, 1990 at 10:30", ("January 31, 1990", "DATE_TIME")),
        # a clock reading with seconds right before the date: a timestamp written time first
        ("Stamp: 23:04:51 UTC 03/14/2027", ("03/14/2027", "EVENT_TIME")),
        ("at 07:15:02 2027-03-14 the job ended", ("2027-03-14", "EVENT_TIME")),
        ("seen 10:30 on 03/14/2027", ("03/14/2027", "DATE_TIME")),  # no seconds: a person's time
        ("born 04:10:00 UTC 03/14/2027", ("03/14/2027", "DATE_TIME")),
        ("done at 11:02:33 UTC Fri Mar 12 2027", ("Mar 12 2027", "EVENT_TIME")),  # a weekday
        # a CSV field after the clock, Db2's dashed and dotted timestamp
        ("7,2027/03/12 09:41:05,00123456789,TRAFFIC", ("2027/03/12 09:41:05", "EVENT_TIME")),
        (
            "2027-03-12-09.41.05.120044+060 I4411E301 LEVEL: Info",
            ("2027-03-12-09.41.05.120044+060", "EVENT_TIME"),
        ),
    ],
)
def test_event_timestamps_and_personal_dates_get_their_own_types(
    text: str, expected: tuple[str, str]
) -> None:
    assert typed(text) == [expected]


@pytest.mark.parametrize(
    "text",
    ["Feb 30 10:00:00 host", "Nov  3 25:07:12 host", "nov 3 14:07:12", "10/Foo/2000:13:55:36"],
)
def test_log_prefixes_must_be_real_times(text: str) -> None:
    assert typed(text) == []


@pytest.mark.parametrize(
    "value", ["2026-11-03T14:07:12Z", "Nov  3 14:07:12", "10/Oct/2000:13:55:36 -0700", "5/2021"]
)
def test_validate_accepts_what_find_reports(value: str) -> None:
    assert RECOGNIZER.validate(value)


@pytest.mark.parametrize("text", ["pinned 2024.10.1 of the tool", "release 2025.03.07 notes"])
def test_a_dotted_year_first_date_without_a_time_is_no_event_time(text: str) -> None:
    assert [s.entity_type for s in RECOGNIZER.find(text)] != ["EVENT_TIME"]
