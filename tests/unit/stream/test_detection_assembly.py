"""How the worker's detection is assembled from settings: cache, shadow, their errors."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from piimask.detect.cache import CachedDetector
from piimask.detect.config import DetectorConfig
from piimask.detect.thresholds import ScoreGate
from piimask.keys import KeyRing
from piimask.settings import Settings
from piimask.spans import Span
from piimask.stream.app import StartupError
from piimask.stream.detection import build_detection


class FakeEngine:
    def __init__(self, name: str = "rampart") -> None:
        self.config = DetectorConfig()
        self.model_name = name
        self.model_sha256 = "ab" * 32
        self.score_gate = ScoreGate(0.35, {})

    def detect_batch(self, texts: Sequence[str]) -> list[list[Span]]:
        return [[] for _ in texts]


def build(**settings: object) -> object:
    return build_detection(
        Settings(**settings),  # type: ignore[arg-type]
        keyring=KeyRing.generate(),
        engine=FakeEngine(),  # type: ignore[arg-type]
        shadow_engine=FakeEngine("candidate"),  # type: ignore[arg-type]
    )


def test_the_cache_wraps_the_engine_unless_its_size_is_zero() -> None:
    cached = build(detect_cache_size=5)
    assert isinstance(cached.detector, CachedDetector)  # type: ignore[attr-defined]
    assert cached.cache.max_entries == 5  # type: ignore[attr-defined]
    plain = build(detect_cache_size=0)
    assert isinstance(plain.detector, FakeEngine)  # type: ignore[attr-defined]
    assert plain.cache is None  # type: ignore[attr-defined]


def test_no_shadow_runs_at_sample_rate_zero() -> None:
    assert build().shadow is None  # type: ignore[attr-defined]


def test_a_shadow_runs_at_a_positive_rate_and_names_its_own_model() -> None:
    detection = build(shadow_sample_rate=0.1)
    shadow = detection.shadow  # type: ignore[attr-defined]
    assert shadow is not None
    assert shadow.model_name == "candidate"
    assert shadow.sampler.rate == 0.1
    assert detection.model_name == "rampart"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "settings",
    [
        {"shadow_overrides": {"no_such_setting": 1}},
        {"shadow_overrides": {"window_tokens": 3}},
    ],
)
def test_invalid_shadow_settings_stop_start_up_naming_them(settings: dict[str, object]) -> None:
    with pytest.raises(StartupError, match="PIIMASK_SHADOW"):
        build_detection(
            Settings(shadow_sample_rate=0.5, **settings),  # type: ignore[arg-type]
            keyring=KeyRing.generate(),
            engine=FakeEngine(),  # type: ignore[arg-type]
        )
