"""Reading JSONL input files line by line with errors that name the line, never its content."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any


@dataclass(frozen=True, slots=True)
class JsonLine:
    number: int  # 1-based
    value: dict[str, Any] | None
    error: str | None  # set when value is None


def read_json_lines(stream: IO[bytes]) -> Iterator[JsonLine]:
    """Each non-blank line as a JSON object, or an error that says what is wrong with it."""
    for number, raw in enumerate(stream, 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield JsonLine(number, None, f"line {number}: not valid UTF-8 (byte {exc.start})")
            continue
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield JsonLine(
                number, None, f"line {number}: invalid JSON ({exc.msg} at column {exc.colno})"
            )
            continue
        except RecursionError:
            yield JsonLine(number, None, f"line {number}: JSON nested too deeply")
            continue
        if not isinstance(value, dict):
            yield JsonLine(
                number, None, f"line {number}: expected a JSON object, got {type(value).__name__}"
            )
            continue
        yield JsonLine(number, value, None)


def read_json_objects(
    path: Path | str, limit: int | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) of a JSONL file, at most ``limit``; ``ValueError`` naming the
    first bad line, never its content."""
    with Path(path).open("rb") as stream:
        for count, line in enumerate(read_json_lines(stream)):
            if limit is not None and count >= limit:
                return
            if line.value is None:
                raise ValueError(str(line.error))
            yield line.number, line.value


def open_input(path: Path | str) -> IO[bytes]:
    if str(path) == "-":
        import sys

        return sys.stdin.buffer
    return Path(path).open("rb")
