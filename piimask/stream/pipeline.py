"""One batch of records -> one outcome per record, in input order.

The one fail-closed pipeline: the worker (:func:`process_batch`, Kafka records) and
``piimask mask`` (:func:`run_batch`, lines of a file) both go through :func:`run_batch`,
so the same policy rules, reason codes and poison isolation hold for both.

Runs entirely in a worker thread (CPU-bound: decoding, JSON parsing, the model), so
the event loop keeps heart-beating the consumer group while a batch is detected.

Fail closed: every exception while planning, detecting or masking a record turns that
record into a dead letter with a reason code; there is no path that yields the input
text as output. A record's key and headers go through the same plan, detection and
masking as its value (tombstones included). Detection runs once for the whole batch;
if the batched call fails, each record is detected alone so one poison record cannot
dead-letter its neighbours.

A shadow detector (:mod:`piimask.detect.shadow`), when given, runs after the live
detection on the sampled records and only reads the live spans: its result goes to the
audit event and the metrics, never into masking, and its failures are caught.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from piimask.mask import MessageRejected
from piimask.mask.engine import AppliedMask
from piimask.mask.message import MessageFormat
from piimask.mask.record import Document, Headers, MaskedRecord, RecordPlan
from piimask.ops.logs import safe_exc
from piimask.reasons import ForwardOutcome, Reason
from piimask.spans import Span
from piimask.stream.decode import OversizeAction, PassThrough, Rejection, decode_value
from piimask.stream.records import SourceRecord

if TYPE_CHECKING:
    from piimask.detect.shadow import ShadowResult


class Detector(Protocol):
    def detect_batch(self, texts: Sequence[str]) -> list[list[Span]]: ...


class Shadow(Protocol):
    """What the pipeline needs of :class:`piimask.detect.shadow.ShadowRunner`."""

    def sampled(self, sample_key: str) -> bool: ...

    def compare(
        self,
        texts: Sequence[Sequence[str]],
        live: Sequence[Sequence[Sequence[Span]]],
    ) -> list[ShadowResult]: ...


class Masker(Protocol):
    """What the pipeline needs of :class:`piimask.mask.record.RecordMasker`."""

    def plan(
        self,
        value: str | Document | None,
        *,
        key: bytes | None = None,
        headers: Headers = (),
        value_format: MessageFormat | None = None,
    ) -> RecordPlan: ...

    def apply(self, plan: RecordPlan, spans: Sequence[Sequence[Span]]) -> MaskedRecord: ...


# --- the shared pipeline ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordInput:
    """One record: its value (decoded, or why it passes through or is rejected), key, headers.

    ``spans``: spans given with the input (``piimask mask --spans-from-input``), one list
    per planned text; detection is skipped for the record. ``sample_key``: what a shadow
    detector samples the record by (its coordinates); None: never shadowed."""

    value: str | Document | PassThrough | Rejection
    key: bytes | None = None
    headers: Headers = ()
    value_format: MessageFormat | None = None
    spans: Sequence[Sequence[Span]] | None = None
    sample_key: str | None = None


@dataclass(frozen=True, slots=True)
class Masked:
    """A record that may go out: every part of it masked."""

    key: bytes | None
    headers: Headers
    value: bytes | None  # None: tombstone
    document: object  # the masked JSON document when the value was one, else None
    text: str | None  # the masked value as text (None for a tombstone)
    masks: tuple[AppliedMask, ...]
    outcome: ForwardOutcome


@dataclass(frozen=True, slots=True)
class Rejected:
    reason: str
    detail: str


@dataclass(slots=True)
class RunResult:
    results: list[Masked | Rejected]
    detect_seconds: float = 0.0
    mask_seconds: float = 0.0
    windows: int = 0
    # Shadow comparisons by input position (sampled records that were detected).
    shadow: dict[int, ShadowResult] = field(default_factory=dict)
    shadow_seconds: float = 0.0


def _rejection_from(exc: BaseException, default: Reason) -> Rejected:
    if isinstance(exc, MessageRejected):
        return Rejected(str(exc.reason), str(exc.detail))
    if isinstance(exc, RecursionError):
        return Rejected(
            Reason.TOO_DEEP.value, "value nested too deeply to parse (recursion limit reached)"
        )
    return Rejected(default.value, safe_exc(exc))


def _windows_of(detector: Detector | None) -> int | None:
    stats = getattr(detector, "stats", None)
    windows = getattr(stats, "windows", None)
    return windows if isinstance(windows, int) else None


def run_batch(
    inputs: Sequence[RecordInput],
    *,
    detector: Detector | None,
    masker: Masker,
    max_output_bytes: int | None = None,
    shadow: Shadow | None = None,
) -> RunResult:
    """Plan, detect (one batched call) and mask ``inputs``; never raises per record.

    ``detector`` may be None only when every input carries its ``spans``. ``shadow``
    compares its spans with the live ones on the sampled inputs (``sample_key``)."""
    results: list[Masked | Rejected | None] = [None] * len(inputs)
    plans: dict[int, RecordPlan] = {}
    started = time.perf_counter()
    for i, item in enumerate(inputs):
        value = item.value
        if isinstance(value, Rejection):
            results[i] = Rejected(value.reason, value.detail)
            continue
        try:
            plan = masker.plan(
                None if isinstance(value, PassThrough) else value,
                key=item.key,
                headers=item.headers,
                value_format=item.value_format,
            )
            if not all(isinstance(t, str) for t in plan.texts):
                raise TypeError("plan.texts must hold strings")
            if item.spans is not None and len(item.spans) != len(plan.texts):
                raise MessageRejected(
                    Reason.INVALID_SPANS.value,
                    f"{len(item.spans)} span list(s) given for {len(plan.texts)} text(s)",
                )
            plans[i] = plan
        except Exception as exc:
            results[i] = _rejection_from(exc, Reason.MASKING_ERROR)
    mask_seconds = time.perf_counter() - started

    windows_before = _windows_of(detector)
    started = time.perf_counter()
    spans = _detect(detector, inputs, plans, results)
    detect_seconds = time.perf_counter() - started
    windows_after = _windows_of(detector)

    started = time.perf_counter()
    shadowed = {} if shadow is None else _shadow(shadow, inputs, plans, spans, results)
    shadow_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for i, plan in plans.items():
        if results[i] is not None:
            continue
        results[i] = _finish(inputs[i], plan, spans[i], masker, max_output_bytes)
    mask_seconds += time.perf_counter() - started

    done: list[Masked | Rejected] = []
    for result in results:
        assert result is not None, "every record gets exactly one outcome"
        done.append(result)
    windows = (
        windows_after - windows_before
        if windows_before is not None and windows_after is not None
        else 0
    )
    return RunResult(done, detect_seconds, mask_seconds, windows, shadowed, shadow_seconds)


def _shadow(
    shadow: Shadow,
    inputs: Sequence[RecordInput],
    plans: dict[int, RecordPlan],
    spans: dict[int, Sequence[Sequence[Span]]],
    results: list[Masked | Rejected | None],
) -> dict[int, ShadowResult]:
    """The shadow's comparison for each sampled record the live detectors scanned.

    Reads the live spans, writes nothing the masking reads; whatever it raises is
    swallowed (the runner already catches its detector's failures and logs them)."""
    try:
        chosen = [
            i
            for i, plan in plans.items()
            if results[i] is None
            and inputs[i].spans is None
            and plan.texts
            and (key := inputs[i].sample_key) is not None
            and shadow.sampled(key)
        ]
        if not chosen:
            return {}
        found = shadow.compare([plans[i].texts for i in chosen], [spans[i] for i in chosen])
        return dict(zip(chosen, found, strict=True))
    except Exception:
        return {}


def _finish(
    item: RecordInput,
    plan: RecordPlan,
    spans: Sequence[Sequence[Span]],
    masker: Masker,
    max_output_bytes: int | None,
) -> Masked | Rejected:
    try:
        masked = masker.apply(plan, spans)
        masks = tuple(masked.masks)
        if masked.value is None:
            text: str | None = None if item.value == PassThrough("tombstone") else ""
            document: object = None
        else:
            text, document = str(masked.value.payload), masked.value.document
        data = None if text is None else text.encode("utf-8")
    except Exception as exc:
        return _rejection_from(exc, Reason.MASKING_ERROR)
    if data is not None and max_output_bytes is not None and len(data) > max_output_bytes:
        return Rejected(
            Reason.OUTPUT_TOO_LARGE.value,
            f"masked value is {len(data)} bytes, more than "
            f"producer_max_request_bytes={max_output_bytes}",
        )
    outcome: ForwardOutcome = "tombstone"
    if data is not None:
        outcome = "masked" if any(m.masked for m in masks) else "clean"
    return Masked(masked.key, masked.headers, data, document, text, masks, outcome)


def _detect(
    detector: Detector | None,
    inputs: Sequence[RecordInput],
    plans: dict[int, RecordPlan],
    results: list[Masked | Rejected | None],
) -> dict[int, Sequence[Sequence[Span]]]:
    """Spans per planned record; records whose detection fails get a rejection.

    A text that occurs more than once in the batch (the same object key in every
    record, say) is detected once: detection sees one text at a time."""
    spans: dict[int, Sequence[Sequence[Span]]] = {}
    order: list[int] = []
    for i, plan in plans.items():
        given = inputs[i].spans
        if given is not None:
            spans[i] = given
        elif not plan.texts:
            spans[i] = []
        else:
            order.append(i)
    if not order:
        return spans
    if detector is None:
        raise ValueError("no detector, and not every input carries its spans")
    unique: dict[str, int] = {}
    for i in order:
        for text in plans[i].texts:
            unique.setdefault(text, len(unique))
    flat = list(unique)
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
                results[i] = Rejected(Reason.DETECTION_ERROR.value, safe_exc(exc))
        return spans
    for i in order:
        spans[i] = [found[unique[text]] for text in plans[i].texts]
    return spans


# --- the worker's side: Kafka records ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Forward:
    """A record to produce to the output topic: masked ``payload`` (or empty / tombstone)
    with its masked ``key`` and ``headers``."""

    record: SourceRecord
    payload: bytes | None
    outcome: ForwardOutcome
    masks: tuple[AppliedMask, ...] = ()
    key: bytes | None = field(default=None, kw_only=True)
    headers: Headers = field(default=(), kw_only=True)
    # The shadow detector's agreement with the live spans, for the audit event only.
    shadow: ShadowResult | None = field(default=None, kw_only=True)


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
    shadow_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Limits:
    max_message_bytes: int
    max_output_bytes: int
    oversize_action: OversizeAction = "dead_letter"


def process_batch(
    records: Sequence[SourceRecord],
    *,
    detector: Detector,
    masker: Masker,
    limits: Limits,
    shadow: Shadow | None = None,
) -> BatchResult:
    """Decode ``records`` and run them through :func:`run_batch`; never raises per record.

    A ``shadow`` samples records by their coordinates (``topic:partition:offset``)."""
    inputs = [
        RecordInput(
            decode_value(
                r.value,
                max_bytes=limits.max_message_bytes,
                oversize_action=limits.oversize_action,
            ),
            key=r.key,
            headers=r.headers,
            sample_key=r.coordinates,
        )
        for r in records
    ]
    run = run_batch(
        inputs,
        detector=detector,
        masker=masker,
        max_output_bytes=limits.max_output_bytes,
        shadow=shadow,
    )
    outcomes: list[Outcome] = []
    for position, (record, result) in enumerate(zip(records, run.results, strict=True)):
        if isinstance(result, Rejected):
            outcomes.append(DeadLetterOutcome(record, result.reason, result.detail))
        else:
            outcomes.append(
                Forward(
                    record,
                    result.value,
                    result.outcome,
                    result.masks,
                    key=result.key,
                    headers=result.headers,
                    shadow=run.shadow.get(position),
                )
            )
    return BatchResult(
        outcomes, run.detect_seconds, run.mask_seconds, run.windows, run.shadow_seconds
    )
