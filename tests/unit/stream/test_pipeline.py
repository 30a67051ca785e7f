from __future__ import annotations

import json

import pytest

from piimask.keys import KeyRing
from piimask.mask import RecordMasker, default_policy
from piimask.stream.pipeline import DeadLetterOutcome, Forward, Limits, process_batch
from piimask.stream.records import SourceRecord
from tests.unit.stream.helpers import RegexDetector, context, record

LIMITS = Limits(max_message_bytes=30_000, max_output_bytes=60_000)


def test_batch_masks_text_records_in_one_detection_call(
    keyring: KeyRing, detector: RegexDetector
) -> None:
    records = [record(b"write to ann@example.com", offset=0), record(b"nothing here", offset=1)]
    result = process_batch(
        records, detector=detector, masker=context(keyring).masker, limits=LIMITS
    )
    assert len(detector.calls) == 1
    first, second = result.outcomes
    assert isinstance(first, Forward)
    assert first.outcome == "masked"
    assert first.payload is not None
    assert b"ann@example.com" not in first.payload
    assert [m.entity_type for m in first.masks] == ["EMAIL_ADDRESS"]
    assert isinstance(second, Forward)
    assert second.outcome == "clean"
    assert second.payload == b"nothing here"


@pytest.mark.parametrize(
    ("fmt", "value", "reason"),
    [
        ("text", b"\xff\xfe", "invalid_utf8"),
        ("json", b'{"a": ', "invalid_json"),
        ("json", b"[" * 10_000 + b"]" * 10_000, "too_deep"),
        ("json", b'"just a string"', "not_json_object"),
        ("text", b"x" * 30_001, "oversize"),
    ],
)
def test_bad_input_becomes_a_dead_letter_with_its_reason(
    keyring: KeyRing, detector: RegexDetector, fmt: str, value: bytes, reason: str
) -> None:
    result = process_batch(
        [record(value)], detector=detector, masker=context(keyring, fmt).masker, limits=LIMITS
    )
    (outcome,) = result.outcomes
    assert isinstance(outcome, DeadLetterOutcome)
    assert outcome.reason == reason


@pytest.mark.parametrize(
    ("value", "payload", "kind"),
    [(None, None, "tombstone"), (b"", b"", "clean")],
)
def test_tombstones_and_empty_values_pass_through_with_key_and_headers_scanned(
    keyring: KeyRing, detector: RegexDetector, value: bytes | None, payload: bytes | None, kind: str
) -> None:
    (outcome,) = process_batch(
        [record(value)], detector=detector, masker=context(keyring, "json").masker, limits=LIMITS
    ).outcomes
    assert isinstance(outcome, Forward)
    assert (outcome.payload, outcome.outcome) == (payload, kind)
    assert (outcome.key, outcome.headers) == (b"k", (("trace", b"t1"),))
    # the header value; the key "k" looks like a field name (key_rules.scan_identifiers)
    assert detector.calls == [1]


def test_a_poison_record_is_isolated_and_its_neighbours_are_masked(
    keyring: KeyRing, detector: RegexDetector
) -> None:
    records = [
        record(b"a@b.com first", offset=0),
        record(b"poison pill", offset=1),
        record(b"c@d.com third", offset=2),
    ]
    outcomes = process_batch(
        records, detector=detector, masker=context(keyring).masker, limits=LIMITS
    ).outcomes
    assert [type(o).__name__ for o in outcomes] == ["Forward", "DeadLetterOutcome", "Forward"]
    dead = outcomes[1]
    assert isinstance(dead, DeadLetterOutcome)
    assert dead.reason == "detection_error"
    assert "poison" not in dead.detail


class ExplodingMasker:
    def __init__(self, fail_in: str) -> None:
        self.fail_in = fail_in

    def plan(self, payload: str, **parts: object) -> object:
        if self.fail_in == "plan":
            raise KeyError(payload)  # a message that quotes the input
        return type("Plan", (), {"texts": [payload]})()

    def apply(self, plan: object, spans: object) -> object:
        raise ValueError("value was: secret@example.com")


@pytest.mark.parametrize("fail_in", ["plan", "apply"])
def test_any_masking_exception_fails_closed_without_quoting_the_value(
    detector: RegexDetector, fail_in: str
) -> None:
    (outcome,) = process_batch(
        [record(b"secret@example.com")],
        detector=detector,
        masker=ExplodingMasker(fail_in),
        limits=LIMITS,
    ).outcomes
    assert isinstance(outcome, DeadLetterOutcome)
    assert outcome.reason == "masking_error"
    assert "secret" not in outcome.detail


def test_masked_output_larger_than_the_producer_limit_is_dead_lettered(
    keyring: KeyRing, detector: RegexDetector
) -> None:
    limits = Limits(max_message_bytes=1000, max_output_bytes=30)
    (outcome,) = process_batch(
        [record(b"mail a@b.com")], detector=detector, masker=context(keyring).masker, limits=limits
    ).outcomes
    assert isinstance(outcome, DeadLetterOutcome)
    assert outcome.reason == "output_too_large"


def pii_record(value: bytes | None, *, offset: int = 0) -> SourceRecord:
    return SourceRecord(
        topic="in",
        partition=0,
        offset=offset,
        key=b"jane.doe@example.com",
        value=value,
        headers=(("x-user", b"jane.doe@example.com"), ("piimask-replay-of", b"in:0:1")),
    )


def test_key_headers_and_object_keys_are_masked_and_a_tombstone_deletes_the_masked_key(
    keyring: KeyRing, detector: RegexDetector
) -> None:
    records = [
        pii_record(b'{"contacts": [{"jane.doe@example.com": {"n": 1}}]}', offset=0),
        pii_record(None, offset=1),
    ]
    value, tombstone = process_batch(
        records, detector=detector, masker=context(keyring, "json").masker, limits=LIMITS
    ).outcomes
    assert isinstance(value, Forward)
    assert isinstance(tombstone, Forward)
    assert (value.outcome, tombstone.outcome) == ("masked", "tombstone")
    assert value.key == tombstone.key
    assert value.key is not None
    assert value.key.startswith(b"<EMAIL_ADDRESS:")
    for outcome in (value, tombstone):
        seen = repr((outcome.payload, outcome.key, outcome.headers))
        seen += json.dumps([m.to_dict() for m in outcome.masks])
        assert "jane" not in seen
        assert ("piimask-replay-of", b"in:0:1") in outcome.headers
    assert {m.field for m in tombstone.masks} == {"key", "header:x-user"}


def test_a_key_the_policy_rejects_dead_letters_the_record_without_quoting_it(
    keyring: KeyRing, detector: RegexDetector
) -> None:
    policy = default_policy().model_copy(update={"record_key": "reject"})
    masker = RecordMasker(policy, keyring, message_format="text")
    (outcome,) = process_batch(
        [pii_record(b"hello")], detector=detector, masker=masker, limits=LIMITS
    ).outcomes
    assert isinstance(outcome, DeadLetterOutcome)
    assert outcome.reason == "pii_in_key"
    assert "jane" not in outcome.detail
