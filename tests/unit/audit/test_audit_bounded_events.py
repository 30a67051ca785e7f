"""Audit events stay within the producer limit whatever the record holds (issue 9)."""

from __future__ import annotations

import json

import pytest
from audit_helpers import as_entries
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from piimask.audit import AuditChain, AuditEvent, Finding, build_audit_event
from piimask.audit.digest import FingerprintDigest
from piimask.audit.events import MAX_FINDINGS_IN_FULL, MAX_SUMMARY_GROUPS, OTHER_ENTITY
from piimask.audit.find import find_by_source, find_by_values
from piimask.audit.index import AuditIndex
from piimask.audit.report import build_report
from piimask.audit.synthetic import SyntheticMask
from piimask.audit.trail import TrailEntry
from piimask.audit.verify import KeyLookup, verify_entries
from piimask.keys import KeyRing

POLICY_SHA = "a" * 64
MODEL_SHA = "b" * 64


def masks_for(
    keyring: KeyRing, values: list[str], *, entity: str = "PHONE_NUMBER"
) -> list[SyntheticMask]:
    out = []
    for i, value in enumerate(values):
        masked = i % 7 != 0
        out.append(
            SyntheticMask(
                entity_type=entity,
                start=i * 20,
                end=i * 20 + len(value),
                field="$." + "f" * 400,
                operator="hash",
                score=0.9,
                detector="pattern:PHONE",
                masked=masked,
                reason=None if masked else "below_threshold",
                key_id="k1",
                fingerprint=keyring.fingerprint(value),
            )
        )
    return out


def event_for(
    masks: list[SyntheticMask], *, offset: int = 0, max_bytes: int = 1_032_192
) -> AuditEvent:
    return build_audit_event(
        source_topic="in",
        source_partition=0,
        source_offset=offset,
        key_fingerprint=None,
        output_topic="in.masked",
        output_partition=0,
        output_offset=offset,
        outcome="masked",
        reason=None,
        policy_version="1",
        policy_sha256=POLICY_SHA,
        model_name="m",
        model_sha256=MODEL_SHA,
        masks=masks,
        max_bytes=max_bytes,
    )


@pytest.fixture(scope="module")
def ring() -> KeyRing:
    return KeyRing.generate("k1")


def test_few_findings_are_all_listed_in_full(ring: KeyRing) -> None:
    event = event_for(masks_for(ring, [f"555-01{i:02d}" for i in range(10)]))
    assert len(event.findings) == 10
    assert event.findings_total is None
    assert event.findings_summary is None
    assert event.total_findings == 10


@pytest.mark.parametrize("n", [MAX_FINDINGS_IN_FULL + 1, 4_500, 10_000])
def test_many_findings_are_summarised_and_the_counts_add_up(ring: KeyRing, n: int) -> None:
    masks = masks_for(ring, [f"{i:09d}" for i in range(n)])
    event = event_for(masks)
    assert len(event.model_dump_json().encode()) < 1_032_192
    assert event.findings_total == n
    assert event.findings_summary is not None
    listed = len(event.findings)
    assert listed <= MAX_FINDINGS_IN_FULL
    assert sum(c.masked + c.not_masked for c in event.findings_summary) == n - listed
    assert sum(c.masked for c in event.findings_summary) == sum(m.masked for m in masks[listed:])


@pytest.mark.parametrize("max_bytes", [8_192, 65_536, 1_032_192, 16_000_000])
def test_sealed_event_with_10000_findings_fits_the_limit(
    ring: KeyRing, chain: AuditChain, max_bytes: int
) -> None:
    masks = masks_for(ring, [f"{i:09d}" for i in range(10_000)])
    sealed = chain.seal(event_for(masks, max_bytes=max_bytes))
    assert len(sealed.model_dump_json().encode()) <= max_bytes


def test_every_summarised_value_is_in_the_digest(ring: KeyRing) -> None:
    values = [f"{i:09d}" for i in range(3_000)]
    masks = masks_for(ring, values)
    event = event_for(masks)
    assert event.findings_digest is not None
    digest = FingerprintDigest.decode(event.findings_digest)
    assert all(digest.might_contain(m.fingerprint) for m in masks[len(event.findings) :])
    strangers = [ring.fingerprint(f"x{i}") for i in range(2_000)]
    assert sum(digest.might_contain(fp) for fp in strangers) < 60  # about 1% expected


