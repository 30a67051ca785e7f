from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from audit_helpers import as_entries, as_lines, edited

from piimask.audit import AuditChain, AuditEvent, build_audit_event, verify_entries
from piimask.audit.chain import CHAIN_PURPOSE, canonical_bytes, is_segment_start
from piimask.audit.synthetic import SyntheticMask
from piimask.audit.verify import KeyLookup, VerifyResult
from piimask.keys import KeyRing

SHA = "ab" * 32


def event(offset: int, *, partition: int = 0, topic: str = "orders", **kw: object) -> AuditEvent:
    fields: dict[str, object] = {
        "source_topic": topic,
        "source_partition": partition,
        "source_offset": offset,
        "key_fingerprint": None,
        "output_topic": f"{topic}.masked",
        "output_partition": partition,
        "output_offset": offset,
        "outcome": "clean",
        "reason": None,
        "policy_version": "1",
        "policy_sha256": SHA,
        "model_name": "rampart",
        "model_sha256": SHA,
        "masks": [],
    }
    fields.update(kw)
    return build_audit_event(**fields)  # type: ignore[arg-type]


def sealed_lines(chain: AuditChain, offsets: range | list[int], partition: int = 0) -> list[str]:
    return as_lines([chain.seal(event(o, partition=partition)) for o in offsets])


def verify(lines: list[str], keys: KeyLookup, **kw: object) -> VerifyResult:
    return verify_entries(as_entries(lines), keys, **kw)  # type: ignore[arg-type]


def event_id(line: str) -> str:
    return str(json.loads(line)["event_id"])


def kinds(result: VerifyResult) -> set[str]:
    return {i.kind for i in result.errors}


def test_sealed_trail_verifies(chain: AuditChain, chain_keys: KeyLookup) -> None:
    result = verify(sealed_lines(chain, range(6)), chain_keys)
    assert result.ok, [i.render() for i in result.issues]
    assert result.issues == []
    (summary,) = result.chains
    assert (summary.events, summary.first_offset, summary.last_offset) == (6, 0, 5)
    assert summary.segments == 1


def test_first_event_of_each_partition_opens_a_segment_and_later_ones_link(
    chain: AuditChain,
) -> None:
    a0 = chain.seal(event(0, partition=0))
    b0 = chain.seal(event(0, partition=1))
    a1 = chain.seal(event(1, partition=0))
    assert is_segment_start(a0.prev_hash)
    assert is_segment_start(b0.prev_hash)
    assert a1.prev_hash == a0.hash
    assert a0.chain_key_id == "k1"


def test_interleaved_partitions_verify_independently(
    chain: AuditChain, chain_keys: KeyLookup
) -> None:
    lines = [
        chain.seal(event(o, partition=p)).model_dump_json() for o in range(4) for p in (0, 1, 2)
    ]
    result = verify(lines, chain_keys)
    assert result.ok
    assert [c.partition for c in result.chains] == [0, 1, 2]


def test_hash_covers_every_field_but_itself(chain: AuditChain, keyring: KeyRing) -> None:
    sealed = chain.seal(event(0))
    document = json.loads(sealed.model_dump_json())
    assert b'"hash"' not in canonical_bytes(document)
    assert b'"prev_hash"' in canonical_bytes(document)
    assert b'"chain_key_id"' in canonical_bytes(document)


def _delete(lines: list[str]) -> tuple[list[str], str]:
    return lines[:3] + lines[4:], event_id(lines[4])


def _delete_first(lines: list[str]) -> tuple[list[str], str]:
    return lines[1:], event_id(lines[1])


def _reorder(lines: list[str]) -> tuple[list[str], str]:
    return [*lines[:2], lines[3], lines[2], *lines[4:]], event_id(lines[3])


def _edit_score(lines: list[str]) -> tuple[list[str], str]:
    doc = json.loads(lines[2])
    doc["findings"][0]["score"] = 0.01
    return [*lines[:2], json.dumps(doc), *lines[3:]], event_id(lines[2])


def _edit_outcome(lines: list[str]) -> tuple[list[str], str]:
    return [*lines[:2], edited(lines[2], outcome="clean", findings=[]), *lines[3:]], event_id(
        lines[2]
    )


def _edit_offset(lines: list[str]) -> tuple[list[str], str]:
    return [*lines[:2], edited(lines[2], output_offset=999), *lines[3:]], event_id(lines[2])


