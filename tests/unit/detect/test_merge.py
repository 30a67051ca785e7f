import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from piimask.detect.merge import AllowList, add_where_free, merge_spans, remove_overlaps
from piimask.spans import Span

TEXT = "Card 4111 1111 1111 1111 at 12 Main St, Springfield 62704 ok"


def test_validated_pattern_beats_the_model_on_overlap() -> None:
    model = [Span(5, 24, "PHONE_NUMBER", 0.7, "model")]
    pattern = [Span(5, 24, "CREDIT_CARD", 1.0, "pattern:CREDIT_CARD")]
    assert merge_spans(TEXT, model, pattern) == pattern


def test_same_type_overlaps_are_unioned() -> None:
    model = [Span(5, 14, "CREDIT_CARD", 0.6, "model")]
    pattern = [Span(5, 24, "CREDIT_CARD", 1.0, "pattern:CREDIT_CARD")]
    (merged,) = merge_spans(TEXT, model, pattern)
    assert (merged.start, merged.end, merged.detector) == (5, 24, "pattern:CREDIT_CARD")


@pytest.mark.parametrize(
    ("text", "model", "pattern", "merged"),
    [
        # the model's span takes the sentence's full stop, the validated match does not
        ("mail jane@x.org. ok", (5, 17), (5, 16), (5, 16)),
        ("mail <jane@x.org> ok", (5, 17), (6, 16), (6, 16)),
        # letters or digits the model adds are kept
        ("mail jane@x.org.uk ok", (5, 18), (5, 15), (5, 18)),
        ("mail xjane@x.org ok", (5, 16), (6, 16), (5, 16)),
    ],
)
def test_model_punctuation_around_a_validated_match_is_not_kept(
    text: str, model: tuple[int, int], pattern: tuple[int, int], merged: tuple[int, int]
) -> None:
    (span,) = merge_spans(
        text,
        [Span(*model, "EMAIL_ADDRESS", 0.9, "model")],
        [Span(*pattern, "EMAIL_ADDRESS", 1.0, "pattern:EMAIL_ADDRESS")],
    )
    assert (span.start, span.end) == merged


def test_weak_pattern_inside_a_model_address_gives_way() -> None:
    model = [Span(28, 57, "STREET_ADDRESS", 0.9, "model")]
    pattern = [Span(52, 57, "ZIP_CODE", 0.85, "pattern:ZIP_CODE")]
    assert merge_spans(TEXT, model, pattern) == model


def test_model_span_partly_under_a_strong_pattern_keeps_its_free_part() -> None:
    model = [Span(0, 14, "PERSON", 0.5, "model")]
    pattern = [Span(5, 24, "CREDIT_CARD", 1.0, "pattern:CREDIT_CARD")]
    out = merge_spans(TEXT, model, pattern)
    assert [(s.start, s.end, s.entity_type) for s in out] == [
        (0, 5, "PERSON"),
        (5, 24, "CREDIT_CARD"),
    ]


spans_strategy = st.lists(
    st.builds(
        lambda a, n, t, sc: Span(a, a + n, t, sc, "model"),
        st.integers(0, 50),
        st.integers(1, 12),
        st.sampled_from(["PERSON", "LOCATION", "CREDIT_CARD", "ZIP_CODE"]),
        st.floats(0, 1),
    ),
    max_size=12,
)


@given(model=spans_strategy, patterns=spans_strategy)
def test_merged_spans_never_overlap_and_lose_no_pattern_character(
    model: list[Span], patterns: list[Span]
) -> None:
    text = "x" * 70
    merged = merge_spans(text, model, patterns)
    for a, b in itertools.pairwise(merged):
        assert a.end <= b.start
    covered = {i for s in merged for i in range(s.start, s.end)}
    for p in patterns:
        if p.entity_type not in {"ZIP_CODE"}:
            assert all(i in covered for i in range(p.start, p.end))


@given(spans=spans_strategy)
def test_remove_overlaps_keeps_every_character(spans: list[Span]) -> None:
    before = {i for s in spans for i in range(s.start, s.end)}
    out = remove_overlaps(spans)
    assert {i for s in out for i in range(s.start, s.end)} == before
    for a, b in itertools.pairwise(out):
        assert a.end <= b.start


def test_add_where_free_never_overrides() -> None:
    base = [Span(0, 5, "PERSON")]
    assert add_where_free(base, [Span(3, 8, "LOCATION"), Span(10, 12, "LOCATION")]) == [
        Span(0, 5, "PERSON"),
        Span(10, 12, "LOCATION"),
    ]


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("support@example.com", True),
        ("Acme Support", True),
        ("ACME-123", True),
        ("alex@gmail.com", False),
    ],
)
def test_allow_list_matches_exact_values_and_full_regexes(value: str, allowed: bool) -> None:
    allow = AllowList(exact={"support@example.com", "Acme Support"}, regexes=[r"ACME-\d+"])
    assert allow.allows(value) is allowed
