"""Kafka client errors during an outage: one line per kind per interval, with a count."""

from __future__ import annotations

import logging

from piimask.ops.logs import RepeatLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def make(name: str, level: int, msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


def test_client_errors_pass_once_per_interval_and_carry_the_held_back_count() -> None:
    clock = Clock()
    limiter = RepeatLimiter(15.0, clock=clock)
    passed = []
    # 95 lines a second for 30 s, as the issue measured, of two kinds.
    for tick in range(30 * 95):
        clock.now = tick / 95
        for msg in ("Unable connect to node with id %s: %s", "Failed fetch messages from %s: %s"):
            record = make("aiokafka.conn", logging.ERROR, msg, 1, "refused")
            if limiter.filter(record):
                passed.append(record)
    assert len(passed) <= 6
    assert getattr(passed[-1], "repeated", 0) > 1000


def test_own_lines_and_info_lines_are_never_held_back() -> None:
    limiter = RepeatLimiter(15.0, clock=Clock())
    own = [
        make("piimask.stream.delivery", logging.WARNING, "record dead-lettered") for _ in range(5)
    ]
    info = [make("aiokafka.consumer", logging.INFO, "joined group") for _ in range(5)]
    assert all(limiter.filter(r) for r in own + info)
