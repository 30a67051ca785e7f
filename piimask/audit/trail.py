"""Audit trail entries as read (raw JSON plus where it came from) and JSONL files of them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from piimask.validation import describe_validation_error as describe


@dataclass(frozen=True, slots=True)
class TrailEntry:
    """One audit event as stored: its exact JSON text and its place in the trail.

    ``location`` is human-readable ("line 12", "audit partition 0 offset 5"); the
    verifier recomputes each HMAC from ``text`` itself, so nothing is lost in re-encoding.
    """

    text: str
    location: str
    audit_partition: int | None = None
    audit_offset: int | None = None


def iter_jsonl(stream: IO[str], *, name: str = "") -> Iterator[TrailEntry]:
    prefix = f"{name} " if name else ""
    for number, line in enumerate(stream, start=1):
        text = line.strip()
        if text:
            yield TrailEntry(text=text, location=f"{prefix}line {number}")


def read_jsonl(path: Path) -> Iterator[TrailEntry]:
    with path.open(encoding="utf-8", errors="replace") as stream:
        yield from iter_jsonl(stream)


def describe_validation_error(exc: ValidationError) -> str:
    """Field paths and messages only: pydantic's default text would echo the input values."""
    return describe(exc, empty="(event)")
