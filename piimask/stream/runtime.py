"""What both stream runtimes hold and do the same way: the detector, the active policy, the
sender, and one batch's detection and masking in the detection thread.

:class:`piimask.stream.worker.Worker` (aiokafka) and
:class:`piimask.stream.faust_runtime.FaustMasking` (faust agents) differ in how records
arrive and when offsets are committed; everything between a fetched batch and its outcomes
is here, so the two cannot drift apart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from piimask.ops.health import Health
from piimask.ops.metrics import WorkerMetrics
from piimask.settings import Settings
from piimask.stream.delivery import BatchSender, MaskingContext, record_limits
from piimask.stream.kafka_security import client_security_kwargs
from piimask.stream.pipeline import Detector, Outcome, Shadow, process_batch
from piimask.stream.records import SourceRecord

if TYPE_CHECKING:
    from piimask.keys import KeyRing


class MaskingRuntime:
    """The state a runtime shares with the batch pipeline; subclasses wire it to Kafka."""

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
        self.settings = settings
        # Validated now so a bad TLS/SASL setting fails at startup with the setting's name.
        self._security = client_security_kwargs(settings)
        self.detector = detector
        self.shadow = shadow
        self.keyring = keyring
        self.metrics = metrics
        self.health = health if health is not None else Health()
        self._context = context
        self.limits = record_limits(settings)
        self.sender = BatchSender.from_settings(
            settings,
            model_name=model_name,
            model_sha256=model_sha256,
            keyring=keyring,
            metrics=metrics,
        )
        self.chain = self.sender.chain
        # One thread: detection is CPU-bound, and batches must keep their order.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="piimask-detect")
        self.batches = 0
        self.records = 0

    # --- policy ----------------------------------------------------------------------

    @property
    def context(self) -> MaskingContext:
        return self._context

    def set_context(self, context: MaskingContext) -> None:
        """Swap the active policy; takes effect at the next batch."""
        self._context = context
        if self.metrics is not None:
            self.metrics.set_policy(context.policy_version, context.policy_sha256)

    # --- one batch -------------------------------------------------------------------

    def _count_in(self, records: Sequence[SourceRecord]) -> None:
        """Report ``records`` as taken in, per input topic, and as one batch."""
        if self.metrics is None:
            return
        counts: dict[str, int] = {}
        for r in records:
            counts[r.topic] = counts.get(r.topic, 0) + 1
        for topic, n in counts.items():
            self.metrics.records_in(topic, n)
        self.metrics.observe_batch(len(records))

    async def _detect_and_mask(
        self, records: Sequence[SourceRecord], ctx: MaskingContext
    ) -> list[Outcome]:
        """One outcome per record, in order, from the detection thread (so the event loop
        keeps serving deliveries and heartbeats meanwhile)."""
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(
            self._executor,
            lambda: process_batch(
                records,
                detector=self.detector,
                masker=ctx.masker,
                limits=self.limits,
                shadow=self.shadow,
            ),
        )
        if self.metrics is not None:
            self.metrics.observe_detect(result.detect_seconds, result.windows)
            self.metrics.observe_mask(result.mask_seconds)
        return result.outcomes
