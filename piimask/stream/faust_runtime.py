"""The faust runtime: piimask's pipeline and delivery inside a faust-streaming app.

faust owns the consumer group, the partition assignment and the offset commits; piimask
owns what happens to a batch. Each batch taken with ``stream.take_events`` goes through
the same :func:`~piimask.stream.pipeline.process_batch` as the aiokafka worker, and the
same :class:`~piimask.stream.delivery.BatchSender` produces its masked records, dead
letters and audit events (same payloads, keys, headers and partitions) through an
idempotent ``acks=all`` producer of piimask's own, configured like the aiokafka worker's.

Guarantee: at-least-once. faust acknowledges a taken batch when the agent asks for the
next one, and commits acknowledged offsets in the background; the agent asks only after
every output and audit event of the batch is acknowledged by the broker. faust also
acknowledges the batch when the agent's loop raises or is cancelled (faust#189), so:

- nothing of a batch may raise out of the loop: record failures are dead letters (the
  pipeline), broker outages are retried like the aiokafka worker does (``Outage``);
- a failure that cannot be ridden out (the dead-letter topic refusing a letter, the broker
  gone past the retries) ends the process at once (``os._exit(1)``) before faust can
  acknowledge or commit anything of the batch: it is processed again after the restart;
- a cancellation (shutdown, rebalance) while a batch is in flight first lets the batch be
  delivered, then lets the cancellation go on.

exactly-once is refused (see :data:`EXACTLY_ONCE_REFUSED`): faust's transactions cannot
hold piimask's outputs, and its own exactly-once mode has open duplicate bugs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypedDict, cast

import faust
from aiokafka import AIOKafkaProducer

from piimask.ops.health import Health
from piimask.ops.logs import safe_exc
from piimask.ops.metrics import WorkerMetrics
from piimask.settings import Settings
from piimask.stream.delivery import MaskingContext
from piimask.stream.guarantees import Outage
from piimask.stream.kafka_security import client_security_kwargs
from piimask.stream.pipeline import Detector, Outcome, Shadow
from piimask.stream.records import SourceRecord
from piimask.stream.routing import RoutingError, check_topics, is_own_output
from piimask.stream.runtime import MaskingRuntime

if TYPE_CHECKING:
    from faust.types import TP, AgentT, StreamT, TopicT

    from piimask.detect import DetectionEngine
    from piimask.keys import KeyRing
    from piimask.mask import Policy

log = logging.getLogger(__name__)

# faust's take() waits until its buffer is full or this long; it cannot "take what is
# there" (a timeout of 0 means wait forever), so batch_linger_ms=0 becomes this.
MIN_TAKE_WITHIN_S = 0.05


# Raw bytes in, no decoding by faust: a value faust cannot decode would be acknowledged
# without ever reaching the agent; piimask decodes (and dead-letters) itself.
class RawCodecs(TypedDict):
    key_type: type[bytes]
    value_type: type[bytes]
    key_serializer: str
    value_serializer: str


RAW: RawCodecs = {
    "key_type": bytes,
    "value_type": bytes,
    "key_serializer": "raw",
    "value_serializer": "raw",
}


class FaustMessage(Protocol):
    """What piimask reads of a faust ``Message`` (raw key and value bytes)."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def timestamp(self) -> float | None: ...
    @property
    def headers(self) -> Iterable[tuple[str, bytes | None]] | None: ...


class FaustEvent(Protocol):
    @property
    def message(self) -> FaustMessage: ...


class FaustStream(Protocol):
    """The part of a faust ``Stream`` piimask uses: faust's own ``StreamT`` hints lack
    ``take_events``, so this names it."""

    def take_events(self, max_: int, within: float) -> AsyncIterator[Sequence[FaustEvent]]: ...


class BrokerCredentials(TypedDict, total=False):
    broker_credentials: faust.SSLCredentials | faust.SASLCredentials


EXACTLY_ONCE_REFUSED = (
    "PIIMASK_PROCESSING_GUARANTEE=exactly-once is not available with PIIMASK_RUNTIME=faust: "
    "faust's transactions cannot hold piimask's masked records, dead letters and audit events "
    "together with the input offsets, and faust's own exactly_once mode duplicates records "
    "after crashes and rebalances (faust-streaming/faust#517, #323, #177). Use "
    "PIIMASK_RUNTIME=aiokafka (the default) for exactly-once, or at-least-once on faust."
)


class FaustRuntimeError(Exception):
    """The faust runtime cannot start with these settings; the message says why."""


