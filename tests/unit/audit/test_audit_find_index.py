from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from audit_helpers import as_entries, as_lines

from piimask.audit import AuditChain, build_audit_event, verify_entries
from piimask.audit.find import find_by_source, find_by_values, parse_source, value_variants
from piimask.audit.index import AuditIndex
from piimask.audit.synthetic import SyntheticMask, synthetic_events
from piimask.audit.trail import TrailEntry
from piimask.audit.verify import KeyLookup
from piimask.keys import KeyRing

SHA = "12" * 32


def record(
    keyring: KeyRing,
    offset: int,
    values: list[str],
    *,
    key: str | None = None,
    outcome: str = "masked",
    partition: int = 0,
) -> object:
    masks = [
        SyntheticMask(
            "EMAIL_ADDRESS",
            10 * i,
            10 * i + len(v),
            "$.email",
            "hash",
            0.9,
            "model",
            True,
            None,
            None,
            keyring.fingerprint(v),
        )
        for i, v in enumerate(values)
    ]
    return build_audit_event(
        source_topic="orders",
        source_partition=partition,
        source_offset=offset,
        key_fingerprint=None if key is None else keyring.fingerprint(key),
        output_topic="orders.masked",
        output_partition=partition,
        output_offset=offset + 100,
        outcome=outcome,  # type: ignore[arg-type]
        reason=None,
        policy_version="1",
        policy_sha256=SHA,
        model_name="rampart",
        model_sha256=SHA,
        masks=masks,
    )


@pytest.fixture
def index(keyring: KeyRing, chain: AuditChain) -> AuditIndex:
    events = [
        record(keyring, 0, ["ann@example.com"]),
        record(keyring, 1, ["bob@example.com", "ann@example.com"], key="customer-42"),
        record(keyring, 2, [], outcome="clean", key="customer-42"),
        record(keyring, 3, ["carl@example.com"]),
        record(keyring, 0, ["ann@example.com"], partition=1),
    ]
    idx = AuditIndex(":memory:")
    idx.add(as_entries(as_lines([chain.seal(e) for e in events])))  # type: ignore[arg-type]
    return idx


def test_find_by_value_lists_every_record_that_held_it(index: AuditIndex, keyring: KeyRing) -> None:
    matches = find_by_values(index, keyring, ["ann@example.com"])
    assert [(m.source, m.output, m.field, m.start) for m in matches] == [
        ("orders:0:0", "orders.masked:0:100", "$.email", 0),
        ("orders:0:1", "orders.masked:0:101", "$.email", 10),
        ("orders:1:0", "orders.masked:1:100", "$.email", 0),
    ]
    assert {m.value_index for m in matches} == {1}


@pytest.mark.parametrize("asked", ["ann@example.com", "  Ann@Example.COM ", "ANN@EXAMPLE.COM"])
def test_find_tries_the_trimmed_lower_cased_variant(
    index: AuditIndex, keyring: KeyRing, asked: str
) -> None:
    assert len(find_by_values(index, keyring, [asked])) == 3


def test_find_unknown_value_finds_nothing(index: AuditIndex, keyring: KeyRing) -> None:
    assert find_by_values(index, keyring, ["nobody@example.com"]) == []


def test_find_matches_record_keys_too(index: AuditIndex, keyring: KeyRing) -> None:
    matches = find_by_values(index, keyring, ["customer-42"])
    assert [(m.source, m.matched, m.outcome) for m in matches] == [
        ("orders:0:1", "record_key", "masked"),
        ("orders:0:2", "record_key", "clean"),
    ]


def test_find_several_values_says_which_matched_by_position(
    index: AuditIndex, keyring: KeyRing
) -> None:
    matches = find_by_values(index, keyring, ["carl@example.com", "bob@example.com"])
    assert [(m.source, m.value_index) for m in matches] == [("orders:0:1", 2), ("orders:0:3", 1)]


def test_find_uses_every_key_in_the_ring(chain: AuditChain, keyring: KeyRing) -> None:
    idx = AuditIndex(":memory:")
    idx.add(as_entries(as_lines([chain.seal(record(keyring, 0, ["old@example.com"]))])))  # type: ignore[arg-type]
    rotated = keyring.with_new_key("k2")
    assert len(find_by_values(idx, rotated, ["old@example.com"])) == 1


