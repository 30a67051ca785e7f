"""The JSONPath subset that selects fields of JSON messages."""

from __future__ import annotations

import pytest

from piimask.mask.jsonpath import JsonPath, JsonPathError, PathKey, format_path


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("$", (), True),
        ("$", ("a",), False),
        ("$.body", ("body",), True),
        ("$.body", ("bodyx",), False),
        ("$.body", ("body", "x"), False),  # exact node; "and everything under" is the walker's job
        ("$.customer.email", ("customer", "email"), True),
        ("$.comments[*].text", ("comments", 0, "text"), True),
        ("$.comments[*].text", ("comments", 7, "text"), True),
        ("$.comments[*].text", ("comments", "x", "text"), True),  # * is any child
        ("$.comments[1].text", ("comments", 0, "text"), False),
        ("$.comments[1].text", ("comments", 1, "text"), True),
        ("$.*.id", ("a", "id"), True),
        ("$..email", ("email",), True),
        ("$..email", ("a", 3, "b", "email"), True),
        ("$..email", ("a", "emails"), False),
        ("$..[*]", ("a", 0), True),
        ('$["odd key"].x', ("odd key", "x"), True),
        ("$['it\\'s']", ("it's",), True),
        ("$['a.b']", ("a.b",), True),
        ('$["quote\\"d"]', ('quote"d',), True),
        ("$.a1-b_c", ("a1-b_c",), True),
        ("$.名前", ("名前",), True),
        ("$[0]", (0,), True),
        ("$[0]", ("0",), False),  # an object key "0" is not a list index
    ],
)
def test_paths_select_the_nodes_they_name(
    pattern: str, path: tuple[PathKey, ...], matches: bool
) -> None:
    assert JsonPath.parse(pattern).matches(path) is matches


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("body", "starts with '\\$'"),
        ("$.", "expected a field name at position 2"),
        ("$..", "expected a field name"),
        ("$.a[", "unexpected '\\['"),
        ("$.a[x]", "unexpected '\\['"),
        ("$.a]", "expected a field name|unexpected"),
        ('$["\\q"]', "invalid escape"),
    ],
)
def test_invalid_paths_say_what_is_wrong(pattern: str, message: str) -> None:
    with pytest.raises(JsonPathError, match=message):
        JsonPath.parse(pattern)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), "$"),
        (("body",), "$.body"),
        (("comments", 0, "text"), "$.comments[0].text"),
        (("odd key",), '$["odd key"]'),
        (("a.b", 2), '$["a.b"][2]'),
        (("名前",), '$["名前"]'),
        (("_x9",), "$._x9"),
    ],
)
def test_format_path_renders_concrete_paths(path: tuple[PathKey, ...], text: str) -> None:
    assert format_path(path) == text


@pytest.mark.parametrize(
    "path", [("body",), ("comments", 0, "text"), ("odd key", 1), ("a.b",), ("名前", "x")]
)
def test_formatted_paths_parse_back_to_a_pattern_matching_them(path: tuple[PathKey, ...]) -> None:
    assert JsonPath.parse(format_path(path)).matches(path)
