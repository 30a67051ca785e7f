"""The registry API the detection engine calls, and invariants over all recognizers."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piimask.detect.patterns import (
    RECOGNIZERS,
    PatternRecognizer,
    default_recognizers,
    find_pattern_spans,
)
from piimask.detect.patterns._base import BaseRecognizer

ALL = default_recognizers()
BY_NAME = {r.name: r for r in ALL if isinstance(r, BaseRecognizer)}

SAMPLE = (
    "Card 4111 1111 1111 1111, call +44 20 7946 0958, mail john.doe@example.co.uk, "
    "see https://example.com/x or smith.biz. SSN 470-32-4377, IBAN GB82 WEST 1234 5698 7654 32, "
    "ip 10.0.0.1 / fe80::1, mac 00:1A:2B:3C:4D:5E, routing number 011000015, "
    "driver's license D1234567, born 1990-01-31, Springfield, IL 62704."
)


def test_default_recognizers_cover_every_registered_name() -> None:
    assert [r.name for r in ALL] == list(RECOGNIZERS)
    assert all(isinstance(r, PatternRecognizer) for r in ALL)


def test_enabled_selects_by_name_in_registry_order() -> None:
    chosen = default_recognizers(["US_SSN", "CREDIT_CARD"])
    assert [r.name for r in chosen] == ["CREDIT_CARD", "US_SSN"]


def test_unknown_recognizer_name_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"unknown pattern recognizer.*NOPE"):
        default_recognizers(["NOPE"])


def test_empty_selection_finds_nothing() -> None:
    assert find_pattern_spans(SAMPLE, default_recognizers([])) == []


def test_find_pattern_spans_finds_each_family_sorted() -> None:
    spans = find_pattern_spans(SAMPLE)
    assert spans == sorted(spans)
    found = {(s.entity_type, SAMPLE[s.start : s.end]) for s in spans}
    for expected in [
        ("CREDIT_CARD", "4111 1111 1111 1111"),
        ("PHONE_NUMBER", "+44 20 7946 0958"),
        ("EMAIL_ADDRESS", "john.doe@example.co.uk"),
        ("URL", "https://example.com/x"),
        ("DOMAIN_NAME", "smith.biz"),
        ("US_SSN", "470-32-4377"),
        ("IBAN_CODE", "GB82 WEST 1234 5698 7654 32"),
        ("IP_ADDRESS", "10.0.0.1"),
        ("IP_ADDRESS", "fe80::1"),
        ("MAC_ADDRESS", "00:1A:2B:3C:4D:5E"),
        ("ROUTING_NUMBER", "011000015"),
        ("DRIVER_LICENSE", "D1234567"),
        ("DATE_TIME", "1990-01-31"),
        ("ZIP_CODE", "62704"),
    ]:
        assert expected in found


def test_spans_name_their_detector_and_score_in_unit_interval() -> None:
    for span in find_pattern_spans(SAMPLE):
        assert span.detector.startswith("pattern:")
        assert 0.0 <= span.score <= 1.0


def test_domain_never_inside_email_or_url() -> None:
    spans = find_pattern_spans(SAMPLE)
    containers = [s for s in spans if s.entity_type in {"EMAIL_ADDRESS", "URL"}]
    for span in spans:
        if span.entity_type == "DOMAIN_NAME":
            assert not any(span.overlaps(c) for c in containers)


# Each 100,000 characters long and built to make a careless pattern backtrack.
ADVERSARIAL = [
    "1" * 100_000,
    "4111 " * 20_000,
    "1." * 50_000,
    "a." * 50_000,
    "a@" * 50_000,
    "a" * 99_988 + "@example.com",
    "http://" * 14_286,
    "f:" * 50_000,
    "call +1 (2) " * 8_334,
    "(" * 50_000 + ")" * 50_000,
]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("text", ADVERSARIAL, ids=lambda t: repr(t[:12]))
def test_adversarial_input_completes(text: str) -> None:
    spans = find_pattern_spans(text)
    assert all(0 <= s.start < s.end <= len(text) for s in spans)


PII_PIECES = st.sampled_from(
    [
        "4111 1111 1111 1111",
        "470-32-4377",
        "GB82WEST12345698765432",
        "john@example.com",
        "https://example.org/a",
        "smith.biz",
        "10.0.0.1",
        "::1",
        "+44 20 7946 0958",
        "call 555 0100",
        "00:1A:2B:3C:4D:5E",
        "routing 011000015",
        "DL D1234567",
        "2024-01-31",
        "ZIP 12345",
        "KOWALSKA^MARIA^ANNA",
    ]
)
NOISE = st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs", "Cc"]),
    max_size=30,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(PII_PIECES, NOISE), max_size=8))
def test_every_span_is_inside_text_non_empty_and_validates(pieces: list[str]) -> None:
    text = "".join(pieces)
    for span in find_pattern_spans(text):
        value = text[span.start : span.end]
        assert 0 <= span.start < span.end <= len(text)
        assert value
        assert 0.0 <= span.score <= 1.0
        recognizer = BY_NAME[span.detector.removeprefix("pattern:")]
        assert recognizer.validate(value), (span, value)
