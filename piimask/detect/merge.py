"""Combining model and pattern spans into one non-overlapping list.

Validated patterns (checksums, structure) are more reliable than the model for
structured identifiers, so a pattern beats the model where they overlap. Two
exceptions keep whole entities whole: a model span of the same type is unioned
with the pattern span, and a weak pattern (context-gated ZIP, date, domain)
strictly inside a model span gives way to it (a ZIP inside a full address).
When in doubt the result masks more, never less: overlaps are resolved by
trimming or joining, never by dropping characters that some detector claimed
unless another span covers them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence

from piimask.spans import Span

# Pattern types whose validation is contextual rather than a checksum.
WEAK_PATTERN_TYPES = frozenset({"ZIP_CODE", "DATE_TIME", "DOMAIN_NAME", "URL", "DRIVER_LICENSE"})


def union_same_type(spans: Iterable[Span]) -> list[Span]:
    """Union overlapping (or touching) spans of one type; keeps the best score and detector."""
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.entity_type, s.start, s.end)):
        if out and out[-1].entity_type == span.entity_type and span.start <= out[-1].end:
            prev = out[-1]
            best = prev if prev.score >= span.score else span
            out[-1] = Span(
                prev.start, max(prev.end, span.end), prev.entity_type, best.score, best.detector
            )
        else:
            out.append(span)
    return sorted(out)


def _resolve_patterns(patterns: Sequence[Span]) -> list[Span]:
    """Non-overlapping pattern spans: longer wins, then higher score; a loser keeps its rest."""
    chosen: list[Span] = []
    for span in sorted(patterns, key=lambda s: (-(s.end - s.start), -s.score, s.start)):
        chosen.extend(_subtract(span, [c for c in chosen if span.overlaps(c)]))
    return sorted(chosen)


def _subtract(span: Span, blockers: Sequence[Span]) -> list[Span]:
    pieces = [(span.start, span.end)]
    for b in blockers:
        next_pieces: list[tuple[int, int]] = []
        for s, e in pieces:
            if b.end <= s or b.start >= e:
                next_pieces.append((s, e))
                continue
            if s < b.start:
                next_pieces.append((s, b.start))
            if b.end < e:
                next_pieces.append((b.end, e))
        pieces = next_pieces
    return [Span(s, e, span.entity_type, span.score, span.detector) for s, e in pieces]


def _has_alnum(text: str, start: int, end: int) -> bool:
    return any(ch.isalnum() for ch in text[start:end])


def merge_spans(text: str, model: Sequence[Span], patterns: Sequence[Span]) -> list[Span]:
    """One sorted list without overlaps from model and pattern spans."""
    model_spans = union_same_type(model)
    pattern_spans = _resolve_patterns(union_same_type(patterns))

    kept_patterns: list[Span] = []
    for p in pattern_spans:
        inside_model = any(
            m.start <= p.start and p.end <= m.end and (m.start, m.end) != (p.start, p.end)
            for m in model_spans
            if m.entity_type != p.entity_type
        )
        if p.entity_type in WEAK_PATTERN_TYPES and inside_model:
            continue
        kept_patterns.append(p)

    result: list[Span] = []
    absorbed: set[int] = set()
    for m in model_spans:
        same = [p for p in kept_patterns if p.entity_type == m.entity_type and p.overlaps(m)]
        if same:
            for p in same:
                absorbed.add(id(p))
            start = min([m.start, *(p.start for p in same)])
            end = max([m.end, *(p.end for p in same)])
            # What the model adds to a validated match is kept only where it holds letters
            # or digits: "jane@x.org." must not take the sentence's full stop along.
            first, last = min(p.start for p in same), max(p.end for p in same)
            if start < first and not _has_alnum(text, start, first):
                start = first
            if end > last and not _has_alnum(text, last, end):
                end = last
            best = max(same, key=lambda p: p.score)
            m = Span(start, end, m.entity_type, max(m.score, best.score), best.detector)
        others = [p for p in kept_patterns if p.entity_type != m.entity_type and p.overlaps(m)]
        for piece in _subtract(m, others):
            if _has_alnum(text, piece.start, piece.end):
                result.append(piece)
    result.extend(p for p in kept_patterns if id(p) not in absorbed)
    return remove_overlaps(result)


def remove_overlaps(spans: Sequence[Span]) -> list[Span]:
    """Make the list non-overlapping: an overlapped span is joined into the earlier one."""
    out: list[Span] = []
    for span in sorted(spans):
        if out and span.start < out[-1].end:
            prev = out[-1]
            keep = prev if (prev.end - prev.start) >= (span.end - span.start) else span
            out[-1] = Span(
                prev.start, max(prev.end, span.end), keep.entity_type, keep.score, keep.detector
            )
        else:
            out.append(span)
    return out


def add_where_free(spans: Sequence[Span], extra: Iterable[Span]) -> list[Span]:
    """Add the extra spans that overlap none of ``spans`` (lower-priority evidence)."""
    out = list(spans)
    for span in extra:
        if not any(span.overlaps(s) for s in out):
            out.append(span)
    return sorted(out)


class AllowList:
    """Values that are never reported: exact strings and full-match regexes."""

    def __init__(self, exact: Collection[str] = (), regexes: Collection[str] = ()) -> None:
        self._exact = frozenset(exact)
        self._regexes = [re.compile(r) for r in regexes]

    def __bool__(self) -> bool:
        return bool(self._exact or self._regexes)

    def allows(self, value: str) -> bool:
        return value in self._exact or any(r.fullmatch(value) for r in self._regexes)

    def filter(self, text: str, spans: Iterable[Span]) -> list[Span]:
        return [s for s in spans if not self.allows(text[s.start : s.end])]
