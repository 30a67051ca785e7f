from __future__ import annotations

import re
from collections.abc import Sequence

from piimask.keys import KeyRing
from piimask.mask import RecordMasker, default_policy
from piimask.spans import Span
from piimask.stream.delivery import MaskingContext
from piimask.stream.records import SourceRecord

EMAIL = re.compile(r"[\w.]+@[\w.]+\.\w+")


class RegexDetector:
    """Finds e-mail addresses; raises on texts containing ``poison``."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def detect_batch(self, texts: Sequence[str]) -> list[list[Span]]:
        self.calls.append(len(texts))
        if any("poison" in t for t in texts):
            raise RuntimeError("model crashed")
        return [
            [
                Span(m.start(), m.end(), "EMAIL_ADDRESS", 0.99, "pattern:EMAIL")
                for m in EMAIL.finditer(t)
            ]
            for t in texts
        ]


def context(keyring: KeyRing, fmt: str = "text") -> MaskingContext:
    policy = default_policy()
    return MaskingContext(
        masker=RecordMasker(policy, keyring, message_format=fmt),  # type: ignore[arg-type]
        policy_version=policy.version,
        policy_sha256=policy.sha256,
    )


def record(
    value: bytes | None, *, offset: int = 0, partition: int = 0, key: bytes | None = b"k"
) -> SourceRecord:
    return SourceRecord(
        topic="in",
        partition=partition,
        offset=offset,
        key=key,
        value=value,
        headers=(("trace", b"t1"),),
        timestamp_ms=1_700_000_000_000,
    )
