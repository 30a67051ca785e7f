"""Presidio's own recognizer unit-test cases, run against piimask (a peer's test suite).

The cases come from ``../shared/eval/real/presidio_recognizer_cases.jsonl`` (read at
run time; the test fails when the file is missing). Scope: the global, US and UK test
files, for the entity types piimask covers (``piimask.detect.recognizer_cases``).

- Positive cases go through the whole engine (model + patterns): every expected span
  must be masked, by a span of any type.
- Negative cases ("must find nothing") go through the pattern recognizers: they are
  Presidio's checks of its own validators (bad checksums, wrong lengths). The engine as
  a whole deliberately masks many of them anyway: the model reads a mistyped IBAN or a
  card number that fails Luhn as the account number it still is, and failing closed
  there is piimask's choice. ``benchmarks/eval_all_sets.py`` reports that rate.

Where piimask deliberately differs from Presidio, the case is listed below with the
reason; the test then checks that the difference still holds, so the table stays true.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from piimask.detect import DetectionEngine, DetectorConfig
from piimask.detect.patterns import find_pattern_spans
from piimask.detect.recognizer_cases import (
    RecognizerCase,
    load_cases,
    masked,
    scoped_cases,
)
from piimask.spans import Span

CASES_FILE = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "eval"
    / "real"
    / "presidio_recognizer_cases.jsonl"
)
SCOPED = scoped_cases(load_cases(CASES_FILE)) if CASES_FILE.exists() else []
POSITIVE = [c for c in SCOPED if c.positive]
NEGATIVE = [c for c in SCOPED if not c.positive]

# Positive cases piimask does not mask, on purpose. Key: RecognizerCase.case_id.
NOT_MASKED_BY_POLICY: dict[str, str] = {
    "date[1]:'Today is 05/21'": "a bare 'n/n' without a year is as often a fraction, a score or "
    "a ratio ('1/2', '7/10'); numeric dates need a year ('5/2021', '5/21/21')",
    "date[1]:'Today is 5/21'": "same: no year",
    'date[1]:"Today is,5/21,and it\'s sunny"': "same: no year",
    "ip[1]:'Use local ipv6 ::'": "'::' alone (the unspecified address) identifies no host and "
    "is common punctuation ('Home :: Products'); as a network ('::/0') it is masked",
    "ip[1]:'Unspecified ::'": "same: bare '::'",
    "ip[2]:'src=:: dst=::1'": "same: the bare '::' is left, '::1' is masked",
    "ip[1]:'192.168.1.1.1'": "five dotted numbers are an OID or a version, not an address "
    "followed by '.1'",
    "us_driver_license[5]:'123456789 1234567890 12345679012 123456790123 1234567901234 1234'": (
        "bare digit runs with no licence word nearby are not taken as licence numbers "
        "(Presidio's weak pattern reports every 9-13 digit run)"
    ),
    "us_driver_license[1]:'H12234567'": "a code with no word naming it as a document: the "
    "model alone does not decide a licence, passport, tax id or account number "
    "(docs/detection.md, sixth round); Presidio's own recognizer scores it low without context",
    "aba_routing[1]:'3222-7162-7'": "same: a bare code, no routing or bank word near it",
}

# Negative cases in which a pattern recognizer finds something, on purpose.
FOUND_BY_POLICY: dict[str, str] = {
    "ip[0]:'MAC address aa:bb:cc:dd:ee:ff'": "not an IP address, but a MAC address, which "
    "piimask masks as MAC_ADDRESS",
    'iban[0]:"Dalla\'s Pizza | 3843 Peartree Road, Bamblee, SD 20241 440-600-5124"': (
        "no IBAN, but a ZIP code and a phone number, both PII"
    ),
    "iban[0]:'LV80 bANK 0000 4351 9500 1'": "a valid IBAN (mod-97) with one lower-case letter; "
    "piimask reads IBANs in any case",
    "iban[0]:'RS35 2600 0560 1001 6113 70'": "the IBAN fails mod-97, but its middle 16 digits are "
    "a Luhn-valid Mastercard-range card number, which piimask masks",
    "url[0]:'http://microsoft'": "a URL with a scheme and a one-label host is an intranet URL",
    "us_ssn[0]:'078 00 1123'": "not an SSN (group 00), but a national-format phone number "
    "(trunk 0 and digit groups)",
}


@pytest.fixture(scope="module")
def engine_spans() -> dict[str, list[Span]]:
    engine = DetectionEngine.load(DetectorConfig())
    return dict(
        zip(
            [c.case_id for c in POSITIVE],
            engine.detect_batch([c.text for c in POSITIVE]),
            strict=True,
        )
    )


def require_cases() -> None:
    if not SCOPED:
        pytest.fail(f"{CASES_FILE} is missing or holds no scoped case (shared data: ../shared)")


def test_the_shared_case_file_is_present_and_in_scope() -> None:
    require_cases()
    assert len(POSITIVE) >= 350
    assert len(NEGATIVE) >= 200


@pytest.mark.parametrize("case", POSITIVE or [None], ids=lambda c: c.case_id if c else "missing")
def test_scoped_positive_case_is_masked(
    case: RecognizerCase | None, engine_spans: dict[str, list[Span]]
) -> None:
    require_cases()
    assert case is not None
    found = masked(case, engine_spans[case.case_id])
    if case.case_id in NOT_MASKED_BY_POLICY:
        assert not found, f"now masked: remove {case.case_id} from NOT_MASKED_BY_POLICY"
    else:
        spans = [(s.entity_type, case.text[s.start : s.end]) for s in engine_spans[case.case_id]]
        assert found, f"expected {case.spans} masked; found {spans}"


def test_at_least_95_percent_of_scoped_positive_cases_are_masked(
    engine_spans: dict[str, list[Span]],
) -> None:
    require_cases()
    hits = sum(masked(c, engine_spans[c.case_id]) for c in POSITIVE)
    assert hits / len(POSITIVE) >= 0.95


@pytest.mark.parametrize("case", NEGATIVE or [None], ids=lambda c: c.case_id if c else "missing")
def test_pattern_recognizers_find_nothing_in_a_negative_case(
    case: RecognizerCase | None,
) -> None:
    require_cases()
    assert case is not None
    spans = find_pattern_spans(case.text)
    if case.case_id in FOUND_BY_POLICY:
        assert spans, f"now found nothing: remove {case.case_id} from FOUND_BY_POLICY"
    else:
        assert spans == [], [(s.entity_type, case.text[s.start : s.end]) for s in spans]


def test_every_policy_difference_names_a_scoped_case() -> None:
    require_cases()
    ids = {c.case_id for c in SCOPED}
    assert set(NOT_MASKED_BY_POLICY) <= ids
    assert set(FOUND_BY_POLICY) <= ids
