from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from piimask.audit import AuditChain, AuditEvent, build_audit_event
from piimask.keys import KeyRing
from piimask.mask import KNOWN_ENTITY_TYPES, AppliedMask, MessageMasker, default_policy
from piimask.spans import Span

SHA = "cd" * 32
BASE: dict[str, Any] = {
    "source_topic": "orders",
    "source_partition": 0,
    "source_offset": 7,
    "key_fingerprint": None,
    "output_topic": "orders.masked",
    "outcome": "masked",
    "reason": None,
    "policy_version": "default-2",
    "policy_sha256": SHA,
    "model_name": "rampart",
    "model_sha256": SHA,
    "masks": [],
}
OPERATORS = ["redact", "replace", "mask", "hash", "encrypt", "pseudonymize", "keep"]


def all_strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*all_strings(k), *all_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in all_strings(v)]
    return []


def assert_value_absent(event: AuditEvent, value: str) -> None:
    text = event.model_dump_json()
    assert value not in text
    assert json.dumps(value, ensure_ascii=False)[1:-1] not in text
    assert json.dumps(value)[1:-1] not in text
    assert not any(value in s for s in all_strings(json.loads(text)))


def test_unknown_fields_are_rejected() -> None:
    event = build_audit_event(**BASE)
    document = json.loads(event.model_dump_json())
    document["value"] = "anything"
    with pytest.raises(ValidationError, match="value"):
        AuditEvent.model_validate(document)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"outcome": "dead_lettered"}, "reason is required"),
        ({"outcome": "clean", "reason": "invalid_json"}, "reason is required"),
        ({"reason": "Free text reason", "outcome": "dead_lettered"}, "reason"),
        ({"source_topic": "bad topic name"}, "source_topic"),
        ({"policy_sha256": "not-hex"}, "policy_sha256"),
        ({"source_offset": -1}, "source_offset"),
    ],
)
def test_invalid_events_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        build_audit_event(**{**BASE, **changes})


def test_validation_errors_do_not_echo_the_input() -> None:
    with pytest.raises(ValidationError) as info:
        build_audit_event(**{**BASE, "source_topic": "jane.doe@example.com"})
    assert "jane.doe@example.com" not in str(info.value)


def test_dead_lettered_event_carries_its_reason() -> None:
    event = build_audit_event(**{**BASE, "outcome": "dead_lettered", "reason": "invalid_json"})
    assert (event.outcome, event.reason, event.findings) == ("dead_lettered", "invalid_json", [])


def test_tombstone_outcome_is_accepted() -> None:
    assert build_audit_event(**{**BASE, "outcome": "tombstone"}).outcome == "tombstone"


def test_unmasked_finding_needs_a_reason(keyring: KeyRing) -> None:
    mask = AppliedMask("EMAIL_ADDRESS", 0, 3, None, "hash", 0.2, "model", False, None, None, SHA)
    with pytest.raises(ValidationError, match="reason is required"):
        build_audit_event(**{**BASE, "masks": [mask]})


values = st.one_of(
    st.from_regex(r"[a-z][a-z0-9._]{2,15}@[a-z]{2,12}\.(com|org|de)", fullmatch=True),
    st.from_regex(r"4[0-9]{3}( [0-9]{4}){3}", fullmatch=True),
    st.from_regex(r"\+[1-9][0-9]{1,2} [0-9]{3} [0-9]{3} [0-9]{4}", fullmatch=True),
    st.tuples(st.text(min_size=3, max_size=12), st.text(min_size=3, max_size=12)).map(
        lambda parts: f"{parts[0]} @ {parts[1]}"
    ),
)


@st.composite
def applied_masks(draw: st.DrawFn, fingerprint: str) -> AppliedMask:
    start = draw(st.integers(0, 10_000))
    masked = draw(st.booleans())
    operator = draw(st.sampled_from(OPERATORS))
    return AppliedMask(
        entity_type=draw(st.sampled_from(sorted(KNOWN_ENTITY_TYPES))),
        start=start,
        end=start + draw(st.integers(0, 200)),
        field=draw(st.sampled_from([None, "$.body", "$.comments[0].text", "$['a b']"])),
        operator=operator,
        score=draw(st.floats(0.0, 1.0)),
        detector=draw(st.sampled_from(["model", "pattern:EMAIL", "policy:mask_whole"])),
        masked=masked,
        reason=None if masked else draw(st.sampled_from(["below_threshold", "allow_list", "keep"])),
        key_id=draw(st.sampled_from([None, "k1"])),
        fingerprint=fingerprint,
    )


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), value=values)
def test_event_from_random_applied_masks_never_contains_the_value(
    keyring: KeyRing, data: st.DataObject, value: str
) -> None:
    fingerprint = keyring.fingerprint(value)
    masks = data.draw(st.lists(applied_masks(fingerprint), max_size=6))
    event = build_audit_event(**{**BASE, "masks": masks, "key_fingerprint": fingerprint})
    sealed = AuditChain.from_keyring(keyring).seal(event)
    assert_value_absent(sealed, value)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=values, prefix=st.text(max_size=20), suffix=st.text(max_size=20))
def test_event_from_the_real_masker_never_contains_the_value(
    keyring: KeyRing, value: str, prefix: str, suffix: str
) -> None:
    text = f"{prefix} {value} {suffix}"
    masker = MessageMasker(default_policy(), keyring, message_format="text")
    plan = masker.plan(text)
    start = len(prefix) + 1
    spans = [[Span(start, start + len(value), "EMAIL_ADDRESS", 0.97, "model")]]
    masked = masker.apply(plan, spans)
    event = build_audit_event(**{**BASE, "masks": masked.masks})
    assert event.findings[0].fingerprint == keyring.fingerprint(value)
    assert_value_absent(AuditChain.from_keyring(keyring).seal(event), value)
