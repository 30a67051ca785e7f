"""One batch of input records -> one outcome per record, in input order.

Runs entirely in a worker thread (CPU-bound: decoding, JSON parsing, the model), so
the event loop keeps heart-beating the consumer group while a batch is detected.

Fail closed: every exception while planning, detecting or masking a record turns that
record into a dead letter with a reason code; there is no path that yields the input
text as output. Detection runs once for the whole batch; if the batched call fails,
each record is detected alone so one poison record cannot dead-letter its neighbours.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from piimask.mask import MessageRejected
from piimask.ops.logs import safe_exc
from piimask.spans import Span
from piimask.stream.decode import OversizeAction, PassThrough, Rejection, decode_value
from piimask.stream.records import SourceRecord


class Detector(Protocol):
    def detect_batch(self, texts: Sequence[str]) -> list[list[Span]]: ...


class Masker(Protocol):
    def plan(self, payload: str) -> Any: ...
    def apply(self, plan: Any, spans: Sequence[Sequence[Span]]) -> Any: ...


@dataclass(frozen=True, slots=True)
class Forward:
    """A record to produce to the output topic. ``payload`` is masked (or empty / tombstone)."""

    record: SourceRecord
    payload: bytes | None
    outcome: Literal["masked", "clean", "tombstone"]
    masks: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class DeadLetterOutcome:
    """A record that goes to the dead-letter topic instead of the output topic."""

    record: SourceRecord
    reason: str
    detail: str


Outcome = Forward | DeadLetterOutcome


@dataclass(slots=True)
class BatchResult:
    outcomes: list[Outcome]
    detect_seconds: float = 0.0
    mask_seconds: float = 0.0
    windows: int = 0
    detected_texts: int = 0
    extra: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Limits:
    max_message_bytes: int
    max_output_bytes: int
    oversize_action: OversizeAction = "dead_letter"


def _rejection_from(exc: BaseException, default: str) -> tuple[str, str]:
    if isinstance(exc, MessageRejected):
        return str(exc.reason), str(exc.detail)
    if isinstance(exc, RecursionError):
        return "too_deep", "value nested too deeply to parse (recursion limit reached)"
    return default, safe_exc(exc)


def _windows_of(detector: Detector) -> int | None:
    stats = getattr(detector, "stats", None)
    windows = getattr(stats, "windows", None)
    return windows if isinstance(windows, int) else None


def process_batch(
    records: Sequence[SourceRecord], *, detector: Detector, masker: Masker, limits: Limits
) -> BatchResult:
    """Decode, plan, detect (one batched call) and mask ``records``; never raises per record."""
    outcomes: list[Outcome | None] = [None] * len(records)
    plans: dict[int, Any] = {}
    started = time.perf_counter()
    for i, record in enumerate(records):
        decoded = decode_value(
            record.value, max_bytes=limits.max_message_bytes, oversize_action=limits.oversize_action
        )
        if isinstance(decoded, PassThrough):
            payload = None if decoded.kind == "tombstone" else b""
            outcome: Literal["clean", "tombstone"] = (
                "tombstone" if decoded.kind == "tombstone" else "clean"
            )
            outcomes[i] = Forward(record, payload, outcome)
        elif isinstance(decoded, Rejection):
            outcomes[i] = DeadLetterOutcome(record, decoded.reason, decoded.detail)
        else:
            try:
                plan = masker.plan(decoded)
                texts = list(plan.texts)
                if not all(isinstance(t, str) for t in texts):
                    raise TypeError("plan.texts must hold strings")
                plans[i] = plan
            except Exception as exc:
                reason, detail = _rejection_from(exc, "masking_error")
                outcomes[i] = DeadLetterOutcome(record, reason, detail)
    mask_seconds = time.perf_counter() - started

    windows_before = _windows_of(detector)
    started = time.perf_counter()
    spans = _detect(detector, records, plans, outcomes)
    detect_seconds = time.perf_counter() - started
    windows_after = _windows_of(detector)

    started = time.perf_counter()
    for i, plan in plans.items():
        if outcomes[i] is not None:
            continue
        record = records[i]
        try:
            masked = masker.apply(plan, spans[i])
            masks = tuple(masked.masks)
            data = str(masked.payload).encode("utf-8")
        except Exception as exc:
            reason, detail = _rejection_from(exc, "masking_error")
            outcomes[i] = DeadLetterOutcome(record, reason, detail)
            continue
        if len(data) > limits.max_output_bytes:
            outcomes[i] = DeadLetterOutcome(
                record,
                "output_too_large",
                f"masked value is {len(data)} bytes, more than "
                f"producer_max_request_bytes={limits.max_output_bytes}",
            )
            continue
        kind: Literal["masked", "clean"] = "masked" if any(m.masked for m in masks) else "clean"
        outcomes[i] = Forward(record, data, kind, masks)
    mask_seconds += time.perf_counter() - started

    done: list[Outcome] = []
    for outcome_or_none in outcomes:
        assert outcome_or_none is not None, "every record gets exactly one outcome"
        done.append(outcome_or_none)
    windows = (
        windows_after - windows_before
        if windows_before is not None and windows_after is not None
        else 0
    )
    return BatchResult(
        outcomes=done,
        detect_seconds=detect_seconds,
        mask_seconds=mask_seconds,
        windows=windows,
        detected_texts=sum(len(p.texts) for p in plans.values()),
    )


def _detect(
    detector: Detector,
    records: Sequence[SourceRecord],
    plans: dict[int, Any],
    outcomes: list[Outcome | None],
) -> dict[int, list[list[Span]]]:
    """Spans per planned record; records whose detection fails get a dead-letter outcome."""
    order = [i for i in plans if plans[i].texts]
    spans: dict[int, list[list[Span]]] = {i: [] for i in plans if not plans[i].texts}
    if not order:
        return spans
    flat = [text for i in order for text in plans[i].texts]
    try:
        found = detector.detect_batch(flat)
        if len(found) != len(flat):
            raise RuntimeError(f"detector returned {len(found)} results for {len(flat)} texts")
    except Exception:
        # One record may be the cause: detect each alone to isolate it.
        for i in order:
            try:
                alone = detector.detect_batch(list(plans[i].texts))
                if len(alone) != len(plans[i].texts):
                    raise RuntimeError("detector returned a wrong number of results")
                spans[i] = alone
            except Exception as exc:
                outcomes[i] = DeadLetterOutcome(records[i], "detection_error", safe_exc(exc))
        return spans
    pos = 0
    for i in order:
        n = len(plans[i].texts)
        spans[i] = found[pos : pos + n]
        pos += n
    return spans
