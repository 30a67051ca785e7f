"""Each operator, table-tested on its own."""

from __future__ import annotations

import re

import pytest

from piimask.keys import KeyRing
from piimask.mask.operators import (
    HashParams,
    MaskParams,
    PseudonymizeParams,
    ReplaceParams,
    hash_token,
    mask_chars,
    redact,
    replace,
)
from piimask.mask.pseudonym import pseudonymize
from piimask.mask.tokens import (
    ENC_TOKEN_RE,
    TokenError,
    decrypt_token,
    encrypt_token,
    parse_token,
    token_entity,
)

# --- redact ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["Ann", "", "日本", "👋🏽"])
def test_redact_removes_the_value(value: str) -> None:
    assert redact(value) == ""


# --- replace ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "number", "expected"),
    [
        ({}, None, "<PERSON>"),
        ({"value": "[hidden]"}, None, "[hidden]"),
        ({"value": ""}, None, ""),
        ({"template": "{{{entity}}}"}, None, "{PERSON}"),
        ({"template": "[name]"}, None, "[name]"),
        ({"numbered": True}, 3, "<PERSON_3>"),
        ({"numbered": True, "template": "{entity}#{n}"}, 2, "PERSON#2"),
    ],
)
def test_replace_renders_fixed_strings_and_templates(
    params: dict[str, object], number: int | None, expected: str
) -> None:
    assert replace("PERSON", ReplaceParams.model_validate(params), number) == expected


# --- mask -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "params", "expected"),
    [
        ("4111-1111-1111-1234", {"keep_last": 4, "skip_separators": True}, "****-****-****-1234"),
        ("4111 1111 1111 1234", {"keep_last": 4, "skip_separators": True}, "**** **** **** 1234"),
        ("4111-1111-1111-1234", {"keep_last": 4}, "***************1234"),
        ("4111111111111234", {"keep_first": 1, "keep_last": 4}, "4***********1234"),
        ("(555) 123-4567", {"keep_last": 2, "skip_separators": True}, "(***) ***-**67"),
        ("secret", {}, "******"),
        ("secret", {"char": "#"}, "######"),
        ("", {"keep_last": 4}, ""),
        ("1234", {"keep_last": 4}, "****"),  # would reveal everything: all masked
        ("12345", {"keep_last": 3}, "*****"),  # would reveal more than half
        ("123456", {"keep_last": 3}, "***456"),  # exactly half masked is enough
        ("4111111111111234", {"keep_first": 6, "keep_last": 4}, "****************"),
        (
            "4111111111111234",
            {"keep_first": 6, "keep_last": 4, "min_masked_fraction": 0.3},
            "411111******1234",
        ),
        ("José Müller", {"keep_first": 1}, "J**********"),
        ("日本語テキスト", {"keep_last": 2}, "*****スト"),
        ("👋🏽ab", {"keep_last": 1}, "***b"),  # code points, not bytes or UTF-16 units
        ("--", {"skip_separators": True}, "**"),  # nothing but separators: masked anyway
        ("a-b", {"skip_separators": True, "keep_last": 1}, "*-b"),
    ],
)
def test_mask_masks_characters_keeping_what_is_asked(
    value: str, params: dict[str, object], expected: str
) -> None:
    assert mask_chars(value, MaskParams.model_validate(params)) == expected


def test_mask_keeps_last_four_digits_of_card_with_separators_skipped() -> None:
    params = MaskParams(keep_last=4, skip_separators=True)
    assert mask_chars("4111-1111-1111-1234", params) == "****-****-****-1234"


# --- hash ----------------------------------------------------------------------------------


def test_hash_is_keyed_deterministic_and_carries_key_id(
    keyring: KeyRing, other_keyring: KeyRing
) -> None:
    params = HashParams()
    token, key_id = hash_token("ann@example.com", "EMAIL_ADDRESS", params, keyring)
    assert key_id == "k1"
    assert re.fullmatch(r"<EMAIL_ADDRESS:k1:[0-9a-f]{16}>", token)
    assert hash_token("ann@example.com", "EMAIL_ADDRESS", params, keyring)[0] == token
    assert hash_token("bob@example.com", "EMAIL_ADDRESS", params, keyring)[0] != token
    assert hash_token("ann@example.com", "EMAIL_ADDRESS", params, other_keyring)[0] != token


