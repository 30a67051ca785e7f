"""The faust runtime's pure parts: refusals, record conversion, the app it builds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from piimask.settings import Settings
from piimask.stream.faust_runtime import (
    EXACTLY_ONCE_REFUSED,
    FaustRuntimeError,
    check_settings,
    source_record,
)
from piimask.stream.routing import RoutingError


@dataclass
class FakeMessage:
    topic: str = "orders"
    partition: int = 3
    offset: int = 17
    key: bytes | None = b"k"
    value: bytes | None = b"v"
    headers: Any = (("trace", b"abc"),)
    timestamp: float | None = 1_764_300_000.123


def settings(**extra: Any) -> Settings:
    return Settings(**{"input_topics": ["orders"], **extra})


def test_exactly_once_is_refused_with_a_pointer_to_the_aiokafka_runtime() -> None:
    with pytest.raises(FaustRuntimeError) as err:
        check_settings(settings(processing_guarantee="exactly-once"))
    assert str(err.value) == EXACTLY_ONCE_REFUSED
    assert "PIIMASK_RUNTIME=aiokafka" in EXACTLY_ONCE_REFUSED


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"input_topics": []}, "exactly one of"),
        ({"input_pattern": "raw\\..*"}, "exactly one of"),
        ({"output_topic_template": "orders"}, "orders"),
    ],
)
def test_input_and_output_topics_are_checked_before_anything_loads(
    extra: dict[str, Any], message: str
) -> None:
    with pytest.raises(RoutingError, match=message):
        check_settings(settings(**extra))


def test_at_least_once_settings_pass() -> None:
    check_settings(settings())


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (FakeMessage(), ("orders", 3, 17, b"k", b"v", (("trace", b"abc"),), 1_764_300_000_123)),
        (
            FakeMessage(key=None, value=None, headers=None, timestamp=None),
            ("orders", 3, 17, None, None, (), None),
        ),
        (
            FakeMessage(headers=[("h", None)], timestamp=-0.001),
            ("orders", 3, 17, b"k", b"v", (("h", b""),), None),
        ),
    ],
)
def test_a_faust_message_becomes_the_same_source_record_as_an_aiokafka_one(
    message: FakeMessage, expected: tuple[Any, ...]
) -> None:
    r = source_record(message)
    assert (r.topic, r.partition, r.offset, r.key, r.value, r.headers, r.timestamp_ms) == expected


def test_millisecond_timestamps_survive_faust_float_seconds() -> None:
    for ms in (0, 1, 999, 1_764_300_000_001, 1_764_300_000_999, 4_102_444_800_000):
        assert source_record(FakeMessage(timestamp=ms / 1000.0)).timestamp_ms == ms
