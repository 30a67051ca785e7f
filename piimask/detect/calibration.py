"""Fitting thresholds and score maps to a labelled sample (pure functions; ``piimask calibrate``).

The sample is scored at character level, as ``piimask eval``'s headline recall is: a gold
character is found when a detected span covers it. The engine's spans never overlap, so
each span owns its characters and a set of thresholds is judged by adding up the spans it
keeps. Per span this module records the gold characters it covers per gold type and the
characters it masks outside any gold span (neutral labels, such as dates, count neither).

Spans of detectors the minimum scores do not gate (the gazetteers, added where no other
span is) are always kept.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from piimask.detect.thresholds import ANY_DETECTOR, ScoreCalibration, ScoreMap, floor_score
from piimask.spans import Span

# Detector families whose spans the engine adds without a minimum score.
UNGATED_FAMILIES = frozenset({"gazetteer"})
# A detector and type needs this many labelled spans for its own score map.
MIN_SPANS_PER_MAP = 25
ECE_BINS = 10


@dataclass(frozen=True, slots=True)
class ScoredSpan:
    """One detected span of the sample, judged against the gold spans."""

    entity_type: str
    detector: str
    score: float
    length: int
    on_gold: Mapping[str, int]  # gold type -> characters of it this span covers
    false_chars: int  # characters outside every gold span (neutral ones excluded)
    gated: bool = True

    @property
    def true_chars(self) -> int:
        return sum(self.on_gold.values())

    @property
    def correct(self) -> bool:
        """Mostly on gold PII: the event a calibrated score is the probability of."""
        judged = self.true_chars + self.false_chars
        return judged > 0 and self.true_chars * 2 >= judged

    @property
    def judged(self) -> bool:
        return self.true_chars + self.false_chars > 0

    def with_score(self, score: float) -> ScoredSpan:
        return ScoredSpan(
            self.entity_type,
            self.detector,
            score,
            self.length,
            self.on_gold,
            self.false_chars,
            self.gated,
        )


@dataclass(slots=True)
class Sample:
    """Detected spans of a set of records and the gold characters per gold type."""

    spans: list[ScoredSpan] = field(default_factory=list)
    gold_chars: dict[str, int] = field(default_factory=dict)

    def add(
        self,
        text_length: int,
        gold: Sequence[tuple[int, int, str]],
        neutral: Sequence[tuple[int, int]],
        predicted: Sequence[Span],
    ) -> None:
        gold_type: list[str | None] = [None] * text_length
        for start, end, entity_type in gold:
            for i in range(start, min(end, text_length)):
                gold_type[i] = entity_type
            self.gold_chars[entity_type] = self.gold_chars.get(entity_type, 0) + (end - start)
        is_neutral = bytearray(text_length)
        for start, end in neutral:
            is_neutral[start:end] = b"\x01" * (min(end, text_length) - start)
        for p in predicted:
            on_gold: dict[str, int] = {}
            false_chars = 0
            for i in range(p.start, min(p.end, text_length)):
                g = gold_type[i]
                if g is not None:
                    on_gold[g] = on_gold.get(g, 0) + 1
                elif not is_neutral[i]:
                    false_chars += 1
            family = p.detector.split(":", 1)[0]
            self.spans.append(
                ScoredSpan(
                    p.entity_type,
                    p.detector,
                    p.score,
                    p.end - p.start,
                    on_gold,
                    false_chars,
                    gated=family not in UNGATED_FAMILIES,
                )
            )

    def rescored(self, score: Callable[[ScoredSpan], float]) -> Sample:
        return Sample([s.with_score(score(s)) for s in self.spans], dict(self.gold_chars))


# --- judging a set of thresholds -----------------------------------------------------------

Thresholds = Mapping[str, float]


def _kept(span: ScoredSpan, thresholds: Thresholds, default: float) -> bool:
    return not span.gated or span.score >= thresholds.get(span.entity_type, default)


@dataclass(frozen=True, slots=True)
class Quality:
    """Character recall per gold type and overall; precision per detected type and overall."""

    recall: Mapping[str, float]
    overall_recall: float
    precision: Mapping[str, float]
    overall_precision: float
    kept: Mapping[str, int]


def quality(sample: Sample, thresholds: Thresholds, default: float = 0.0) -> Quality:
    found: dict[str, int] = {}
    true_by_type: dict[str, int] = {}
    false_by_type: dict[str, int] = {}
    kept: dict[str, int] = {}
    for s in sample.spans:
        if not _kept(s, thresholds, default):
            continue
        kept[s.entity_type] = kept.get(s.entity_type, 0) + 1
        for g, n in s.on_gold.items():
            found[g] = found.get(g, 0) + n
        true_by_type[s.entity_type] = true_by_type.get(s.entity_type, 0) + s.true_chars
        false_by_type[s.entity_type] = false_by_type.get(s.entity_type, 0) + s.false_chars
    recall = {g: found.get(g, 0) / n for g, n in sorted(sample.gold_chars.items()) if n}
    total_gold = sum(sample.gold_chars.values())
    types = sorted(set(true_by_type) | set(false_by_type))
    precision = {
        t: true_by_type[t] / (true_by_type[t] + false_by_type[t])
        if true_by_type[t] + false_by_type[t]
        else 1.0
        for t in types
    }
    tp, fp = sum(true_by_type.values()), sum(false_by_type.values())
    return Quality(
        recall=recall,
        overall_recall=sum(found.values()) / total_gold if total_gold else 1.0,
        precision=precision,
        overall_precision=tp / (tp + fp) if tp + fp else 1.0,
        kept=kept,
    )


# --- choosing thresholds -------------------------------------------------------------------


@dataclass(slots=True)
class _TypeSteps:
    """A detected type's gated spans in score order, with running totals of what they hold."""

    scores: list[float]  # distinct scores, ascending: the candidate thresholds
    removed_true: list[dict[str, int]]  # [k]: gold chars lost when threshold = scores[k]
    removed_false: list[int]


