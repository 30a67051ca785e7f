"""A record's address, ``TOPIC:PARTITION:OFFSET``: how the CLI, dead letters and audit events
name one input record (``audit find --source``, ``audit verify --expect-through``,
``dlq replay --source``)."""

from __future__ import annotations


def parse_source(text: str) -> tuple[str, int, int]:
    """``(topic, partition, offset)`` of ``TOPIC:PARTITION:OFFSET`` (the topic may contain ':';
    partition and offset are non-negative decimal integers)."""
    parts = text.rsplit(":", 2)
    if len(parts) != 3 or not parts[0] or not parts[1].isdigit() or not parts[2].isdigit():
        raise ValueError(f"{text!r} is not TOPIC:PARTITION:OFFSET")
    return parts[0], int(parts[1]), int(parts[2])


def source_text(topic: str, partition: int, offset: int) -> str:
    """The normal form ``topic:partition:offset`` (no leading zeros)."""
    return f"{topic}:{partition}:{offset}"