def test_hash_of_one_value_is_the_same_whatever_its_entity_type(keyring: KeyRing) -> None:
    params = HashParams(format="{digest}")
    assert (
        hash_token("x@y.z", "EMAIL_ADDRESS", params, keyring)[0]
        == hash_token("x@y.z", "URL", params, keyring)[0]
    )


@pytest.mark.parametrize(
    ("params", "pattern"),
    [
        ({"length": 8}, r"<IP_ADDRESS:k1:[0-9a-f]{8}>"),
        ({"length": 64}, r"<IP_ADDRESS:k1:[0-9a-f]{64}>"),
        ({"format": "#{digest}"}, r"#[0-9a-f]{16}"),
        ({"format": "{entity}-{key_id}-{digest}"}, r"IP_ADDRESS-k1-[0-9a-f]{16}"),
    ],
)
def test_hash_length_and_format_are_configurable(
    keyring: KeyRing, params: dict[str, object], pattern: str
) -> None:
    token, _ = hash_token("10.0.0.1", "IP_ADDRESS", HashParams.model_validate(params), keyring)
    assert re.fullmatch(pattern, token)


def test_hash_casefold_makes_case_variants_equal(keyring: KeyRing) -> None:
    folded = HashParams(normalize="casefold")
    exact = HashParams()
    assert (
        hash_token("Ann@X.com", "E", folded, keyring)[0]
        == hash_token("ann@x.com", "E", folded, keyring)[0]
    )
    assert (
        hash_token("Ann@X.com", "E", exact, keyring)[0]
        != hash_token("ann@x.com", "E", exact, keyring)[0]
    )


# --- encrypt -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["123-45-6789", "", "Zoë Ørsted", "日本語", "👋🏽 hi", "<>:"])
def test_encrypt_token_is_deterministic_findable_and_reversible(
    keyring: KeyRing, value: str
) -> None:
    token, key_id = encrypt_token(value, "US_SSN", keyring)
    assert key_id == "k1"
    assert ENC_TOKEN_RE.fullmatch(token)
    assert token.startswith("<enc:US_SSN:k1:")
    assert encrypt_token(value, "US_SSN", keyring)[0] == token
    assert decrypt_token(parse_token(token), keyring) == value


def test_encrypt_token_fails_with_another_key(keyring: KeyRing, other_keyring: KeyRing) -> None:
    token, _ = encrypt_token("123-45-6789", "US_SSN", keyring)
    with pytest.raises(TokenError, match="modified, or made with a different key"):
        decrypt_token(parse_token(token), other_keyring)


def test_encrypt_token_entity_type_is_authenticated(keyring: KeyRing) -> None:
    token, _ = encrypt_token("123-45-6789", "US_SSN", keyring)
    relabelled = token.replace("US_SSN", "PERSON")
    with pytest.raises(TokenError):
        decrypt_token(parse_token(relabelled), keyring)


@pytest.mark.parametrize(
    ("entity", "expected"),
    [("US_SSN", "US_SSN"), ("custom-type", "CUSTOM_TYPE"), ("9LIVES", "PII_9LIVES"), ("", "PII_")],
)
def test_token_entity_makes_any_type_fit_the_token_regex(entity: str, expected: str) -> None:
    assert token_entity(entity) == expected


# --- pseudonymize ----------------------------------------------------------------------


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return total % 10 == 0


def _iban_ok(iban: str) -> bool:
    compact = iban.replace(" ", "")
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def test_pseudonym_is_deterministic_per_key(keyring: KeyRing, other_keyring: KeyRing) -> None:
    first, key_id = pseudonymize("Ann Lee", "PERSON", keyring)
    assert key_id == "k1"
    assert pseudonymize("Ann Lee", "PERSON", keyring)[0] == first
    assert pseudonymize("ANN  lee", "PERSON", keyring)[0] == first  # casefold by default
    assert (
        pseudonymize("Ann Lee", "PERSON", keyring, normalization="none")[0]
        != (pseudonymize("ANN LEE", "PERSON", keyring, normalization="none")[0])
    )
    assert pseudonymize("Ann Lee", "PERSON", other_keyring)[0] != first
    assert pseudonymize("Bob Ray", "PERSON", keyring)[0] != first


