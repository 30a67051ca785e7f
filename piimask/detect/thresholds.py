"""The thresholds file that ``piimask calibrate`` writes, and the score gate the engine applies.

A thresholds file (``PIIMASK_THRESHOLDS_FILE``, ``--thresholds``) holds per-entity-type
minimum scores in the same shape as the ``min_score`` / ``min_scores`` settings, and
optionally a score calibration: one monotone map per detector and entity type (fitted by
isotonic regression) that turns a detector's raw score into the share of such spans that
were real PII on the labelled sample. When a calibration is present the engine maps each
span's score before comparing it with the minimum, so thresholds, audit events and metrics
all see calibrated scores.

The engine applies :class:`ScoreGate` in one place: where spans meet their minimum score,
before the merge (``DetectionEngine._above_min_score``).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from piimask.spans import Span
from piimask.validation import describe_validation_error

THRESHOLDS_VERSION = 1
# Key of the map that serves every detector of one entity type (too few spans per detector).
ANY_DETECTOR = "*"

Score = Annotated[float, Field(ge=0.0, le=1.0)]
EntityTypeName = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")]


class ThresholdsError(ValueError):
    """A thresholds file that cannot be read or is invalid (the message names the field)."""


class ScoreMap(BaseModel):
    """A non-decreasing piecewise-linear map of raw scores; flat beyond its end points."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    raw: list[Score] = Field(min_length=1, description="Raw scores, increasing.")
    calibrated: list[Score] = Field(
        min_length=1, description="Calibrated score at each raw score, non-decreasing."
    )
    spans: int = Field(ge=0, description="Labelled spans the map was fitted on.")

    @model_validator(mode="after")
    def _monotone(self) -> ScoreMap:
        if len(self.raw) != len(self.calibrated):
            raise ValueError("raw and calibrated must have the same length")
        if any(b <= a for a, b in zip(self.raw, self.raw[1:], strict=False)):
            raise ValueError("raw scores must be strictly increasing")
        if any(b < a for a, b in zip(self.calibrated, self.calibrated[1:], strict=False)):
            raise ValueError("calibrated scores must be non-decreasing")
        return self

    def __call__(self, score: float) -> float:
        xs, ys = self.raw, self.calibrated
        if score <= xs[0]:
            return ys[0]
        if score >= xs[-1]:
            return ys[-1]
        i = bisect.bisect_right(xs, score)
        x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
        return y0 + (y1 - y0) * (score - x0) / (x1 - x0)


class ScoreCalibration(BaseModel):
    """Score maps per detector and entity type."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Literal["isotonic"] = "isotonic"
    maps: dict[str, dict[EntityTypeName, ScoreMap]] = Field(
        default_factory=dict,
        description=f'Detector (as in audit findings, e.g. "model+ner:en_core_web_sm"; '
        f'"{ANY_DETECTOR}" = any other detector) -> entity type -> map.',
    )

    def map_for(self, detector: str, entity_type: str) -> ScoreMap | None:
        own = self.maps.get(detector, {}).get(entity_type)
        return own if own is not None else self.maps.get(ANY_DETECTOR, {}).get(entity_type)

    def score(self, detector: str, entity_type: str, raw: float) -> float:
        found = self.map_for(detector, entity_type)
        return raw if found is None else found(raw)


class ThresholdsFile(BaseModel):
    """What ``piimask calibrate -o thresholds.yaml`` writes (and the engine reads)."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="piimask thresholds file")

    version: Literal[1] = Field(default=1, description="Format version.")
    min_score: Score | None = Field(
        default=None,
        description="Minimum score of entity types not under min_scores; unset: the "
        "min_score setting.",
    )
    min_scores: dict[EntityTypeName, Score] = Field(
        default_factory=dict,
        description="Per-entity-type minimum score (replaces the min_scores setting's "
        "value for these types).",
    )
    calibration: ScoreCalibration | None = Field(
        default=None, description="Score maps applied before the minimum scores; none: raw."
    )
    fitted: dict[str, str | float | int | bool] = Field(
        default_factory=dict,
        description="How the file was made (target recall, sample size, seed): for humans.",
    )


def load_thresholds(path: Path) -> ThresholdsFile:
    """The file at ``path``; :class:`ThresholdsError` naming the problem otherwise."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ThresholdsError(f"thresholds file {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ThresholdsError(f"thresholds file {path}: not YAML ({type(exc).__name__})") from None
    try:
        return ThresholdsFile.model_validate(raw)
    except ValidationError as exc:
        raise ThresholdsError(
            f"thresholds file {path}: {describe_validation_error(exc, empty='(file)')}"
        ) from None


def dump_thresholds(thresholds: ThresholdsFile, header: str = "") -> str:
    """YAML text of ``thresholds`` (``header`` lines become comments)."""
    # Lists of numbers on one line each ([0.35, 0.6, ...]): the maps stay readable.
    body = yaml.safe_dump(
        thresholds.model_dump(mode="json", exclude_none=True),
        sort_keys=False,
        width=100,
        default_flow_style=None,
    )
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comments + body


def floor_score(value: float, digits: int = 4) -> float:
    """``value`` rounded down, so every span scoring at least ``value`` still passes."""
    scale = float(10**digits)
    floored: float = math.floor(value * scale + 1e-9) / scale
    return max(0.0, floored)


@dataclass(frozen=True, slots=True)
class ScoreGate:
    """Calibrate (when configured) and keep the spans that reach their type's minimum."""

    min_score: float
    min_scores: Mapping[str, float]
    calibration: ScoreCalibration | None = None

    @classmethod
    def build(
        cls,
        min_score: float,
        min_scores: Mapping[str, float],
        thresholds: ThresholdsFile | None = None,
    ) -> ScoreGate:
        if thresholds is None:
            return cls(min_score, dict(min_scores))
        return cls(
            thresholds.min_score if thresholds.min_score is not None else min_score,
            {**min_scores, **thresholds.min_scores},
            thresholds.calibration,
        )

    def minimum(self, entity_type: str) -> float:
        return self.min_scores.get(entity_type, self.min_score)

    def identity(self) -> dict[str, object]:
        """What decides which spans pass, as JSON values (for the repeated-text cache's key)."""
        return {
            "min_score": self.min_score,
            "min_scores": dict(sorted(self.min_scores.items())),
            "calibration": (
                None if self.calibration is None else self.calibration.model_dump(mode="json")
            ),
        }

    def keep(self, spans: Iterable[Span]) -> list[Span]:
        out: list[Span] = []
        for s in spans:
            if self.calibration is not None:
                score = self.calibration.score(s.detector, s.entity_type, s.score)
                s = Span(s.start, s.end, s.entity_type, score, s.detector)
            if s.score >= self.minimum(s.entity_type):
                out.append(s)
        return out
