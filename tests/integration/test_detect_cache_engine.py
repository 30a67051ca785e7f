"""The repeated-text cache in front of the real engine: the same spans as the engine alone."""

from __future__ import annotations

import json
import random

import pytest

from piimask.detect.cache import CachedDetector, SpanCache
from piimask.spans import Span
from tests.integration.stream_support import DEV_SET, shared_engine

pytestmark = pytest.mark.integration


def comparable(spans: list[Span]) -> list[tuple[int, int, str, str]]:
    return [(s.start, s.end, s.entity_type, s.detector) for s in spans]


def test_cached_engine_finds_what_the_engine_finds_over_random_batches() -> None:
    rows = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    rng = random.Random(3)
    texts = [row["text"] for row in rows[:120]]
    traffic = [rng.choice(texts[:30]) if rng.random() < 0.5 else t for t in texts]
    engine = shared_engine()
    cached = CachedDetector(engine, SpanCache(50))  # small: evictions happen too
    start = 0
    while start < len(traffic):
        size = rng.randint(1, 24)
        batch = traffic[start : start + size]
        start += size
        for got, want in zip(cached.detect_batch(batch), engine.detect_batch(batch), strict=True):
            assert comparable(got) == comparable(want)
            # onnxruntime's float sums depend on the batch's padded width
            assert [s.score for s in got] == pytest.approx([s.score for s in want], abs=1e-6)
    assert cached.cache.stats.hits > 0
    assert cached.cache.stats.evicted > 0
