"""Whether the broker answers, probed every few seconds: drives /readyz and ``piimask_broker_up``.

The Kafka clients retry on their own through an outage and say nothing about it but log
lines, so readiness cannot be read from them. A small metadata request is sent every
``interval_s``; ``failures_to_down`` failed or unanswered probes in a row (a stopped broker
accepts connections but never answers, hence the timeout) mark the broker down, the
first answer marks it up again. With the defaults an outage shows within about 10 s and
a return within about 2 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Probe = Callable[[], Awaitable[object]]


class BrokerMonitor:
    """Runs ``probe`` periodically and reports changes of reachability to ``on_change``."""

    def __init__(
        self,
        probe: Probe,
        on_change: Callable[[bool], None],
        *,
        interval_s: float = 2.0,
        timeout_s: float = 3.0,
        failures_to_down: int = 2,
    ) -> None:
        self._probe = probe
        self._on_change = on_change
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self.failures_to_down = failures_to_down
        self.up: bool | None = None
        self._failures = 0
        self._task: asyncio.Task[None] | None = None

    def start(self, *, up: bool = True) -> None:
        """Begin probing; ``up`` is the state known now (the clients just connected)."""
        self._set(up)
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="piimask-broker-monitor")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def check(self) -> bool:
        """One probe; updates and returns the state."""
        try:
            await asyncio.wait_for(self._probe(), self.timeout_s)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._failures += 1
            log.debug("broker probe failed", extra={"error": type(exc).__name__})
            if self._failures >= self.failures_to_down:
                self._set(False)
        else:
            self._failures = 0
            self._set(True)
        return bool(self.up)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            await self.check()

    def _set(self, up: bool) -> None:
        if up == self.up:
            return
        previous, self.up = self.up, up
        if previous is not None:
            if up:
                log.info("broker reachable again")
            else:
                log.error(
                    "broker unreachable: readiness is off until it answers",
                    extra={"failed_probes": self._failures},
                )
        self._on_change(up)
