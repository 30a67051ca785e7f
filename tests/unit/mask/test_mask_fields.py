"""Field-aware JSON scanning: each value judged with its key path (json.field_names, fields)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from piimask.detect.field_names import KeyHint, path_hint
from piimask.keys import KeyRing
from piimask.mask import MessageMasker, Policy
from piimask.mask.fields import (
    VALIDATED,
    FieldPlan,
    filter_spans,
    is_code_text,
    phone_shaped,
    plan_field,
    value_shape,
    written_as_full_name,
)
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
        ("001-711-510-0128x3482", True),  # the extension's digits are not counted
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
        ("94107", True, KeyHint("pii", "ZIP_CODE"), FieldPlan("whole", "ZIP_CODE")),
        ("n/a", False, KeyHint("pii", "EMAIL_ADDRESS"), FieldPlan("skip")),
        ("2", True, NON_PII, FieldPlan("skip")),
        ("1732700000", True, EVENT_TIME, FieldPlan("skip")),
        ("SKU-1234", False, NON_PII, FieldPlan("validated")),
        ("48213", True, UNKNOWN, FieldPlan("validated")),
        ("(415) 555-0100", False, UNKNOWN, FieldPlan("validated", phone=True)),
        ("4155550100", True, UNKNOWN, FieldPlan("validated")),
        ("4155550100", True, KeyHint("pii", "PHONE_NUMBER", decides=False), None),
        ("a1b2c3d4e5", False, UNKNOWN, FieldPlan("validated")),
        ("Back-off restarting failed container", False, NON_PII, FieldPlan("full", personal=False)),
        ("hi", False, FREE_TEXT, FieldPlan("full", free_text=True, personal=False)),
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
        (  # a phone written with its "+" country code counts under any key
            FieldPlan("validated"),
            "+234 809 555 0144",
            spans((0, 17, "PHONE_NUMBER", "pattern:PHONE_NUMBER")),
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
            FieldPlan("full", free_text=True),
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


# --- model guesses in machine values and code lines -------------------------------------

MACHINE = FieldPlan("full")  # a text under a key that does not name prose
PROSE = FieldPlan("full", free_text=True)  # note, message, comment


def model(start: int, end: int, entity_type: str) -> tuple[int, int, str, str]:
    return (start, end, entity_type, "model")


def span_of(value: str, part: str, entity_type: str, detector: str = "model") -> Span:
    start = value.index(part)
    return Span(start, start + len(part), entity_type, 0.9, detector)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KSFO 261956Z 00922KT 10SM FEW043 19/17 A2994", True),
        ("HUB 12", True),
        ("AISLE 4 BAY 27 LEVEL C", True),
        ("AAXX 26124 72494 32970", True),
        ("CALL JOHN SMITH AT 415-555-0132", True),
        ("JOHN SMITH", False),  # no digit: words in capitals, not a code
        ("Readiness probe failed with statuscode: 504", False),
        ("peer AS47255 session Down", False),
    ],
)
def test_a_code_line_is_written_in_capitals_and_digits(text: str, expected: bool) -> None:
    assert is_code_text(text) is expected


# PII-free machine output: the model's guesses on it are dropped.
PII_FREE_GUESSES = [
    (MACHINE, "KSFO 261956Z 00922KT 10SM FEW043 19/17 A2994", "261956Z", "GOVERNMENT_ID"),
    (MACHINE, "KSFO 261956Z 00922KT 10SM FEW043 19/17 A2994", "A2994", "DRIVER_LICENSE"),
    (MACHINE, "KJFK 191056Z 02022KT 10SM FEW023", "02022KT", "ZIP_CODE"),
    (PROSE, "EGLL 102256Z 03112KT 10SM FEW028 21/13 A2989", "10SM FEW028", "DRIVER_LICENSE"),
    (MACHINE, "HUB 12", "HUB 12", "STREET_ADDRESS"),
    (MACHINE, "DOCK 7", "DOCK 7", "STREET_ADDRESS"),
    (MACHINE, "MEZZ 2 ROW 30", "MEZZ 2 ROW 30", "STREET_ADDRESS"),  # ROW, but no house number
    (MACHINE, "AISLE 35 BAY 27 LEVEL C", "AISLE 35 BAY 27", "STREET_ADDRESS"),
    (PROSE, "Readiness probe failed with statuscode: 504", "504", "STREET_ADDRESS"),
    (PROSE, "Successfully assigned pod to node pool-8", "node pool-8", "STREET_ADDRESS"),
    (
        MACHINE,
        "Mozilla/5.0 (KHTML, like Gecko) Chrome/124.0",
        "(KHTML, like Gecko)",
        "STREET_ADDRESS",
    ),
    (MACHINE, "HTTP/1.1 503 Service Unavailable", "1 503", "STREET_ADDRESS"),
    (MACHINE, "3 retries left", "3 retries left", "STREET_ADDRESS"),
    (MACHINE, "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", "6338 CPU", "STREET_ADDRESS"),
    (MACHINE, "Unit 4471 Trailer 22", "Unit 4471 Trailer 22", "STREET_ADDRESS"),  # unit word
    (MACHINE, "Row 12 Seat 4", "Row 12 Seat 4", "STREET_ADDRESS"),  # a street word, no name
    (PROSE, "Clear 22C", "Clear 22C", "STREET_ADDRESS"),  # a capital is no street
    (MACHINE, "AMD EPYC 7763 64-Core Processor", "AMD EPYC", "PERSON"),  # an acronym
    (MACHINE, "Zebra ZT410 203dpi", "Zebra ZT410", "PERSON"),  # a model name with digits
    (MACHINE, "%BGP-5-ADJCHANGE: peer AS47255 session Down", "AS47255", "GOVERNMENT_ID"),
    (MACHINE, "build 4f3a2c1 deployed to prod", "4f3a2c1", "PASSPORT"),
    (MACHINE, "job 8812345 took 41 s", "8812345", "US_BANK_NUMBER"),
    (MACHINE, "retry 3 after 4155550 ms", "4155550", "PHONE_NUMBER"),
    (MACHINE, "AAXX 09124 40388 49440 30937 17573", "40388 49440", "PHONE_NUMBER"),
    (MACHINE, "copied 94107 files to the cache", "94107", "ZIP_CODE"),
    (MACHINE, "AAXX 26124 72494 32970", "AAXX", "PERSON"),  # one short code is no name
    (MACHINE, "AISLE 37 BAY 34 LEVEL B", "AISLE", "PERSON"),  # one word is no person
    (MACHINE, "AISLE 37 BAY 34 LEVEL B", "AISLE", "LOCATION"),  # nor a place alone
    (MACHINE, "TAF AMD 261720Z P6SM SCT037 BKN100", "P6SM SCT037 BKN100", "LOCATION"),
    (MACHINE, "KSFO 261956Z 00922KT", "261956Z", "DATE_TIME"),  # a day-time group
    (MACHINE, "RACK 5 U24 PDU", "RACK 5 U24 PDU", "ORGANIZATION"),
    (FieldPlan("full", "PERSON"), "bert-base-ft-7", "bert-base", "PERSON"),  # a slug
]


def test_a_lone_place_in_a_code_line_stays_beside_a_zip_code_and_a_state() -> None:
    value = "SHIP TO SPRINGFIELD IL 62704"
    found = [span_of(value, "SPRINGFIELD", "LOCATION"), span_of(value, "62704", "ZIP_CODE")]
    assert filter_spans(MACHINE, value, found) == found
    alone = [span_of(value, "SPRINGFIELD", "LOCATION")]
    assert filter_spans(MACHINE, value, alone) == []


def test_zip_guesses_in_a_report_of_digit_groups_are_dropped_with_their_neighbours() -> None:
    value = "AAXX 17184 68302 96501 74047"
    found = [
        span_of(value, "AAXX", "LOCATION"),
        span_of(value, "68302", "ZIP_CODE"),
        span_of(value, "17184 68302 96501", "ZIP_CODE"),
    ]
    assert filter_spans(MACHINE, value, found) == []


# Validated matches that are not what they look like in machine output.
PII_FREE_MATCHES = [
    (MACHINE, "A2064/26 NOTAMN A) EGLL B) 2607041200 E) RWY 31 CLSD", "2607041200", "PHONE_NUMBER"),
    (MACHINE, "groups 40388 49440 30937", "40388 49440", "PHONE_NUMBER"),
]


@pytest.mark.parametrize(("plan", "value", "part", "entity_type"), PII_FREE_MATCHES)
def test_phone_matches_in_machine_output_must_be_written_as_phone_numbers(
    plan: FieldPlan, value: str, part: str, entity_type: str
) -> None:
    found = [span_of(value, part, entity_type, f"pattern:{entity_type}")]
    assert filter_spans(plan, value, found) == []


@pytest.mark.parametrize(("plan", "value", "part", "entity_type"), PII_FREE_GUESSES)
def test_unsupported_model_guesses_in_machine_values_are_dropped(
    plan: FieldPlan, value: str, part: str, entity_type: str
) -> None:
    assert filter_spans(plan, value, [span_of(value, part, entity_type)]) == []


# PII in machine output, code lines and free text: still masked.
PII_GUESSES = [
    (MACHINE, "deliver to 42 Oak St after 5pm", "42 Oak St", "STREET_ADDRESS", "model"),
    (MACHINE, "left at 42 Oak", "42 Oak", "STREET_ADDRESS", "model"),
    (
        MACHINE,
        "left at 64738 Frank Brooks Apt. 103.",
        "64738 Frank Brooks Apt. 103",
        "STREET_ADDRESS",
        "model",
    ),
    (MACHINE, "moved to Savile Row", "Savile Row", "STREET_ADDRESS", "model"),
    (MACHINE, "Lieferung an Kerkstraat 12", "Kerkstraat 12", "STREET_ADDRESS", "model"),
    (PROSE, "apt 3, then Springfield", "apt 3", "STREET_ADDRESS", "model"),
    (PROSE, "left at 42 oak", "42 oak", "STREET_ADDRESS", "model"),
    (MACHINE, "PARCEL LEFT AT 42 OAK ST", "42 OAK ST", "STREET_ADDRESS", "model"),
    (
        PROSE,
        "Parcel left with neighbour at 883 Hillside Knolls.",
        "883 Hillside Knolls",
        "STREET_ADDRESS",
        "model",
    ),
    (PROSE, "moved to Hauptstraße 5 last week", "Hauptstraße 5", "STREET_ADDRESS", "model"),
    (FieldPlan("full", "STREET_ADDRESS"), "Suite 12", "Suite 12", "STREET_ADDRESS", "model"),
    (MACHINE, "CALL JOHN SMITH AT 415-555-0132", "JOHN SMITH", "PERSON", "model"),
    (MACHINE, "CALL JOHN SMITH AT 415-555-0132", "415-555-0132", "PHONE_NUMBER", "model"),
    (PROSE, "CALL ANN AT 4155550132", "4155550132", "PHONE_NUMBER", "pattern:PHONE_NUMBER"),
    (
        MACHINE,
        "callback +1 415 555 0132 asap",
        "+1 415 555 0132",
        "PHONE_NUMBER",
        "pattern:PHONE_NUMBER",
    ),
    (
        MACHINE,
        "please call me at 4155550132 tonight",
        "4155550132",
        "PHONE_NUMBER",
        "pattern:PHONE_NUMBER",
    ),
    (
        FieldPlan("full", "PHONE_NUMBER"),
        "home 4155550132",
        "4155550132",
        "PHONE_NUMBER",
        "pattern:PHONE_NUMBER",
    ),
    (MACHINE, "SHIP TO SAN JOSE", "SAN JOSE", "LOCATION", "model"),
    (MACHINE, "SHIP TO SPRINGFIELD IL 62704", "62704", "ZIP_CODE", "model"),
    (MACHINE, "PAX SMITH/JOHN SEAT 12A", "SMITH/JOHN", "PERSON", "model"),
    (MACHINE, "PT DOB 03/12/1985 WARD 3B", "03/12/1985", "DATE_TIME", "model"),
    (MACHINE, "ACCT 12345678 CLOSED", "12345678", "US_BANK_NUMBER", "model"),
    (MACHINE, "passport X1234567 scanned at gate 4", "X1234567", "PASSPORT", "model"),
    (
        MACHINE,
        "KSFO 261956Z 4111111111111111",
        "4111111111111111",
        "CREDIT_CARD",
        "pattern:CREDIT_CARD",
    ),
    (MACHINE, "user Ann Lee logged in from 3 devices", "Ann Lee", "PERSON", "model"),
    (PROSE, "my licence is D1234567, thanks", "D1234567", "DRIVER_LICENSE", "model"),
    (PROSE, "call me on 4155550132", "4155550132", "PHONE_NUMBER", "model"),
    (FieldPlan("full", "PERSON"), "Ann Lee", "Ann Lee", "PERSON", "model"),
]


@pytest.mark.parametrize(("plan", "value", "part", "entity_type", "detector"), PII_GUESSES)
def test_supported_guesses_and_validated_matches_stay(
    plan: FieldPlan, value: str, part: str, entity_type: str, detector: str
) -> None:
    found = [span_of(value, part, entity_type, detector)]
    assert filter_spans(plan, value, found) == found


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


# --- values a key names as PII that are not written as that PII ------------------------

PERSON_KEY = KeyHint("pii", "PERSON")
STREET_KEY = KeyHint("pii", "STREET_ADDRESS")
PLACE_KEY = KeyHint("pii", "LOCATION")


@pytest.mark.parametrize(
    ("path", "text", "is_number", "hint"),
    [
        (("user", "logins"), "5", True, KeyHint("pii", "USERNAME")),  # a count of logins
        (("author", "name"), "renovate[bot]", False, PERSON_KEY),  # an app's account
        (("dev_addr",), "260B1C2D", False, STREET_KEY),  # a LoRaWAN device address
        (("crash", "address"), "0x0000000000000010", False, STREET_KEY),
        (("address", "country"), "IN", False, PLACE_KEY),  # a country code
        (("billing", "country_code"), "USA", False, PLACE_KEY),
        # a count under an e-mail-named key, a service's account, a slug under a name key
        (("opened_by_email",), "14", True, KeyHint("pii", "EMAIL_ADDRESS")),
        (("actor", "login"), "release-bot", False, KeyHint("pii", "USERNAME")),
        (("job", "username"), "svc-billing", False, KeyHint("pii", "USERNAME")),
        (("channel", "displayName"), "oncall-2027-03-payments", False, PERSON_KEY),
        # a name with a word of digits names a thing; a name with a word of an integration
        (("listing", "display_name"), "Harbor Loft 2", False, PERSON_KEY),
        (("target", "displayName"), "Ledger Sync", False, PERSON_KEY),
        # one token under a street key that is no house number: a memory address
        (("dev", "address"), "0x7ffd5e2a", False, STREET_KEY),
        # a registered company's name, its legal form at the end
        (("payer", "name"), "Kona Reef Charters LLC", False, PERSON_KEY),
        (("owner", "name"), "Nordvarme AS", False, PERSON_KEY),
        (("customer", "name"), "Acme, Inc.", False, PERSON_KEY),
        # a CI job's account
        (("_npmUser", "name"), "ci-publisher", False, PERSON_KEY),
        # an institution; a value already pseudonymised; a call in code
        (("performer", "display"), "St Mary's Hospital ED", False, PERSON_KEY),
        (
            ("data", "username"),
            "hmac-sha256:2a3b4c5d6e7f80918293a4b5c6d7e8f9",
            False,
            KeyHint("pii", "USERNAME"),
        ),
        (("node", "displayName"), "materialize(12:shard=12)", False, PERSON_KEY),
        # a flag written as a string under a network's key
        (("share", "twitter"), "true", False, KeyHint("pii", "USERNAME")),
        # a vendor's code under an account key
        (("Vendor", "AcctNum"), "CONTRACTOR-0118", False, KeyHint("pii", "US_BANK_NUMBER")),
    ],
)
def test_a_value_not_written_as_its_keys_type_is_not_masked_whole(
    path: tuple[str, ...], text: str, is_number: bool, hint: KeyHint
) -> None:
    assert plan_field(path, text, is_number=is_number, hint=hint).mode != "whole"


@pytest.mark.parametrize(
    ("path", "text", "hint"),
    [
        (("author", "name"), "Daniela Ferreira", PERSON_KEY),
        (("user", "login"), "kwame-osei", KeyHint("pii", "USERNAME")),
        (("address", "line1"), "14 rue des Martyrs", STREET_KEY),
        (("address", "line1"), "1180 Burrard St,Unit 1204", STREET_KEY),
        (("address", "country"), "France", PLACE_KEY),  # a country name under an address
        (("address", "state"), "TX", PLACE_KEY),  # a state code identifies more
        (("owner", "displayName"), "mary-jane", PERSON_KEY),  # two parts: a name still
        (("identity", "claims", "name"), "Tomasz Wrona", None),  # an ID token's subject
        # a house's or a flat's number is one short token
        (("address", "house_number"), "27B", None),
        (("billingAddress", "houseNumberOrName"), "118", None),
        (("address", "unit"), "4C", None),
        (("streetNumber",), "17-19", None),
        (("owner", "displayName"), "Jarrah Whitfield", PERSON_KEY),
    ],
)
def test_pii_written_as_its_keys_type_is_still_masked_whole(
    path: tuple[str, ...], text: str, hint: KeyHint | None
) -> None:
    hint = hint if hint is not None else path_hint(path)
    assert plan_field(path, text, is_number=False, hint=hint).mode == "whole"


IMAGE = "europe-docker.pkg.dev/acme-prod/search/api@sha256:" + "9a8b7c6d" * 8


def test_one_long_token_under_an_id_or_image_key_is_validated_only() -> None:
    assert plan_field(("imageID",), IMAGE, is_number=False, hint=NON_PII) == FieldPlan("validated")
    assert plan_field(("note",), "x " * 60, is_number=False, hint=FREE_TEXT).mode == "full"


@pytest.mark.parametrize("key", ["message_id", "Message-ID", "messageId", "msg_id", "smtp-id"])
def test_a_message_id_is_no_mailbox(key: str) -> None:
    value = "<20261129200210.4f3a@comms.acme.example>"
    plan = plan_field((key,), value, is_number=False, hint=NON_PII)
    assert (
        filter_spans(
            plan, value, [span_of(value, value[1:-1], "EMAIL_ADDRESS", "pattern:EMAIL_ADDRESS")]
        )
        == []
    )


def test_an_address_under_another_id_key_is_still_masked() -> None:
    value = "jane.doe@example.com"
    plan = plan_field(("request_id",), value, is_number=False, hint=NON_PII)
    found = [span_of(value, value, "EMAIL_ADDRESS", "pattern:EMAIL_ADDRESS")]
    assert filter_spans(plan, value, found) == found


# --- model guesses written as code, in any JSON string (free text too) -----------------

CODE_GUESSES = [
    (PROSE, "KubeletReady", "KubeletReady", "PERSON"),  # a condition reason, PascalCase
    (
        PROSE,
        "use-after-free in xmlSchemaIDCFillNodeTables",
        "xmlSchemaIDCFillNodeTables",
        "LOCATION",
    ),
    (PROSE, "GC (Allocation Failure)", "GC", "PERSON"),  # an acronym in a mixed-case value
    (PROSE, "kubelet has disk pressure", "kubelet", "PERSON"),  # lower case, no given name
    (MACHINE, "kubelet is posting ready status. AppArmor enabled", "kubelet", "PERSON"),
    (PROSE, "E11000 duplicate key error collection", "E11000", "DRIVER_LICENSE"),  # no id word
    (PROSE, "Commits: 6a7b8c9 html: fix parsing", "6a7b8c9", "DRIVER_LICENSE"),
    (PROSE, "GET session:8f1e2d", "8f1e2d", "PASSPORT"),
    (PROSE, "licence check of build 4f3a2c1d failed", "4f3a2c1d", "DRIVER_LICENSE"),  # a digest
]


@pytest.mark.parametrize(("plan", "value", "part", "entity_type"), CODE_GUESSES)
def test_model_guesses_written_as_code_are_dropped(
    plan: FieldPlan, value: str, part: str, entity_type: str
) -> None:
    assert filter_spans(plan, value, [span_of(value, part, entity_type)]) == []


NOT_CODE_GUESSES = [
    (PROSE, "thanks lars for the quick rollback", "lars", "PERSON"),  # a known given name
    (PROSE, "Call Kate Thompson back", "Kate Thompson", "PERSON"),
    (PROSE, "ticket from McDonald about the refund", "McDonald", "PERSON"),  # a short hump
    (PROSE, "moved to NY last spring", "NY", "LOCATION"),  # places keep their acronyms
    (PROSE, "my licence is D1234567", "D1234567", "DRIVER_LICENSE"),
    (PROSE, "passport no. X12345678 expires soon", "X12345678", "PASSPORT"),
    (FieldPlan("full", "PERSON"), "KubeletReady", "KubeletReady", "PERSON"),  # the key's type
]


@pytest.mark.parametrize(("plan", "value", "part", "entity_type"), NOT_CODE_GUESSES)
def test_names_and_documents_written_as_people_write_them_stay(
    plan: FieldPlan, value: str, part: str, entity_type: str
) -> None:
    found = [span_of(value, part, entity_type)]
    assert filter_spans(plan, value, found) == found


@pytest.mark.parametrize(
    ("path", "text", "plan"),
    [
        (("reviewed_by",), "a.ferreira", FieldPlan("whole", "USERNAME")),
        (("mergedBy",), "tk_nakamura", FieldPlan("whole", "USERNAME")),
        # a service or a bot under an actor key is left to detection
        (
            ("triggered_by",),
            "nightly-cron",
            FieldPlan("full", "PERSON", model_types=frozenset({"PERSON"}), personal=False),
        ),
        # a system's own account is no person's: validated patterns only
        (("triggered_by",), "scheduler", FieldPlan("validated")),
    ],
)
def test_an_actor_written_as_a_persons_login_is_masked_whole(
    path: tuple[str, ...], text: str, plan: FieldPlan
) -> None:
    from piimask.detect.field_names import path_hint

    assert plan_field(path, text, is_number=False, hint=path_hint(path)) == plan


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (
            "https://shop.example/track?email=li.wei%40mail.example&lang=en",
            ["li.wei%40mail.example"],
        ),
        ("/api/v2/lookup?phone=%2B44+20+7946+0958&page=3", ["%2B44+20+7946+0958"]),
        ("https://geo.example/v1?street_address=221B+Baker+Street&fmt=json", ["221B+Baker+Street"]),
        # harmless parameters and placeholders stay
        ("https://docs.example/search?q=retry&page=2&utm_medium=email", []),
        ("https://api.example/v1?email=REDACTED&limit=10", []),
        ("https://geo.example/v1?address=0x7ffe&fmt=json", []),  # one token: no street
    ],
)
def test_query_parameters_named_as_pii_are_masked_in_a_url(value: str, masked: list[str]) -> None:
    found = filter_spans(FieldPlan("validated"), value, [])
    assert [value[s.start : s.end] for s in found] == masked


@pytest.mark.parametrize(
    ("value", "guess", "handle"),
    [
        ("ping me on discord moonfox#0921 tonight", "discord moonfox#0921", "moonfox#0921"),
        ("my battletag is Rune.Walker#11873 btw", "Rune.Walker#11873 btw", "Rune.Walker#11873"),
    ],
)
def test_a_tagged_handle_under_a_wrong_guess_is_still_an_account(
    value: str, guess: str, handle: str
) -> None:
    found = filter_spans(
        FieldPlan("full", free_text=True), value, [span_of(value, guess, "STREET_ADDRESS")]
    )
    assert [(value[s.start : s.end], s.entity_type) for s in found] == [(handle, "USERNAME")]


@pytest.mark.parametrize(
    ("path", "text", "mode"),
    [
        (("client_ip",), "198.51.100.23", "whole"),
        (("peer_ip",), "2001:db8:4::17", "whole"),
        (("forwarded_ip",), "198.51.100.23, 10.0.0.4", "whole"),
        (("pop_ip",), "pop-fra-2", "validated"),  # a host's name under an ip key
        (("callerIpAddress",), "monitoring.svc.example", "validated"),
    ],
)
def test_an_ip_key_masks_whole_only_a_value_written_as_an_ip(
    path: tuple[str, ...], text: str, mode: str
) -> None:
    from piimask.detect.field_names import path_hint

    assert plan_field(path, text, is_number=False, hint=path_hint(path)).mode == mode


@pytest.mark.parametrize(
    "path",
    [
        ("request", "userAgent"),
        ("http", "user_agent"),
        ("client", "ua"),
        ("rawUserAgent",),
        ("comment", "comment_agent"),  # by its value: an agent string under any key
    ],
)
def test_a_user_agent_string_is_validated_only(path: tuple[str, ...]) -> None:
    from piimask.detect.field_names import path_hint

    ua = "Mozilla/5.0 (X11; Fedora; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
    plan = plan_field(path, ua, is_number=False, hint=path_hint(path))
    assert plan == FieldPlan("validated", user_agent=True)


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("Mozilla/5.0 (X11; Linux x86_64) Chrome/133.0.0.0 Safari/537.36", []),
        ("probe/2.1 (+ops@monitor.example; from 203.0.113.9)", ["EMAIL_ADDRESS", "IP_ADDRESS"]),
    ],
)
def test_a_versions_written_like_an_ip_in_a_user_agent_is_no_ip(
    value: str, kept: list[str]
) -> None:
    found = [
        span_of(value, m.group(), "IP_ADDRESS", "pattern:IP_ADDRESS")
        for m in re.finditer(r"\d+\.\d+\.\d+\.\d+", value)
    ]
    found += [
        span_of(value, m.group(), "EMAIL_ADDRESS", "pattern:EMAIL_ADDRESS")
        for m in re.finditer(r"\S+@[\w.]+\w", value)
    ]
    plan = FieldPlan("validated", user_agent=True)
    assert sorted(s.entity_type for s in filter_spans(plan, value, found)) == kept


# --- round 4: key meanings and value shapes from hand-written telemetry -----------------


@pytest.mark.parametrize(
    ("path", "text", "is_number", "mode"),
    [
        # an epoch number under a date key of a person's doings is when an event happened
        (("payout", "arrival_date"), "1764547200", True, "validated"),
        (("session", "visitDate"), "1764547200123", True, "validated"),
        (("booking", "checkin_date"), "1764547200", False, "validated"),
        # written as a date it is the person's date; a life's dates are personal however
        (("booking", "checkin_date"), "2026-12-01", False, "whole"),
        (("patient", "birth_date"), "-141782400", True, "whole"),
        (("patient", "birth_date"), "1010102400", True, "whole"),
        (("patient", "discharge_date"), "1764547200", True, "whole"),
        (("member", "dateOfBirth"), "1010102400000", True, "whole"),
    ],
)
def test_an_epoch_number_under_a_doings_date_key_is_an_event_time(
    path: tuple[str, ...], text: str, is_number: bool, mode: str
) -> None:
    from piimask.detect.field_names import path_hint

    assert plan_field(path, text, is_number=is_number, hint=path_hint(path)).mode == mode


@pytest.mark.parametrize(
    ("path", "text", "mode"),
    [
        (("hit", "page_location"), "https://shop.example/cart?step=2", "validated"),
        (("asset", "location"), "s3://media-prod/thumbs/9f2.webp", "validated"),
        (("socket", "address"), "/var/run/collector.sock", "validated"),
        (("export", "location"), "C:\\exports\\daily.csv", "validated"),
        (("archive", "location"), "../cold/2026-11.tar", "validated"),
        # places and streets written as such stay what their key says
        (("shipping", "address"), "17 Harbour Road, Cobh", "whole"),
        (("checkin", "location"), "Porto", "full"),
    ],
)
def test_a_url_or_a_file_path_is_no_place(path: tuple[str, ...], text: str, mode: str) -> None:
    from piimask.detect.field_names import path_hint

    assert plan_field(path, text, is_number=False, hint=path_hint(path)).mode == mode


@pytest.mark.parametrize(
    ("path", "text", "is_number", "mode"),
    [
        (("payment", "card"), "4000 0566 5566 5556", False, "whole"),
        (("payment", "card"), "**** **** **** 5556", False, "validated"),  # masked already
        (("txn", "masked_pan"), "411111******1111", False, "validated"),
        (("payment", "card"), "4000056655665556", True, "whole"),
        (("payment", "card"), "tok_mastercard_debit", False, "validated"),
        (("laptop", "graphicsCard"), "Radeon 780M", False, "validated"),
        (("modem", "simCard"), "active", False, "validated"),
        (("mixer", "pan"), "-12.5", True, "validated"),
    ],
)
def test_a_card_key_masks_whole_only_a_value_written_as_a_card_number(
    path: tuple[str, ...], text: str, is_number: bool, mode: str
) -> None:
    from piimask.detect.field_names import path_hint

    got = plan_field(path, text, is_number=is_number, hint=path_hint(path)).mode
    assert got == mode


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19045.5131", False),  # a Windows build
        ("3.14159265", False),
        ("1764547200.25", False),  # an epoch with its fraction
        ("415.555.0100", True),  # a phone written with dots has three groups
        ("0.5.1", False),  # a version
    ],
)
def test_two_digit_groups_joined_by_a_dot_are_a_number_not_a_phone(
    text: str, expected: bool
) -> None:
    assert phone_shaped(text) is expected


@pytest.mark.parametrize(
    ("members", "no_person"),
    [
        ({"login": "acme-robotics", "type": "Organization"}, True),
        ({"login": "dependabot", "type": "Bot"}, True),
        ({"userName": "etl-loader", "type": "Role"}, True),
        ({"name": "billing-sync", "kind": "ServiceAccount"}, True),
        ({"username": "merge-queue", "email": "no-reply@forge.example"}, True),
        ({"login": "kofi-mensah", "type": "User"}, False),
        ({"name": "Priya Raman", "email": "priya@forge.example"}, False),
        # a person's own no-reply alias at a forge is still a person's
        ({"username": "priyar", "email": "81234+priyar@users.noreply.forge.example"}, False),
    ],
)
def test_an_account_that_says_it_is_no_persons(members: dict[str, object], no_person: bool) -> None:
    from piimask.mask.fields import names_no_person

    assert names_no_person(members) is no_person


def test_the_login_of_an_organisation_is_not_masked_whole_but_its_mailbox_is(
    build: Callable[..., MessageMasker],
) -> None:
    doc = {
        "sender": {"login": "acme-robotics", "type": "Organization", "email": "ops@acme.example"},
        "author": {"login": "kofi-mensah", "type": "User"},
    }
    out = mask(build(), doc).document
    assert out["sender"]["login"] == "acme-robotics"
    assert out["sender"]["email"] != "ops@acme.example"
    assert out["author"]["login"] != "kofi-mensah"


# Model guesses and matches that the value itself says are no PII.
ROUND4_PII_FREE = [
    # a part of a file path or a file name
    (PROSE, "wrote shards/2026/12/01/chunk-00042.avro", "00042", "ZIP_CODE", "model"),
    (MACHINE, "rotated app-20261201.log.gz", "20261201", "DATE_TIME", "model"),
    # an IANA time zone names a clock, not a place
    (PROSE, "unknown time zone America/Indiana/Knox", "Knox", "LOCATION", "model"),
    (PROSE, "tz Asia/Kolkata not loaded", "Asia", "LOCATION", "model"),
    # an e-mail guess with no address in it: SQL's @@ and @variables
    (
        PROSE,
        "SELECT @@innodb_buffer_pool_size AS pool",
        "@@innodb_buffer_pool_size",
        "EMAIL_ADDRESS",
        "model",
    ),
    # what one signs in to is an application
    (PROSE, "User signed into Confluence", "Confluence", "PERSON", "model"),
    (PROSE, "failed login to Zendesk", "Zendesk", "LOCATION", "model"),
    # a number after a word in capitals is a model's, not a house number
    (MACHINE, "AMD Radeon RX 7600 Graphics", "7600 Graphics", "STREET_ADDRESS", "model"),
    # URLs and host names in machine output; package paths and label keys anywhere
    (
        MACHINE,
        "relay via mx-7.mail.example.net",
        "mx-7.mail.example.net",
        "DOMAIN_NAME",
        "pattern:DOMAIN_NAME",
    ),
    (
        MACHINE,
        "fetched https://cdn.example/app.js in 41 ms",
        "https://cdn.example/app.js",
        "URL",
        "pattern:URL",
    ),
    (
        PROSE,
        "upgrade example.org/toolkit/yaml to v3.0.1",
        "example.org/toolkit/yaml",
        "URL",
        "pattern:URL",
    ),
    (
        PROSE,
        "pin cloud.example.com/go/storage@v1.43.0",
        "cloud.example.com/go/storage",
        "URL",
        "pattern:URL",
    ),
    (
        PROSE,
        "label topology.example.io/zone=b is missing",
        "topology.example.io/zone",
        "URL",
        "pattern:URL",
    ),
]


@pytest.mark.parametrize(("plan", "value", "part", "entity_type", "detector"), ROUND4_PII_FREE)
def test_guesses_on_paths_time_zones_apps_and_hosts_are_dropped(
    plan: FieldPlan, value: str, part: str, entity_type: str, detector: str
) -> None:
    assert filter_spans(plan, value, [span_of(value, part, entity_type, detector)]) == []


ROUND4_PII = [
    (PROSE, "logged in as Marta Kowalczyk", "Marta Kowalczyk", "PERSON", "model"),
    (PROSE, "moved to Lisbon in May", "Lisbon", "LOCATION", "model"),
    (PROSE, "write to ines.duarte@example.pt", "ines.duarte@example.pt", "EMAIL_ADDRESS", "model"),
    (
        PROSE,
        "see https://photos.example/u/ines for it",
        "https://photos.example/u/ines",
        "URL",
        "pattern:URL",
    ),
    (MACHINE, "deliver to 42 Quay Street", "42 Quay Street", "STREET_ADDRESS", "model"),
    (PROSE, "scan of passport X1234567.pdf", "X1234567", "PASSPORT", "model"),  # a document
    (FieldPlan("full", "URL"), "relay mx.example.net", "mx.example.net", "URL", "pattern:URL"),
]


@pytest.mark.parametrize(("plan", "value", "part", "entity_type", "detector"), ROUND4_PII)
def test_names_places_addresses_and_links_in_prose_stay(
    plan: FieldPlan, value: str, part: str, entity_type: str, detector: str
) -> None:
    found = [span_of(value, part, entity_type, detector)]
    assert filter_spans(plan, value, found) == found


@pytest.mark.parametrize(
    ("path", "text", "mode"),
    [
        # a system's account, an application's or a token's name: no person's
        (("job", "username"), "root", "validated"),
        (("alert", "user_name"), "System", "validated"),
        # an application's name: not masked whole, detected as under an unknown key
        (("oauth", "client_name"), "Partner Portal", "full"),
        (("token", "displayName"), "ci-webhook (rotated 2026-11)", "full"),
        # a cloud region under a location key
        (("vm", "location"), "uksouth", "validated"),
        (("bucket", "location"), "europe-west4", "validated"),
        # people and places written as such stay
        (("oauth", "client_name"), "Hannah Webber", "whole"),  # "Web" inside a word
        (("oauth", "client_name"), "Storefront", "whole"),  # one word: no software word
        (("job", "username"), "rootkit.hunter", "whole"),
        (("vm", "location"), "Southampton", "full"),
    ],
)
def test_system_accounts_applications_and_cloud_regions_are_no_people_or_places(
    path: tuple[str, ...], text: str, mode: str
) -> None:
    from piimask.detect.field_names import path_hint

    assert plan_field(path, text, is_number=False, hint=path_hint(path)).mode == mode


def test_an_accounts_members_typed_as_an_app_or_a_token_are_names_of_things(
    build: Callable[..., MessageMasker],
) -> None:
    doc = {
        "actor": {"accountType": "app", "displayName": "Release Notes Helper"},
        "target": [{"type": "Token", "displayName": "grafana-reader"}],
    }
    assert mask(build(), doc).document == doc


BLIND_ROUND_PII_FREE = [
    # a model's e-mail guess the address pattern does not find
    (PROSE, "posted to 19:f00dfeed@thread.v2 today", "f00dfeed@thread.v2", "EMAIL_ADDRESS"),
    # a state label: a title-case phrase that opens with a preposition
    (FieldPlan("full", model_types=frozenset({"LOCATION"})), "On Hold", "Hold", "LOCATION"),
    (FieldPlan("full"), "Out for Delivery", "Delivery", "PERSON"),
]


@pytest.mark.parametrize(("plan", "value", "part", "entity_type"), BLIND_ROUND_PII_FREE)
def test_email_guesses_without_an_address_and_state_labels_are_dropped(
    plan: FieldPlan, value: str, part: str, entity_type: str
) -> None:
    assert filter_spans(plan, value, [span_of(value, part, entity_type)]) == []


BLIND_ROUND_PII = [
    (PROSE, "write to amal@clinic.example", "amal@clinic.example", "EMAIL_ADDRESS"),
    (PROSE, "ship to Kungsgatan 12, Uppsala", "Kungsgatan 12", "STREET_ADDRESS"),
    (PROSE, "parcel for Drottningvägen 7", "Drottningvägen 7", "STREET_ADDRESS"),
    (FieldPlan("full"), "In Lisbon since May", "Lisbon", "LOCATION"),  # a sentence, no label
]


@pytest.mark.parametrize(("plan", "value", "part", "entity_type"), BLIND_ROUND_PII)
def test_addresses_and_places_in_sentences_stay(
    plan: FieldPlan, value: str, part: str, entity_type: str
) -> None:
    found = [span_of(value, part, entity_type)]
    assert filter_spans(plan, value, found) == found


@pytest.mark.parametrize(
    ("path", "text", "mode"),
    [
        (("phone", "model"), "Galaxy Z Flip 6 512GB", "validated"),
        (("fleet", "vehicle"), "Renault Kangoo E-Tech Electric", "validated"),
        (("rig", "cpu"), "AMD Ryzen 9 7950X 16-Core Processor", "validated"),
        # a sentence, or a name with its owner, is read as text
        (("laptop", "model"), "Sofia's MacBook Air M3", "full"),
        (("job", "model"), "retrained yesterday. Accuracy dropped to 0.81 on holdout", "full"),
        (("telemetry", "device"), "Kitchen Tablet of Ana Lima", "full"),  # device: not a model
    ],
)
def test_a_product_or_model_name_of_a_few_words_is_validated_only(
    path: tuple[str, ...], text: str, mode: str
) -> None:
    from piimask.detect.field_names import path_hint

    assert plan_field(path, text, is_number=False, hint=path_hint(path)).mode == mode


@pytest.mark.parametrize(
    ("path", "text", "mode"),
    [
        # the title or name of an item sold: a product's name
        (("order", "items", "title"), "Wool Beanie - Forest Green", "validated"),
        (("cart", "line_items", "name"), "Espresso Cups (Set of 4) Slate", "validated"),
        (("order", "items", "title"), "Linen Apron", "validated"),
        (("order", "items", "title"), "Engraved for Ana: happy 30th!", "full"),  # a message
        # a thing's shown name under a thing; a device named after its owner is detected
        (("plan", "nickname"), "Growth Annual", "validated"),
        (("device", "displayName"), "Kitchen Echo", "validated"),
        (("device", "displayName"), "Tomás's iPad", "full"),
        (("customer", "nickname"), "ze_tomas", "whole"),
    ],
)
def test_items_and_things_have_names_of_their_own(
    path: tuple[str, ...], text: str, mode: str
) -> None:
    from piimask.detect.field_names import path_hint

    assert plan_field(path, text, is_number=False, hint=path_hint(path)).mode == mode


SHORT_VALUE = FieldPlan("full", model_types=frozenset({"PERSON", "LOCATION", "STREET_ADDRESS"}))


@pytest.mark.parametrize(
    ("plan", "value", "part", "detector", "kept"),
    [
        # a short value: a name only spaCy's small model finds is no name
        (SHORT_VALUE, "Liga Portugal", "Liga Portugal", "ner:en_core_web_sm", False),
        (SHORT_VALUE, "Estufa Norte", "Estufa Norte", "ner:en_core_web_sm", False),
        # the model's own guess, or one both make, stays
        (SHORT_VALUE, "Rui Antunes", "Rui Antunes", "model+ner:en_core_web_sm", True),
        (SHORT_VALUE, "Rui Antunes", "Rui Antunes", "model", True),
        # a key that suggests a person keeps the second reader's guess of a person
        (
            FieldPlan("full", "PERSON", model_types=frozenset({"PERSON"}), personal=False),
            "Rui Antunes",
            "Rui Antunes",
            "ner:en_core_web_sm",
            True,
        ),
        # free text is read as plain text
        (PROSE, "met Rui Antunes at the desk", "Rui Antunes", "ner:en_core_web_sm", True),
    ],
)
def test_a_short_value_needs_the_model_not_only_the_second_ner_reader(
    plan: FieldPlan, value: str, part: str, detector: str, kept: bool
) -> None:
    found = [span_of(value, part, "PERSON", detector)]
    assert (filter_spans(plan, value, found) == found) is kept


@pytest.mark.parametrize(
    ("value", "part", "kept"),
    [
        ("Regression in render_pipeline after 2.1", "render", False),
        ("slow query on Orders_Archive table", "Orders", False),
        ("call Ines Duarte about the refund", "Ines Duarte", True),
    ],
)
def test_a_name_cut_out_of_an_identifier_is_dropped(value: str, part: str, kept: bool) -> None:
    found = [span_of(value, part, "LOCATION")]
    assert (filter_spans(PROSE, value, found) == found) is kept


@pytest.mark.parametrize(
    ("text", "full_name"),
    [
        ("Pilar Tavares", True),
        ("Ana de Souza", True),  # a particle between
        ("Liam O'Sullivan", True),
        ("Jean-Luc Brassard", True),  # a hyphenated given name
        ("Chloé Dubois", True),
        ("Maria Lopez Garcia", True),
        ("Victoria Park", False),  # a place named after someone
        ("Grace Hopper Hall", False),
        ("Austin Office", False),
        ("Summer Sale", False),  # no given name first
        ("Jordan Ave", False),  # a street
        ("Lena Web", False),  # a word of software
        ("MARIA LOPEZ", False),  # capitals: a code or a label
        ("Maria", False),  # one word: a given name alone is left to the model
        ("Maria Lopez Garcia Ruiz Perez", False),
    ],
)
def test_a_full_name_is_a_known_given_name_and_a_surname(text: str, full_name: bool) -> None:
    assert written_as_full_name(text) is full_name


@pytest.mark.parametrize(
    ("path", "text", "mode"),
    [
        (("recipient",), "Pilar Tavares", "whole"),  # a key that suggests a person
        (("booking", "name"), "Levi Dries", "whole"),
        (("venue", "name"), "Victoria Park", "validated"),  # a site's own name
        (("label",), "Levi Dries", "validated"),  # a key known to be harmless: as before
        (("song",), "Pilar Tavares", "full"),  # an unknown key: detection decides, as before
    ],
)
def test_a_full_name_under_a_key_that_suggests_a_person_is_masked_whole(
    path: tuple[str, ...], text: str, mode: str
) -> None:
    assert plan_field(path, text, is_number=False, hint=path_hint(path)).mode == mode


@pytest.mark.parametrize(
    ("members", "site"),
    [
        ({"objectType": "company", "properties": {}}, True),
        ({"type": "Venue", "name": "Fira Gran Via"}, True),
        ({"kind": "warehouse"}, True),
        ({"entityType": "Organization"}, True),
        ({"objectType": "contact"}, False),
        ({"type": "User"}, False),
        ({"resourceType": "Patient"}, False),
        ({"name": "Store 12"}, False),
    ],
)
def test_an_object_whose_type_names_a_site_or_an_organisation(
    members: dict[str, object], site: bool
) -> None:
    from piimask.mask.fields import names_site

    assert names_site(members) is site


def test_the_places_of_a_site_object_are_kept_at_any_depth_but_not_its_peoples(
    build: Callable[..., MessageMasker],
) -> None:
    doc = {
        "objectType": "company",
        "properties": {"city": "Seattle", "zip": "98101", "name": "Northwind Traders"},
        "contacts": [{"city": "Tacoma", "email": "ana@corp.example"}],
    }
    out = mask(build(), doc).document
    assert out["properties"]["city"] == "Seattle"
    assert out["properties"]["zip"] == "98101"
    assert out["contacts"][0]["city"] != "Tacoma"
    assert out["contacts"][0]["email"] != "ana@corp.example"


def _place(value: str, word: str) -> Span:
    start = value.index(word)
    return Span(start, start + len(word), "LOCATION", 0.9, "model")


@pytest.mark.parametrize(
    ("value", "others", "personal", "kept"),
    [
        # a place alone, in a value and a key path that name nobody: nobody's place
        ("Late inbound aircraft from Munich", [], False, False),
        ("Cross-connects in Munich will flap during the generator test", [], False, False),
        # somebody in the key path, or in the value: kept
        ("Late inbound aircraft from Munich", [], True, True),
        ("I'm moving to Munich next month", [], False, True),
        ("Ana Lima moved to Munich", [Span(0, 8, "PERSON", 0.9, "model")], False, True),
        # a place after a house number is a street's name
        ("Parcel left at 3338 Munich", [], False, True),
    ],
)
def test_a_place_the_model_guesses_is_kept_only_when_it_is_somebodys(
    value: str, others: list[Span], personal: bool, kept: bool
) -> None:
    from piimask.mask.fields import gate_model_guesses

    place = _place(value, "Munich")
    out = gate_model_guesses(value, [*others, place], free_text=True, personal=personal)
    assert (place in out) is kept


def test_a_place_under_a_key_that_names_a_place_is_not_gated_by_whose_it_is() -> None:
    from piimask.mask.fields import gate_model_guesses

    value = "Munich"
    place = _place(value, "Munich")
    out = gate_model_guesses(value, [place], free_text=False, key_type="LOCATION", personal=False)
    assert out == [place]


@pytest.mark.parametrize(
    ("path", "personal"),
    [
        (("incident", "description"), False),
        (("user", "profile", "status_text"), True),
        (("customer", "notes"), True),
    ],
)
def test_a_field_plan_says_whether_its_key_path_names_a_person(
    path: tuple[str, ...], personal: bool
) -> None:
    from piimask.detect.field_names import path_hint

    text = "Some words written here about a thing that happened"
    assert plan_field(path, text, is_number=False, hint=path_hint(path)).personal is personal


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (("zip",), "gzip"),
        (("phone",), "iPhone 15 Pro"),
        (("device", "phone"), "Pixel"),
        (("account_number",), "ACCT-PROD"),
        (("account_number",), "****0148"),
        (("routing_number",), "n/a-pending"),
    ],
)
def test_a_value_without_the_digits_of_its_keys_type_is_not_masked_whole(
    path: tuple[str, ...], text: str
) -> None:
    assert plan_field(path, text, is_number=False, hint=path_hint(path)).mode != "whole"


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (("zip",), "94107"),
        (("postcode",), "E2 7JE"),
        (("phone",), "(415) 555-0187"),
        (("account_number",), "000123456789"),
        (("routing_number",), "021000021"),
    ],
)
def test_a_value_with_the_digits_of_its_keys_type_is_masked_whole(
    path: tuple[str, ...], text: str
) -> None:
    assert plan_field(path, text, is_number=False, hint=path_hint(path)).mode == "whole"


@pytest.mark.parametrize(
    ("path", "text", "mode"),
    [
        (("visit", "provider", "name"), "Dr. Amara Nwosu", "whole"),
        (("referral", "name"), "Mrs Okafor", "whole"),
        (("item", "name"), "Dr. Martens Boots", "validated"),  # a product's title
        (("provider", "id"), "Dr. Amara Nwosu", "validated"),  # not a name key
    ],
)
def test_a_title_and_a_capitalised_name_under_a_name_key_are_a_persons_name(
    path: tuple[str, ...], text: str, mode: str
) -> None:
    assert plan_field(path, text, is_number=False, hint=path_hint(path)).mode == mode


@pytest.mark.parametrize(
    ("path", "text", "plan"),
    [
        (("adjuster", "login"), "kpatel", FieldPlan("whole", "USERNAME")),
        (("owner",), "tkowalski", FieldPlan("whole", "USERNAME")),
        (("owner",), "platform", None),  # a word: left to detection
    ],
)
def test_a_login_shaped_value_under_a_person_or_login_key_is_that_login(
    path: tuple[str, ...], text: str, plan: FieldPlan | None
) -> None:
    got = plan_field(path, text, is_number=False, hint=path_hint(path))
    if plan is None:
        assert got.mode != "whole"
    else:
        assert got == plan


@pytest.mark.parametrize(
    "path",
    [("customer", "company"), ("agent",), ("performer", "display")],
)
def test_a_companys_name_with_its_legal_form_is_validated_only(path: tuple[str, ...]) -> None:
    from piimask.detect.field_names import path_hint

    for name in (
        "Kona Reef Charters LLC",
        "Vestfold Ship Services AS",
        "Müller Logistik GmbH",
        "Island Diagnostics Honolulu",
    ):
        assert plan_field(path, name, is_number=False, hint=path_hint(path)) == VALIDATED


def test_a_name_in_hl7_carets_is_masked_under_any_key() -> None:
    value = "VILLANUEVA^ROSALINDA^M"
    plan = FieldPlan("validated")
    span = Span(0, len(value), "PERSON", 0.85, "pattern:HL7_PERSON_NAME")
    assert filter_spans(plan, value, [span]) == [span]
