"""PII in JSON object keys: scanned, rewritten with a deterministic injective operator, or
rejected; mask records name the key's path, never the key."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import pytest

from piimask.keys import KeyRing
from piimask.mask import MessageMasker, MessageRejected, PolicyError, unmask_json
from piimask.mask.policy import is_identifier_key, parse_policy_data
from piimask.spans import Span
from tests.unit.mask.conftest import PolicyFactory

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
NAMES = ("Jane Smith", "Robert Johnson", "Maria Garcia")


def detect(texts: Sequence[str]) -> list[list[Span]]:
    """E-mail addresses and a few full names, wherever they are in a text."""
    out = []
    for text in texts:
        spans = [
            Span(m.start(), m.end(), "EMAIL_ADDRESS", 1.0, "pattern:EMAIL")
            for m in EMAIL.finditer(text)
        ]
        for name in NAMES:
            for m in re.finditer(re.escape(name), text):
                spans.append(Span(m.start(), m.end(), "PERSON", 0.95, "model"))
        out.append(spans)
    return out


def mask_doc(masker: MessageMasker, doc: object) -> tuple[object, str, str]:
    plan = masker.plan(json.dumps(doc))
    masked = masker.apply(plan, detect(plan.texts))
    records = json.dumps([m.to_dict() for m in masked.masks])
    return masked.document, masked.payload, records


DOCUMENTS = [
    pytest.param({"jane.doe@example.com": {"phone": "x"}}, id="top-level key"),
    pytest.param({"contacts": {"jane.doe@example.com": {"name": "Jane Smith"}}}, id="nested key"),
    pytest.param(
        {"people": [{"Robert Johnson": 1}, {"Maria Garcia": {"jane.doe@example.com": True}}]},
        id="keys in an array of objects",
    ),
    pytest.param({"a": {"b": {"c": {"Jane Smith": "Robert Johnson"}}}}, id="deep key and value"),
    pytest.param({"owner jane.doe@example.com (Jane Smith)": []}, id="key with two entities"),
]


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_pii_in_object_keys_appears_nowhere_in_the_output_or_the_mask_records(
    keyring: KeyRing, make_policy: PolicyFactory, doc: object
) -> None:
    masker = MessageMasker(make_policy(), keyring, message_format="json")
    _document, payload, records = mask_doc(masker, doc)
    for secret in ("jane.doe@example.com", *NAMES):
        assert secret not in payload
        assert secret not in records


def test_a_masked_key_keeps_the_document_shape_and_is_the_same_in_every_message(
    keyring: KeyRing, make_policy: PolicyFactory
) -> None:
    masker = MessageMasker(
        make_policy(EMAIL_ADDRESS={"operator": "hash"}), keyring, message_format="json"
    )
    doc = {"contacts": {"jane.doe@example.com": {"n": 1}, "bob@example.com": {"n": 2}}}
    first, _, _ = mask_doc(masker, doc)
    second, _, _ = mask_doc(masker, doc)
    assert first == second
    assert isinstance(first, dict)
    contacts = first["contacts"]
    assert len(contacts) == 2
    assert sorted(v["n"] for v in contacts.values()) == [1, 2]
    assert all(k.startswith("<EMAIL_ADDRESS:k1:") for k in contacts)


@pytest.mark.parametrize(
    ("entities", "key_rules", "entity", "token"),
    [
        (
            {"EMAIL_ADDRESS": {"operator": "hash"}},
            {},
            "EMAIL_ADDRESS",
            r"<EMAIL_ADDRESS:k1:\w{16}>",
        ),
        ({"PERSON": {"operator": "replace"}}, {}, "PERSON", r"<PERSON:k1:\w{32}>"),
        ({"PERSON": {"operator": "encrypt"}}, {}, "PERSON", r"<enc:PERSON:k1:[\w-]+>"),
        (
            {"PERSON": {"operator": "replace"}},
            {"entities": {"PERSON": {"operator": "encrypt"}}},
            "PERSON",
            r"<enc:PERSON:k1:[\w-]+>",
        ),
        (
            {"PERSON": {"operator": "mask"}},
            {"default": {"operator": "hash", "params": {"length": 8}}},
            "PERSON",
            r"<PERSON:k1:\w{8}>",
        ),
        ({"PERSON": {"operator": "keep"}}, {}, "PERSON", r"Jane Smith"),
    ],
    ids=[
        "own hash rule",
        "replace falls back to a long hash",
        "own encrypt rule",
        "key rule for the type",
        "key rules default",
        "keep is kept",
    ],
)
def test_the_key_rule_is_the_types_own_when_hash_encrypt_or_keep_else_a_hash(
    keyring: KeyRing,
    make_policy: PolicyFactory,
    entities: dict[str, object],
    key_rules: dict[str, object],
    entity: str,
    token: str,
) -> None:
    masker = MessageMasker(
        make_policy(**entities, key_rules=key_rules), keyring, message_format="json"
    )
    value = "jane.doe@example.com" if entity == "EMAIL_ADDRESS" else "Jane Smith"
    document, _, _ = mask_doc(masker, {value: 1})
    assert isinstance(document, dict)
    (key,) = document
    assert re.fullmatch(token, key)


@pytest.mark.parametrize("operator", ["replace", "mask", "redact", "pseudonymize"])
@pytest.mark.parametrize("where", ["default", "entities"])
def test_the_policy_refuses_operators_that_are_not_injective_for_keys(
    operator: str, where: str
) -> None:
    rule = {"operator": operator}
    key_rules = {"default": rule} if where == "default" else {"entities": {"PERSON": rule}}
    with pytest.raises(PolicyError) as info:
        parse_policy_data({"version": "t", "key_rules": key_rules})
    (line,) = info.value.errors
    assert line.startswith(
        "key_rules.default" if where == "default" else "key_rules.entities.PERSON"
    )
    assert f"operator {operator!r} is not allowed for keys" in line


def test_mask_records_name_the_keys_path_by_its_masked_form(
    keyring: KeyRing, make_policy: PolicyFactory
) -> None:
    masker = MessageMasker(
        make_policy(EMAIL_ADDRESS={"operator": "hash"}), keyring, message_format="json"
    )
    document, _, _ = mask_doc(
        masker, {"contacts": {"jane.doe@example.com": {"name": "Jane Smith"}}}
    )
    assert isinstance(document, dict)
    (token,) = document["contacts"]
    plan = masker.plan(json.dumps({"contacts": {"jane.doe@example.com": {"name": "Jane Smith"}}}))
    masked = masker.apply(plan, detect(plan.texts))
    fields = {(m.entity_type, m.field) for m in masked.masks}
    assert fields == {
        ("EMAIL_ADDRESS", f"$.contacts[{json.dumps(token)}]~"),
        ("PERSON", f"$.contacts[{json.dumps(token)}].name"),
    }


def test_object_keys_reject_dead_letters_a_document_with_pii_in_a_key(
    keyring: KeyRing, make_policy: PolicyFactory
) -> None:
    masker = MessageMasker(
        make_policy(json={"object_keys": "reject"}), keyring, message_format="json"
    )
    plan = masker.plan(json.dumps({"ok": {"jane.doe@example.com": 1}}))
    with pytest.raises(MessageRejected) as info:
        masker.apply(plan, detect(plan.texts))
    assert info.value.reason == "pii_in_key"
    assert (
        info.value.detail == "an object key at $.ok holds EMAIL_ADDRESS (json.object_keys: reject)"
    )


def test_object_keys_keep_leaves_keys_unscanned(
    keyring: KeyRing, make_policy: PolicyFactory
) -> None:
    masker = MessageMasker(
        make_policy(json={"object_keys": "keep"}), keyring, message_format="json"
    )
    plan = masker.plan(json.dumps({"jane.doe@example.com": "x"}))
    assert plan.texts == ["x"]


def test_keys_under_an_ignored_path_are_not_scanned(
    keyring: KeyRing, make_policy: PolicyFactory
) -> None:
    masker = MessageMasker(make_policy(json={"ignore": ["$.raw"]}), keyring, message_format="json")
    plan = masker.plan(json.dumps({"raw": {"jane.doe@example.com": "x"}, "Jane Smith": "y"}))
    assert plan.texts == ["y", "Jane Smith"]


def test_two_keys_that_would_become_one_reject_the_document(
    keyring: KeyRing, make_policy: PolicyFactory
) -> None:
    masker = MessageMasker(
        make_policy(EMAIL_ADDRESS={"operator": "hash", "params": {"normalize": "casefold"}}),
        keyring,
        message_format="json",
    )
    plan = masker.plan(json.dumps({"x": {"Jane.Doe@example.com": 1, "jane.doe@example.com": 2}}))
    with pytest.raises(MessageRejected) as info:
        masker.apply(plan, detect(plan.texts))
    assert info.value.reason == "key_collision"
    assert "jane" not in info.value.detail.lower()


def test_rejection_details_never_quote_a_key_that_is_not_a_plain_identifier(
    keyring: KeyRing, make_policy: PolicyFactory
) -> None:
    masker = MessageMasker(make_policy(), keyring, message_format="json")
    with pytest.raises(MessageRejected) as info:
        masker.plan('{"contacts": {"jane.doe@example.com": {"note": "\\ud800"}}}')
    assert info.value.reason == "invalid_unicode"
    assert info.value.detail == "field $.contacts.<key>.note: lone surrogate in string"


def test_unmask_restores_encrypted_keys(keyring: KeyRing, make_policy: PolicyFactory) -> None:
    masker = MessageMasker(
        make_policy(EMAIL_ADDRESS={"operator": "encrypt"}), keyring, message_format="json"
    )
    doc = {"contacts": {"jane.doe@example.com": {"mail": "jane.doe@example.com"}}}
    document, payload, _ = mask_doc(masker, doc)
    assert "jane" not in payload
    result = unmask_json(document, keyring)
    assert result.issues == []
    assert result.value == doc
    assert result.tokens == 2


@pytest.mark.parametrize(
    ("key", "identifier"),
    [
        ("created_at", True),
        ("orderId", True),
        ("line-2", True),
        ("_id", True),
        ("$type", True),
        ("meta", True),
        ("jane.doe@example.com", False),
        ("Jane Smith", False),
        ("John", False),
        ("r000123", False),
        ("@jsmith", False),
        ("customer:42", False),
        ("x" * 65, False),
    ],
)
def test_field_name_like_keys_are_told_apart_from_data(key: str, identifier: bool) -> None:
    assert is_identifier_key(key) is identifier


def test_field_name_like_keys_are_scanned_only_when_the_policy_says_so(
    keyring: KeyRing, make_policy: PolicyFactory
) -> None:
    doc = json.dumps({"meta": 1, "Jane Smith": 2})
    default = MessageMasker(make_policy(), keyring, message_format="json")
    assert default.plan(doc).texts == ["1", "2", "Jane Smith"]
    everything = MessageMasker(
        make_policy(key_rules={"scan_identifiers": True}), keyring, message_format="json"
    )
    assert everything.plan(doc).texts == ["1", "2", "meta", "Jane Smith"]
