"""Shadow detection: a candidate detector runs next to the live one on a sample of records.

Before a new model (or adapter, second NER model, thresholds) goes live, run it as a
shadow on real traffic and read how far it agrees with the live detectors, per entity
type: spans both found, spans only the live detectors found, spans only the shadow found.
The shadow never changes a record: the pipeline masks with the live spans only, compares
afterwards, and a shadow that fails or raises is logged (exception type only, never
content) and counted; the record goes on as if there were no shadow.

Sampling is deterministic: a record is compared when a keyed hash (HMAC-SHA256 under a
key ring sub-key) of its coordinates ``topic:partition:offset`` falls under the sample
rate, so a re-processed or replayed record is sampled again, every worker of a group
samples the same records, and a producer cannot steer which ones are compared.

Matching: a live and a shadow span agree ("both") when they have the same entity type
and overlap; each span is matched at most once. Different boundaries of the same entity
still agree; a different type is one span only live and one only shadow.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import JsonValue

from piimask.detect.config import DetectorConfig, ModelVariant
from piimask.spans import Span

if TYPE_CHECKING:
    from piimask.detect.engine import DetectionEngine

log = logging.getLogger(__name__)

Agreement = Literal["both", "live_only", "shadow_only"]
AGREEMENTS: tuple[Agreement, ...] = ("both", "live_only", "shadow_only")
# Entity types listed per record; further types are counted under OTHER (the audit
# event's bound on summaries).
MAX_TYPES = 64
OTHER_TYPE = "OTHER"
SAMPLE_PURPOSE = "shadow-sample"


class BatchDetector(Protocol):
    def detect_batch(self, texts: Sequence[str]) -> list[list[Span]]: ...


class ShadowObserver(Protocol):
    """Where comparisons are reported (``piimask.ops.metrics.WorkerMetrics``)."""

    def observe_shadow(
        self,
        *,
        compared: int,
        failed: int,
        spans: Mapping[tuple[str, str], int],
        seconds: float,
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class TypeAgreement:
    entity_type: str
    both: int
    live_only: int
    shadow_only: int


@dataclass(frozen=True, slots=True)
class ShadowResult:
    """One record's comparison; ``failed``: the shadow could not run (no counts)."""

    model_name: str
    model_sha256: str
    failed: bool
    agreement: tuple[TypeAgreement, ...] = ()


def count_agreement(
    live: Sequence[Span], shadow: Sequence[Span], counts: dict[str, list[int]]
) -> None:
    """Add one text's [both, live_only, shadow_only] per entity type to ``counts``."""
    unmatched = sorted(shadow)
    for span in sorted(live):
        match = next(
            (
                i
                for i, s in enumerate(unmatched)
                if s.entity_type == span.entity_type and s.overlaps(span)
            ),
            None,
        )
        row = counts.setdefault(span.entity_type, [0, 0, 0])
        if match is None:
            row[1] += 1
        else:
            row[0] += 1
            del unmatched[match]
    for span in unmatched:
        counts.setdefault(span.entity_type, [0, 0, 0])[2] += 1


def bounded_agreement(counts: Mapping[str, Sequence[int]]) -> tuple[TypeAgreement, ...]:
    """Counts per type, sorted, at most ``MAX_TYPES`` types (the rest under ``OTHER``)."""
    kept: dict[str, list[int]] = {}
    for entity in sorted(counts):
        name = entity if len(kept) < MAX_TYPES or entity in kept else OTHER_TYPE
        row = kept.setdefault(name, [0, 0, 0])
        for i, n in enumerate(counts[entity]):
            row[i] += n
    return tuple(TypeAgreement(e, *row) for e, row in sorted(kept.items()))


class Sampler:
    """Deterministic sampling: a keyed hash of the record's coordinates under the rate."""

    def __init__(self, key: bytes, rate: float) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("sample rate must be between 0 and 1")
        if len(key) < 16:
            raise ValueError("sample key must be at least 16 bytes")
        self._key = key
        self.rate = rate
        self._threshold = int(rate * 2**64)

    def __repr__(self) -> str:
        return f"Sampler(rate={self.rate})"

    def sampled(self, sample_key: str) -> bool:
        if self.rate >= 1.0:
            return True
        digest = hmac.digest(self._key, sample_key.encode("utf-8", "surrogatepass"), "sha256")
        return int.from_bytes(digest[:8], "big") < self._threshold


