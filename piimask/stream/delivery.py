"""Producing one processed batch: masked records and dead letters, then their audit events.

Order of work per batch (both guarantees):

1. every outcome in input order: the masked record to its output topic, or the dead
   letter to the dead-letter topic; wait for all acknowledgements;
2. one audit event per outcome, in the same order, with the output coordinates filled in,
   sealed into the source partition's hash chain; wait for all acknowledgements;
3. commit the input offsets (at-least-once: consumer commit after the acks; exactly-once:
   the offsets join the transaction that holds 1 and 2, then the transaction commits).

Sends within a partition are issued in input order by one idempotent producer, so
per-key order is kept. A failure that depends on one record (its audit event cannot be
built, the producer or broker refuses its output as too large) dead-letters that record
and the batch goes on; any other failure raises: the caller must not commit, and stops.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from aiokafka.errors import (
    CorruptRecordException,
    InvalidTimestampError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
)
from aiokafka.structs import TopicPartition

from piimask.audit import AuditChain, AuditEvent, build_audit_event
from piimask.audit.events import ShadowComparison
from piimask.ops.logs import safe_exc
from piimask.reasons import RecordOutcome
from piimask.stream.deadletter import (
    dead_letter_headers,
    make_dead_letter,
    serialize,
)
from piimask.stream.pipeline import DeadLetterOutcome, Forward, Limits, Masker, Outcome
from piimask.stream.routing import (
    choose_partition,
    key_text,
    output_headers,
    output_topic_for,
)

if TYPE_CHECKING:
    from piimask.detect.shadow import ShadowResult
    from piimask.keys import KeyRing
    from piimask.mask import AppliedMask
    from piimask.settings import Settings

# Room for the record key, headers and batch framing beside the masked value.
RECORD_OVERHEAD_BYTES = 16 * 1024

log = logging.getLogger(__name__)

# Refusals that depend on one record's content (its size, its timestamp), not on the broker's
# health: the record is dead-lettered, the batch goes on.
RECORD_ERRORS = (
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
    CorruptRecordException,
    InvalidTimestampError,
)


class RecordsRejected(Exception):
    """The broker refused some outputs of a transactional batch: abort, dead-letter, resend.

    ``details`` maps the position in the batch to a content-free description.
    """

    def __init__(self, details: dict[int, str]) -> None:
        super().__init__(f"{len(details)} record(s) refused by the broker")
        self.details = details


class MetricsLike(Protocol):
    def outcome(self, outcome: RecordOutcome, n: int = 1, reason: str | None = None) -> None: ...
    def findings(self, masks: Sequence[AppliedMask]) -> None: ...
    def observe_end_to_end(self, seconds: float) -> None: ...


class RecordMetadataLike(Protocol):
    """What is read of an acknowledged send (``aiokafka.structs.RecordMetadata``)."""

    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...


class ProducerLike(Protocol):
    """The part of ``aiokafka.AIOKafkaProducer`` a batch is sent through."""

    async def send(
        self,
        topic: str,
        value: bytes | None = None,
        key: bytes | None = None,
        partition: int | None = None,
        timestamp_ms: int | None = None,
        headers: Sequence[tuple[str, bytes]] | None = None,
    ) -> asyncio.Future[RecordMetadataLike]: ...
    async def partitions_for(self, topic: str) -> set[int]: ...


@dataclass(frozen=True, slots=True)
class MaskingContext:
    """The active policy: swapped as a whole between batches when the policy is reloaded."""

    masker: Masker
    policy_version: str
    policy_sha256: str


@dataclass(frozen=True, slots=True)
class Destinations:
    output_template: str
    audit_topic: str
    dlq_topic: str
    group_id: str
    model_name: str
    model_sha256: str
    max_record_bytes: int


def record_limits(settings: Settings) -> Limits:
    """The input and output size limits of both runtimes, from the settings."""
    return Limits(
        max_message_bytes=settings.max_message_bytes,
        max_output_bytes=settings.producer_max_request_bytes - RECORD_OVERHEAD_BYTES,
        oversize_action=settings.oversize_action,
    )


class BatchSender:
    """Sends a batch's outputs, dead letters and audit events through a given producer."""

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        model_name: str,
        model_sha256: str,
        keyring: KeyRing,
        metrics: MetricsLike | None = None,
    ) -> BatchSender:
        """The sender both runtimes use: the settings' topics, a new audit chain."""
        return cls(
            Destinations(
                output_template=settings.output_topic_template,
                audit_topic=settings.audit_topic,
                dlq_topic=settings.dlq_topic,
                group_id=settings.group_id,
                model_name=model_name,
                model_sha256=model_sha256,
                max_record_bytes=settings.producer_max_request_bytes - RECORD_OVERHEAD_BYTES,
            ),
            keyring=keyring,
            chain=AuditChain.from_keyring(keyring),
            metrics=metrics,
        )

    def __init__(
        self,
        dest: Destinations,
        *,
        keyring: KeyRing,
        chain: AuditChain,
        metrics: MetricsLike | None = None,
    ) -> None:
        self.dest = dest
        self.keyring = keyring
        self.chain = chain
        self.metrics = metrics

    async def send(
        self,
        producer: ProducerLike,
        outcomes: Sequence[Outcome],
        ctx: MaskingContext,
        *,
        transactional: bool = False,
    ) -> list[Outcome]:
        """Send the batch; returns the outcomes as sent (record-specific failures dead-lettered).

        A failure that depends on one record's content never fails the batch: an audit event
        that cannot be built, or an output the producer or broker refuses, turns that record
        into a dead letter. In a transaction the broker's refusal cannot be undone in place:
        :class:`RecordsRejected` tells the caller to abort and send the batch again.
        """
        if not outcomes:
            return []
        dest = self.dest
        work = list(outcomes)
        events: list[AuditEvent] = []
        for i, outcome in enumerate(work):
            try:
                events.append(self._event(outcome, ctx))
            except Exception as exc:
                # Only a record's findings can break its event (a dead letter's has none).
                if isinstance(outcome, DeadLetterOutcome):
                    raise
                work[i] = DeadLetterOutcome(outcome.record, "audit_event_error", safe_exc(exc))
                events.append(self._event(work[i], ctx))
        partitions: dict[str, int] = {}
        futures: list[asyncio.Future[RecordMetadataLike]] = []
        for i, outcome in enumerate(work):
            if isinstance(outcome, Forward):
                topic = output_topic_for(dest.output_template, outcome.record.topic)
                if topic not in partitions:
                    partitions[topic] = len(await producer.partitions_for(topic))
                try:
                    futures.append(
                        await self._send_output(producer, topic, partitions, outcome, ctx)
                    )
                    continue
                except RECORD_ERRORS as exc:
                    work[i] = DeadLetterOutcome(outcome.record, "output_rejected", safe_exc(exc))
                    events[i] = self._event(work[i], ctx)
            futures.append(await self._send_dead_letter(producer, work[i], ctx))
        results = await asyncio.gather(*futures, return_exceptions=True)
        rejected = {i: safe_exc(r) for i, r in enumerate(results) if isinstance(r, RECORD_ERRORS)}
        for r in results:
            if isinstance(r, BaseException) and not isinstance(r, RECORD_ERRORS):
                raise r
        metas: list[Any] = list(results)  # the rejected ones are replaced below
        if rejected:
            if any(isinstance(work[i], DeadLetterOutcome) for i in rejected):
                # Dead letters are bounded to the producer limit: a topic that refuses one
                # is configured below it, which no record can fix.
                raise RuntimeError(
                    f"the dead-letter topic {dest.dlq_topic} refused a dead letter "
                    f"({next(iter(rejected.values()))}); check its max.message.bytes"
                )
            if transactional:
                raise RecordsRejected(rejected)
            for i, detail in rejected.items():
                work[i] = DeadLetterOutcome(work[i].record, "output_rejected", detail)
                events[i] = self._event(work[i], ctx)
                metas[i] = await (await self._send_dead_letter(producer, work[i], ctx))
        acked_at = time.time()

        audit_futures: list[asyncio.Future[RecordMetadataLike]] = []
        for outcome, event, meta in zip(work, events, metas, strict=True):
            record = outcome.record
            placed = event.model_copy(
                update={
                    "output_topic": meta.topic,
                    "output_partition": meta.partition,
                    "output_offset": meta.offset,
                }
            )
            sealed = self.chain.seal(placed)
            audit_futures.append(
                await producer.send(
                    dest.audit_topic,
                    value=sealed.model_dump_json().encode("utf-8"),
                    key=f"{record.topic}:{record.partition}".encode(),
                )
            )
        await asyncio.gather(*audit_futures)
        self._observe(work, acked_at)
        return work

    def _event(self, outcome: Outcome, ctx: MaskingContext) -> AuditEvent:
        """The record's audit event, output coordinates still empty (filled in after the ack)."""
        dest = self.dest
        record = outcome.record
        text = key_text(record.key)
        shadow = None
        if isinstance(outcome, Forward):
            masks: Sequence[AppliedMask] = outcome.masks
            kind: RecordOutcome = outcome.outcome
            reason = None
            shadow = None if outcome.shadow is None else shadow_comparison(outcome.shadow)
        else:
            masks, kind, reason = (), "dead_lettered", outcome.reason
        return build_audit_event(
            source_topic=record.topic,
            source_partition=record.partition,
            source_offset=record.offset,
            key_fingerprint=None if text is None else self.keyring.fingerprint(text),
            output_topic=None,
            outcome=kind,
            reason=reason,
            policy_version=ctx.policy_version,
            policy_sha256=ctx.policy_sha256,
            model_name=dest.model_name,
            model_sha256=dest.model_sha256,
            masks=masks,
            max_bytes=dest.max_record_bytes,
            shadow=shadow,
        )

    async def _send_output(
        self,
        producer: ProducerLike,
        topic: str,
        partitions: dict[str, int],
        outcome: Forward,
        ctx: MaskingContext,
    ) -> asyncio.Future[RecordMetadataLike]:
        record = outcome.record
        future: asyncio.Future[RecordMetadataLike] = await producer.send(
            topic,
            value=outcome.payload,
            key=outcome.key,  # masked: the input key only when the policy keeps it
            partition=choose_partition(record.partition, partitions[topic]),
            headers=output_headers(
                outcome.headers,
                policy_version=ctx.policy_version,
                model=self.dest.model_name,
            ),
            timestamp_ms=record.timestamp_ms,
        )
        return future

    async def _send_dead_letter(
        self, producer: ProducerLike, outcome: Outcome, ctx: MaskingContext
    ) -> asyncio.Future[RecordMetadataLike]:
        assert isinstance(outcome, DeadLetterOutcome)
        dest = self.dest
        record = outcome.record
        letter = make_dead_letter(
            record,
            reason=outcome.reason,
            detail=outcome.detail,
            keyring=self.keyring,
            max_record_bytes=dest.max_record_bytes,
            group_id=dest.group_id,
            policy_version=ctx.policy_version,
        )
        log.warning(
            "record dead-lettered",
            extra={
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "reason": outcome.reason,
                "detail": outcome.detail,
            },
        )
        future: asyncio.Future[RecordMetadataLike] = await producer.send(
            dest.dlq_topic,
            value=serialize(letter),
            key=record.coordinates.encode("utf-8"),
            headers=dead_letter_headers(letter),
        )
        return future

    def _observe(self, outcomes: Sequence[Outcome], acked_at: float) -> None:
        metrics = self.metrics
        if metrics is None:
            return
        counts: dict[tuple[RecordOutcome, str | None], int] = {}
        for outcome in outcomes:
            if isinstance(outcome, DeadLetterOutcome):
                key: tuple[RecordOutcome, str | None] = ("dead_lettered", outcome.reason)
            else:
                key = (outcome.outcome, None)
                if outcome.masks:
                    metrics.findings(outcome.masks)
                if outcome.record.timestamp_ms is not None:
                    metrics.observe_end_to_end(acked_at - outcome.record.timestamp_ms / 1000)
            counts[key] = counts.get(key, 0) + 1
        for (kind, reason), n in counts.items():
            metrics.outcome(kind, n, reason=reason)


