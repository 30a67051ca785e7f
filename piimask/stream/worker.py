"""The worker loop: fetch a batch, detect and mask it in a thread, deliver, commit.

Batches are whatever the consumer has buffered, up to ``batch_size`` (``batch_linger_ms``
optionally waits for more): the worker never waits to fill a batch, so latency stays
low at low load while batches grow under load.

Up to ``max_in_flight_batches`` batches are between fetch and commit: one is detected
in the worker thread while the previous ones are being acknowledged. Deliveries run one
after another, each after the previous one committed, so commits never skip a batch.

Rebalances: both rebalance callbacks take the batch lock, so they run only between
batches. The revoke callback waits until every fetched batch is committed before the
partitions move; the assign callback prepares the new partitions (exactly-once:
fences their previous owner) and positions them. A batch fetched across a rebalance is
dropped and its partitions are re-positioned at their committed offsets.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener
from aiokafka.client import AIOKafkaClient
from aiokafka.errors import CommitFailedError, IllegalStateError
from aiokafka.protocol.metadata import MetadataRequest
from aiokafka.structs import OffsetAndMetadata, TopicPartition

from piimask.ops.health import Health
from piimask.ops.logs import coordinates, safe_exc
from piimask.ops.metrics import WorkerMetrics
from piimask.settings import Settings
from piimask.stream.broker_health import BrokerMonitor
from piimask.stream.delivery import MaskingContext
from piimask.stream.guarantees import AtLeastOnce, ExactlyOnce, Guarantee, producer_factory
from piimask.stream.pipeline import (
    DeadLetterOutcome,
    Detector,
    Outcome,
    Shadow,
)
from piimask.stream.poison import POISON_REASON, PoisonGuard
from piimask.stream.records import SourceRecord
from piimask.stream.routing import RoutingError, check_topics, is_own_output, output_topic_for
from piimask.stream.runtime import MaskingRuntime

if TYPE_CHECKING:
    from piimask.keys import KeyRing

log = logging.getLogger(__name__)

_POLL_MS = 500
_PROGRESS_LOG_SECONDS = 30.0


class WorkerError(RuntimeError):
    """The worker stopped because it could not guarantee delivery; nothing was committed."""


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, worker: Worker) -> None:
        self.worker = worker

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self.worker._on_revoked(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        await self.worker._on_assigned(assigned)


class Worker(MaskingRuntime):
    """One worker process's consumer, producer(s) and processing loop."""

    def __init__(
        self,
        settings: Settings,
        *,
        detector: Detector,
        model_name: str,
        model_sha256: str,
        keyring: KeyRing,
        context: MaskingContext,
        metrics: WorkerMetrics | None = None,
        health: Health | None = None,
        shadow: Shadow | None = None,
    ) -> None:
        if bool(settings.input_topics) == bool(settings.input_pattern):
            raise RoutingError("set exactly one of PIIMASK_INPUT_TOPICS and PIIMASK_INPUT_PATTERN")
        check_topics(
            settings.input_topics,
            settings.output_topic_template,
            settings.audit_topic,
            settings.dlq_topic,
        )
        super().__init__(
            settings,
            detector=detector,
            model_name=model_name,
            model_sha256=model_sha256,
            keyring=keyring,
            context=context,
            metrics=metrics,
            health=health,
            shadow=shadow,
        )
        self._lock = asyncio.Lock()
        self._generation = 0
        # True between a completed assignment and the next revocation: only then may
        # fetched records be processed.
        self._ready = False
        self._pending: deque[asyncio.Task[None]] = deque()
        self._stop = asyncio.Event()
        self._failure: BaseException | None = None
        self.consumer: AIOKafkaConsumer | None = None
        self._monitor: BrokerMonitor | None = None
        self._poison = PoisonGuard()
        self._probe_client: AIOKafkaClient | None = None
        self.guarantee: Guarantee | None = None
        self._progress_mark = (time.monotonic(), 0)

    # --- lifecycle -------------------------------------------------------------------

    def stop(self) -> None:
        """Finish the batches in flight, commit, leave the group (safe from signal handlers)."""
        self._stop.set()

    @property
    def failed(self) -> BaseException | None:
        return self._failure

    def _clients(self) -> tuple[AIOKafkaConsumer, Guarantee]:
        s = self.settings
        common: dict[str, Any] = {
            "bootstrap_servers": s.kafka_bootstrap,
            **self._security,
        }
        consumer = AIOKafkaConsumer(
            **common,
            client_id=f"{s.client_id}-consumer",
            group_id=s.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            # Aborted upstream transactions must not be masked and forwarded.
            isolation_level="read_committed",
            max_partition_fetch_bytes=max(1_048_576, min(s.max_message_bytes, 64 << 20)),
            session_timeout_ms=s.session_timeout_ms,
            heartbeat_interval_ms=max(1000, s.session_timeout_ms // 4),
        )
        factory = producer_factory(
            {
                **common,
                "client_id": f"{s.client_id}-producer",
                "max_request_size": s.producer_max_request_bytes,
                "linger_ms": 2,
            }
        )
        guarantee: Guarantee
        if s.processing_guarantee == "exactly-once":
            guarantee = ExactlyOnce(
                consumer,
                self.sender,
                factory,
                group_id=s.group_id,
                transactional_id_prefix=s.transactional_id_prefix,
            )
        else:
            guarantee = AtLeastOnce(consumer, self.sender, factory)
        return consumer, guarantee

    async def run(self) -> None:
        """Process until :meth:`stop`; raises :class:`WorkerError` if delivery failed."""
        s = self.settings
        consumer, guarantee = self._clients()
        self.consumer, self.guarantee = consumer, guarantee
        if self.metrics is not None:
            self.metrics.set_policy(self._context.policy_version, self._context.policy_sha256)
        try:
            await guarantee.start()
            await self._check_fixed_topics(guarantee)
            await consumer.start()
            self._monitor = BrokerMonitor(self._probe_broker, self._broker_changed)
            self._monitor.start(up=True)
            listener = _Listener(self)
            if s.input_pattern:
                consumer.subscribe(pattern=s.input_pattern, listener=listener)
            else:
                consumer.subscribe(topics=list(s.input_topics), listener=listener)
            log.info(
                "worker started",
                extra={
                    "group_id": s.group_id,
                    "processing_guarantee": s.processing_guarantee,
                    "message_format": s.message_format,
                    "batch_size": s.batch_size,
                },
            )
            while not self._stop.is_set():
                await self._step(consumer)
            self.health.set_draining(True)
            async with self._lock:
                await self._drain()
        except asyncio.CancelledError:
            # A second stop signal: leave without committing anything more.
            self._stop.set()
            raise
        except BaseException as exc:
            self._fail(exc)
        finally:
            await self._close(consumer, guarantee)
        if self._failure is not None:
            raise WorkerError(safe_exc(self._failure)) from self._failure
        log.info("worker stopped", extra={"batches": self.batches, "records": self.records})

    async def _check_fixed_topics(self, guarantee: Guarantee) -> None:
        s = self.settings
        topics = [s.audit_topic, s.dlq_topic]
        topics += [output_topic_for(s.output_topic_template, t) for t in s.input_topics]
        for topic in topics:
            try:
                await asyncio.wait_for(guarantee.topic_partitions(topic), timeout=30)
            except Exception as exc:
                raise WorkerError(
                    f"topic {topic} is not available ({type(exc).__name__}): create it "
                    "or let the broker auto-create topics"
                ) from None

    async def _probe_broker(self) -> None:
        """One metadata request for no topics: cheap on a cluster of any size."""
        if self._probe_client is None:
            s = self.settings
            client = AIOKafkaClient(
                bootstrap_servers=s.kafka_bootstrap,
                client_id=f"{s.client_id}-probe",
                **self._security,
            )
            try:
                await client.bootstrap()
            except BaseException:
                with contextlib.suppress(Exception):
                    await client.close()
                raise
            self._probe_client = client
        node = self._probe_client.get_random_node()
        if node is None:
            raise ConnectionError("no broker known")
        await self._probe_client.send(node, MetadataRequest([]))

    def _broker_changed(self, up: bool) -> None:
        self.health.set_broker_reachable(up)
        if self.metrics is not None:
            self.metrics.set_broker_up(up)

    async def _close(self, consumer: AIOKafkaConsumer, guarantee: Guarantee) -> None:
        if self._monitor is not None:
            await self._monitor.stop()
        if self._probe_client is not None:
            with contextlib.suppress(Exception):
                await self._probe_client.close()
        for task in self._pending:
            task.cancel()
        with contextlib.suppress(Exception):
            # Leaves the group so the partitions move at once rather than after a timeout.
            await consumer.stop()
        with contextlib.suppress(Exception):
            await guarantee.stop()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self.health.set_group_joined(False)

    def _fail(self, exc: BaseException) -> None:
        if self._failure is None and not isinstance(exc, asyncio.CancelledError):
            self._failure = exc
            log.critical(
                "worker stopping after an error; no undelivered batch is committed",
                exc_info=exc,
            )
            self.health.set_failed(type(exc).__name__)
        self._stop.set()

    # --- the loop --------------------------------------------------------------------

    async def _fetch(self, consumer: AIOKafkaConsumer) -> list[SourceRecord]:
        s = self.settings
        data = await consumer.getmany(timeout_ms=_POLL_MS, max_records=s.batch_size)
        count = sum(len(v) for v in data.values())
        if count and s.batch_linger_ms and count < s.batch_size:
            await asyncio.sleep(s.batch_linger_ms / 1000)
            more = await consumer.getmany(timeout_ms=0, max_records=s.batch_size - count)
            for tp, msgs in more.items():
                data.setdefault(tp, []).extend(msgs)
        records: list[SourceRecord] = []
        for msgs in data.values():
            records.extend(SourceRecord.from_consumer_record(m) for m in msgs)
        return records

    async def _step(self, consumer: AIOKafkaConsumer) -> None:
        self._raise_if_delivery_failed()
        generation = self._generation
        records = await self._fetch(consumer)
        if not records:
            return
        async with self._lock:
            if self._failure is not None:
                return
            if not self._ready or generation != self._generation:
                await self._reposition(consumer, records)
                return
            self._raise_if_delivery_failed()
            records, poisoned = await self._guard(consumer, records)
            if not records and not poisoned:
                return
            self._count_in([*records, *(p.record for p in poisoned)])
            ctx = self._context
            outcomes: list[Outcome] = list(poisoned)
            if records:
                outcomes = [*await self._detect_and_mask(records, ctx), *poisoned]
            previous = self._pending[-1] if self._pending else None
            task = asyncio.create_task(self._deliver(previous, outcomes, ctx))
            self._pending.append(task)
            self.batches += 1
            self.records += len(outcomes)
            self._log_progress()
            while len(self._pending) >= self.settings.max_in_flight_batches:
                await self._pending.popleft()

    async def _guard(
        self, consumer: AIOKafkaConsumer, records: list[SourceRecord]
    ) -> tuple[list[SourceRecord], list[DeadLetterOutcome]]:
        """Apply the poison guard: records to process now, and poison records to dead-letter."""
        groups: dict[TopicPartition, list[SourceRecord]] = {}
        for r in records:
            groups.setdefault(TopicPartition(r.topic, r.partition), []).append(r)
        keep: list[SourceRecord] = []
        poisoned: list[DeadLetterOutcome] = []
        marks: dict[TopicPartition, OffsetAndMetadata] = {}
        for tp, group in groups.items():
            plan = self._poison.plan(tp, group)
            keep.extend(plan.process)
            if plan.poison is not None:
                poisoned.append(
                    DeadLetterOutcome(
                        plan.poison,
                        POISON_REASON,
                        f"processing this record stopped the worker {plan.attempts} times in a "
                        "row; not tried again",
                    )
                )
                r = plan.poison
                log.error(
                    "poison record dead-lettered",
                    extra=coordinates(r.topic, r.partition, r.offset),
                )
            if plan.seek_to is not None:
                consumer.seek(tp, plan.seek_to)
            if plan.mark is not None:
                marks[tp] = OffsetAndMetadata(plan.mark.offset, plan.mark.encode())
        if marks:
            # A batch still being delivered commits without a mark: let it finish first,
            # so no commit lands on top of the marks.
            await self._drain()
            try:
                await consumer.commit(marks)
            except (CommitFailedError, IllegalStateError):
                # The partitions moved meanwhile: like a batch fetched across a rebalance.
                await self._reposition(consumer, records)
                return [], []
        return keep, poisoned

    async def _deliver(
        self, previous: asyncio.Task[None] | None, outcomes: Sequence[Outcome], ctx: MaskingContext
    ) -> None:
        if previous is not None:
            # Commits must stay in fetch order; a failed predecessor fails this batch too.
            await asyncio.shield(previous)
        assert self.guarantee is not None
        started = time.perf_counter()
        await self.guarantee.deliver(outcomes, ctx)
        log.debug(
            "batch committed",
            extra={"records": len(outcomes), "seconds": round(time.perf_counter() - started, 4)},
        )
        self._update_lag(outcomes)

    def _log_progress(self) -> None:
        now = time.monotonic()
        since, records = self._progress_mark
        if now - since < _PROGRESS_LOG_SECONDS:
            return
        self._progress_mark = (now, self.records)
        log.info(
            "progress",
            extra={
                "records": self.records,
                "batches": self.batches,
                "records_per_second": round((self.records - records) / (now - since), 1),
            },
        )

    def _update_lag(self, outcomes: Sequence[Outcome]) -> None:
        if self.metrics is None or self.consumer is None:
            return
        last: dict[TopicPartition, int] = {}
        for outcome in outcomes:
            r = outcome.record
            last[TopicPartition(r.topic, r.partition)] = r.offset + 1
        for tp, next_offset in last.items():
            with contextlib.suppress(Exception):
                highwater = self.consumer.highwater(tp)
                if highwater is not None:
                    self.metrics.set_lag(tp.topic, tp.partition, highwater - next_offset)

    def _raise_if_delivery_failed(self) -> None:
        while self._pending and self._pending[0].done():
            task = self._pending.popleft()
            if not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]

    async def _drain(self) -> None:
        """Wait until every batch in flight is committed (raises if one failed)."""
        while self._pending:
            await self._pending.popleft()

    async def _reposition(
        self, consumer: AIOKafkaConsumer, records: Sequence[SourceRecord]
    ) -> None:
        """Drop a batch fetched across a rebalance; resume its partitions at their commit."""
        assert self.guarantee is not None
        assigned = consumer.assignment()
        tps = {TopicPartition(r.topic, r.partition) for r in records} & set(assigned)
        for tp in tps:
            position = await self.guarantee.committed_position(tp)
            if position is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, position)
        log.info("batch fetched across a rebalance dropped", extra={"records": len(records)})

    # --- rebalance callbacks -----------------------------------------------------------

    async def _on_revoked(self, revoked: set[TopicPartition]) -> None:
        async with self._lock:
            self._generation += 1
            self._ready = False
            self.health.set_group_joined(False)
            try:
                await self._drain()
            except BaseException as exc:
                self._fail(exc)
        for tp in revoked:
            self._poison.revoked(tp)
        if self.metrics is not None:
            for tp in revoked:
                self.metrics.remove_lag(tp.topic, tp.partition)
        log.info("partitions revoked", extra={"partitions": _names(revoked)})

    async def _on_assigned(self, assigned: set[TopicPartition]) -> None:
        async with self._lock:
            self._generation += 1
            await self._prepare_assignment(assigned)
            # aiokafka fetches the new partitions from its own committed offsets while
            # this callback still waits for the producers: a batch whose fetch started
            # before the seeks above may hold records of the old position. Its step saw
            # the first bump; this one makes it drop such a batch, because the seek moved
            # the position back and the same records would be fetched, and committed, twice.
            self._generation += 1

    async def _prepare_assignment(self, assigned: set[TopicPartition]) -> None:
        s = self.settings
        try:
            if s.input_pattern:
                own = sorted(
                    {
                        tp.topic
                        for tp in assigned
                        if is_own_output(
                            tp.topic, s.output_topic_template, s.audit_topic, s.dlq_topic
                        )
                    }
                )
                if own:
                    raise RoutingError(
                        f"PIIMASK_INPUT_PATTERN matches the worker's own output topic(s) {own}; "
                        "tighten the pattern"
                    )
            for tp in assigned:
                # Another worker may have extended this partition's chain meanwhile.
                self.chain.reset(tp.topic, tp.partition)
            assert self.guarantee is not None
            await self.guarantee.on_assigned(set(assigned))
            committed = await _committed_with_metadata(self.consumer, assigned)
            for tp in assigned:
                offset, metadata = committed.get(tp, (None, None))
                self._poison.assigned(tp, offset, metadata)
        except BaseException as exc:
            self._fail(exc)
            return
        self._ready = True
        self.health.set_group_joined(True)
        log.info("partitions assigned", extra={"partitions": _names(assigned)})


async def _committed_with_metadata(
    consumer: AIOKafkaConsumer | None, tps: set[TopicPartition]
) -> dict[TopicPartition, tuple[int, str]]:
    """Committed offsets with their metadata (``consumer.committed`` drops the metadata)."""
    coordinator = getattr(consumer, "_coordinator", None)
    fetch = getattr(coordinator, "fetch_committed_offsets", None)
    if fetch is None or not tps:
        return {}
    found = await fetch(list(tps))
    return {
        tp: (int(om.offset), str(om.metadata or ""))
        for tp, om in found.items()
        if om is not None and om.offset >= 0
    }


def _names(tps: set[TopicPartition]) -> list[str]:
    return sorted(f"{tp.topic}:{tp.partition}" for tp in tps)
