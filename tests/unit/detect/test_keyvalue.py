"""key=value, key: value and "key": value fragments in plain text."""

from __future__ import annotations

import pytest

from piimask.detect.keyvalue import find_fragments


def pairs(text: str) -> list[tuple[str, str, str]]:
    return [(f.key(text), f.value(text), f.form) for f in find_fragments(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("order=48213 size=10240", [("order", "48213", "equals"), ("size", "10240", "equals")]),
        ("(replicas=11, cpu=3126m)", [("replicas", "11", "equals"), ("cpu", "3126m", "equals")]),
        ('msg="a b c" x=1', [("msg", "a b c", "equals"), ("x", "1", "equals")]),
        ("k='quoted value'", [("k", "quoted value", "equals")]),
        (
            '{"ts": 1687142703355, "level": "info"}',
            [("ts", "1687142703355", "json"), ("level", "info", "json")],
        ),
        (
            "client: 203.0.113.7, server: api-1",
            [("client", "203.0.113.7", "colon"), ("server", "api-1", "colon")],
        ),
        ("node=cache-9.internal:6379", [("node", "cache-9.internal:6379", "equals")]),
        (
            "DELETE FROM carts WHERE updated_at < '2026-09-14'",
            [("updated_at", "2026-09-14", "compare")],
        ),
        (
            "UPDATE accounts SET phone = '+44 7700 900123'",
            [("phone", "+44 7700 900123", "compare")],
        ),
        # brackets after a bare value close the field around it, not the value's own
        ("auth ok [login: mvance] [peer: 192.0.2.4]", [("login", "mvance", "colon"),
                                                      ("peer", "192.0.2.4", "colon")]),
        ("denied (host: 198.51.100.3)", [("host", "198.51.100.3", "colon")]),
        ("args: f(x) idx: a[2]", [("args", "f(x)", "colon"), ("idx", "a[2]", "colon")]),
    ],
)  # fmt: skip
def test_finds_keys_and_their_values(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert pairs(text) == expected


def test_a_quoted_value_may_hold_fragments_of_its_own() -> None:
    text = 'msg="retry=1 order=5" done=true'
    assert pairs(text) == [
        ("msg", "retry=1 order=5", "equals"),
        ("retry", "1", "equals"),
        ("order", "5", "equals"),
        ("done", "true", "equals"),
    ]


@pytest.mark.parametrize(
    "text",
    ["a==b", "x = 1", "key=", '"k":', "2026-11-03T14:07:12", "::1", "love you < 3", "a < b"],
)
def test_no_fragment_without_a_key_a_separator_and_a_value(text: str) -> None:
    assert pairs(text) == []


def test_offsets_leave_quotes_out() -> None:
    text = '"user": "jane"'
    [fragment] = find_fragments(text)
    assert text[fragment.key_start - 1] == '"'
    assert text[fragment.value_end] == '"'
    assert fragment.holds(fragment.value_start, fragment.value_end)
    assert fragment.in_key(fragment.key_start, fragment.key_end)
