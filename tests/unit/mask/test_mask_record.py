"""Whole records: the record key (record_key) and the headers are masked with the value."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import pytest

from piimask.audit import AuditChain, build_audit_event
from piimask.audit.find import find_by_values
from piimask.audit.index import AuditIndex
from piimask.audit.trail import TrailEntry
from piimask.keys import KeyRing
from piimask.mask import Document, MessageRejected, RecordMasker, unmask_text
from piimask.mask.record import Headers, MaskedRecord
from piimask.spans import Span
from tests.unit.mask.conftest import PolicyFactory

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
SECRETS = ("jane.doe@example.com", "Jane Smith")


def detect(texts: Sequence[str]) -> list[list[Span]]:
    out = []
    for text in texts:
        spans = [
            Span(m.start(), m.end(), "EMAIL_ADDRESS", 1.0, "pattern:EMAIL")
            for m in EMAIL.finditer(text)
        ]
        spans += [
            Span(m.start(), m.end(), "PERSON", 0.95, "model")
            for m in re.finditer("Jane Smith", text)
        ]
        out.append(spans)
    return out


def mask(
    masker: RecordMasker,
    value: str | Document | None = "hello",
    *,
    key: bytes | None = None,
    headers: Headers = (),
) -> MaskedRecord:
    plan = masker.plan(value, key=key, headers=headers, value_format="text")
    return masker.apply(plan, detect(plan.texts))


def everything(record: MaskedRecord) -> str:
    parts = [
        repr(record.key),
        repr(record.headers),
        json.dumps([m.to_dict() for m in record.masks]),
    ]
    if record.value is not None:
        parts.append(record.value.payload)
    return "\n".join(parts)


@pytest.mark.parametrize(
    ("action", "key", "expected"),
    [
        ("keep", b"jane.doe@example.com", rb"jane\.doe@example\.com"),
        ("scan", b"jane.doe@example.com", rb"<EMAIL_ADDRESS:k1:\w{16}>"),
        ("scan", b"customer:Jane Smith", rb"customer:<PERSON:k1:\w{32}>"),
        ("scan", b"order-42", rb"order-42"),
        ("hash", b"order-42", rb"<RECORD_KEY:k1:\w{32}>"),
        ("hash", b"\xff\x00binary", rb"<RECORD_KEY:k1:\w{32}>"),
        ("encrypt", b"jane.doe@example.com", rb"<enc:RECORD_KEY:k1:[\w-]+>"),
        ("reject", b"order-42", rb"order-42"),
    ],
)
def test_record_key_actions(
    keyring: KeyRing, make_policy: PolicyFactory, action: str, key: bytes, expected: bytes
) -> None:
    masker = RecordMasker(
        make_policy(EMAIL_ADDRESS={"operator": "hash"}, record_key=action),
        keyring,
        message_format="text",
    )
    record = mask(masker, key=key)
    assert record.key is not None
    assert re.fullmatch(expected, record.key)


@pytest.mark.parametrize("action", ["scan", "hash", "encrypt"])
def test_one_input_key_is_one_output_key_and_two_are_two(
    keyring: KeyRing, make_policy: PolicyFactory, action: str
) -> None:
    masker = RecordMasker(make_policy(record_key=action), keyring, message_format="text")
    first = mask(masker, "a", key=b"jane.doe@example.com").key
    again = mask(masker, "b", key=b"jane.doe@example.com").key
    other = mask(masker, "a", key=b"john.roe@example.com").key
    assert first == again != other
    # a tombstone of the key deletes the masked key downstream
    assert mask(masker, None, key=b"jane.doe@example.com").key == first


def test_record_key_reject_refuses_a_key_with_pii_without_quoting_it(
    keyring: KeyRing, make_policy: PolicyFactory
) -> None:
    masker = RecordMasker(make_policy(record_key="reject"), keyring, message_format="text")
    with pytest.raises(MessageRejected) as info:
        mask(masker, key=b"jane.doe@example.com")
    assert (info.value.reason, info.value.detail) == (
        "pii_in_key",
        "the record key holds EMAIL_ADDRESS (record_key: reject)",
    )


def test_a_binary_key_cannot_be_scanned(keyring: KeyRing, make_policy: PolicyFactory) -> None:
    masker = RecordMasker(make_policy(), keyring, message_format="text")
    with pytest.raises(MessageRejected) as info:
        mask(masker, key=b"\xff\xfe")
    assert info.value.reason == "invalid_key"


def test_encrypted_record_keys_unmask_for_a_key_holder(
    keyring: KeyRing, make_policy: PolicyFactory
) -> None:
    masker = RecordMasker(
        make_policy(EMAIL_ADDRESS={"operator": "encrypt"}), keyring, message_format="text"
    )
    record = mask(masker, key=b"customer:jane.doe@example.com")
    assert record.key is not None
    assert b"jane" not in record.key
    assert unmask_text(record.key.decode(), keyring).value == "customer:jane.doe@example.com"


HEADERS: Headers = (
    ("traceparent", b"00-abc-01"),
    ("x-user", b"Jane Smith <jane.doe@example.com>"),
    ("x-debug", b"jane.doe@example.com"),
    ("piimask-replay-of", b"in:0:5"),
    ("x-empty", b""),
)


def test_headers_are_kept_dropped_or_scanned_by_name(
    keyring: KeyRing, make_policy: PolicyFactory
) -> None:
    masker = RecordMasker(
        make_policy(headers={"names": {"traceparent": "keep", "x-debug": "drop"}}),
        keyring,
        message_format="text",
    )
    record = mask(masker, headers=HEADERS)
    names = [name for name, _ in record.headers]
    assert names == ["traceparent", "x-user", "piimask-replay-of", "x-empty"]
    headers = dict(record.headers)
    assert headers["traceparent"] == b"00-abc-01"
    assert headers["piimask-replay-of"] == b"in:0:5"
    assert headers["x-user"] == b"<PERSON> <<EMAIL_ADDRESS>>"
    assert {m.field for m in record.masks} == {"header:x-user"}
    for secret in SECRETS:
        assert secret not in everything(record)


def test_a_header_that_is_not_text_cannot_be_scanned(
    keyring: KeyRing, make_policy: PolicyFactory
) -> None:
    masker = RecordMasker(make_policy(), keyring, message_format="text")
    with pytest.raises(MessageRejected) as info:
        mask(masker, headers=(("bin", b"\xff"),))
    assert info.value.reason == "invalid_header"
    masker = RecordMasker(make_policy(headers={"default": "keep"}), keyring, message_format="text")
    assert mask(masker, headers=(("bin", b"\xff"),)).headers == (("bin", b"\xff"),)


def test_a_numbered_tag_means_the_same_person_in_value_and_headers(
    keyring: KeyRing, make_policy: PolicyFactory
) -> None:
    masker = RecordMasker(
        make_policy(PERSON={"operator": "replace", "params": {"numbered": True}}),
        keyring,
        message_format="text",
    )
    record = mask(masker, "Jane Smith wrote", headers=(("x-user", b"Jane Smith"),))
    assert record.value is not None
    assert record.value.payload == "<PERSON_1> wrote"
    assert record.headers == (("x-user", b"<PERSON_1>"),)


def test_every_part_of_a_json_record_is_masked(
    keyring: KeyRing, make_policy: PolicyFactory
) -> None:
    masker = RecordMasker(make_policy(), keyring, message_format="json")
    record = mask(
        masker,
        Document({"contacts": {"jane.doe@example.com": {"name": "Jane Smith"}}}),
        key=b"jane.doe@example.com",
        headers=(("x-user", b"Jane Smith"),),
    )
    for secret in SECRETS:
        assert secret not in everything(record)
    assert {m.field.split("[")[0].split(":")[0] for m in record.masks if m.field} == {
        "$.contacts",
        "key",
        "header",
    }


def test_audit_find_by_value_finds_the_record_whose_key_held_it(
    keyring: KeyRing, make_policy: PolicyFactory
) -> None:
    masker = RecordMasker(make_policy(), keyring, message_format="text")
    key = b"customer:jane.doe@example.com"
    record = mask(masker, "no pii here", key=key)
    event = build_audit_event(
        source_topic="orders",
        source_partition=0,
        source_offset=7,
        key_fingerprint=keyring.fingerprint(key.decode()),
        output_topic="orders.masked",
        outcome="masked",
        reason=None,
        policy_version="t",
        policy_sha256="ab" * 32,
        model_name="m",
        model_sha256="cd" * 32,
        masks=record.masks,
    )
    line = AuditChain.from_keyring(keyring).seal(event).model_dump_json()
    assert "jane" not in line
    index = AuditIndex(":memory:")
    index.add([TrailEntry(text=line, location="line 1")])
    (match,) = find_by_values(index, keyring, ["Jane.Doe@example.com"])
    assert (match.source, match.field, match.entity_type) == ("orders:0:7", "key", "EMAIL_ADDRESS")
    (whole,) = find_by_values(index, keyring, [key.decode()])
    assert whole.matched == "record_key"
