from __future__ import annotations

import pytest

from piimask.keys import KeyRing
from piimask.stream.deadletter import make_dead_letter
from piimask.stream.replay import Selection
from tests.unit.stream.helpers import record


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