def shadow_comparison(result: ShadowResult) -> ShadowComparison | None:
    """The audit event's shadow field; None (and a log line) when the result does not fit
    the event format, so a shadow can never dead-letter a record."""
    try:
        return ShadowComparison.model_validate(
            {
                "model_name": result.model_name,
                "model_sha256": result.model_sha256,
                "status": "failed" if result.failed else "compared",
                "agreement": [
                    {
                        "entity_type": row.entity_type,
                        "both": row.both,
                        "live_only": row.live_only,
                        "shadow_only": row.shadow_only,
                    }
                    for row in result.agreement
                ],
            }
        )
    except ValueError as exc:
        log.warning("shadow result left out of the audit event", extra={"error": safe_exc(exc)})
        return None


def next_offsets(outcomes: Sequence[Outcome]) -> dict[TopicPartition, int]:
    """Offsets to commit: last processed offset + 1 per input partition."""
    offsets: dict[TopicPartition, int] = {}
    for outcome in outcomes:
        record = outcome.record
        tp = TopicPartition(record.topic, record.partition)
        offsets[tp] = max(offsets.get(tp, -1), record.offset + 1)
    return offsets


def by_partition(outcomes: Sequence[Outcome]) -> dict[TopicPartition, list[Outcome]]:
    groups: dict[TopicPartition, list[Outcome]] = {}
    for outcome in outcomes:
        record = outcome.record
        groups.setdefault(TopicPartition(record.topic, record.partition), []).append(outcome)
    return groups
