from __future__ import annotations

import pytest

from piimask.keys import KeyRing
from piimask.stream.deadletter import make_dead_letter
from piimask.stream.replay import Selection, parse_source
from tests.unit.stream.helpers import record


@pytest.mark.parametrize(
    ("text", "expected"),
    [("orders:3:1520", "orders:3:1520"), ("a.b-c:03:007", "a.b-c:3:7"), ("x:y:0:1", "x:y:0:1")],
)
def test_parse_source_normalizes_topic_partition_offset(text: str, expected: str) -> None:
    assert parse_source(text) == expected


@pytest.mark.parametrize("text", ["orders", "orders:1", ":1:2", "orders:a:2", "orders:1:-2"])
def test_parse_source_rejects_other_forms(text: str) -> None:
    with pytest.raises(ValueError, match="TOPIC:PARTITION:OFFSET"):
        parse_source(text)


@pytest.mark.parametrize(
    ("selection", "matches"),
    [
        (Selection(), True),
        (Selection(reasons=frozenset({"invalid_json"})), True),
        (Selection(reasons=frozenset({"oversize"})), False),
        (Selection(sources=frozenset({"in:0:4"})), True),
        (Selection(sources=frozenset({"in:0:5"})), False),
        (Selection(reasons=frozenset({"invalid_json"}), sources=frozenset({"in:0:5"})), False),
    ],
)
def test_selection_needs_every_given_filter_to_match(
    keyring: KeyRing, selection: Selection, matches: bool
) -> None:
    letter = make_dead_letter(
        record(b"{", offset=4),
        reason="invalid_json",
        detail="",
        keyring=keyring,
        max_record_bytes=100_000,
    )
    assert selection.matches(letter) is matches