def check_settings(settings: Settings, *, topics: bool = True) -> None:
    """Refuse what the faust runtime cannot do, naming the setting; ``topics``: check the
    input topics too (not needed where the masking runs in an agent of your own)."""
    if settings.processing_guarantee == "exactly-once":
        raise FaustRuntimeError(EXACTLY_ONCE_REFUSED)
    if not topics:
        return
    if bool(settings.input_topics) == bool(settings.input_pattern):
        raise RoutingError("set exactly one of PIIMASK_INPUT_TOPICS and PIIMASK_INPUT_PATTERN")
    check_topics(
        settings.input_topics,
        settings.output_topic_template,
        settings.audit_topic,
        settings.dlq_topic,
    )


def fatal_exit(exc: BaseException) -> None:
    """End the process before faust can acknowledge (and then commit) an undelivered batch."""
    log.critical(
        "faust runtime stopping: a batch could not be delivered; nothing of it is "
        "acknowledged, it is processed again after the restart",
        extra={"error": safe_exc(exc)},
    )
    logging.shutdown()
    sys.stderr.flush()
    os._exit(1)


def source_record(message: FaustMessage) -> SourceRecord:
    """A faust ``Message`` (raw key and value bytes) as the pipeline's :class:`SourceRecord`."""
    headers = tuple((str(name), bytes(value or b"")) for name, value in message.headers or ())
    timestamp = message.timestamp
    # faust turns the record's milliseconds into float seconds; round() gets them back exactly.
    timestamp_ms = None if timestamp is None or timestamp < 0 else round(timestamp * 1000)
    return SourceRecord(
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        key=message.key,
        value=message.value,
        headers=headers,
        timestamp_ms=timestamp_ms,
    )


