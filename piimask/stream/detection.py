"""The worker's detection as configured: the engine, the repeated-text cache, the shadow.

Both runtimes (``piimask worker`` on aiokafka, the faust runtime) build their detector
here, so the cache and the shadow behave the same in both.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from piimask.ops.metrics import WorkerMetrics
from piimask.settings import Settings

if TYPE_CHECKING:
    from piimask.detect import DetectionEngine
    from piimask.detect.cache import SpanCache
    from piimask.detect.shadow import ShadowRunner
    from piimask.keys import KeyRing
    from piimask.stream.pipeline import Detector

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkerDetection:
    """What the worker runs: ``detector`` (the engine, behind the cache when one is set)
    and the shadow runner (None without a shadow); ``model_*`` name the live model."""

    detector: Detector
    model_name: str
    model_sha256: str
    shadow: ShadowRunner | None = None
    cache: SpanCache | None = None


def build_detection(
    settings: Settings,
    *,
    keyring: KeyRing,
    engine: DetectionEngine | None = None,
    shadow_engine: DetectionEngine | None = None,
    metrics: WorkerMetrics | None = None,
) -> WorkerDetection:
    """The live engine (loaded unless given), the cache (``PIIMASK_DETECT_CACHE_SIZE``)
    and the shadow (``PIIMASK_SHADOW_*``; ``shadow_engine`` instead of loading one).

    Raises ``StartupError`` naming the setting when a shadow setting is invalid."""
    from piimask.detect import DetectionEngine, DetectorConfig
    from piimask.detect.cache import CachedDetector, SpanCache

    if engine is None:
        engine = DetectionEngine.load(DetectorConfig.from_settings(settings))
    cache = None
    detector: Detector = engine
    if settings.detect_cache_size > 0:
        cache = SpanCache(settings.detect_cache_size)
        detector = CachedDetector(engine, cache, observer=metrics)
    shadow = None
    if settings.shadow_sample_rate > 0:
        shadow = _shadow_runner(settings, keyring, engine, shadow_engine, metrics)
    return WorkerDetection(detector, engine.model_name, engine.model_sha256, shadow, cache)


def _shadow_runner(
    settings: Settings,
    keyring: KeyRing,
    live: DetectionEngine,
    engine: DetectionEngine | None,
    metrics: WorkerMetrics | None,
) -> ShadowRunner:
    from piimask.custom_recognizers import RecognizerConfigError
    from piimask.detect.model import ModelLoadError
    from piimask.detect.ner import NerLoadError
    from piimask.detect.shadow import (
        SAMPLE_PURPOSE,
        Sampler,
        ShadowRunner,
        load_shadow_engine,
        shadow_config,
    )
    from piimask.stream.app import StartupError

    if engine is None:
        try:
            config = shadow_config(
                live.config,
                model_dir=settings.shadow_model_dir,
                model_variant=settings.shadow_model_variant,
                adapter_path=settings.shadow_adapter_path,
                ner_enabled=settings.shadow_ner_enabled,
                ner_model=settings.shadow_ner_model,
                overrides=settings.shadow_overrides,
            )
        except ValueError as exc:
            from pydantic import ValidationError

            from piimask.validation import describe_validation_error

            detail = describe_validation_error(exc) if isinstance(exc, ValidationError) else exc
            raise StartupError(f"PIIMASK_SHADOW_*: {detail}") from None
        try:
            engine = load_shadow_engine(live, config)
        except (ModelLoadError, NerLoadError, RecognizerConfigError, ValueError) as exc:
            if isinstance(exc, NerLoadError):
                exc = exc.with_off_switch("PIIMASK_SHADOW_NER_ENABLED")
            raise StartupError(
                f"the shadow detector (PIIMASK_SHADOW_*) cannot load: {exc}"
            ) from None
        if config == live.config:
            log.info("the shadow detector's configuration is the live one: expect full agreement")
    runner = ShadowRunner(
        engine,
        model_name=engine.model_name,
        model_sha256=engine.model_sha256,
        sampler=Sampler(keyring.hmac_key(SAMPLE_PURPOSE), settings.shadow_sample_rate),
        observer=metrics,
    )
    log.info(
        "shadow detector on",
        extra={"shadow_model": engine.model_name, "sample_rate": settings.shadow_sample_rate},
    )
    return runner