def _steps(spans: Iterable[ScoredSpan]) -> _TypeSteps:
    # Candidate thresholds on a 0.001 grid: fewer moves to weigh, same spans kept.
    ordered = sorted(spans, key=lambda s: s.score)
    scores: list[float] = []
    removed_true: list[dict[str, int]] = []
    removed_false: list[int] = []
    lost: dict[str, int] = {}
    lost_false = 0
    i = 0
    while i < len(ordered):
        score = floor_score(ordered[i].score, 3)
        # Threshold = score keeps this span and everything above; what lies below is lost.
        scores.append(score)
        removed_true.append(dict(lost))
        removed_false.append(lost_false)
        while i < len(ordered) and floor_score(ordered[i].score, 3) == score:
            for g, n in ordered[i].on_gold.items():
                lost[g] = lost.get(g, 0) + n
            lost_false += ordered[i].false_chars
            i += 1
    return _TypeSteps(scores, removed_true, removed_false)


def choose_thresholds(
    sample: Sample,
    target_recall: float,
    *,
    per_type: bool,
    unmoved: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """Per detected entity type, the highest minimum score that keeps recall at the target.

    Overall character recall (``per_type``: each gold type's recall, and overall) must stay
    at ``target_recall``, or at what every span together finds where that is less. Starting
    from keeping every span, the threshold moves that drop the most false characters per
    gold character lost are taken first, while they keep the constraints. A type with
    nothing to gain keeps its lowest score seen, or its ``unmoved`` minimum where lower.
    """
    unmoved = unmoved or {}
    by_type: dict[str, list[ScoredSpan]] = {}
    for s in sample.spans:
        if s.gated:
            by_type.setdefault(s.entity_type, []).append(s)
    steps = {t: _steps(spans) for t, spans in sorted(by_type.items())}
    position = dict.fromkeys(steps, 0)

    total_gold = sum(sample.gold_chars.values())
    found = dict.fromkeys(sample.gold_chars, 0)
    for s in sample.spans:
        for g, n in s.on_gold.items():
            found[g] = found.get(g, 0) + n
    found_total = sum(found.values())
    need_total = min(math.ceil(target_recall * total_gold - 1e-9), found_total)
    need = {
        g: min(math.ceil(target_recall * sample.gold_chars[g] - 1e-9), n) for g, n in found.items()
    }
    lost: dict[str, int] = {}

    def feasible(extra: Mapping[str, int]) -> bool:
        if found_total - sum(lost.values()) - sum(extra.values()) < need_total:
            return False
        if per_type:
            for g, n in extra.items():
                if found[g] - lost.get(g, 0) - n < need[g]:
                    return False
        return True

    while True:
        best: tuple[float, int, str, int] | None = None
        for t, st in steps.items():
            here = position[t]
            base_true, base_false = st.removed_true[here], st.removed_false[here]
            for k in range(here + 1, len(st.scores)):
                extra = {g: n - base_true.get(g, 0) for g, n in st.removed_true[k].items()}
                extra = {g: n for g, n in extra.items() if n}
                false_gain = st.removed_false[k] - base_false
                if false_gain <= 0:
                    continue
                if not feasible(extra):
                    break  # a higher threshold loses a superset of this
                ratio = false_gain / (sum(extra.values()) + 1)
                if best is None or (ratio, false_gain) > (best[0], best[1]):
                    best = (ratio, false_gain, t, k)
        if best is None:
            break
        _, _, t, k = best
        st = steps[t]
        for g, n in st.removed_true[k].items():
            lost[g] = lost.get(g, 0) + n - st.removed_true[position[t]].get(g, 0)
        position[t] = k
    out: dict[str, float] = {}
    for t, st in steps.items():
        k = position[t]
        if k == 0:
            # Nothing to gain: keep every span seen, and lower scores where the default would.
            out[t] = min(unmoved.get(t, 0.0), st.scores[0])
        else:
            # Halfway between the highest dropped group and the lowest kept one: scores
            # the sample did not show fall on the side they are closer to.
            above_dropped = round(st.scores[k - 1] + 0.001, 4)
            out[t] = round(max(above_dropped, floor_score((above_dropped + st.scores[k]) / 2)), 4)
    return out


# --- calibration ---------------------------------------------------------------------------


def expected_calibration_error(spans: Sequence[ScoredSpan], bins: int = ECE_BINS) -> float:
    """Weighted mean gap between score and the share of correct spans, over equal-width bins."""
    judged = [s for s in spans if s.judged]
    if not judged:
        return 0.0
    totals = [[0, 0, 0.0] for _ in range(bins)]
    for s in judged:
        b = min(bins - 1, int(s.score * bins))
        totals[b][0] += 1
        totals[b][1] += int(s.correct)
        totals[b][2] += s.score
    gap = 0.0
    for n, correct, score_sum in totals:
        if n:
            gap += n * abs(correct / n - score_sum / n)
    return gap / len(judged)


def ece_by_type(spans: Sequence[ScoredSpan]) -> dict[str, float]:
    by_type: dict[str, list[ScoredSpan]] = {}
    for s in spans:
        if s.judged:
            by_type.setdefault(s.entity_type, []).append(s)
    return {t: expected_calibration_error(v) for t, v in sorted(by_type.items())}


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    low: float
    high: float
    spans: int
    mean_score: float
    share_correct: float


def reliability(spans: Sequence[ScoredSpan], bins: int = ECE_BINS) -> list[ReliabilityBin]:
    out: list[ReliabilityBin] = []
    judged = [s for s in spans if s.judged]
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [s for s in judged if min(bins - 1, int(s.score * bins)) == b]
        if inside:
            out.append(
                ReliabilityBin(
                    low,
                    high,
                    len(inside),
                    sum(s.score for s in inside) / len(inside),
                    sum(s.correct for s in inside) / len(inside),
                )
            )
    return out


def isotonic(points: Sequence[tuple[float, bool]]) -> ScoreMap:
    """Pool-adjacent-violators fit of correctness on score: a non-decreasing map."""
    by_score: dict[float, list[int]] = {}
    for score, correct in points:
        entry = by_score.setdefault(score, [0, 0])
        entry[0] += 1
        entry[1] += int(correct)
    # blocks: [sum of scores weighted, weight, correct]
    blocks: list[list[float]] = []
    for score in sorted(by_score):
        n, hits = by_score[score]
        blocks.append([score * n, float(n), float(hits)])
        # Equal neighbours are pooled too: the map stays as short as its distinct steps.
        while len(blocks) > 1 and blocks[-2][2] / blocks[-2][1] >= blocks[-1][2] / blocks[-1][1]:
            last = blocks.pop()
            for i in range(3):
                blocks[-1][i] += last[i]
    raw = [b[0] / b[1] for b in blocks]
    calibrated = [b[2] / b[1] for b in blocks]
    # Strictly increasing raw points (pooled means can only coincide through rounding).
    xs: list[float] = []
    ys: list[float] = []
    for x, y in zip(raw, calibrated, strict=True):
        # Four decimals: the file stays readable, and no score moves by more than 0.0001.
        x, y = round(min(1.0, max(0.0, x)), 4), round(min(1.0, max(0.0, y)), 4)
        if xs and x <= xs[-1]:
            ys[-1] = max(ys[-1], y)
            continue
        xs.append(x)
        ys.append(y)
    return ScoreMap(raw=xs, calibrated=ys, spans=len(points))


def fit_calibration(spans: Sequence[ScoredSpan]) -> ScoreCalibration:
    """Isotonic maps per detector and type where there are enough spans, else per type."""
    groups: dict[tuple[str, str], list[tuple[float, bool]]] = {}
    for s in spans:
        if s.judged:
            groups.setdefault((s.detector, s.entity_type), []).append((s.score, s.correct))
            groups.setdefault((ANY_DETECTOR, s.entity_type), []).append((s.score, s.correct))
    maps: dict[str, dict[str, ScoreMap]] = {}
    for (detector, entity_type), points in sorted(groups.items()):
        if len(points) >= MIN_SPANS_PER_MAP or detector == ANY_DETECTOR:
            maps.setdefault(detector, {})[entity_type] = isotonic(points)
    return ScoreCalibration(maps=maps)


def recall_curve(
    sample: Sample, entity_type: str, grid: Sequence[float], others: Thresholds
) -> list[tuple[float, float]]:
    """Recall of gold ``entity_type`` as the threshold of that detected type moves over
    ``grid`` (other detected types at ``others``)."""
    total = sample.gold_chars.get(entity_type, 0)
    if not total:
        return []
    out = []
    for threshold in grid:
        thresholds = {**others, entity_type: threshold}
        found = sum(
            s.on_gold.get(entity_type, 0) for s in sample.spans if _kept(s, thresholds, 0.0)
        )
        out.append((threshold, found / total))
    return out