def _insert_forged(lines: list[str]) -> tuple[list[str], str]:
    forged = edited(lines[2], event_id="00000000-0000-4000-8000-000000000000")
    return [*lines[:3], forged, *lines[3:]], "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize(
    ("tamper", "expected_kind"),
    [
        (_delete, "broken_link"),
        (_delete_first, "chain_start_missing"),
        (_reorder, "broken_link"),
        (_edit_score, "edited"),
        (_edit_outcome, "edited"),
        (_edit_offset, "edited"),
        (_insert_forged, "edited"),
    ],
    ids=[
        "delete",
        "delete-first",
        "reorder",
        "edit-score",
        "edit-outcome",
        "edit-offset",
        "insert",
    ],
)
def test_tampered_trail_fails_and_names_the_event(
    chain: AuditChain,
    chain_keys: KeyLookup,
    tamper: Callable[[list[str]], tuple[list[str], str]],
    expected_kind: str,
) -> None:
    masks = [
        SyntheticMask("EMAIL_ADDRESS", 0, 5, None, "hash", 0.9, "model", True, None, None, SHA)
    ]
    lines = as_lines([chain.seal(event(o, outcome="masked", masks=masks)) for o in range(6)])
    tampered, named = tamper(lines)
    result = verify(tampered, chain_keys)
    assert not result.ok
    assert any(i.kind == expected_kind and i.event_id == named for i in result.errors), [
        i.render() for i in result.errors
    ]


def test_deleted_event_is_also_reported_as_a_gap_in_source_offsets(
    chain: AuditChain, chain_keys: KeyLookup
) -> None:
    lines = sealed_lines(chain, range(6))
    result = verify(lines[:3] + lines[4:], chain_keys)
    gaps = [i for i in result.errors if i.kind == "gap"]
    assert len(gaps) == 1
    assert "no event for offset 3 before this one" in gaps[0].message
    assert gaps[0].source == "orders:0:4"


def test_restart_with_new_segment_from_committed_offset_is_a_duplicate_notice(
    keyring: KeyRing, chain_keys: KeyLookup
) -> None:
    before = AuditChain.from_keyring(keyring)
    lines = sealed_lines(before, range(10))
    # crash after processing 0..9 with offset 7 committed: a new worker re-processes 7..
    after = AuditChain.from_keyring(keyring)
    lines += sealed_lines(after, range(7, 12))
    result = verify(lines, chain_keys)
    assert result.ok, [i.render() for i in result.errors]
    notices = [i for i in result.issues if i.kind == "duplicate"]
    assert len(notices) == 1
    assert "offsets 7..9 processed again (3 event(s)" in notices[0].message
    (summary,) = result.chains
    assert (summary.segments, summary.duplicates, summary.last_offset) == (2, 3, 11)


def test_restart_that_resumes_the_chain_links_and_reports_duplicates(
    keyring: KeyRing, chain_keys: KeyLookup
) -> None:
    before = AuditChain.from_keyring(keyring)
    events = [before.seal(event(o)) for o in range(5)]
    after = AuditChain.from_keyring(keyring)
    assert events[-1].hash is not None
    after.resume("orders", 0, events[-1].hash)
    events += [after.seal(event(o)) for o in range(4, 7)]
    result = verify(as_lines(events), chain_keys)
    assert result.ok
    assert [i.kind for i in result.issues] == ["duplicate"]
    assert result.chains[0].segments == 1


def test_segment_start_beyond_the_next_offset_is_a_gap(
    keyring: KeyRing, chain_keys: KeyLookup
) -> None:
    lines = sealed_lines(AuditChain.from_keyring(keyring), range(5))
    restarted = sealed_lines(AuditChain.from_keyring(keyring), range(8, 10))
    result = verify(lines + restarted, chain_keys)
    (gap,) = result.errors
    assert gap.kind == "gap"
    assert gap.event_id == event_id(restarted[0])
    assert "offsets 5..7" in gap.message


def test_allow_gaps_downgrades_gaps_but_not_broken_links(
    chain: AuditChain, chain_keys: KeyLookup
) -> None:
    # input offsets 3 and 4 held transaction markers: the worker never saw them
    lines = sealed_lines(chain, [0, 1, 2, 5, 6])
    assert kinds(verify(lines, chain_keys)) == {"gap"}
    lenient = verify(lines, chain_keys, allow_gaps=True)
    assert lenient.ok
    assert [i.kind for i in lenient.issues] == ["gap"]
    deleted = verify(lines[:2] + lines[3:], chain_keys, allow_gaps=True)
    assert kinds(deleted) == {"broken_link"}


