"""Policy files: loading YAML/JSON, error messages naming the field, shipped policies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from piimask.mask.operators import HashRule, MaskRule, ReplaceRule
from piimask.mask.policy import (
    KNOWN_ENTITY_TYPES,
    PolicyError,
    default_policy,
    default_policy_text,
    load_policy,
    parse_policy_data,
    parse_policy_text,
)

REPO = Path(__file__).resolve().parents[3]
SHIPPED = sorted((REPO / "deploy" / "policies").glob("*.yaml"))


def errors_of(data: dict[str, object]) -> list[str]:
    with pytest.raises(PolicyError) as info:
        parse_policy_data({"version": "t", **data})
    return info.value.errors


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"entities": {"CREDIT_CARD": {"operator": "mask", "params": {"keep_last": -1}}}},
            "entities.CREDIT_CARD.params.keep_last: must be >= 0",
        ),
        (
            {"entities": {"CREDIT_CARD": {"operator": "mask", "params": {"kep_last": 4}}}},
            "entities.CREDIT_CARD.params.kep_last: unknown field",
        ),
        (
            {"entities": {"EMAIL_ADDRESS": {"operator": "hsh"}}},
            "entities.EMAIL_ADDRESS.operator: unknown operator 'hsh'; expected one of "
            "redact, replace, mask, hash, encrypt, pseudonymize, keep",
        ),
        (
            {"entities": {"PERSON": {"params": {}}}},
            "entities.PERSON.operator: required: one of redact, replace, mask, hash, encrypt, "
            "pseudonymize, keep",
        ),
        (
            {"entities": {"person": {"operator": "redact"}}},
            "entities.person: entity types are UPPER_SNAKE_CASE names such as CREDIT_CARD",
        ),
        (
            {"entities": {"PERSON": {"operator": "redact", "min_score": 1.5}}},
            "entities.PERSON.min_score: must be <= 1.0",
        ),
        (
            {"entities": {"PERSON": {"operator": "redact", "params": {"x": 1}}}},
            "entities.PERSON.params.x: unknown field",
        ),
        (
            {"entities": {"PERSON": {"operator": "mask", "params": {"char": "**"}}}},
            "entities.PERSON.params.char: must have at most 1 character(s)",
        ),
        (
            {"entities": {"PERSON": {"operator": "hash", "params": {"length": 4}}}},
            "entities.PERSON.params.length: must be >= 8",
        ),
        (
            {"entities": {"PERSON": {"operator": "hash", "params": {"format": "<{entity}>"}}}},
            "entities.PERSON.params.format: the format must contain {digest}",
        ),
        (
            {"entities": {"PERSON": {"operator": "replace", "params": {"template": "<{who}>"}}}},
            "entities.PERSON.params: template placeholder(s) ['who'] not allowed; use ['entity']",
        ),
        (
            {
                "entities": {
                    "PERSON": {
                        "operator": "replace",
                        "params": {"numbered": True, "template": "<P>"},
                    }
                }
            },
            "entities.PERSON.params: a numbered template must contain {n}",
        ),
        (
            {
                "entities": {
                    "PERSON": {"operator": "replace", "params": {"value": "x", "template": "y"}}
                }
            },
            "entities.PERSON.params: set either value or template, not both",
        ),
        (
            {"entities": {"PERSON": {"operator": "pseudonymize", "params": {"locale": "zz"}}}},
            "entities.PERSON.params.locale: unknown Faker locale 'zz'",
        ),
        (
            {"default": {"operator": "mask", "params": {"keep_first": -2}}},
            "default.params.keep_first: must be >= 0",
        ),
        (
            {"allow": {"patterns": ["ok", "("]}},
            "allow.patterns[1]: invalid regular expression: missing ), unterminated subpattern "
            "at position 0",
        ),
        ({"json": {"scan": ["body"]}}, "json.scan[0]: invalid path: a path starts with '$'"),
        ({"json": {"ignore": ["$.a[x]"]}}, "json.ignore[0]: invalid path: unexpected '['"),
        (
            {"json": {"mask_whole": [{"path": "$.email"}]}},
            "json.mask_whole[0].entity_type: required",
        ),
        ({"json": {"max_depth": 0}}, "json.max_depth: must be >= 1"),
        ({"on_unexpected": "drop"}, "on_unexpected: must be one of 'text' or 'reject'"),
        ({"verison": "x"}, "verison: unknown field"),
    ],
)
def test_invalid_policy_errors_name_the_field_and_the_reason(
    data: dict[str, object], expected: str
) -> None:
    errors = errors_of(data)
    assert any(e.startswith(expected) for e in errors), errors


def test_missing_version_is_reported() -> None:
    with pytest.raises(PolicyError, match="version: required"):
        parse_policy_data({})


def test_every_problem_is_reported_at_once() -> None:
    errors = errors_of(
        {
            "entities": {
                "CREDIT_CARD": {"operator": "mask", "params": {"keep_last": -1}},
                "EMAIL_ADDRESS": {"operator": "nope"},
            },
            "on_unexpected": "drop",
        }
    )
    assert len(errors) == 3


def test_policy_that_is_not_a_mapping_is_rejected() -> None:
    with pytest.raises(PolicyError, match="a policy is a mapping"):
        parse_policy_text("- a\n- b\n", source="p.yaml", fmt="yaml")


def test_yaml_syntax_errors_and_duplicate_keys_are_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nentities: {PERSON: [\n")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy(bad)
    dup = tmp_path / "dup.yaml"
    dup.write_text(
        "version: '1'\nentities:\n  PERSON: {operator: redact}\n  PERSON: {operator: keep}\n"
    )
    with pytest.raises(PolicyError, match="duplicate key 'PERSON'"):
        load_policy(dup)


def test_missing_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read policy"):
        load_policy(tmp_path / "nope.yaml")


def test_yaml_and_json_files_load_to_the_same_policy(tmp_path: Path) -> None:
    data = {
        "version": "2",
        "entities": {"CREDIT_CARD": {"operator": "mask", "params": {"keep_last": 4}}},
        "allow": {"values": ["ACME"]},
        "json": {"scan": ["$.body"]},
    }
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(data))
    (tmp_path / "p.json").write_text(json.dumps(data))
    from_yaml = load_policy(tmp_path / "p.yaml")
    from_json = load_policy(tmp_path / "p.json")
    assert from_yaml == from_json
    assert from_yaml.sha256 == from_json.sha256
    assert isinstance(from_yaml.rule_for("CREDIT_CARD"), MaskRule)


def test_numeric_version_is_read_as_text() -> None:
    assert parse_policy_data({"version": 3}).version == "3"


def test_sha256_ignores_layout_but_not_content() -> None:
    a = parse_policy_text(
        "# comment\nversion: '1'\nentities:\n"
        "  PERSON: {operator: redact}\n  URL: {operator: keep}\n",
        source="a",
        fmt="yaml",
    )
    b = parse_policy_text(
        '{"entities": {"URL": {"operator": "keep"}, "PERSON": {"operator": "redact"}},'
        ' "version": "1"}',
        source="b",
        fmt="json",
    )
    c = parse_policy_data({"version": "1", "entities": {"PERSON": {"operator": "keep"}}})
    assert a.sha256 == b.sha256
    assert a.sha256 != c.sha256


def test_rules_and_thresholds_fall_back_to_the_default() -> None:
    policy = parse_policy_data(
        {
            "version": "1",
            "default": {"operator": "hash", "min_score": 0.3},
            "entities": {
                "PERSON": {"operator": "replace"},
                "URL": {"operator": "replace", "min_score": 0.9},
            },
        }
    )
    assert isinstance(policy.rule_for("SOMETHING"), HashRule)
    assert isinstance(policy.rule_for("PERSON"), ReplaceRule)
    assert policy.min_score_for("PERSON") == 0.3
    assert policy.min_score_for("URL") == 0.9
    assert policy.min_score_for("SOMETHING") == 0.3
    assert parse_policy_data({"version": "1"}).min_score_for("X") == 0.0


def test_default_rule_without_configuration_replaces_with_the_entity_type() -> None:
    policy = parse_policy_data({"version": "1"})
    rule = policy.rule_for("PERSON")
    assert isinstance(rule, ReplaceRule)
    assert rule.params.render("PERSON", None) == "<PERSON>"


def test_packaged_default_policy_is_identical_to_the_deploy_copy() -> None:
    assert default_policy_text() == (REPO / "deploy/policies/default.yaml").read_text("utf-8")


def test_default_policy_masks_the_structured_identifiers_as_documented() -> None:
    policy = default_policy()
    operators = {t: policy.rule_for(t).operator for t in KNOWN_ENTITY_TYPES}
    assert operators["CREDIT_CARD"] == "mask"
    assert operators["EMAIL_ADDRESS"] == "hash"
    assert operators["IP_ADDRESS"] == "hash"
    assert operators["US_SSN"] == "encrypt"
    assert operators["IBAN_CODE"] == "encrypt"
    assert operators["PERSON"] == "replace"
    assert operators["DATE_TIME"] == "replace"  # personal dates
    # The default policy reveals no detected type but machine timestamps (event times).
    assert [t for t, op in operators.items() if op == "keep"] == ["EVENT_TIME"]
    assert policy.min_score_for("PERSON") == 0.0


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_policies_are_valid(path: Path) -> None:
    policy = load_policy(path)
    assert policy.version
    assert policy.description


def test_the_three_documented_policies_are_shipped() -> None:
    assert {p.name for p in SHIPPED} >= {
        "default.yaml",
        "analytics-pseudonymize.yaml",
        "strict-redact.yaml",
    }


def test_strict_policy_redacts_every_known_type() -> None:
    policy = load_policy(REPO / "deploy/policies/strict-redact.yaml")
    assert {policy.rule_for(t).operator for t in KNOWN_ENTITY_TYPES} == {"redact"}
    assert policy.rule_for("ANYTHING_ELSE").operator == "redact"


def test_the_documented_example_policy_is_valid() -> None:
    section = (REPO / "docs" / "masking.md").read_text(encoding="utf-8")
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    policy = parse_policy_text(example, source="docs/masking.md", fmt="yaml")
    assert policy.json_rules.scan == ["$.body", "$.comments[*].text"]


@pytest.mark.parametrize(
    ("glob", "path", "matches"),
    [
        ("user.email", "user.email", True),
        ("*.email", "user.email", True),
        ("*.email", "email", False),
        ("**.email", "email", True),
        ("**.email", "a.b.email", True),
        ("**.*_id", "a.order_id", True),
        ("a.**.b", "a.b", True),
        ("a.**.b", "a.x.y.b", True),
        ("User.EMAIL", "user.email", True),  # case is ignored
        ("user.e?ail", "user.email", True),
        ("user", "user.email", False),  # parents are matched by the masker, not the glob
    ],
)
def test_key_path_globs(glob: str, path: str, matches: bool) -> None:
    from piimask.mask.policy import key_glob_regex

    assert (key_glob_regex(glob).fullmatch(path) is not None) is matches


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"key": "a"}, "entity_type is required with action mask_whole"),
        ({"key": "a", "action": "ignore", "entity_type": "PERSON"}, "and only there"),
        ({"key": "a..b", "action": "ignore"}, "no empty key"),
        ({"key": "a.x**.b", "action": "ignore"}, "'**' stands alone"),
        ({"key": "a", "action": "drop"}, "json.fields[0].action: must be one of"),
    ],
)
def test_json_field_rules_are_checked(rule: dict[str, str], expected: str) -> None:
    assert any(expected in e for e in errors_of({"json": {"fields": [rule]}}))


def test_the_default_policy_reads_field_names_and_keeps_masked_numbers_as_text() -> None:
    rules = default_policy().json_rules
    assert rules.field_names is True
    assert rules.fields == []
    assert rules.masked_numbers == "text"


@pytest.mark.parametrize(
    ("policy_file", "event_time", "date_time"),
    [
        ("deploy/policies/default.yaml", "keep", "replace"),
        ("deploy/policies/analytics-pseudonymize.yaml", "keep", "keep"),
        ("deploy/policies/strict-redact.yaml", "redact", "redact"),
    ],
)
def test_shipped_policies_choose_for_event_times_and_personal_dates(
    policy_file: str, event_time: str, date_time: str
) -> None:
    policy = load_policy(REPO / policy_file)
    assert policy.rule_for("EVENT_TIME").operator == event_time
    assert policy.rule_for("DATE_TIME").operator == date_time
