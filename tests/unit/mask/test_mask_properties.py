"""Invariants of masking over random texts and spans (hypothesis).

Values are drawn from Greek and CJK letters, the text around them from ASCII and emoji, and
no operator emits Greek or CJK; so a value-alphabet character in the output can only be a
leak, and "the value reappears elsewhere" cannot happen by construction.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piimask.keys import KeyRing
from piimask.mask.engine import CompiledPolicy, mask_text
from piimask.mask.policy import parse_policy_data
from piimask.spans import Span

VALUE_ALPHABET = "αβγδεζηθικλμνξοπρστυφχψωΑΒΓΔΘΛΞΠΣΦΨΩ日本語田中山"
GAP_ALPHABET = "abcdefghijklmnopqrstuvwxyz .,!?👋🏽é\n"
SEPARATORS = "- "

RULES: dict[str, dict[str, Any]] = {
    "T_REDACT": {"operator": "redact"},
    "T_REPLACE": {"operator": "replace"},
    "T_NUMBERED": {"operator": "replace", "params": {"numbered": True}},
    "T_MASK": {"operator": "mask", "params": {"skip_separators": True}},
    "T_MASK_PARTIAL": {
        "operator": "mask",
        "params": {"keep_first": 1, "keep_last": 2, "skip_separators": True},
    },
    "T_HASH": {"operator": "hash"},
    "T_ENCRYPT": {"operator": "encrypt"},
    "PERSON": {"operator": "pseudonymize"},  # Faker-backed
    "T_PSEUDO": {"operator": "pseudonymize"},  # shape-preserving
    "T_KEEP": {"operator": "keep"},
}
REVEALING = {"T_KEEP", "T_MASK_PARTIAL"}  # leave some original characters by design

POLICY = CompiledPolicy(parse_policy_data({"version": "prop", "entities": RULES}))
KEYRING = KeyRing({"k1": bytes(range(32))}, "k1")

values = st.text(alphabet=VALUE_ALPHABET + SEPARATORS, min_size=1, max_size=12).filter(
    lambda v: any(c in VALUE_ALPHABET for c in v)
)
gaps = st.text(alphabet=GAP_ALPHABET, max_size=8)


@st.composite
def texts_with_spans(draw: st.DrawFn, entities: list[str]) -> tuple[str, list[Span]]:
    parts = draw(st.lists(st.tuples(gaps, values, st.sampled_from(entities)), max_size=8))
    text = ""
    spans = []
    for gap, value, entity in parts:
        text += gap
        spans.append(Span(len(text), len(text) + len(value), entity, 1.0))
        text += value
    text += draw(gaps)
    return text, spans


PROPERTY_SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(texts_with_spans(sorted(set(RULES) - REVEALING)))
def test_no_value_character_survives_non_revealing_operators(
    case: tuple[str, list[Span]],
) -> None:
    text, spans = case
    masked = mask_text(text, spans, POLICY, KEYRING).text
    assert not any(c in VALUE_ALPHABET for c in masked)
    for span in spans:
        assert text[span.start : span.end] not in masked


@PROPERTY_SETTINGS
@given(texts_with_spans(sorted(RULES)))
def test_no_masked_value_appears_in_the_output_unless_kept(case: tuple[str, list[Span]]) -> None:
    text, spans = case
    masked = mask_text(text, spans, POLICY, KEYRING).text
    # values left readable on purpose (keep, partial masks) may legitimately contain another
    revealed = [text[s.start : s.end] for s in spans if s.entity_type in REVEALING]
    for span in spans:
        value = text[span.start : span.end]
        if span.entity_type == "T_KEEP":
            assert value in masked
        elif not any(value in r for r in revealed):
            assert value not in masked


@st.composite
def texts_with_overlapping_spans(draw: st.DrawFn) -> tuple[str, list[Span]]:
    text = draw(st.text(alphabet=VALUE_ALPHABET + GAP_ALPHABET, max_size=40))
    n = len(text)
    raw = draw(
        st.lists(
            st.tuples(
                st.integers(0, n),
                st.integers(0, n),
                st.sampled_from(sorted(RULES)),
                st.floats(0, 1),
            ),
            max_size=8,
        )
    )
    spans = [Span(min(a, b), max(a, b), e, s) for a, b, e, s in raw]
    return text, spans


@PROPERTY_SETTINGS
@given(texts_with_overlapping_spans())
def test_overlapping_spans_are_merged_and_every_covered_character_is_handled(
    case: tuple[str, list[Span]],
) -> None:
    text, spans = case
    result = mask_text(text, spans, POLICY, KEYRING)
    # the output is the untouched gaps and one replacement per merged region, in order
    rebuilt = ""
    cursor = 0
    for seg in result.segments:
        assert seg.start >= cursor
        gap = text[cursor : seg.start]
        assert result.text[len(rebuilt) : len(rebuilt) + len(gap)] == gap
        rebuilt += gap
        assert seg.out_start == len(rebuilt)
        replacement = result.text[seg.out_start : seg.out_end]
        original = text[seg.start : seg.end]
        if seg.operator == "keep":
            assert replacement == original
        else:
            assert replacement != original
            if any(c in VALUE_ALPHABET for c in original):  # ASCII may occur in tokens
                assert original not in replacement
        rebuilt += replacement
        cursor = seg.end
    assert rebuilt + text[cursor:] == result.text
    # every character of a non-empty span lies inside one merged region
    for span in spans:
        if span.start < span.end:
            assert any(seg.start <= span.start and span.end <= seg.end for seg in result.segments)
    # a region holds a non-revealing operator whenever any of its spans asked for one
    for seg in result.segments:
        inside = [s for s in spans if seg.start <= s.start and s.end <= seg.end and s.start < s.end]
        if any(s.entity_type not in REVEALING for s in inside):
            assert not any(c in VALUE_ALPHABET for c in result.text[seg.out_start : seg.out_end])
