"""Helpers shared by the audit unit tests (a uniquely named module: tests have no packages)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from piimask.audit import AuditEvent
from piimask.audit.trail import TrailEntry


def as_entries(lines: Sequence[str]) -> list[TrailEntry]:
    return [TrailEntry(text=line, location=f"line {n}") for n, line in enumerate(lines, 1)]


def as_lines(events: Sequence[AuditEvent]) -> list[str]:
    return [e.model_dump_json() for e in events]


def edited(line: str, **changes: object) -> str:
    document = json.loads(line)
    document.update(changes)
    return json.dumps(document)
