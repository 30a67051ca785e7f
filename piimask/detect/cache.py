"""Repeated-text cache: the spans of texts already detected, for topics that repeat texts.

Log lines and templated notifications arrive again and again, word for word; detecting
them once is enough. :class:`CachedDetector` wraps a detector with the same
``detect_batch`` interface and answers texts it has seen from an in-process LRU
(:class:`SpanCache`).

What the cache holds: a 32-byte HMAC-SHA256 of (detector fingerprint, text) under a key
drawn at random per process, and the spans (offsets, entity type, score, detector name).
Never the text, nor any part of it: a cache dump or a heap read tells nobody what was
seen, and the key dies with the process, so an entry cannot be tested against a guess.

Invalidation: the detector fingerprint (its :class:`DetectorConfig`, model name and
model SHA-256, which covers a merged adapter, and the score gate it loaded, which covers
the *contents* of a thresholds file and not only its path) is part of every key, so spans
found under one model, ensemble, setting or calibration are never served for another;
entries of a configuration no longer used age out of the LRU. One cache can serve several
detectors (the live one and a shadow) because each reads only its own entries.

Results are the same with and without the cache: the engine's spans for a text do not
depend on the other texts of a batch (``DetectionEngine.detect_batch``), up to float
rounding: onnxruntime's sums depend on a batch's padded width, so a score can differ in
the 8th decimal when a text is detected in another batch, with or without a cache.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel

from piimask.detect.thresholds import ScoreGate
from piimask.spans import Span


class BatchDetector(Protocol):
    def detect_batch(self, texts: Sequence[str]) -> list[list[Span]]: ...


class FingerprintedDetector(BatchDetector, Protocol):
    """A detector that says what it is: what :func:`detector_fingerprint` reads."""

    @property
    def config(self) -> BaseModel: ...
    @property
    def model_name(self) -> str: ...
    @property
    def model_sha256(self) -> str: ...
    @property
    def score_gate(self) -> ScoreGate: ...


class CacheObserver(Protocol):
    """Where lookups are reported (``piimask.ops.metrics.WorkerMetrics``)."""

    def observe_cache(self, *, hits: int, misses: int, evicted: int, entries: int) -> None: ...


def detector_fingerprint(detector: FingerprintedDetector) -> bytes:
    """SHA-256 of everything that decides the detector's spans: settings, model, ensemble."""
    identity = {
        "config": detector.config.model_dump(mode="json"),
        "model_name": detector.model_name,
        "model_sha256": detector.model_sha256,
        "score_gate": detector.score_gate.identity(),
    }
    text = json.dumps(identity, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).digest()


@dataclass(frozen=True, slots=True)
class CacheStats:
    hits: int
    misses: int
    evicted: int
    entries: int
    max_entries: int


class SpanCache:
    """A bounded LRU from keyed text digests to spans; thread-safe."""

    def __init__(self, max_entries: int, *, key: bytes | None = None) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        if key is not None and len(key) < 16:
            raise ValueError("cache key must be at least 16 bytes")
        self.max_entries = max_entries
        self._key = key if key is not None else secrets.token_bytes(32)
        self._entries: OrderedDict[bytes, tuple[Span, ...]] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = self._misses = self._evicted = 0

    def __repr__(self) -> str:
        return f"SpanCache(entries={len(self._entries)}, max_entries={self.max_entries})"

    def digest(self, namespace: bytes, text: str) -> bytes:
        """The entry key of ``text`` for the detector whose fingerprint is ``namespace``.

        The fingerprint has a fixed length, so (namespace, text) pairs cannot collide by
        shifting bytes between them; lone surrogates (JSON allows them) are hashed as-is."""
        message = namespace + text.encode("utf-8", "surrogatepass")
        return hmac.digest(self._key, message, "sha256")

    def get(self, digest: bytes) -> tuple[Span, ...] | None:
        with self._lock:
            spans = self._entries.get(digest)
            if spans is None:
                self._misses += 1
                return None
            self._entries.move_to_end(digest)
            self._hits += 1
            return spans

    def put(self, digest: bytes, spans: Sequence[Span]) -> int:
        """Store ``spans``; returns how many old entries were evicted to make room."""
        evicted = 0
        with self._lock:
            self._entries[digest] = tuple(spans)
            self._entries.move_to_end(digest)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
                evicted += 1
            self._evicted += evicted
        return evicted

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(
                self._hits, self._misses, self._evicted, len(self._entries), self.max_entries
            )


class CachedDetector:
    """``detector`` behind a :class:`SpanCache`: only texts not seen before are detected.

    A failing ``detect_batch`` of the inner detector raises unchanged and caches nothing
    (the pipeline then isolates the record that caused it)."""

    def __init__(
        self,
        detector: FingerprintedDetector,
        cache: SpanCache,
        *,
        observer: CacheObserver | None = None,
    ) -> None:
        self.detector = detector
        self.cache = cache
        self.observer = observer
        self._seen: tuple[BaseModel, ScoreGate, str, str] | None = None
        self._namespace = b""

    # What the worker and the pipeline read of an engine, passed through.
    @property
    def config(self) -> BaseModel:
        return self.detector.config

    @property
    def model_name(self) -> str:
        return self.detector.model_name

    @property
    def model_sha256(self) -> str:
        return self.detector.model_sha256

    @property
    def score_gate(self) -> ScoreGate:
        return self.detector.score_gate

    @property
    def stats(self) -> object:
        """The inner detector's running totals (windows actually run), for metrics."""
        return getattr(self.detector, "stats", None)

    def fingerprint(self) -> bytes:
        """The inner detector's fingerprint, recomputed when its configuration changes."""
        d = self.detector
        config, gate, name, sha256 = d.config, d.score_gate, d.model_name, d.model_sha256
        seen = self._seen
        # The configuration and the gate are frozen: the same objects mean the same settings.
        changed = seen is None or seen[0] is not config or seen[1] is not gate
        if changed or seen is None or seen[2:] != (name, sha256):
            self._namespace = detector_fingerprint(d)
            self._seen = (config, gate, name, sha256)
        return self._namespace

    def detect(self, text: str) -> list[Span]:
        return self.detect_batch([text])[0]

    def detect_batch(self, texts: Sequence[str]) -> list[list[Span]]:
        if not texts:
            return []
        namespace = self.fingerprint()
        out: list[list[Span] | None] = [None] * len(texts)
        missing: dict[bytes, list[int]] = {}
        hits = 0
        for i, text in enumerate(texts):
            digest = self.cache.digest(namespace, text)
            waiting = missing.get(digest)
            if waiting is not None:
                waiting.append(i)  # the same text twice in one call: detected once
                continue
            cached = self.cache.get(digest)
            if cached is None:
                missing[digest] = [i]
            else:
                out[i] = list(cached)
                hits += 1
        evicted = 0
        if missing:
            todo = list(missing.items())
            found = self.detector.detect_batch([texts[positions[0]] for _, positions in todo])
            if len(found) != len(todo):
                raise RuntimeError(f"detector returned {len(found)} results for {len(todo)} texts")
            for (digest, positions), spans in zip(todo, found, strict=True):
                evicted += self.cache.put(digest, spans)
                for i in positions:
                    out[i] = list(spans)
        if self.observer is not None:
            self.observer.observe_cache(
                hits=hits,
                misses=len(missing),
                evicted=evicted,
                entries=len(self.cache),
            )
        return [spans for spans in out if spans is not None]
