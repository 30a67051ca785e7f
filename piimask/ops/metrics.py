"""Prometheus metrics of the worker.

Labels hold topics, entity types, operators, outcomes and reasons: short
identifiers from a bounded set. They never hold message content; every label
value goes through :func:`label` so a stray value cannot become a series name.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
)

from piimask.reasons import RecordOutcome

if TYPE_CHECKING:
    # what the audit trail reads of an applied mask; the metrics read a part of it
    from piimask.audit.events import MaskLike

Outcome = RecordOutcome

_LABEL_OK = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")
# Kafka topic names: up to 249 of these characters (a name, never message content).
_TOPIC_OK = re.compile(r"[A-Za-z0-9_.\-]{1,249}")

# Latency buckets from 1 ms to 30 s: detection of one batch on CPU spans that range.
_LATENCY_BUCKETS = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
)  # fmt: skip
_BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
_WINDOW_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)


def topic_label(topic: str) -> str:
    return topic if _TOPIC_OK.fullmatch(topic) else "other"


def label(value: str | None, *, default: str = "none") -> str:
    """A label value that is safe to export: an identifier, or "other".

    Anything that does not look like a short identifier (spaces, long text,
    punctuation) is replaced, so content can never leak into a series name.
    """
    if value is None or value == "":
        return default
    return value if _LABEL_OK.fullmatch(value) else "other"


class WorkerMetrics:
    """All series the worker exports; one instance per process."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self._records_in = Counter(
            "piimask_records_in", "Records consumed from input topics.", ["topic"], registry=r
        )
        self._records_out = Counter(
            "piimask_records",
            "Records processed, by outcome (masked, clean, dead_lettered, tombstone).",
            ["outcome"],
            registry=r,
        )
        self._dead_letters = Counter(
            "piimask_dead_letters", "Records sent to the dead-letter topic.", ["reason"], registry=r
        )
        self._findings = Counter(
            "piimask_findings",
            "Detected entities, by entity type, operator and whether they were masked.",
            ["entity_type", "operator", "masked"],
            registry=r,
        )
        self._detect_seconds = Histogram(
            "piimask_detect_seconds",
            "Detection time per batch (model + patterns).",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self._mask_seconds = Histogram(
            "piimask_mask_seconds",
            "Masking time per batch.",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self._e2e_seconds = Histogram(
            "piimask_end_to_end_seconds",
            "Time from the input record's timestamp to the acknowledged masked output.",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self._batch_size = Histogram(
            "piimask_batch_size", "Records per processed batch.", buckets=_BATCH_BUCKETS, registry=r
        )
        self._windows = Histogram(
            "piimask_model_windows",
            "Model windows (token chunks) run per batch.",
            buckets=_WINDOW_BUCKETS,
            registry=r,
        )
        self._lag = Gauge(
            "piimask_consumer_lag",
            "Records between the committed position and the partition end.",
            ["topic", "partition"],
            registry=r,
        )
        self._broker_up = Gauge(
            "piimask_broker_up",
            "1 while the Kafka broker answers the worker's probes, 0 during an outage.",
            registry=r,
        )
        self._policy = Info("piimask_policy", "The active mask policy.", registry=r)
        self._policy_reloads = Counter(
            "piimask_policy_reloads",
            "Policy reload attempts, by result (ok, rejected).",
            ["result"],
            registry=r,
        )
        self.detection = DetectionMetrics(r)
        self._init_cache_and_shadow(r)

    def records_in(self, topic: str, n: int) -> None:
        self._records_in.labels(topic=topic_label(topic)).inc(n)

    def outcome(self, outcome: Outcome, n: int = 1, reason: str | None = None) -> None:
        self._records_out.labels(outcome=label(outcome)).inc(n)
        if outcome == "dead_lettered":
            self._dead_letters.labels(reason=label(reason, default="unknown")).inc(n)

    def findings(self, masks: Sequence[MaskLike]) -> None:
        counts: dict[tuple[str, str, str], int] = {}
        for m in masks:
            key = (label(m.entity_type), label(m.operator), "true" if m.masked else "false")
            counts[key] = counts.get(key, 0) + 1
        for (entity_type, operator, masked), n in counts.items():
            self._findings.labels(entity_type=entity_type, operator=operator, masked=masked).inc(n)
        self.detection.observe(masks)

    def observe_detect(self, seconds: float, windows: int) -> None:
        self._detect_seconds.observe(seconds)
        self._windows.observe(windows)

    def observe_mask(self, seconds: float) -> None:
        self._mask_seconds.observe(seconds)

    def observe_end_to_end(self, seconds: float) -> None:
        # Producer clocks can run ahead of ours; a negative latency is clock skew, not speed.
        self._e2e_seconds.observe(max(0.0, seconds))

    def observe_batch(self, size: int) -> None:
        self._batch_size.observe(size)

    def set_lag(self, topic: str, partition: int, lag: int) -> None:
        self._lag.labels(topic=topic_label(topic), partition=str(int(partition))).set(max(0, lag))

    def remove_lag(self, topic: str, partition: int) -> None:
        """Drop a partition's lag series after it is revoked from this worker."""
        with contextlib.suppress(KeyError):
            self._lag.remove(topic_label(topic), str(int(partition)))

    def set_broker_up(self, up: bool) -> None:
        self._broker_up.set(1 if up else 0)

    def set_policy(self, version: str, sha256: str) -> None:
        # The version is user-chosen text; keep it short and printable rather than trust it.
        safe_version = "".join(ch for ch in version if ch.isprintable())[:64]
        self._policy.info({"version": safe_version, "sha256": label(sha256, default="")})

    def policy_reload(self, ok: bool) -> None:
        self._policy_reloads.labels(result="ok" if ok else "rejected").inc()

    # --- repeated-text cache and shadow detector ------------------------------------------

    def _init_cache_and_shadow(self, r: CollectorRegistry) -> None:
        self._cache_lookups = Counter(
            "piimask_detect_cache_lookups",
            "Texts looked up in the repeated-text cache, by result (hit, miss).",
            ["result"],
            registry=r,
        )
        self._cache_evictions = Counter(
            "piimask_detect_cache_evictions",
            "Entries the repeated-text cache dropped to stay within PIIMASK_DETECT_CACHE_SIZE.",
            registry=r,
        )
        self._cache_entries = Gauge(
            "piimask_detect_cache_entries", "Texts held by the repeated-text cache.", registry=r
        )
        self._shadow_records = Counter(
            "piimask_shadow_records",
            "Records the shadow detector compared, by result (compared, failed).",
            ["result"],
            registry=r,
        )
        self._shadow_spans = Counter(
            "piimask_shadow_spans",
            "Spans of shadow-compared records, by entity type and agreement "
            "(both, live_only, shadow_only).",
            ["entity_type", "agreement"],
            registry=r,
        )
        self._shadow_seconds = Histogram(
            "piimask_shadow_seconds",
            "Shadow detection time per batch (sampled records only).",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )

    def observe_cache(self, *, hits: int, misses: int, evicted: int, entries: int) -> None:
        if hits:
            self._cache_lookups.labels(result="hit").inc(hits)
        if misses:
            self._cache_lookups.labels(result="miss").inc(misses)
        if evicted:
            self._cache_evictions.inc(evicted)
        self._cache_entries.set(entries)

    def observe_shadow(
        self,
        *,
        compared: int,
        failed: int,
        spans: Mapping[tuple[str, str], int],
        seconds: float,
    ) -> None:
        if compared:
            self._shadow_records.labels(result="compared").inc(compared)
        if failed:
            self._shadow_records.labels(result="failed").inc(failed)
        for (entity_type, agreement), n in spans.items():
            self._shadow_spans.labels(
                entity_type=label(entity_type), agreement=label(agreement)
            ).inc(n)
        self._shadow_seconds.observe(seconds)


# --- detection quality: score histograms and finding rates per detector (drift) ---------
#
# Every finding of a scanned record (masked or not) is observed once: the histogram's
# _count per entity type and detector is the finding rate per detector, its buckets the
# score distribution whose shift deploy/prometheus/ alerts on. The detector label holds
# detector families only ("model+ner", "pattern", "gazetteer"): a bounded set.

# Detectors score most true findings near the top, so the top buckets are finer.
_SCORE_BUCKETS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)


def detector_label(detector: str) -> str:
    """``model+ner:en_core_web_sm`` -> ``model+ner``; ``pattern:EMAIL_ADDRESS`` -> ``pattern``."""
    families = sorted({label(part.split(":", 1)[0]) for part in detector.split("+")})
    return "+".join(families[:4]) or "none"


class DetectionMetrics:
    """Score histograms per entity type and detector families."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._scores = Histogram(
            "piimask_finding_score",
            "Score of each finding (masked or not), by entity type and detector families; "
            "_count is the finding rate per detector.",
            ["entity_type", "detector"],
            buckets=_SCORE_BUCKETS,
            registry=registry,
        )

    def observe(self, masks: Sequence[MaskLike]) -> None:
        for m in masks:
            self._scores.labels(
                entity_type=label(m.entity_type), detector=detector_label(m.detector)
            ).observe(m.score)
