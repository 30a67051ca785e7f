"""Field-aware JSON scanning: each value judged with its key path (json.field_names, fields)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from piimask.detect.field_names import KeyHint
from piimask.keys import KeyRing
from piimask.mask import MessageMasker, Policy
from piimask.mask.fields import FieldPlan, filter_spans, phone_shaped, plan_field, value_shape
from piimask.spans import Span

PolicyFactory = Callable[..., Policy]
UNKNOWN = KeyHint("unknown")
NON_PII = KeyHint("non_pii")
EVENT_TIME = KeyHint("event_time")
FREE_TEXT = KeyHint("free_text")


@pytest.mark.parametrize(
    ("text", "is_number", "shape"),
    [
        ("2", True, "number"),
        ("94107", False, "code"),
        ("+1 415 555 0100", False, "code"),
        ("2026-01-05 10:00:00", False, "code"),
        ("SKU-1234", False, "token"),
        ("2026-01-05T10:00:00Z", False, "token"),
        ("Jane Doe", False, "phrase"),
        ("Customer asked us to call back", False, "text"),
        ("x" * 101, False, "text"),
        ("sha256:" + "ab" * 32, False, "token"),
    ],
)
def test_value_shapes(text: str, is_number: bool, shape: str) -> None:
    assert value_shape(text, is_number=is_number) == shape


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+14155550100", True),
        ("(415) 555-0100", True),
        ("415-555-0100 x123", True),
        ("4155550100", False),  # bare digits: an id or a time as much as a phone
        ("1.2", False),
        ("2026", False),
    ],
)
def test_phone_shape_needs_a_plus_or_separators(text: str, expected: bool) -> None:
    assert phone_shaped(text) is expected


@pytest.mark.parametrize(
    ("text", "is_number", "hint", "plan"),
    [
        ("94107", False, KeyHint("pii", "ZIP_CODE"), FieldPlan("whole", "ZIP_CODE")),
        ("2", True, KeyHint("pii", "ZIP_CODE"), FieldPlan("whole", "ZIP_CODE")),
        ("n/a", False, KeyHint("pii", "EMAIL_ADDRESS"), FieldPlan("skip")),
        ("2", True, NON_PII, FieldPlan("skip")),
        ("1732700000", True, EVENT_TIME, FieldPlan("skip")),
        ("SKU-1234", False, NON_PII, FieldPlan("validated")),
        ("48213", True, UNKNOWN, FieldPlan("validated")),
        ("(415) 555-0100", False, UNKNOWN, FieldPlan("validated", phone=True)),
        ("4155550100", True, UNKNOWN, FieldPlan("validated")),
        ("4155550100", True, KeyHint("pii", "PHONE_NUMBER", decides=False), None),
        ("a1b2c3d4e5", False, UNKNOWN, FieldPlan("validated")),
        ("Back-off restarting failed container", False, NON_PII, FieldPlan("full")),
        ("hi", False, FREE_TEXT, FieldPlan("full")),
    ],
)
def test_plan_field_by_key_and_value_shape(
    text: str, is_number: bool, hint: KeyHint, plan: FieldPlan | None
) -> None:
    got = plan_field(("k",), text, is_number=is_number, hint=hint)
    if plan is None:  # a suggested phone: validated patterns, phones kept
        assert got == FieldPlan("validated", "PHONE_NUMBER", phone=True)
    else:
        assert got == plan


def test_a_phrase_under_an_unknown_key_keeps_model_words_only() -> None:
    plan = plan_field(("assigned_to",), "Jane Doe", is_number=False, hint=UNKNOWN)
    assert plan.mode == "full"
    assert plan.model_types is not None
    assert "PERSON" in plan.model_types
    assert "DRIVER_LICENSE" not in plan.model_types


def spans(*items: tuple[int, int, str, str]) -> list[Span]:
    return [Span(s, e, t, 0.9, d) for s, e, t, d in items]


@pytest.mark.parametrize(
    ("plan", "value", "found", "kept"),
    [
        (  # the model alone never masks a bare number
            FieldPlan("validated"),
            "48213",
            spans((0, 5, "ZIP_CODE", "model")),
            [],
        ),
        (  # a Luhn-checked card number does
            FieldPlan("validated"),
            "4111111111111111",
            spans((0, 16, "CREDIT_CARD", "pattern:CREDIT_CARD")),
            ["CREDIT_CARD"],
        ),
        (  # a phone match counts only where the key or the shape says phone
            FieldPlan("validated"),
            "4155550100",
            spans((0, 10, "PHONE_NUMBER", "pattern:PHONE_NUMBER")),
            [],
        ),
        (
            FieldPlan("validated", phone=True),
            "(415) 555-0100",
            spans((0, 14, "PHONE_NUMBER", "pattern:PHONE_NUMBER")),
            ["PHONE_NUMBER"],
        ),
        (  # unvalidated patterns (dates, zip codes) do not mask a code either
            FieldPlan("validated"),
            "2026-01-05",
            spans((0, 10, "DATE_TIME", "pattern:DATE_TIME")),
            [],
        ),
        (  # agreement with a pattern counts as validated
            FieldPlan("validated"),
            "470-32-4377",
            spans((0, 11, "US_SSN", "model+pattern:US_SSN")),
            ["US_SSN"],
        ),
        (  # words under an unknown key: names yes, an id guessed as a licence no
            FieldPlan("full", model_types=frozenset({"PERSON"})),
            "Jane X9",
            spans((0, 4, "PERSON", "model"), (5, 7, "DRIVER_LICENSE", "model")),
            ["PERSON"],
        ),
        (  # a lower-case word is not read as a name in a field value
            FieldPlan("full", model_types=frozenset({"PERSON"})),
            "trivy 0.50.1",
            spans((0, 5, "PERSON", "model")),
            [],
        ),
        (  # free text: everything the detector found
            FieldPlan("full"),
            "call 48213",
            spans((5, 10, "ZIP_CODE", "model")),
            ["ZIP_CODE"],
        ),
    ],
)
def test_filter_spans_keeps_what_the_plan_allows(
    plan: FieldPlan, value: str, found: list[Span], kept: list[str]
) -> None:
    assert [s.entity_type for s in filter_spans(plan, value, found)] == kept


# --- the masker ------------------------------------------------------------------------


class ModelGuesses:
    """A fake detector that, like the model on lone values, guesses at everything: each
    whole text is one span, a Luhn-valid card number a validated one."""

    def __call__(self, texts: Sequence[str]) -> list[list[Span]]:
        out: list[list[Span]] = []
        for text in texts:
            if text == "4111111111111111":
                out.append([Span(0, len(text), "CREDIT_CARD", 1.0, "pattern:CREDIT_CARD")])
            elif "@" in text:
                at = text.index("@")
                start = text.rfind(" ", 0, at) + 1
                end = text.find(" ", at)
                end = len(text) if end < 0 else end
                out.append([Span(start, end, "EMAIL_ADDRESS", 1.0, "pattern:EMAIL_ADDRESS")])
            else:
                out.append([Span(0, len(text), "TAX_ID", 0.7, "model")])
        return out


def mask(masker: MessageMasker, doc: object) -> Any:
    plan = masker.plan(json.dumps(doc))
    return masker.apply(plan, ModelGuesses()(plan.texts))


@pytest.fixture
def build(make_policy: PolicyFactory, keyring: KeyRing) -> Callable[..., MessageMasker]:
    def make(**policy: Any) -> MessageMasker:
        return MessageMasker(make_policy(**policy), keyring, message_format="json")

    return make


TELEMETRY = {
    "event": "purchase",
    "order_id": 48213,
    "qty": 2,
    "amount": 129.99,
    "status": 404,
    "duration_ms": 812,
    "ts": 1732700000,
    "retries": 3,
    "version": "3.1.4",
    "port": 8080,
    "sku": "SKU-1234",
    "region": "eu-west-1",
    "year": 1987,
}


def test_the_issue_event_comes_out_unchanged_even_when_the_model_guesses_at_every_value(
    build: Callable[..., MessageMasker],
) -> None:
    masked = mask(build(), TELEMETRY)
    assert masked.document == TELEMETRY
    assert masked.masks == []


def test_with_field_names_off_every_value_is_scanned_alone(
    build: Callable[..., MessageMasker],
) -> None:
    masked = mask(build(json={"field_names": False}), TELEMETRY)
    assert masked.document["qty"] == "<TAX_ID>"  # the old behaviour, for comparison


def test_keys_naming_pii_mask_the_value_whole_in_any_spelling(
    build: Callable[..., MessageMasker],
) -> None:
    doc = {
        "userEmail": "ann@example.com",
        "e_mail": "bob@example.com",
        "contact": {"phone_number": "+1 415 555 0100"},
        "user": {"name": "Ann Lee"},
        "zip": "94107",
        "qty": 2,
    }
    masked = mask(build(), doc)
    out = masked.document
    assert out["qty"] == 2
    assert out["zip"] == "<ZIP_CODE>"
    assert out["user"]["name"] == "<PERSON>"
    assert "@" not in out["userEmail"] + out["e_mail"]
    assert "555" not in out["contact"]["phone_number"]
    by_field = {m.field: m for m in masked.masks}
    assert by_field["$.zip"].detector == "field_name"
    assert by_field["$.userEmail"].entity_type == "EMAIL_ADDRESS"


def test_a_bare_number_under_an_unknown_key_is_masked_only_by_a_validated_pattern(
    build: Callable[..., MessageMasker],
) -> None:
    masked = mask(build(), {"x": 4111111111111111, "n": 48213})
    assert masked.document["n"] == 48213
    assert masked.document["x"] == "<CREDIT_CARD>"


def test_free_text_keeps_full_detection(build: Callable[..., MessageMasker]) -> None:
    masked = mask(build(), {"note": "write to ann@example.com please", "status": "ok"})
    assert masked.document == {"note": "write to <EMAIL_ADDRESS> please", "status": "ok"}


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("text", "<ZIP_CODE>"), ("null", None)],
)
def test_masked_numbers_text_or_null(
    build: Callable[..., MessageMasker], mode: str, expected: object
) -> None:
    masked = mask(build(json={"masked_numbers": mode}), {"zip": 94107})
    assert masked.document == {"zip": expected}


def test_masked_numbers_pseudonym_keeps_a_number_of_as_many_digits(
    build: Callable[..., MessageMasker],
) -> None:
    masker = build(json={"masked_numbers": "pseudonym"})
    first = mask(masker, {"zip": 94107, "card": 4111111111111111})
    again = mask(masker, {"zip": 94107})
    zip_code, card = first.document["zip"], first.document["card"]
    assert isinstance(zip_code, int)
    assert len(str(zip_code)) == 5
    assert zip_code != 94107
    assert isinstance(card, int)
    assert len(str(card)) == 16
    assert again.document["zip"] == zip_code  # deterministic under one key


def test_keep_leaves_a_number_a_number(build: Callable[..., MessageMasker]) -> None:
    masked = mask(build(ZIP_CODE={"operator": "keep"}), {"zip": 94107})
    assert masked.document == {"zip": 94107}


@pytest.mark.parametrize(
    ("rules", "doc", "expected"),
    [
        (  # force a type on keys the vocabulary does not know
            [{"key": "**.acct_ref", "entity_type": "US_BANK_NUMBER"}],
            {"a": {"acct_ref": "12345"}},
            {"a": {"acct_ref": "<US_BANK_NUMBER>"}},
        ),
        (  # ignore a key the vocabulary would mask
            [{"key": "email", "action": "ignore"}],
            {"email": "noreply@example.com"},
            {"email": "noreply@example.com"},
        ),
        (  # a parent path covers its members; globs within a key; case ignored
            [{"key": "Meta", "action": "ignore"}, {"key": "*.*_ref", "entity_type": "PASSPORT"}],
            {"meta": {"phone": "+1 415 555 0100"}, "doc": {"passport_ref": 7}},
            {"meta": {"phone": "+1 415 555 0100"}, "doc": {"passport_ref": "<PASSPORT>"}},
        ),
        (  # scan: full detection whatever the key says
            [{"key": "status", "action": "scan"}],
            {"status": "s1"},
            {"status": "<TAX_ID>"},
        ),
    ],
)
def test_json_fields_rules_force_ignore_or_scan(
    build: Callable[..., MessageMasker],
    rules: list[dict[str, str]],
    doc: dict[str, object],
    expected: dict[str, object],
) -> None:
    masked = mask(build(json={"fields": rules}), doc)
    assert masked.document == expected


def test_a_forced_type_is_recorded_as_the_policy_rule(build: Callable[..., MessageMasker]) -> None:
    masked = mask(build(json={"fields": [{"key": "x", "entity_type": "PASSPORT"}]}), {"x": "a"})
    assert [m.detector for m in masked.masks] == ["policy:fields"]


def test_known_field_names_as_keys_are_not_scanned(build: Callable[..., MessageMasker]) -> None:
    plan = build().plan(json.dumps({"PORT": 1, "Email": "x", "ann@example.com": 1}))
    assert plan.texts[len(plan.value_texts) :] == ["ann@example.com"]


def test_a_word_like_unknown_key_is_masked_only_by_a_validated_pattern(
    build: Callable[..., MessageMasker],
) -> None:
    masked = mask(build(), {"FreqMhz": 868.1})
    assert masked.document == {"FreqMhz": 868.1}