def test_find_by_source_lists_the_findings_of_one_record(index: AuditIndex) -> None:
    matches = find_by_source(index, "orders", 0, 1)
    assert [(m.entity_type, m.start, m.end, m.operator, m.masked) for m in matches] == [
        ("EMAIL_ADDRESS", 0, 15, "hash", True),
        ("EMAIL_ADDRESS", 10, 25, "hash", True),
    ]


def test_find_by_source_shows_a_record_without_findings(index: AuditIndex) -> None:
    (match,) = find_by_source(index, "orders", 0, 2)
    assert (match.outcome, match.entity_type) == ("clean", None)
    assert find_by_source(index, "orders", 0, 99) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("orders:0:5", ("orders", 0, 5)), ("a.b-c:12:345", ("a.b-c", 12, 345))],
)
def test_parse_source(text: str, expected: tuple[str, int, int]) -> None:
    assert parse_source(text) == expected


@pytest.mark.parametrize("text", ["orders", "orders:0", "orders:x:1", ":0:1", "o:-1:2"])
def test_parse_source_rejects_malformed_coordinates(text: str) -> None:
    with pytest.raises(ValueError, match=r"TOPIC:PARTITION:OFFSET|integers|>= 0"):
        parse_source(text)


def test_value_variants_are_distinct() -> None:
    assert value_variants("a@b.c") == ["a@b.c"]
    assert value_variants(" A@B.c ") == [" A@B.c ", "A@B.c", "a@b.c"]


# --- index ---------------------------------------------------------------------------------


def test_index_round_trip_keeps_every_entry_byte_for_byte_in_order(
    tmp_path: Path, keyring: KeyRing, chain: AuditChain, chain_keys: KeyLookup
) -> None:
    lines = as_lines(list(synthetic_events(keyring, chain, records=50, partitions=3)))
    lines.append('{"broken": true}')
    db = tmp_path / "audit.sqlite"
    with AuditIndex(db) as idx:
        stats = idx.add(as_entries(lines), batch_size=7)
    assert (stats.added, stats.rejected) == (50, 1)
    with AuditIndex(db) as idx:
        stored = list(idx.entries())
        assert [e.text for e in stored] == lines
        assert idx.counts() == (50, 1)
        result = verify_entries(idx.entries(), chain_keys)
    assert [i.kind for i in result.errors] == ["invalid"]
    assert result.errors[0].location == "line 51"


def test_index_is_incremental_and_remembers_consumed_offsets(
    tmp_path: Path, keyring: KeyRing, chain: AuditChain, chain_keys: KeyLookup
) -> None:
    lines = as_lines(list(synthetic_events(keyring, chain, records=20)))
    db = tmp_path / "audit.sqlite"
    first = [TrailEntry(t, f"audit partition 0 offset {i}") for i, t in enumerate(lines[:12])]
    rest = [TrailEntry(t, f"audit partition 0 offset {i + 12}") for i, t in enumerate(lines[12:])]
    with AuditIndex(db) as idx:
        idx.add(first, consumed={("piimask.audit", 0): 12})
    with AuditIndex(db) as idx:
        assert idx.consumed_offsets("piimask.audit") == {0: 12}
        assert idx.consumed_offsets("other") == {}
        idx.add(rest, consumed={("piimask.audit", 0): 20})
        assert idx.consumed_offsets("piimask.audit") == {0: 20}
        assert [e.text for e in idx.entries()] == lines
        assert verify_entries(idx.entries(), chain_keys).ok


def test_latest_flag_marks_only_the_last_event_per_record_across_batches(
    keyring: KeyRing, chain: AuditChain
) -> None:
    events = [record(keyring, o, []) for o in (0, 1, 2, 1, 2, 2)]
    idx = AuditIndex(":memory:")
    idx.add(as_entries(as_lines([chain.seal(e) for e in events])), batch_size=2)  # type: ignore[arg-type]
    rows = idx.db.execute("SELECT source_offset, latest FROM events ORDER BY seq").fetchall()
    assert rows == [(0, 1), (1, 0), (2, 0), (1, 1), (2, 0), (2, 1)]


def test_index_from_another_schema_version_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "audit.sqlite"
    AuditIndex(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(ValueError, match="rebuild the index"):
        AuditIndex(db)
