from __future__ import annotations

import pytest

from piimask.coordinates import parse_source, source_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("orders:3:1520", ("orders", 3, 1520)),
        ("a.b-c:03:007", ("a.b-c", 3, 7)),
        ("x:y:0:1", ("x:y", 0, 1)),
        ("orders:0:5", ("orders", 0, 5)),
        ("a.b-c:12:345", ("a.b-c", 12, 345)),
    ],
)
def test_parse_source_reads_topic_partition_offset(
    text: str, expected: tuple[str, int, int]
) -> None:
    assert parse_source(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("orders:3:1520", "orders:3:1520"), ("a.b-c:03:007", "a.b-c:3:7"), ("x:y:0:1", "x:y:0:1")],
)
def test_source_text_is_the_normal_form(text: str, expected: str) -> None:
    assert source_text(*parse_source(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "orders",
        "orders:1",
        "orders:0",
        ":1:2",
        ":0:1",
        "orders:a:2",
        "orders:x:1",
        "orders:1:-2",
        "o:-1:2",
    ],
)
def test_parse_source_rejects_other_forms(text: str) -> None:
    with pytest.raises(ValueError, match="TOPIC:PARTITION:OFFSET"):
        parse_source(text)
