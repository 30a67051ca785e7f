"""MessageMasker: plan/apply for text and JSON messages, field selection, rejections."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from piimask.keys import KeyRing
from piimask.mask import MaskedMessage, MessageMasker, MessageRejected, Policy, default_policy
from piimask.spans import Span

PolicyFactory = Callable[..., Policy]
NUMBERED = {"operator": "replace", "params": {"numbered": True}}


def find(texts: Sequence[str], needles: dict[str, str]) -> list[list[Span]]:
    """Hand-made detection: every occurrence of each needle, typed by the dict value."""
    out = []
    for text in texts:
        spans = []
        for needle, entity in needles.items():
            spans += [
                Span(m.start(), m.end(), entity) for m in re.finditer(re.escape(needle), text)
            ]
        out.append(spans)
    return out


def mask_json(
    masker: MessageMasker, payload: Any, needles: dict[str, str] | None = None
) -> MaskedMessage:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    plan = masker.plan(text)
    return masker.apply(plan, find(plan.texts, needles or {}))


@pytest.fixture
def json_masker(make_policy: PolicyFactory, keyring: KeyRing) -> Callable[..., MessageMasker]:
    def build(**policy: Any) -> MessageMasker:
        policy.setdefault("PERSON", NUMBERED)
        # these tests are about field selection: every value scanned alone, as plain text
        # (field-aware scanning: tests/unit/mask/test_mask_fields.py)
        policy["json"] = {"field_names": False, **policy.get("json", {})}
        return MessageMasker(make_policy(**policy), keyring, message_format="json")

    return build


def test_text_message_is_one_text_masked_whole(keyring: KeyRing) -> None:
    masker = MessageMasker(default_policy(), keyring, message_format="text")
    plan = masker.plan("Ann called Bob")
    assert plan.texts == ["Ann called Bob"]
    masked = masker.apply(plan, find(plan.texts, {"Ann": "PERSON", "Bob": "PERSON"}))
    assert masked.payload == "<PERSON_1> called <PERSON_2>"
    assert masked.format == "text"
    assert masked.masked_count == 2
    assert all(m.field is None for m in masked.masks)


def test_every_string_and_number_is_scanned_when_field_names_are_off(
    json_masker: Callable[..., MessageMasker],
) -> None:
    doc = {"a": "Ann", "n": 4111111111111111, "list": ["x", {"t": "hi Ann"}], "ok": True, "z": None}
    masker = json_masker(CREDIT_CARD={"operator": "mask", "params": {"keep_last": 4}})
    plan = masker.plan(json.dumps(doc))
    assert plan.value_texts == ["Ann", "4111111111111111", "x", "hi Ann"]
    masked = masker.apply(
        plan, find(plan.texts, {"Ann": "PERSON", "4111111111111111": "CREDIT_CARD"})
    )
    assert masked.document == {
        "a": "<PERSON_1>",
        "n": "************1111",  # a number with PII becomes a masked string
        "list": ["x", {"t": "hi <PERSON_1>"}],
        "ok": True,
        "z": None,
    }
    assert json.loads(masked.payload) == masked.document
    assert [m.field for m in masked.masks] == ["$.a", "$.n", "$.list[1].t"]


def test_numbers_without_pii_stay_numbers(json_masker: Callable[..., MessageMasker]) -> None:
    masked = mask_json(json_masker(), {"count": 3, "price": 1.5, "name": "Ann"}, {"Ann": "PERSON"})
    assert masked.document == {"count": 3, "price": 1.5, "name": "<PERSON_1>"}


def test_numbers_are_not_scanned_when_scan_numbers_is_off(
    json_masker: Callable[..., MessageMasker],
) -> None:
    masker = json_masker(json={"scan_numbers": False})
    assert masker.plan('{"n": 123456789, "s": "x"}').value_texts == ["x"]


def test_message_without_masks_keeps_its_exact_payload(
    json_masker: Callable[..., MessageMasker],
) -> None:
    payload = '{ "b": 1.50,  "a": "nothing here" }'
    masked = mask_json(json_masker(), payload)
    assert masked.payload == payload
    assert masked.masks == []


def test_key_order_and_unicode_survive_masking(json_masker: Callable[..., MessageMasker]) -> None:
    masked = mask_json(json_masker(), '{"z": "Ann", "a": "Zoë 日本"}', {"Ann": "PERSON"})
    assert masked.payload == '{"z":"<PERSON_1>","a":"Zoë 日本"}'


def test_numbered_tags_are_consistent_across_fields_of_one_message(
    json_masker: Callable[..., MessageMasker],
) -> None:
    doc = {"from": "Ann", "to": "Bob", "body": "Bob, Ann here"}
    masked = mask_json(json_masker(), doc, {"Ann": "PERSON", "Bob": "PERSON"})
    assert masked.document == {
        "from": "<PERSON_1>",
        "to": "<PERSON_2>",
        "body": "<PERSON_2>, <PERSON_1> here",
    }
    again = mask_json(json_masker(), {"x": "Bob"}, {"Bob": "PERSON"})
    assert again.document == {"x": "<PERSON_1>"}  # numbering restarts per message


def test_scan_paths_limit_detection_to_the_listed_fields(
    json_masker: Callable[..., MessageMasker],
) -> None:
    masker = json_masker(json={"scan": ["$.body", "$.comments[*].text"]})
    doc = {
        "id": "Ann",
        "body": "Ann",
        "comments": [{"text": "Ann", "by": "Ann"}, {"text": "x"}],
    }
    plan = masker.plan(json.dumps(doc))
    assert plan.value_texts == ["Ann", "Ann", "x"]
    masked = masker.apply(plan, find(plan.texts, {"Ann": "PERSON"}))
    assert masked.document == {
        "id": "Ann",
        "body": "<PERSON_1>",
        "comments": [{"text": "<PERSON_1>", "by": "Ann"}, {"text": "x"}],
    }


def test_a_scan_path_covers_everything_under_it(
    json_masker: Callable[..., MessageMasker],
) -> None:
    masker = json_masker(json={"scan": ["$.customer"]})
    plan = masker.plan(json.dumps({"customer": {"name": "Ann", "tags": ["a", "b"]}, "other": "c"}))
    assert plan.value_texts == ["Ann", "a", "b"]


def test_mask_whole_fields_are_masked_without_detection(
    json_masker: Callable[..., MessageMasker], keyring: KeyRing
) -> None:
    masker = json_masker(
        EMAIL_ADDRESS={"operator": "hash"},
        json={"mask_whole": [{"path": "$.customer.email", "entity_type": "EMAIL_ADDRESS"}]},
    )
    doc = {"customer": {"email": "ann@x.com", "name": "Ann"}, "note": "hello"}
    plan = masker.plan(json.dumps(doc))
    assert plan.value_texts == ["Ann", "hello"]  # the whole-masked field needs no detection
    masked = masker.apply(plan, find(plan.texts, {"Ann": "PERSON"}))
    assert re.fullmatch(r"<EMAIL_ADDRESS:k1:[0-9a-f]{16}>", masked.document["customer"]["email"])  # type: ignore[index]
    whole = masked.masks[0]
    assert (whole.field, whole.detector, whole.start, whole.end) == (
        "$.customer.email",
        "policy:mask_whole",
        0,
        9,
    )
    assert whole.fingerprint == keyring.fingerprint("ann@x.com")


def test_mask_whole_object_masks_each_leaf(json_masker: Callable[..., MessageMasker]) -> None:
    masker = json_masker(
        STREET_ADDRESS={"operator": "redact"},
        json={"mask_whole": [{"path": "$.address", "entity_type": "STREET_ADDRESS"}]},
    )
    masked = mask_json(masker, {"address": {"street": "1 Main St", "zip": 12345, "po": None}})
    assert masked.document == {"address": {"street": "", "zip": "", "po": None}}


def test_ignored_fields_are_left_alone_even_under_scan_and_mask_whole(
    json_masker: Callable[..., MessageMasker],
) -> None:
    masker = json_masker(
        json={
            "mask_whole": [{"path": "$.user", "entity_type": "PERSON"}],
            "ignore": ["$.trace_id", "$.user.id", "$..debug"],
        }
    )
    doc = {"trace_id": "Ann", "user": {"id": "u1", "name": "Ann"}, "x": {"debug": "Ann"}}
    plan = masker.plan(json.dumps(doc))
    assert plan.value_texts == []
    masked = masker.apply(plan, [[] for _ in plan.texts])
    assert masked.document == {
        "trace_id": "Ann",
        "user": {"id": "u1", "name": "<PERSON_1>"},
        "x": {"debug": "Ann"},
    }


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ("not json", "invalid_json"),
        ('{"a": 1', "invalid_json"),
        ('{"a": NaN}', "invalid_json"),
        ('{"a": 1e999}', "invalid_json"),
        ('"just a string"', "not_json_object"),
        ("42", "not_json_object"),
        ("null", "not_json_object"),
        ("[" * 70 + "]" * 70, "too_deep"),
        ("[" * 100_000 + "]" * 100_000, "too_deep"),
        ('{"a": "\\ud800"}', "invalid_unicode"),
    ],
)
def test_unexpected_payloads_are_rejected_with_a_reason(
    json_masker: Callable[..., MessageMasker], payload: str, reason: str
) -> None:
    with pytest.raises(MessageRejected) as info:
        json_masker().plan(payload)
    assert info.value.reason == reason


def test_rejection_detail_never_quotes_the_content(
    json_masker: Callable[..., MessageMasker],
) -> None:
    masker = json_masker(json={"scan": ["$.ssn"]})
    with pytest.raises(MessageRejected) as info:
        masker.plan('{"ssn": 123456789}')
    assert info.value.reason == "unexpected_type"
    assert info.value.detail == "field $.ssn: expected a string, got number"
    assert "123456789" not in str(info.value)
    with pytest.raises(MessageRejected) as info:
        masker.plan("Ann Lee 123-45-6789 {")
    assert "Ann" not in str(info.value)


def test_plain_text_on_a_json_topic_is_masked_as_text_when_the_policy_says_so(
    json_masker: Callable[..., MessageMasker],
) -> None:
    masker = json_masker(on_unexpected="text")
    masked = mask_json(masker, "Ann wrote this", {"Ann": "PERSON"})
    assert masked.format == "text"
    assert masked.payload == "<PERSON_1> wrote this"
    assert mask_json(masker, '"Ann"', {"Ann": "PERSON"}).payload == '"<PERSON_1>"'


def test_non_string_at_a_listed_path_is_scanned_as_text_when_the_policy_says_so(
    json_masker: Callable[..., MessageMasker],
) -> None:
    masker = json_masker(
        on_unexpected="text",
        US_SSN={"operator": "redact"},
        json={"scan": ["$.ssn"], "scan_numbers": False},
    )
    masked = mask_json(masker, {"ssn": 123456789, "n": 5}, {"123456789": "US_SSN"})
    assert masked.document == {"ssn": "", "n": 5}


def test_null_at_a_listed_path_is_not_unexpected(
    json_masker: Callable[..., MessageMasker],
) -> None:
    masker = json_masker(json={"scan": ["$.body"]})
    assert masker.plan('{"body": null}').value_texts == []


def test_depth_limit_is_configurable(json_masker: Callable[..., MessageMasker]) -> None:
    masker = json_masker(json={"max_depth": 3})
    masker.plan('{"a": {"b": {"c": "x"}}}')
    with pytest.raises(MessageRejected, match="too_deep"):
        masker.plan('{"a": {"b": {"c": {"d": "x"}}}}')


def test_plan_document_accepts_parsed_documents(
    json_masker: Callable[..., MessageMasker],
) -> None:
    masker = json_masker()
    plan = masker.plan_document({"a": "Ann"})
    masked = masker.apply(plan, find(plan.texts, {"Ann": "PERSON"}))
    assert masked.payload == '{"a":"<PERSON_1>"}'
    with pytest.raises(MessageRejected, match="not_json_object"):
        masker.plan_document("Ann")


def test_apply_needs_one_span_list_per_planned_text(
    json_masker: Callable[..., MessageMasker],
) -> None:
    masker = json_masker()
    plan = masker.plan('{"a": "x", "b": "y"}')
    with pytest.raises(ValueError, match="spans for 1 texts, the plan has 2"):
        masker.apply(plan, [[]])


def test_plan_is_not_mutated_by_apply(json_masker: Callable[..., MessageMasker]) -> None:
    masker = json_masker()
    plan = masker.plan('{"a": {"b": "Ann"}}')
    spans = find(plan.texts, {"Ann": "PERSON"})
    first = masker.apply(plan, spans)
    second = masker.apply(plan, spans)
    assert first.payload == second.payload
    assert plan.document == {"a": {"b": "Ann"}}


def test_analytics_policy_json_rules_apply(keyring: KeyRing) -> None:
    from pathlib import Path

    from piimask.mask import load_policy

    repo = Path(__file__).resolve().parents[3]
    policy = load_policy(repo / "deploy/policies/analytics-pseudonymize.yaml")
    masker = MessageMasker(policy, keyring, message_format="json")
    doc = {"event_id": "ann@x.com", "user": {"email": "ann@x.com"}, "zip": "02139"}
    masked = mask_json(masker, doc, {"02139": "ZIP_CODE"})
    assert masked.document["event_id"] == "ann@x.com"  # type: ignore[index]
    assert masked.document["user"]["email"].startswith("<EMAIL_ADDRESS:k1:")  # type: ignore[index]
    assert masked.document["zip"] == "021**"  # type: ignore[index]
    assert mask_json(masker, "Ann", {"Ann": "PERSON"}).format == "text"
