"""The two processing guarantees: how a batch's sends and its offset commit are tied together.

at-least-once: one idempotent producer (acks=all). The input offsets are committed by the
consumer only after every masked record, dead letter and audit event of the batch is
acknowledged. A crash between the acks and the commit re-processes the batch, so
consumers can see a record twice, never zero times.

exactly-once: one transactional producer per assigned input partition, with
transactional id ``<prefix>.<group>.<topic>.<partition>``. Each batch is one transaction per
partition holding the masked records, dead letters, audit events and the consumer
offsets (``send_offsets_to_transaction``). Consumers that read with
``isolation.level=read_committed`` see each masked record exactly once.

Why one producer per partition: aiokafka sends ``TxnOffsetCommit`` v0, without the group
generation and member id of KIP-447, so a single producer per worker could not be
fenced when its partitions move to another worker. The transactional id follows the
partition instead: the new owner's ``init_producer_id`` bumps the epoch, which aborts
the old owner's open transaction and fences it from committing later. After that
init the owner re-reads the committed offsets and seeks to them, so a transaction that
was completing during the hand-over cannot be processed twice.

Broker outages: a batch that fails with an error of an unreachable broker (timeouts, lost
connections, retriable broker errors) is tried again with backoff for up to
``OUTAGE_TOLERANCE_S``; only then does the worker stop. At-least-once sends the batch again
(consumers may see part of it twice). Exactly-once replaces the partition's producer: its
init aborts the failed transaction (or completes it, when the commit had reached the
broker, in which case the committed offset shows the batch is done and it is not sent
again), then the batch is sent in a new transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import (
    CommitFailedError,
    IllegalStateError,
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
)
from aiokafka.structs import TopicPartition

from piimask.stream.delivery import (
    BatchSender,
    MaskingContext,
    RecordsRejected,
    by_partition,
    next_offsets,
)
from piimask.stream.pipeline import DeadLetterOutcome, Outcome

log = logging.getLogger(__name__)

ProducerFactory = Callable[..., AIOKafkaProducer]


# How long a batch is retried while the broker is unreachable before the worker stops.
# Below the group's rebalance timeout, so a revocation waiting for the batch ends first.
OUTAGE_TOLERANCE_S = 120.0


def is_transient(exc: BaseException) -> bool:
    """An error of an unreachable or recovering broker, not of the batch or the setup."""
    if isinstance(exc, KafkaTimeoutError | KafkaConnectionError | TimeoutError):
        return True
    return isinstance(exc, KafkaError) and bool(getattr(exc, "retriable", False))


class Outage:
    """Retry budget of one batch while the broker is away (backoff 0.5 s doubling to 5 s)."""

    def __init__(self, tolerance_s: float = OUTAGE_TOLERANCE_S) -> None:
        self.deadline = time.monotonic() + tolerance_s
        self.attempts = 0

    async def wait_or_raise(self, exc: BaseException, outcomes: Sequence[Outcome]) -> None:
        if not is_transient(exc) or time.monotonic() >= self.deadline:
            raise exc
        self.attempts += 1
        log.warning(
            "batch not delivered, the broker is unreachable; trying again",
            extra={
                "attempt": self.attempts,
                "records": len(outcomes),
                "error": type(exc).__name__,
            },
        )
        await asyncio.sleep(min(5.0, 0.5 * 2 ** min(self.attempts - 1, 4)))


class Guarantee(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def on_assigned(self, assigned: set[TopicPartition]) -> None: ...
    async def deliver(self, outcomes: Sequence[Outcome], ctx: MaskingContext) -> None: ...
    async def topic_partitions(self, topic: str) -> int: ...
    async def committed_position(self, tp: TopicPartition) -> int | None: ...


class AtLeastOnce:
    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        sender: BatchSender,
        producer_factory: ProducerFactory,
        *,
        outage_tolerance_s: float = OUTAGE_TOLERANCE_S,
    ) -> None:
        self.consumer = consumer
        self.sender = sender
        self.outage_tolerance_s = outage_tolerance_s
        self.producer = producer_factory(enable_idempotence=True, acks="all")

    async def start(self) -> None:
        await self.producer.start()

    async def stop(self) -> None:
        await self.producer.stop()

    async def on_assigned(self, assigned: set[TopicPartition]) -> None:
        return None

    async def topic_partitions(self, topic: str) -> int:
        return len(await self.producer.partitions_for(topic))

    async def committed_position(self, tp: TopicPartition) -> int | None:
        committed: int | None = await self.consumer.committed(tp)
        return committed

    async def deliver(self, outcomes: Sequence[Outcome], ctx: MaskingContext) -> None:
        outage = Outage(self.outage_tolerance_s)
        while True:
            try:
                await self.sender.send(self.producer, outcomes, ctx)
                break
            except Exception as exc:
                # Sending the batch again may duplicate some of it: allowed at-least-once.
                await outage.wait_or_raise(exc, outcomes)
                for tp in next_offsets(outcomes):
                    self.sender.chain.reset(tp.topic, tp.partition)
        offsets = next_offsets(outcomes)
        try:
            while True:
                try:
                    await self.consumer.commit(offsets)
                    break
                except (CommitFailedError, IllegalStateError):
                    raise
                except Exception as exc:
                    await outage.wait_or_raise(exc, outcomes)
        except (CommitFailedError, IllegalStateError) as exc:
            # The group moved these partitions while the batch was in flight: their new
            # owner starts from the last commit and re-processes the batch (at-least-once).
            log.warning(
                "offset commit rejected after a rebalance; the batch will be re-processed",
                extra={"partitions": sorted(f"{tp.topic}:{tp.partition}" for tp in offsets)},
            )
            log.debug("commit failure", exc_info=exc)


class ExactlyOnce:
    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        sender: BatchSender,
        producer_factory: ProducerFactory,
        *,
        group_id: str,
        transactional_id_prefix: str,
        outage_tolerance_s: float = OUTAGE_TOLERANCE_S,
    ) -> None:
        self.outage_tolerance_s = outage_tolerance_s
        self.consumer = consumer
        self.sender = sender
        self.group_id = group_id
        self.prefix = transactional_id_prefix
        self._factory = producer_factory
        self.producers: dict[TopicPartition, AIOKafkaProducer] = {}
        # Offsets this worker committed. A group's offset fetch may lag a just-committed
        # transaction (aiokafka cannot ask for stable offsets, KIP-447), so positions
        # never go below what this worker knows it committed.
        self.committed: dict[TopicPartition, int] = {}
        # Non-transactional: only asks for topic metadata.
        self._meta = producer_factory(enable_idempotence=False, acks=1)

    def transactional_id(self, tp: TopicPartition) -> str:
        return f"{self.prefix}.{self.group_id}.{tp.topic}.{tp.partition}"

    async def start(self) -> None:
        await self._meta.start()

    async def stop(self) -> None:
        await self._stop_producers(list(self.producers))
        await self._meta.stop()

    async def topic_partitions(self, topic: str) -> int:
        return len(await self._meta.partitions_for(topic))

    async def _stop_producers(self, tps: Iterable[TopicPartition]) -> None:
        stopping = [self.producers.pop(tp) for tp in list(tps) if tp in self.producers]
        await asyncio.gather(*(p.stop() for p in stopping), return_exceptions=True)

    async def _start_producer(self, tp: TopicPartition) -> None:
        producer = self._factory(
            enable_idempotence=True, acks="all", transactional_id=self.transactional_id(tp)
        )
        try:
            await producer.start()
            # begin waits for init_producer_id: this fences the previous owner of the id
            # and aborts its open transaction. The empty transaction is then dropped.
            await producer.begin_transaction()
            await producer.abort_transaction()
        except BaseException:
            await producer.stop()
            raise
        self.producers[tp] = producer

    async def committed_position(self, tp: TopicPartition) -> int | None:
        remote: int | None = await self.consumer.committed(tp)
        mine = self.committed.get(tp)
        if remote is None or (mine is not None and mine > remote):
            return mine
        return remote

    async def on_assigned(self, assigned: set[TopicPartition]) -> None:
        await self._stop_producers([tp for tp in self.producers if tp not in assigned])
        new = [tp for tp in assigned if tp not in self.producers]
        await asyncio.gather(*(self._start_producer(tp) for tp in new))
        # No other producer can commit offsets for these partitions any more, and the
        # init waited for their last transactions to complete: the committed offsets
        # are final. Start exactly there (the consumer may have read them earlier).
        for tp in assigned:
            position = await self.committed_position(tp)
            if position is not None:
                self.consumer.seek(tp, position)

    async def deliver(self, outcomes: Sequence[Outcome], ctx: MaskingContext) -> None:
        groups = by_partition(outcomes)
        results = await asyncio.gather(
            *(self._deliver_partition(tp, group, ctx) for tp, group in groups.items()),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def _deliver_partition(
        self, tp: TopicPartition, outcomes: list[Outcome], ctx: MaskingContext
    ) -> None:
        outage = Outage(self.outage_tolerance_s)
        recovering = False
        while True:
            try:
                if recovering and await self._recover(tp, next_offsets(outcomes)[tp]):
                    return
                recovering = False
                await self._deliver_refusals(tp, outcomes, ctx)
                return
            except Exception as exc:
                await outage.wait_or_raise(exc, outcomes)
                recovering = True

    async def _recover(self, tp: TopicPartition, target: int) -> bool:
        """A new producer for ``tp`` after an outage; True if the batch committed after all.

        Its init aborts the failed transaction, or waits for it to complete when its commit
        had reached the broker: the committed offset tells which, so a batch that did commit
        is not sent again.
        """
        stopping = self.producers.pop(tp, None)
        if stopping is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(stopping.stop(), 10)
        await self._start_producer(tp)
        remote: int | None = await self.consumer.committed(tp)
        if remote is not None and remote >= target:
            self.committed[tp] = max(remote, self.committed.get(tp, 0))
            return True
        return False

    async def _deliver_refusals(
        self, tp: TopicPartition, outcomes: list[Outcome], ctx: MaskingContext
    ) -> None:
        producer = self.producers.get(tp)
        if producer is None:
            raise RuntimeError(f"no transactional producer for {tp.topic}:{tp.partition}")
        work = list(outcomes)
        # Each retry dead-letters at least one more record, so this ends.
        for _attempt in range(len(work) + 1):
            try:
                await self._transaction(producer, tp, work, ctx)
                return
            except RecordsRejected as rejected:
                # The aborted transaction's outputs are never read: sending the batch
                # again with the refused records dead-lettered produces nothing twice.
                for i, detail in rejected.details.items():
                    work[i] = DeadLetterOutcome(work[i].record, "output_rejected", detail)
                log.warning(
                    "outputs refused by the broker; batch sent again with them dead-lettered",
                    extra={
                        "partition": f"{tp.topic}:{tp.partition}",
                        "records": len(rejected.details),
                    },
                )
        raise RuntimeError("batch still refused after dead-lettering every refused record")

    async def _transaction(
        self,
        producer: AIOKafkaProducer,
        tp: TopicPartition,
        outcomes: list[Outcome],
        ctx: MaskingContext,
    ) -> None:
        await producer.begin_transaction()
        try:
            await self.sender.send(producer, outcomes, ctx, transactional=True)
            offsets = next_offsets(outcomes)
            await producer.send_offsets_to_transaction(offsets, self.group_id)
            await producer.commit_transaction()
            self.committed.update(offsets)
        except BaseException:
            # Sealed events of this batch will never be read: start a new chain segment.
            self.sender.chain.reset(tp.topic, tp.partition)
            # Bounded: with the broker away the abort would wait for it; a replacement
            # producer's init aborts the transaction as well.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.abort_transaction(), 10)
            raise


def producer_factory(common: Mapping[str, object]) -> ProducerFactory:
    def make(**extra: object) -> AIOKafkaProducer:
        return AIOKafkaProducer(**common, **extra)

    return make
