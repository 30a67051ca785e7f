"""Readiness follows the broker: the monitor turns probe results into up/down changes."""

from __future__ import annotations

import asyncio

from piimask.stream.broker_health import BrokerMonitor


class Probe:
    def __init__(self) -> None:
        self.mode = "ok"

    async def __call__(self) -> None:
        if self.mode == "refused":
            raise ConnectionError("refused")
        if self.mode == "silent":
            await asyncio.sleep(10)


def test_down_after_consecutive_failures_and_up_at_the_first_answer() -> None:
    async def run() -> list[bool]:
        changes: list[bool] = []
        probe = Probe()
        monitor = BrokerMonitor(probe, changes.append, timeout_s=0.05, failures_to_down=2)
        monitor.start(up=True)
        probe.mode = "refused"
        assert await monitor.check() is True  # one failure is not an outage
        assert await monitor.check() is False
        probe.mode = "ok"
        assert await monitor.check() is True
        probe.mode = "silent"  # a stopped broker: connections open, no answers
        await monitor.check()
        await monitor.check()
        await monitor.stop()
        return changes

    assert asyncio.run(run()) == [True, False, True, False]


def test_periodic_probing_reports_an_outage_without_being_asked() -> None:
    async def run() -> list[bool]:
        changes: list[bool] = []
        probe = Probe()
        monitor = BrokerMonitor(
            probe, changes.append, interval_s=0.01, timeout_s=0.05, failures_to_down=2
        )
        monitor.start(up=True)
        probe.mode = "refused"
        await asyncio.sleep(0.2)
        probe.mode = "ok"
        await asyncio.sleep(0.2)
        await monitor.stop()
        return changes

    assert asyncio.run(run()) == [True, False, True]