def test_reset_after_a_lost_send_opens_a_segment_that_verifies(
    chain: AuditChain, chain_keys: KeyLookup
) -> None:
    lines = sealed_lines(chain, range(3))
    chain.seal(event(3))  # sealed, but the send failed: it never reaches the trail
    chain.reset("orders", 0)
    lines += sealed_lines(chain, range(3, 5))
    assert verify(lines, chain_keys).ok


def test_exact_copy_of_an_event_is_a_notice(chain: AuditChain, chain_keys: KeyLookup) -> None:
    lines = sealed_lines(chain, range(4))
    result = verify([*lines[:3], lines[2], lines[3]], chain_keys)
    assert result.ok
    assert [i.kind for i in result.issues] == ["duplicate_copy"]


def test_missing_beginning_is_a_notice_only_with_partial_start(
    chain: AuditChain, chain_keys: KeyLookup
) -> None:
    lines = sealed_lines(chain, range(5))[2:]
    assert kinds(verify(lines, chain_keys)) == {"chain_start_missing"}
    lenient = verify(lines, chain_keys, partial_start=True)
    assert lenient.ok
    assert [i.kind for i in lenient.issues] == ["chain_start_missing"]


def test_expect_through_detects_a_truncated_tail(chain: AuditChain, chain_keys: KeyLookup) -> None:
    lines = sealed_lines(chain, range(5))
    assert verify(lines, chain_keys, expect_through={("orders", 0): 4}).ok
    result = verify(lines[:3], chain_keys, expect_through={("orders", 0): 4})
    (issue,) = result.errors
    assert issue.kind == "incomplete"
    assert "only up to offset 2" in issue.message


def test_events_sealed_before_a_key_rotation_verify_with_the_rotated_ring(
    keyring: KeyRing,
) -> None:
    old_lines = sealed_lines(AuditChain.from_keyring(keyring), range(3))
    rotated = keyring.with_new_key("k2")
    new_lines = sealed_lines(AuditChain.from_keyring(rotated), range(3, 5))

    def keys(key_id: str | None) -> bytes | None:
        return rotated.hmac_key(CHAIN_PURPOSE, key_id) if rotated.has_key(key_id or "") else None

    result = verify(old_lines + new_lines, keys)
    assert result.ok, [i.render() for i in result.errors]
    assert json.loads(new_lines[0])["chain_key_id"] == "k2"


def test_unknown_chain_key_is_an_error(keyring: KeyRing) -> None:
    lines = sealed_lines(AuditChain.from_keyring(keyring), range(2))
    result = verify(lines, lambda _kid: None)
    assert kinds(result) == {"unknown_key"}


def test_wrong_key_makes_every_event_look_edited(chain: AuditChain) -> None:
    lines = sealed_lines(chain, range(3))
    other = KeyRing.generate("k1")
    result = verify(lines, lambda kid: other.hmac_key(CHAIN_PURPOSE, kid))
    assert [i.kind for i in result.errors] == ["edited"] * 3


def test_unsealed_event_is_an_error(chain_keys: KeyLookup) -> None:
    result = verify([event(0).model_dump_json()], chain_keys)
    assert kinds(result) == {"unsealed"}


def test_malformed_and_invalid_lines_are_errors_that_do_not_echo_content(
    chain: AuditChain, chain_keys: KeyLookup
) -> None:
    secret = "jane.doe@example.com"
    line = sealed_lines(chain, range(1))[0]
    smuggled = edited(line, value=secret)
    bad_type = edited(line, model_name={"v": secret})
    result = verify([f"not json {secret}", smuggled, bad_type], chain_keys)
    assert [(i.kind, i.location) for i in result.errors] == [
        ("malformed", "line 1"),
        ("invalid", "line 2"),
        ("invalid", "line 3"),
    ]
    assert "value: Extra inputs are not permitted" in result.errors[1].message
    assert result.errors[1].event_id == event_id(line)
    for issue in result.issues:
        assert secret not in issue.render()


def test_resume_rejects_something_that_is_not_a_hash(chain: AuditChain) -> None:
    with pytest.raises(ValueError, match="64-character"):
        chain.resume("orders", 0, "genesis:whatever")


def test_chain_key_must_be_long_enough() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        AuditChain(b"short")
