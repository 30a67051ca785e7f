"""The repeated-text cache: same spans as the detector, fewer detector calls, no text kept."""

from __future__ import annotations

import pickle
import re
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from piimask.detect.cache import CachedDetector, SpanCache, detector_fingerprint
from piimask.detect.config import DetectorConfig
from piimask.detect.thresholds import ScoreCalibration, ScoreGate, ScoreMap
from piimask.spans import Span

WORD = re.compile(r"[A-Z][a-z]+")
CALIBRATION = ScoreCalibration(
    maps={"model": {"PERSON": ScoreMap(raw=[0.0, 1.0], calibrated=[0.0, 0.8], spans=10)}}
)


class NameDetector:
    """Capitalised words are PERSON spans; records every text it is asked about."""

    def __init__(
        self,
        config: DetectorConfig | None = None,
        sha256: str = "a" * 64,
        gate: ScoreGate | None = None,
    ) -> None:
        self.config = config or DetectorConfig()
        self.model_name = "fake"
        self.model_sha256 = sha256
        self.score_gate = gate or ScoreGate(0.35, {})
        self.seen: list[str] = []

    def detect_batch(self, texts: Sequence[str]) -> list[list[Span]]:
        self.seen.extend(texts)
        if any("poison" in t for t in texts):
            raise RuntimeError("detector crashed")
        return [
            [Span(m.start(), m.end(), "PERSON", 0.9, "model") for m in WORD.finditer(t)]
            for t in texts
        ]


class Counts:
    def __init__(self) -> None:
        self.hits = self.misses = self.evicted = 0
        self.entries = -1

    def observe_cache(self, *, hits: int, misses: int, evicted: int, entries: int) -> None:
        self.hits += hits
        self.misses += misses
        self.evicted += evicted
        self.entries = entries


def test_a_repeated_text_is_answered_from_the_cache_with_the_same_spans() -> None:
    inner = NameDetector()
    counts = Counts()
    cached = CachedDetector(inner, SpanCache(100), observer=counts)
    first = cached.detect_batch(["Ann met Bob", "nothing"])
    second = cached.detect_batch(["nothing", "Ann met Bob", "Cid"])
    assert second == [first[1], first[0], inner.detect_batch(["Cid"])[0]]
    assert inner.seen == ["Ann met Bob", "nothing", "Cid", "Cid"]
    assert (counts.hits, counts.misses, counts.entries) == (2, 3, 3)


def test_the_same_text_twice_in_one_call_is_detected_once() -> None:
    inner = NameDetector()
    cached = CachedDetector(inner, SpanCache(10))
    assert cached.detect_batch(["Ann", "Ann"]) == [[Span(0, 3, "PERSON", 0.9)]] * 2
    assert inner.seen == ["Ann"]


def test_returned_lists_are_copies_so_a_caller_cannot_change_the_cache() -> None:
    cached = CachedDetector(NameDetector(), SpanCache(10))
    cached.detect_batch(["Ann"])[0].clear()
    assert cached.detect_batch(["Ann"]) == [[Span(0, 3, "PERSON", 0.9)]]


def test_least_recently_used_entries_go_first_when_full() -> None:
    inner = NameDetector()
    counts = Counts()
    cached = CachedDetector(inner, SpanCache(2), observer=counts)
    cached.detect_batch(["A"])
    cached.detect_batch(["B"])
    cached.detect_batch(["A"])  # A is now the most recent
    cached.detect_batch(["C"])  # evicts B
    inner.seen.clear()
    cached.detect_batch(["A", "B"])
    assert inner.seen == ["B"]
    assert counts.evicted == 2
    assert len(cached.cache) == 2


@pytest.mark.parametrize(
    ("changed", "reason"),
    [
        (NameDetector(DetectorConfig(min_score=0.5)), "a detection setting"),
        (NameDetector(DetectorConfig(ner_enabled=False)), "the ensemble"),
        (NameDetector(DetectorConfig(model_variant="base")), "the model variant"),
        (NameDetector(sha256="b" * 64), "the model file"),
        (NameDetector(gate=ScoreGate(0.35, {"PERSON": 0.6})), "a thresholds file's minimums"),
        (NameDetector(gate=ScoreGate(0.35, {}, CALIBRATION)), "a thresholds file's calibration"),
    ],
)
def test_spans_found_under_one_configuration_are_never_served_for_another(
    changed: NameDetector, reason: str
) -> None:
    cache = SpanCache(10)
    CachedDetector(NameDetector(), cache).detect_batch(["Ann"])
    CachedDetector(changed, cache).detect_batch(["Ann"])
    assert changed.seen == ["Ann"], reason
    assert detector_fingerprint(changed) != detector_fingerprint(NameDetector())


def test_a_detector_whose_configuration_is_replaced_misses_the_old_entries() -> None:
    inner = NameDetector()
    cached = CachedDetector(inner, SpanCache(10))
    cached.detect_batch(["Ann"])
    inner.config = DetectorConfig(min_score=0.9)
    cached.detect_batch(["Ann"])
    assert inner.seen == ["Ann", "Ann"]


def test_a_detector_whose_score_gate_is_replaced_misses_the_old_entries() -> None:
    inner = NameDetector()
    cached = CachedDetector(inner, SpanCache(10))
    cached.detect_batch(["Ann"])
    inner.score_gate = ScoreGate(0.35, {}, CALIBRATION)  # same path, new file contents
    cached.detect_batch(["Ann"])
    assert inner.seen == ["Ann", "Ann"]


def test_a_failing_detector_raises_and_caches_nothing() -> None:
    inner = NameDetector()
    cached = CachedDetector(inner, SpanCache(10))
    with pytest.raises(RuntimeError):
        cached.detect_batch(["Ann", "poison"])
    assert len(cached.cache) == 0


def test_the_cache_holds_keyed_digests_and_spans_never_the_text() -> None:
    cache = SpanCache(10)
    secret = "Jane Doe jane.doe@example.com"
    CachedDetector(NameDetector(), cache).detect_batch([secret, "Zed \ud800 lone surrogate"])
    dumped = pickle.dumps(dict(cache._entries))
    for part in ("Jane", "Doe", "example", "surrogate"):
        assert part.encode() not in dumped
    assert all(len(digest) == 32 for digest in cache._entries)
    # A different process key gives different digests: an entry cannot be tested
    # against a guessed text without this process's key.
    namespace = b"\0" * 32
    assert SpanCache(1).digest(namespace, secret) != SpanCache(1).digest(namespace, secret)


def test_the_inner_detectors_identity_and_window_counts_show_through() -> None:
    inner = NameDetector()
    cached = CachedDetector(inner, SpanCache(1))
    assert (cached.model_name, cached.model_sha256, cached.config) == (
        "fake",
        "a" * 64,
        inner.config,
    )
    assert cached.stats is None  # the fake has no stats; an engine's DetectionStats pass


@given(
    st.lists(
        st.lists(
            st.sampled_from(["Ann", "Bob met Cid", "x", "", "Dee Eve", "a\ud800"]), max_size=8
        ),
        max_size=12,
    ),
    st.integers(min_value=1, max_value=4),
)
def test_results_are_identical_with_and_without_the_cache_for_any_traffic(
    batches: list[list[str]], size: int
) -> None:
    plain = NameDetector()
    cached = CachedDetector(NameDetector(), SpanCache(size))
    for batch in batches:
        assert cached.detect_batch(batch) == plain.detect_batch(batch)
        assert len(cached.cache) <= size
