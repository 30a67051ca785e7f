"""Producing one processed batch: masked records and dead letters, then their audit events.

Order of work per batch (both guarantees):

1. every outcome in input order: the masked record to its output topic, or the dead
   letter to the dead-letter topic; wait for all acknowledgements;
2. one audit event per outcome, in the same order, with the output coordinates filled in,
   sealed into the source partition's hash chain; wait for all acknowledgements;
3. commit the input offsets (at-least-once: consumer commit after the acks; exactly-once:
   the offsets join the transaction that holds 1 and 2, then the transaction commits).

Sends within a partition are issued in input order by one idempotent producer, so
per-key order is kept. Any failure raises: the caller must not commit, and stops.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aiokafka.structs import TopicPartition

from piimask.audit import AuditChain, build_audit_event
from piimask.stream.deadletter import (
    dead_letter_headers,
    make_dead_letter,
    serialize,
)
from piimask.stream.pipeline import DeadLetterOutcome, Forward, Masker, Outcome
from piimask.stream.routing import (
    choose_partition,
    key_text,
    output_headers,
    output_topic_for,
)

log = logging.getLogger(__name__)


class KeyRingLike(Protocol):
    @property
    def active_id(self) -> str: ...
    def fingerprint(self, value: str, *, key_id: str | None = None) -> str: ...
    def encrypt_bytes(self, data: bytes, *, context: bytes = b"") -> bytes: ...
    def decrypt_bytes(self, blob: bytes, *, context: bytes = b"") -> bytes: ...


class MetricsLike(Protocol):
    def outcome(self, outcome: Any, n: int = 1, reason: str | None = None) -> None: ...
    def findings(self, masks: Sequence[Any]) -> None: ...
    def observe_end_to_end(self, seconds: float) -> None: ...


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


class BatchSender:
    """Sends a batch's outputs, dead letters and audit events through a given producer."""

    def __init__(
        self,
        dest: Destinations,
        *,
        keyring: KeyRingLike,
        chain: AuditChain,
        metrics: MetricsLike | None = None,
    ) -> None:
        self.dest = dest
        self.keyring = keyring
        self.chain = chain
        self.metrics = metrics

    async def send(self, producer: Any, outcomes: Sequence[Outcome], ctx: MaskingContext) -> None:
        if not outcomes:
            return
        dest = self.dest
        partitions: dict[str, int] = {}
        futures: list[asyncio.Future[Any]] = []
        for outcome in outcomes:
            record = outcome.record
            if isinstance(outcome, Forward):
                topic = output_topic_for(dest.output_template, record.topic)
                if topic not in partitions:
                    partitions[topic] = len(await producer.partitions_for(topic))
                futures.append(
                    await producer.send(
                        topic,
                        value=outcome.payload,
                        key=record.key,
                        partition=choose_partition(record.partition, partitions[topic]),
                        headers=output_headers(
                            record.headers,
                            policy_version=ctx.policy_version,
                            model=dest.model_name,
                        ),
                        timestamp_ms=record.timestamp_ms,
                    )
                )
            else:
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
                futures.append(
                    await producer.send(
                        dest.dlq_topic,
                        value=serialize(letter),
                        key=record.coordinates.encode("utf-8"),
                        headers=dead_letter_headers(letter),
                    )
                )
        metas = await asyncio.gather(*futures)
        acked_at = time.time()

        audit_futures: list[asyncio.Future[Any]] = []
        for outcome, meta in zip(outcomes, metas, strict=True):
            record = outcome.record
            text = key_text(record.key)
            if isinstance(outcome, Forward):
                masks: Sequence[Any] = outcome.masks
                kind: Any = outcome.outcome
                reason = None
            else:
                masks, kind, reason = (), "dead_lettered", outcome.reason
            event = build_audit_event(
                source_topic=record.topic,
                source_partition=record.partition,
                source_offset=record.offset,
                key_fingerprint=None if text is None else self.keyring.fingerprint(text),
                output_topic=meta.topic,
                output_partition=meta.partition,
                output_offset=meta.offset,
                outcome=kind,
                reason=reason,
                policy_version=ctx.policy_version,
                policy_sha256=ctx.policy_sha256,
                model_name=dest.model_name,
                model_sha256=dest.model_sha256,
                masks=masks,
            )
            sealed = self.chain.seal(event)
            audit_futures.append(
                await producer.send(
                    dest.audit_topic,
                    value=sealed.model_dump_json().encode("utf-8"),
                    key=f"{record.topic}:{record.partition}".encode(),
                )
            )
        await asyncio.gather(*audit_futures)
        self._observe(outcomes, acked_at)

    def _observe(self, outcomes: Sequence[Outcome], acked_at: float) -> None:
        metrics = self.metrics
        if metrics is None:
            return
        counts: dict[tuple[str, str | None], int] = {}
        for outcome in outcomes:
            if isinstance(outcome, DeadLetterOutcome):
                key: tuple[str, str | None] = ("dead_lettered", outcome.reason)
            else:
                key = (outcome.outcome, None)
                if outcome.masks:
                    metrics.findings(outcome.masks)
                if outcome.record.timestamp_ms is not None:
                    metrics.observe_end_to_end(acked_at - outcome.record.timestamp_ms / 1000)
            counts[key] = counts.get(key, 0) + 1
        for (kind, reason), n in counts.items():
            metrics.outcome(kind, n, reason=reason)


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
