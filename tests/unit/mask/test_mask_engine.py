"""Masking one string: offsets, edges, overlaps, thresholds, allow lists, records."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from piimask.keys import KeyRing
from piimask.mask.engine import CompiledPolicy, MessageContext, mask_text
from piimask.mask.policy import Policy
from piimask.spans import Span

PolicyFactory = Callable[..., Policy]

REPLACE = {"operator": "replace"}


def run(
    text: str,
    spans: list[Span],
    make_policy: PolicyFactory,
    keyring: KeyRing,
    context: MessageContext | None = None,
    **policy: object,
) -> tuple[str, list[dict[str, object]]]:
    compiled = CompiledPolicy(make_policy(**policy))
    result = mask_text(text, spans, compiled, keyring, context=context)
    return result.text, [m.to_dict() for m in result.masks]


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        ("Ann", [Span(0, 3, "PERSON")], "<PERSON>"),  # the whole text
        ("Ann is here", [Span(0, 3, "PERSON")], "<PERSON> is here"),  # at the start
        ("here is Ann", [Span(8, 11, "PERSON")], "here is <PERSON>"),  # at the end
        ("AnnBob", [Span(0, 3, "PERSON"), Span(3, 6, "PERSON")], "<PERSON><PERSON>"),  # adjacent
        ("x Ann y", [Span(2, 2, "PERSON")], "x Ann y"),  # empty span: nothing to mask
        ("", [], ""),
        ("no pii", [], "no pii"),
        ("Zoë 👋🏽 José", [Span(0, 3, "PERSON"), Span(7, 11, "PERSON")], "<PERSON> 👋🏽 <PERSON>"),
        ("日本の田中さん", [Span(3, 5, "PERSON")], "日本の<PERSON>さん"),
        (
            "b Bob a Ann",
            [Span(8, 11, "PERSON"), Span(2, 5, "PERSON")],  # unsorted input
            "b <PERSON> a <PERSON>",
        ),
    ],
)
def test_spans_are_replaced_at_their_code_point_offsets(
    make_policy: PolicyFactory, keyring: KeyRing, text: str, spans: list[Span], expected: str
) -> None:
    masked, _ = run(text, spans, make_policy, keyring, PERSON=REPLACE)
    assert masked == expected


def test_nested_spans_merge_into_one_region_masked_by_the_stronger_rule(
    make_policy: PolicyFactory, keyring: KeyRing
) -> None:
    text = "mail ann.lee@x.com now"
    spans = [Span(5, 18, "EMAIL_ADDRESS", 0.9), Span(5, 12, "PERSON", 0.99)]
    masked, records = run(
        text,
        spans,
        make_policy,
        keyring,
        EMAIL_ADDRESS={"operator": "mask"},
        PERSON={"operator": "replace"},
    )
    assert masked == "mail <PERSON> now"  # replace is less revealing than mask
    assert len(records) == 1
    assert records[0]["start"] == 5
    assert records[0]["end"] == 18
    assert records[0]["entity_type"] == "PERSON"
    assert records[0]["score"] == 0.99


def test_partly_overlapping_spans_are_masked_as_their_union(
    make_policy: PolicyFactory, keyring: KeyRing
) -> None:
    text = "acct 1234567890123 end"
    spans = [Span(5, 14, "US_BANK_NUMBER"), Span(9, 18, "CREDIT_CARD")]
    masked, records = run(
        text,
        spans,
        make_policy,
        keyring,
        US_BANK_NUMBER={"operator": "encrypt"},
        CREDIT_CARD={"operator": "mask", "params": {"keep_last": 4}},
    )
    assert re.fullmatch(r"acct <enc:US_BANK_NUMBER:k1:[\w-]+> end", masked)
    assert [(r["start"], r["end"], r["operator"]) for r in records] == [(5, 18, "encrypt")]


def test_keep_span_overlapping_a_masked_span_is_masked_too(
    make_policy: PolicyFactory, keyring: KeyRing
) -> None:
    text = "on 2024-01-02 Ann"
    spans = [Span(3, 13, "DATE_TIME"), Span(8, 17, "PERSON")]
    masked, records = run(
        text, spans, make_policy, keyring, DATE_TIME={"operator": "keep"}, PERSON=REPLACE
    )
    assert masked == "on <PERSON>"
    assert records[0]["masked"] is True


def test_keep_leaves_the_value_but_records_it(make_policy: PolicyFactory, keyring: KeyRing) -> None:
    masked, records = run(
        "on Monday",
        [Span(3, 9, "DATE_TIME", 0.8)],
        make_policy,
        keyring,
        DATE_TIME={"operator": "keep"},
    )
    assert masked == "on Monday"
    assert records == [
        {
            "entity_type": "DATE_TIME",
            "start": 3,
            "end": 9,
            "field": None,
            "operator": "keep",
            "score": 0.8,
            "detector": "model",
            "masked": False,
            "reason": "keep",
            "key_id": None,
            "fingerprint": keyring.fingerprint("Monday"),
        }
    ]


def test_span_below_its_min_score_is_not_masked_and_says_why(
    make_policy: PolicyFactory, keyring: KeyRing
) -> None:
    spans = [Span(0, 3, "PERSON", 0.4), Span(8, 11, "PERSON", 0.6)]
    masked, records = run(
        "Ann and Bob", spans, make_policy, keyring, PERSON={"operator": "replace", "min_score": 0.5}
    )
    assert masked == "Ann and <PERSON>"
    assert [(r["masked"], r["reason"]) for r in records] == [
        (False, "below_threshold"),
        (True, None),
    ]


def test_default_min_score_applies_to_entities_without_their_own(
    make_policy: PolicyFactory, keyring: KeyRing
) -> None:
    masked, _ = run(
        "Ann 10.0.0.1",
        [Span(0, 3, "PERSON", 0.6), Span(4, 12, "IP_ADDRESS", 0.6)],
        make_policy,
        keyring,
        default={"operator": "redact", "min_score": 0.7},
        PERSON={"operator": "replace", "min_score": 0.5},
        IP_ADDRESS={"operator": "redact"},
    )
    assert masked == "<PERSON> 10.0.0.1"


@pytest.mark.parametrize(
    ("allow", "value_masked"),
    [
        ({"values": ["support@example.com"]}, False),
        ({"patterns": [r".*@example\.com"]}, False),
        ({"patterns": [r"support"]}, True),  # regexes must match the whole value
        ({"values": ["SUPPORT@example.com"]}, True),  # exact means exact
        ({}, True),
    ],
)
def test_allow_listed_values_are_never_masked(
    make_policy: PolicyFactory, keyring: KeyRing, allow: dict[str, list[str]], value_masked: bool
) -> None:
    text = "write to support@example.com"
    masked, records = run(
        text,
        [Span(9, 28, "EMAIL_ADDRESS")],
        make_policy,
        keyring,
        allow=allow,
        EMAIL_ADDRESS=REPLACE,
    )
    assert (masked == "write to <EMAIL_ADDRESS>") is value_masked
    assert records[0]["reason"] == (None if value_masked else "allow_list")


def test_numbered_tags_are_consistent_within_a_message(
    make_policy: PolicyFactory, keyring: KeyRing
) -> None:
    text = "Ann met Bob; ann left Bob"
    spans = [
        Span(0, 3, "PERSON"),
        Span(8, 11, "PERSON"),
        Span(13, 16, "PERSON"),
        Span(22, 25, "PERSON"),
    ]
    masked, _ = run(
        text,
        spans,
        make_policy,
        keyring,
        PERSON={"operator": "replace", "params": {"numbered": True}},
    )
    assert masked == "<PERSON_1> met <PERSON_2>; <PERSON_1> left <PERSON_2>"


def test_numbering_is_per_entity_type_and_shared_through_the_context(
    make_policy: PolicyFactory, keyring: KeyRing
) -> None:
    numbered = {"operator": "replace", "params": {"numbered": True}}
    context = MessageContext()
    first, _ = run(
        "Ann in Paris",
        [Span(0, 3, "PERSON"), Span(7, 12, "LOCATION")],
        make_policy,
        keyring,
        context,
        PERSON=numbered,
        LOCATION=numbered,
    )
    second, _ = run(
        "Bob and Ann",
        [Span(0, 3, "PERSON"), Span(8, 11, "PERSON")],
        make_policy,
        keyring,
        context,
        PERSON=numbered,
    )
    assert first == "<PERSON_1> in <LOCATION_1>"
    assert second == "<PERSON_2> and <PERSON_1>"


def test_records_carry_key_id_only_when_a_key_was_used(
    make_policy: PolicyFactory, keyring: KeyRing
) -> None:
    text = "a@b.co 1.2.3.4 Ann"
    spans = [
        Span(0, 6, "EMAIL_ADDRESS"),
        Span(7, 14, "IP_ADDRESS", detector="pattern:IP"),
        Span(15, 18, "PERSON"),
    ]
    _, records = run(
        text,
        spans,
        make_policy,
        keyring,
        EMAIL_ADDRESS={"operator": "hash"},
        IP_ADDRESS={"operator": "encrypt"},
        PERSON={"operator": "pseudonymize"},
        default={"operator": "mask"},
    )
    assert [(r["operator"], r["key_id"], r["detector"]) for r in records] == [
        ("hash", "k1", "model"),
        ("encrypt", "k1", "pattern:IP"),
        ("pseudonymize", "k1", "model"),
    ]


def test_records_never_contain_the_value(make_policy: PolicyFactory, keyring: KeyRing) -> None:
    _, records = run("Ann Lee here", [Span(0, 7, "PERSON")], make_policy, keyring, PERSON=REPLACE)
    assert "Ann" not in repr(records)
    assert records[0]["fingerprint"] == keyring.fingerprint("Ann Lee")


def test_span_outside_the_text_is_an_error_not_a_guess(
    make_policy: PolicyFactory, keyring: KeyRing
) -> None:
    with pytest.raises(ValueError, match=r"span \[2, 9\) is outside the text \(length 3\)"):
        run("Ann", [Span(2, 9, "PERSON")], make_policy, keyring, PERSON=REPLACE)


def test_replacement_equal_to_the_value_is_dropped(
    make_policy: PolicyFactory, keyring: KeyRing
) -> None:
    masked, records = run(
        "x *** y", [Span(2, 5, "PERSON")], make_policy, keyring, PERSON={"operator": "mask"}
    )
    assert masked == "x  y"
    assert records[0]["masked"] is True


def test_unknown_entity_type_uses_the_default_rule(
    make_policy: PolicyFactory, keyring: KeyRing
) -> None:
    masked, records = run("id AB-12", [Span(3, 8, "BADGE_ID")], make_policy, keyring)
    assert masked == "id <BADGE_ID>"
    assert records[0]["operator"] == "replace"


def test_between_overlapping_mask_rules_the_one_keeping_less_wins(
    make_policy: PolicyFactory, keyring: KeyRing
) -> None:
    text = "4111111111111234"
    spans = [Span(0, 16, "CREDIT_CARD", 0.99), Span(0, 16, "US_BANK_NUMBER", 0.5)]
    masked, _ = run(
        text,
        spans,
        make_policy,
        keyring,
        CREDIT_CARD={"operator": "mask", "params": {"keep_last": 4}},
        US_BANK_NUMBER={"operator": "mask"},
    )
    assert masked == "*" * 16
