from __future__ import annotations

import pytest

from piimask.stream.decode import PassThrough, Rejection, decode_value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, PassThrough("tombstone")),
        (b"", PassThrough("empty_value")),
        (b"hello", "hello"),
        ("caf\u00e9".encode(), "caf\u00e9"),
    ],
)
def test_decode_value_passes_text_tombstones_and_empty_values(
    value: bytes | None, expected: object
) -> None:
    assert decode_value(value, max_bytes=100) == expected


def test_invalid_utf8_is_rejected_with_the_byte_position_not_the_value() -> None:
    result = decode_value(b"secret \xff\xfe tail", max_bytes=100)
    assert isinstance(result, Rejection)
    assert result.reason == "invalid_utf8"
    assert "byte 7" in result.detail
    assert "secret" not in result.detail


def test_value_over_the_limit_is_oversize_before_any_decoding() -> None:
    result = decode_value(b"\xff" * 11, max_bytes=10)
    assert result == Rejection("oversize", "value is 11 bytes, more than max_message_bytes=10")


def test_oversize_action_scan_decodes_large_values() -> None:
    assert decode_value(b"a" * 11, max_bytes=10, oversize_action="scan") == "a" * 11