def test_entity_types_beyond_the_cap_are_counted_as_other(ring: KeyRing) -> None:
    masks = [
        m
        for t in range(MAX_SUMMARY_GROUPS + 10)
        for m in masks_for(ring, [f"{t}-{i}" for i in range(3)], entity=f"TYPE_{t}")
    ]
    masks = masks_for(ring, [str(i) for i in range(MAX_FINDINGS_IN_FULL)]) + masks
    event = event_for(masks)
    assert event.findings_summary is not None
    assert any(c.entity_type == OTHER_ENTITY for c in event.findings_summary)
    assert event.total_findings == len(masks)


def test_counts_that_do_not_add_up_are_rejected(ring: KeyRing) -> None:
    event = event_for(masks_for(ring, [f"{i:09d}" for i in range(500)]))
    document = event.model_dump(mode="json")
    document["findings_total"] += 1
    with pytest.raises(ValidationError, match="findings_total"):
        AuditEvent.model_validate(document)


def test_summary_without_total_is_rejected(ring: KeyRing) -> None:
    event = event_for(masks_for(ring, [f"{i:09d}" for i in range(500)]))
    document = event.model_dump(mode="json")
    document["findings_total"] = None
    with pytest.raises(ValidationError):
        AuditEvent.model_validate(document)


def test_find_and_report_cover_summarised_findings(ring: KeyRing, chain: AuditChain) -> None:
    values = [f"{i:09d}" for i in range(2_000)]
    big = chain.seal(event_for(masks_for(ring, values), offset=0))
    small = chain.seal(event_for(masks_for(ring, ["only-this"]), offset=1))
    with AuditIndex(":memory:") as index:
        index.add(
            TrailEntry(text=e.model_dump_json(), location=f"line {n}")
            for n, e in enumerate([big, small], 1)
        )
        listed = find_by_values(index, ring, [values[0]])
        assert [m.matched for m in listed] == ["value"]
        summarised = find_by_values(index, ring, [values[-1]])
        assert [(m.matched, m.source) for m in summarised] == [("value_digest", "in:0:0")]
        assert find_by_values(index, ring, ["only-this"])[0].source == "in:0:1"
        rows = find_by_source(index, "in", 0, 0)
        assert sum(m.count or 0 for m in rows if m.matched == "record_summary") == 2_000 - len(
            big.findings
        )
        report = build_report(index)
    assert report["findings"]["total"] == 2_001
    assert report["findings"]["summarised"] == 2_000 - len(big.findings)
    assert report["findings"]["by_entity_type"]["PHONE_NUMBER"] == 2_001
    assert report["findings"]["masked"] == sum(
        1 for m in masks_for(ring, values) + masks_for(ring, ["only-this"]) if m.masked
    )


@given(st.integers(min_value=0, max_value=3_000), st.integers(min_value=4_096, max_value=2_000_000))
def test_any_number_of_findings_fits_any_limit(n: int, max_bytes: int) -> None:
    ring = KeyRing.generate("k1")
    sealed = AuditChain.from_keyring(ring).seal(
        event_for(masks_for(ring, [str(i) for i in range(n)]), max_bytes=max_bytes)
    )
    assert len(sealed.model_dump_json().encode()) <= max_bytes
    assert sealed.total_findings == n


@pytest.mark.parametrize(
    ("detector", "ok"),
    [
        ("model", True),
        ("pattern:PHONE", True),
        ("model+ner:en_core_web_sm", True),
        ("gazetteer:PLACE+model+ner:en_core_web_sm", True),
        ("a+b+c+d+e", False),
        ("model+", False),
        ("model with spaces", False),
    ],
)
def test_detectors_that_agreed_on_a_span_are_named_together(detector: str, ok: bool) -> None:
    fields = {
        "entity_type": "PERSON",
        "start": 0,
        "end": 4,
        "operator": "redact",
        "score": 0.9,
        "detector": detector,
        "masked": True,
        "fingerprint": "c" * 64,
    }
    if ok:
        assert Finding.model_validate(fields).detector == detector
    else:
        with pytest.raises(ValidationError):
            Finding.model_validate(fields)


def test_verify_accepts_a_sealed_summarised_event_and_catches_an_edited_count(
    keyring: KeyRing, chain_keys: KeyLookup
) -> None:
    ring = keyring
    chain = AuditChain.from_keyring(ring)
    sealed = [
        chain.seal(event_for(masks_for(ring, [f"{i:09d}" for i in range(n)]), offset=o))
        for o, n in enumerate([3, 5_000, 2])
    ]
    lines = [e.model_dump_json() for e in sealed]
    assert verify_entries(as_entries(lines), chain_keys).ok
    document = json.loads(lines[1])
    document["findings_summary"][0]["masked"] -= 1
    document["findings_summary"][0]["not_masked"] += 1
    lines[1] = json.dumps(document)
    result = verify_entries(as_entries(lines), chain_keys)
    assert [i.kind for i in result.errors] == ["edited"]