class ShadowRunner:
    """Runs the shadow detector on the sampled records of a batch; never raises."""

    def __init__(
        self,
        detector: BatchDetector,
        *,
        model_name: str,
        model_sha256: str,
        sampler: Sampler,
        observer: ShadowObserver | None = None,
    ) -> None:
        self.detector = detector
        self.model_name = model_name
        self.model_sha256 = model_sha256
        self.sampler = sampler
        self.observer = observer

    def sampled(self, sample_key: str) -> bool:
        return self.sampler.sampled(sample_key)

    def compare(
        self,
        texts: Sequence[Sequence[str]],
        live: Sequence[Sequence[Sequence[Span]]],
    ) -> list[ShadowResult]:
        """One result per record: ``texts[i]`` are its scanned texts, ``live[i]`` their
        live spans. One batched shadow call for all of them; a failure fails them all."""
        if not texts:
            return []
        started = time.perf_counter()
        try:
            results = self._compare(texts, live)
        except Exception as exc:
            # The type only: a detector's message may quote the text it choked on.
            log.warning(
                "shadow detection failed; the records are masked as without a shadow",
                extra={"records": len(texts), "error": type(exc).__name__},
            )
            failed = ShadowResult(self.model_name, self.model_sha256, failed=True)
            self._observe([failed] * len(texts), time.perf_counter() - started)
            return [failed] * len(texts)
        self._observe(results, time.perf_counter() - started)
        return results

    def _compare(
        self,
        texts: Sequence[Sequence[str]],
        live: Sequence[Sequence[Sequence[Span]]],
    ) -> list[ShadowResult]:
        unique: dict[str, int] = {}
        for record_texts in texts:
            for text in record_texts:
                unique.setdefault(text, len(unique))
        found = self.detector.detect_batch(list(unique))
        if len(found) != len(unique):
            raise RuntimeError(f"shadow returned {len(found)} results for {len(unique)} texts")
        results: list[ShadowResult] = []
        for record_texts, record_live in zip(texts, live, strict=True):
            counts: dict[str, list[int]] = {}
            for text, spans in zip(record_texts, record_live, strict=True):
                count_agreement(spans, found[unique[text]], counts)
            results.append(
                ShadowResult(self.model_name, self.model_sha256, False, bounded_agreement(counts))
            )
        return results

    def _observe(self, results: Sequence[ShadowResult], seconds: float) -> None:
        if self.observer is None:
            return
        spans: dict[tuple[str, str], int] = {}
        failed = 0
        for result in results:
            failed += result.failed
            for row in result.agreement:
                for agreement, n in zip(
                    AGREEMENTS, (row.both, row.live_only, row.shadow_only), strict=True
                ):
                    if n:
                        key = (row.entity_type, agreement)
                        spans[key] = spans.get(key, 0) + n
        self.observer.observe_shadow(
            compared=len(results) - failed, failed=failed, spans=spans, seconds=seconds
        )


# --- the shadow's configuration and engine ------------------------------------------------


def shadow_config(
    live: DetectorConfig,
    *,
    model_dir: Path | None = None,
    model_variant: ModelVariant | None = None,
    adapter_path: Path | None = None,
    ner_enabled: bool | None = None,
    ner_model: str | None = None,
    overrides: Mapping[str, JsonValue] | None = None,
) -> DetectorConfig:
    """The live configuration with the shadow's differences.

    Any of ``model_dir``, ``model_variant``, ``adapter_path`` gives the shadow its own
    model, all three together (unset ones at their defaults); none: the live model.
    ``ner_model`` turns the shadow's NER on with that package unless ``ner_enabled`` says
    otherwise. ``overrides`` are other :class:`DetectorConfig` fields; unknown names or
    invalid values raise ``ValueError`` (pydantic's ``ValidationError``)."""
    fields = live.model_dump()
    unknown = sorted(set(overrides or {}) - set(DetectorConfig.model_fields))
    if unknown:
        raise ValueError(f"shadow overrides name unknown detection settings {unknown}")
    fields.update(overrides or {})
    if model_dir is not None or model_variant is not None or adapter_path is not None:
        variant = model_variant or DetectorConfig.model_fields["model_variant"].default
        fields.update(model_dir=model_dir, model_variant=variant, adapter_path=adapter_path)
    if ner_model is not None:
        fields.update(ner_model=ner_model, ner_enabled=True)
    if ner_enabled is not None:
        fields["ner_enabled"] = ner_enabled
    return DetectorConfig.model_validate(fields)


def load_shadow_engine(live: DetectionEngine, config: DetectorConfig) -> DetectionEngine:
    """An engine for ``config`` that shares the live engine's ONNX session and NER model
    where they are the same (no second copy in memory); loads the others."""
    from piimask.detect.engine import DetectionEngine
    from piimask.detect.model import TokenClassifier

    current = live.config

    def model_of(c: DetectorConfig) -> tuple[object, ...]:
        return (c.model_dir, c.adapter_file(), c.intra_op_threads)

    def ner_of(c: DetectorConfig) -> tuple[object, ...]:
        return (c.ner_model, c.ner_labels, c.ner_score)

    classifier = live.classifier
    if model_of(config) != model_of(current):
        classifier = TokenClassifier(
            config.model_dir,
            intra_op_threads=config.intra_op_threads,
            adapter=config.adapter_file(),
        )
    ner = None
    if config.ner_enabled and live.ner is not None and ner_of(config) == ner_of(current):
        ner = live.ner
    return DetectionEngine(classifier, config, ner=ner)
