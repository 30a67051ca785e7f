from __future__ import annotations

import pytest

from piimask.settings import Settings
from piimask.stream.routing import (
    MODEL_HEADER,
    POLICY_VERSION_HEADER,
    RoutingError,
    check_topics,
    choose_partition,
    is_own_output,
    key_text,
    output_headers,
    output_topic_for,
)


@pytest.mark.parametrize(
    ("template", "topic", "expected"),
    [
        ("{topic}.masked", "orders", "orders.masked"),
        ("masked.{topic}", "orders", "masked.orders"),
        ("all-masked", "orders", "all-masked"),
    ],
)
def test_output_topic_for_fills_the_template(template: str, topic: str, expected: str) -> None:
    assert output_topic_for(template, topic) == expected


@pytest.mark.parametrize(
    ("inputs", "template", "message"),
    [
        (["orders"], "{topic}", "itself"),
        (["piimask.audit"], "{topic}.masked", "PIIMASK_AUDIT_TOPIC"),
        (["orders"], "piimask.dlq", "PIIMASK_DLQ_TOPIC"),
        (["orders"], "{topic}.{partition}", "unknown placeholder"),
        (["orders"], "{topic} masked", "valid topic name"),
    ],
)
def test_check_topics_refuses_layouts_that_loop_or_are_invalid(
    inputs: list[str], template: str, message: str
) -> None:
    with pytest.raises(RoutingError, match=message):
        check_topics(inputs, template, "piimask.audit", "piimask.dlq")


@pytest.mark.parametrize(
    ("topic", "own"),
    [
        ("orders.masked", True),
        ("piimask.audit", True),
        ("piimask.dlq", True),
        ("orders", False),
        (".masked", False),
    ],
)
def test_is_own_output_recognizes_topics_the_worker_writes(topic: str, own: bool) -> None:
    assert is_own_output(topic, "{topic}.masked", "piimask.audit", "piimask.dlq") is own


@pytest.mark.parametrize(
    ("input_partition", "output_partitions", "expected"),
    [(0, 4, 0), (3, 4, 3), (3, 2, None), (0, 1, 0), (1, 1, None)],
)
def test_choose_partition_keeps_the_number_when_the_output_has_it(
    input_partition: int, output_partitions: int, expected: int | None
) -> None:
    assert choose_partition(input_partition, output_partitions) == expected


def test_output_headers_keep_originals_and_replace_stale_piimask_headers() -> None:
    headers = output_headers(
        (("trace", b"1"), (POLICY_VERSION_HEADER, b"old")), policy_version="v2", model="rampart"
    )
    assert headers == [("trace", b"1"), (POLICY_VERSION_HEADER, b"v2"), (MODEL_HEADER, b"rampart")]


@pytest.mark.parametrize(
    ("key", "expected"),
    [(None, None), (b"user-1", "user-1"), (b"\xff\x00", "base64:/wA=")],
)
def test_key_text_is_utf8_or_base64(key: bytes | None, expected: str | None) -> None:
    assert key_text(key) == expected


@pytest.mark.parametrize(
    ("raw", "topics"),
    [("a, b,,c", ["a", "b", "c"]), ('["x.y", "z"]', ["x.y", "z"]), ("", [])],
)
def test_input_topics_setting_accepts_commas_or_json(
    monkeypatch: pytest.MonkeyPatch, raw: str, topics: list[str]
) -> None:
    monkeypatch.setenv("PIIMASK_INPUT_TOPICS", raw)
    assert Settings().input_topics == topics