class FaustMasking(MaskingRuntime):
    """Masks the events of faust streams: pipeline, delivery, audit chain, producer.

    One per process. Use :meth:`stream` inside an agent of your own, or :meth:`add_agent`
    to add an agent that masks the input topics of :class:`Settings`.
    """

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
        on_fatal: Callable[[BaseException], None] = fatal_exit,
        shadow: Shadow | None = None,
    ) -> None:
        if settings.processing_guarantee == "exactly-once":
            raise FaustRuntimeError(EXACTLY_ONCE_REFUSED)
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
        self._on_fatal = on_fatal
        self._producer: AIOKafkaProducer | None = None
        self._starting: asyncio.Lock | None = None
        self._streams = 0

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        engine: DetectionEngine | None = None,
        keyring: KeyRing | None = None,
        metrics: WorkerMetrics | None = None,
        health: Health | None = None,
        shadow_engine: DetectionEngine | None = None,
    ) -> FaustMasking:
        """Load the key ring, policy and model (unless given) as ``piimask worker`` does,
        with the same repeated-text cache and shadow detector."""
        from piimask.stream.app import load_active_policy, load_keyring, masking_context
        from piimask.stream.detection import build_detection

        check_settings(settings, topics=False)  # before the model load: refuse quickly
        if keyring is None:
            keyring = load_keyring(settings)
        health = health if health is not None else Health()
        detection = build_detection(
            settings, keyring=keyring, engine=engine, shadow_engine=shadow_engine, metrics=metrics
        )
        health.set_model_loaded(True)
        return cls(
            settings,
            detector=detection.detector,
            model_name=detection.model_name,
            model_sha256=detection.model_sha256,
            keyring=keyring,
            context=masking_context(load_active_policy(settings), keyring, settings),
            metrics=metrics,
            health=health,
            shadow=detection.shadow,
        )

    # --- producer ----------------------------------------------------------------------

    async def start(self) -> None:
        """Start the producer (done by :meth:`stream` on first use)."""
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if self._producer is not None:
                return
            s = self.settings
            producer = AIOKafkaProducer(
                bootstrap_servers=s.kafka_bootstrap,
                **self._security,
                client_id=f"{s.client_id}-producer",
                max_request_size=s.producer_max_request_bytes,
                linger_ms=2,
                enable_idempotence=True,
                acks="all",
            )
            await producer.start()
            self._producer = producer
            if self.metrics is not None:
                self.metrics.set_policy(self._context.policy_version, self._context.policy_sha256)
                self.metrics.set_broker_up(True)
            self.health.set_broker_reachable(True)

    async def stop(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await producer.stop()

    # --- rebalances ----------------------------------------------------------------------

    def partitions_assigned(self, assigned: Iterable[TP]) -> None:
        """Start new audit chain segments for ``assigned`` (another worker may have
        extended their chains meanwhile), as the aiokafka worker does."""
        tps = list(assigned)
        s = self.settings
        if s.input_pattern:
            own = sorted(
                {
                    tp.topic
                    for tp in tps
                    if is_own_output(tp.topic, s.output_topic_template, s.audit_topic, s.dlq_topic)
                }
            )
            if own:
                self._on_fatal(
                    RoutingError(
                        f"PIIMASK_INPUT_PATTERN matches the worker's own output topic(s) {own}; "
                        "tighten the pattern"
                    )
                )
        for tp in tps:
            self.chain.reset(tp.topic, tp.partition)
        self.health.set_group_joined(True)
        log.info(
            "partitions assigned",
            extra={"partitions": sorted(f"{tp.topic}:{tp.partition}" for tp in tps)},
        )

    # --- batches ---------------------------------------------------------------------------

    async def mask_batch(self, records: Sequence[SourceRecord]) -> list[Outcome]:
        """Detect, mask and deliver ``records``; returns once every output, dead letter and
        audit event is acknowledged. Raises only for failures no record causes."""
        if not records:
            return []
        await self.start()
        assert self._producer is not None
        ctx = self._context
        self._count_in(records)
        outcomes = await self._detect_and_mask(records, ctx)
        outage = Outage()
        while True:
            try:
                sent = await self.sender.send(self._producer, outcomes, ctx)
                break
            except Exception as exc:
                # Sending the batch again may duplicate part of it: allowed at-least-once.
                await outage.wait_or_raise(exc, outcomes)
                for r in records:
                    self.chain.reset(r.topic, r.partition)
        self.batches += 1
        self.records += len(records)
        return sent

    async def _deliver_or_exit(self, records: Sequence[SourceRecord]) -> list[Outcome]:
        """:meth:`mask_batch`, never raising: faust would acknowledge the batch (faust#189)."""
        task = asyncio.ensure_future(self.mask_batch(records))
        cancelled = False
        while True:
            try:
                outcomes = await asyncio.shield(task)
                break
            except asyncio.CancelledError:
                if task.cancelled():
                    self._on_fatal(RuntimeError("batch delivery was cancelled"))
                    raise
                # Shutdown or rebalance: deliver the batch before faust acknowledges it.
                cancelled = True
            except BaseException as exc:
                self._on_fatal(exc)
                raise
        if cancelled:
            raise asyncio.CancelledError
        return outcomes

    async def stream(self, stream: FaustStream) -> AsyncIterator[Outcome]:
        """Mask a faust stream of raw records: yields each record's outcome once its masked
        record (or dead letter) and audit event are acknowledged, in input order per
        partition.

        The stream's topic must use the ``raw`` key and value serializers
        (``app.topic(name, **RAW)``), so faust never drops a record it cannot decode.
        Its events are acknowledged batch by batch, after your loop has taken every
        outcome of the batch."""
        s = self.settings
        within = max(s.batch_linger_ms / 1000, MIN_TAKE_WITHIN_S)
        self._streams += 1
        try:
            await self.start()
            async for events in stream.take_events(s.batch_size, within=within):
                records = [source_record(event.message) for event in events]
                for outcome in await self._deliver_or_exit(records):
                    yield outcome
        finally:
            # Every batch was acknowledged by the broker before its outcomes were
            # yielded: nothing is left to flush when the last stream stops.
            self._streams -= 1
            if self._streams == 0:
                await self.stop()

    def input_topic(self, app: faust.App) -> TopicT:
        """The settings' input topics (or pattern) as a faust topic of raw bytes."""
        s = self.settings
        check_settings(s)
        if s.input_pattern:
            return app.topic(pattern=re.compile(s.input_pattern), **RAW)
        return app.topic(*s.input_topics, **RAW)

    def add_agent(self, app: faust.App, *, name: str = "piimask.mask") -> AgentT[bytes]:
        """Add to ``app`` an agent that masks the settings' input topics to their output,
        audit and dead-letter topics; returns the agent."""
        topic = self.input_topic(app)

        async def on_assigned(
            sender: object, /, *args: Iterable[TP], signal: object, **kwargs: object
        ) -> None:
            # faust sends the assigned partitions as the one positional argument.
            self.partitions_assigned(args[0] if args else ())

        app.on_partitions_assigned.connect(on_assigned)
        # Kept referenced: faust's signals hold receivers weakly.
        self._on_assigned_receiver = on_assigned

        async def mask(stream: StreamT[bytes]) -> None:
            # faust passes a Stream, which has take_events; StreamT's hints do not say so.
            async for _ in self.stream(cast(FaustStream, stream)):
                pass

        return app.agent(topic, name=name)(mask)


def piimask_stream(stream: FaustStream, masking: FaustMasking) -> AsyncIterator[Outcome]:
    """``async for outcome in piimask_stream(stream, masking): ...`` inside your agent."""
    return masking.stream(stream)


def build_app(
    settings: Settings, masking: FaustMasking, *, datadir: Path | None = None
) -> faust.App:
    """A faust app that masks the settings' input topics, consumer group ``group_id``."""
    s = settings
    if s.processing_guarantee == "exactly-once":
        raise FaustRuntimeError(EXACTLY_ONCE_REFUSED)
    app = faust.App(
        s.group_id,
        broker=f"kafka://{s.kafka_bootstrap}",
        broker_client_id=s.client_id,
        broker_session_timeout=s.session_timeout_ms / 1000,
        broker_heartbeat_interval=max(1.0, s.session_timeout_ms / 4000),
        broker_commit_interval=1.0,
        consumer_auto_offset_reset="earliest",
        # piimask checks and creates nothing but what it produces to; faust must not
        # create input topics with its own partition count, nor a leader topic.
        topic_allow_declare=False,
        topic_disable_leader=True,
        # piimask serves /healthz, /readyz and /metrics itself (PIIMASK_METRICS_PORT).
        web_enabled=False,
        # No tables, so nothing lasting is kept there; private per process.
        datadir=str(datadir or tempfile.mkdtemp(prefix="piimask-faust-")),
        producer_max_request_size=s.producer_max_request_bytes,
        consumer_max_fetch_size=max(1_048_576, min(s.max_message_bytes, 64 << 20)),
        **_faust_security(settings),
    )
    masking.add_agent(app)
    return app


def _faust_security(settings: Settings) -> BrokerCredentials:
    """faust's ``broker_credentials`` for the settings' TLS/SASL options (none: PLAINTEXT)."""
    kwargs = client_security_kwargs(settings)
    protocol = kwargs.get("security_protocol", "PLAINTEXT")
    if protocol == "PLAINTEXT":
        return {}
    ssl_context = kwargs.get("ssl_context")
    if protocol == "SSL":
        return {"broker_credentials": faust.SSLCredentials(ssl_context)}
    username = kwargs.get("sasl_plain_username")
    password = kwargs.get("sasl_plain_password")
    mechanism = kwargs.get("sasl_mechanism", "PLAIN")
    return {
        "broker_credentials": faust.SASLCredentials(
            username=username,
            password=password,
            ssl_context=ssl_context,
            mechanism=mechanism,
        )
    }


def run(settings: Settings, masking: FaustMasking) -> int:
    """Run the faust worker until SIGTERM/SIGINT; the exit code (fatal errors exit 1 at once)."""
    from piimask.ops.health import HealthServer
    from piimask.ops.reload import PolicyReloader
    from piimask.stream.app import masking_context

    app = build_app(settings, masking)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server: HealthServer | None = None
    if settings.metrics_port and masking.metrics is not None:
        server = HealthServer(masking.health, settings.metrics_port, masking.metrics.registry)
        server.start()
    reloader: PolicyReloader[Policy] | None = None
    if settings.policy_file is not None and settings.policy_reload != "off":
        metrics = masking.metrics
        reloader = PolicyReloader(
            settings.policy_file,
            lambda policy: masking.set_context(masking_context(policy, masking.keyring, settings)),
            mode=settings.policy_reload,
            interval=settings.policy_watch_interval,
            loop=loop,
            on_result=None if metrics is None else metrics.policy_reload,
        )
        reloader.start()
    worker = faust.Worker(
        app,
        loop=loop,
        loglevel=settings.log_level,
        # piimask's JSON logging stays in place; stdout is not turned into log lines.
        override_logging=False,
        redirect_stdouts=False,
    )
    log.info(
        "faust worker starting",
        extra={
            "group_id": settings.group_id,
            "processing_guarantee": settings.processing_guarantee,
            "message_format": settings.message_format,
            "batch_size": settings.batch_size,
        },
    )
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    finally:
        if reloader is not None:
            reloader.stop()
        if server is not None:
            server.stop()
    return 0
