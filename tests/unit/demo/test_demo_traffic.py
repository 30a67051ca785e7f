from __future__ import annotations

import json
from collections import Counter

import pytest

from piimask.demo.traffic import generate


def test_same_seed_gives_the_same_messages() -> None:
    assert list(generate(50, seed=3)) == list(generate(50, seed=3))
    assert list(generate(50, seed=3)) != list(generate(50, seed=4))


@pytest.mark.parametrize("count", [0, 1, 300])
def test_generates_exactly_count_messages_with_unique_keys(count: int) -> None:
    messages = list(generate(count))
    assert len(messages) == count
    assert len({m.key for m in messages}) == count


def test_mix_contains_every_kind() -> None:
    kinds = Counter(m.kind for m in generate(300))
    assert set(kinds) == {"ticket", "chat", "event", "clean"}
    assert kinds["ticket"] > kinds["event"] > kinds["clean"]


def test_json_events_are_objects_and_text_messages_are_not_json() -> None:
    for m in generate(200):
        if m.format == "json":
            assert isinstance(json.loads(m.value), dict)
        else:
            assert not m.value.startswith("{")


def test_negative_count_is_rejected() -> None:
    with pytest.raises(ValueError, match="count"):
        list(generate(-1))
