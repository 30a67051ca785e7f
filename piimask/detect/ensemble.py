"""Spans of several independently trained detectors, combined before the pattern merge.

Each detector is an equal voter: a span that another detector confirms (same type,
overlapping) gets the noisy-OR of their scores and names both detectors; a span one
detector found alone keeps its own score and can be held to a stricter minimum per
detector and type (``DetectorConfig.detector_min_scores``). The result still overlaps
freely: ``merge.merge_spans`` unions same-type spans and resolves the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from piimask.spans import Span


def detector_family(detector: str) -> str:
    """``ner:en_core_web_sm`` -> ``ner``; ``model`` -> ``model``."""
    return detector.split(":", 1)[0]


def combine(
    per_detector: Sequence[Sequence[Span]],
    lone_min_scores: Mapping[str, Mapping[str, float]],
) -> list[Span]:
    """All detectors' spans, with agreement raising scores and weak lone spans dropped."""
    out: list[Span] = []
    for index, spans in enumerate(per_detector):
        others = [s for j, group in enumerate(per_detector) if j != index for s in group]
        for span in spans:
            agreeing = [o for o in others if o.entity_type == span.entity_type and o.overlaps(span)]
            if agreeing:
                best = max(o.score for o in agreeing)
                names = sorted({span.detector, *(o.detector for o in agreeing)})
                score = 1.0 - (1.0 - span.score) * (1.0 - best)
                out.append(Span(span.start, span.end, span.entity_type, score, "+".join(names)))
                continue
            floor = lone_min_scores.get(detector_family(span.detector), {}).get(
                span.entity_type, 0.0
            )
            if span.score >= floor:
                out.append(span)
    return out