@pytest.mark.parametrize(
    ("entity", "value", "check"),
    [
        ("PERSON", "Ann Lee", lambda v: " " in v and v.replace(" ", "").replace(".", "").isalpha()),
        (
            "EMAIL_ADDRESS",
            "ann@corp.com",
            lambda v: re.fullmatch(r"[^@\s]+@example\.(com|org|net)", v),
        ),
        ("IP_ADDRESS", "10.1.2.3", lambda v: re.fullmatch(r"\d+\.\d+\.\d+\.\d+", v)),
        ("IP_ADDRESS", "fe80::1", lambda v: ":" in v),
        (
            "MAC_ADDRESS",
            "AA-BB-CC-00-11-22",
            lambda v: re.fullmatch(r"([0-9A-F]{2}-){5}[0-9A-F]{2}", v),
        ),
        (
            "PHONE_NUMBER",
            "+1 (555) 123-4567",
            lambda v: re.fullmatch(r"\+\d \(\d{3}\) \d{3}-\d{4}", v),
        ),
        ("US_SSN", "123-45-6789", lambda v: re.fullmatch(r"\d{3}-\d{2}-\d{4}", v)),
        ("ZIP_CODE", "02139", lambda v: re.fullmatch(r"\d{5}", v)),
        ("PASSPORT", "X1234567", lambda v: re.fullmatch(r"[A-Z]\d{7}", v)),
        (
            "CREDIT_CARD",
            "4111-1111-1111-1111",
            lambda v: re.fullmatch(r"\d{4}(-\d{4}){3}", v) and _luhn_ok(v.replace("-", "")),
        ),
        ("CREDIT_CARD", "4111111111111111", lambda v: len(v) == 16 and _luhn_ok(v)),
        (
            "IBAN_CODE",
            "DE89 3704 0044 0532 0130 00",
            lambda v: v.startswith("DE") and _iban_ok(v) and len(v) == 27,
        ),
        ("IBAN_CODE", "GB82WEST12345698765432", lambda v: v.startswith("GB") and _iban_ok(v)),
        ("STREET_ADDRESS", "12 Crofts Road", lambda v: any(c.isdigit() for c in v)),
        ("LOCATION", "Paris", lambda v: bool(v)),
        ("SOMETHING_NEW", "ab-12", lambda v: re.fullmatch(r"[a-z]{2}-\d{2}", v)),
    ],
)
def test_pseudonym_keeps_the_kind_of_value(
    keyring: KeyRing, entity: str, value: str, check: object
) -> None:
    fake, _ = pseudonymize(value, entity, keyring)
    assert callable(check)
    assert check(fake), fake
    assert fake != value


def test_pseudonymize_params_reject_unknown_locale() -> None:
    with pytest.raises(ValueError, match="unknown Faker locale"):
        PseudonymizeParams(locale="xx_XX")


def test_pseudonym_uses_the_requested_locale(keyring: KeyRing) -> None:
    fake, _ = pseudonymize("Ann Lee", "PERSON", keyring, locale="de_DE")
    assert fake


def test_every_operator_class_is_in_the_policy_union_the_strength_table_and_audit_literal() -> None:
    from typing import get_args

    from piimask.audit.events import OPERATORS as AUDIT_OPERATORS
    from piimask.mask.operators import OPERATOR_CLASSES, OPERATOR_STRENGTH, OPERATORS
    from piimask.mask.policy import Policy

    assert OPERATORS == AUDIT_OPERATORS
    assert set(OPERATOR_STRENGTH) == set(OPERATORS)
    rule_field = Policy.model_fields["default"].annotation
    assert set(get_args(rule_field)) == set(OPERATOR_CLASSES)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"operator": "redact"}, "redact: value removed"),
        (
            {"operator": "keep", "min_score": 0.5},
            "keep: left readable (still recorded), min score 0.5",
        ),
        ({"operator": "mask", "params": {"keep_last": 4}}, "mask with '*', keep last 4"),
        ({"operator": "pseudonymize"}, "pseudonymize: consistent fake value (en_US)"),
    ],
)
def test_an_operator_describes_itself_for_the_policy_summary(
    rule: dict[str, object], expected: str
) -> None:
    from pydantic import TypeAdapter

    from piimask.mask.operators import OperatorRule, describe_rule

    assert describe_rule(TypeAdapter(OperatorRule).validate_python(rule), "PERSON") == expected
