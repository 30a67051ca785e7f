"""The span value that detection produces and masking consumes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A detected PII span: ``text[start:end]`` is the value (code point offsets, end exclusive).

    ``detector`` names what found it: ``"model"`` or ``"pattern:<NAME>"``.
    """

    start: int
    end: int
    entity_type: str
    score: float = 1.0
    detector: str = "model"

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"invalid span offsets [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def to_dict(self) -> dict[str, object]:
        return {
            "start": self.start,
            "end": self.end,
            "entity_type": self.entity_type,
            "score": round(self.score, 4),
            "detector": self.detector,
        }
