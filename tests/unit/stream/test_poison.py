"""The poison guard: a record that stopped the worker K times in a row is dead-lettered."""

from __future__ import annotations

import pytest
from aiokafka.structs import TopicPartition

from piimask.stream.poison import AttemptMark, PoisonGuard
from piimask.stream.records import SourceRecord

TP = TopicPartition("in", 0)


def recs(first: int, n: int) -> list[SourceRecord]:
    return [SourceRecord("in", 0, o, b"k", b"v") for o in range(first, first + n)]


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ("piimask-attempt/1:5:2:9", AttemptMark(5, 2, 9)),
        ("", None),
        (None, None),
        ("something else", None),
        ("piimask-attempt/1:5:0:9", None),
        ("piimask-attempt/1:5:1:4", None),
        ("piimask-attempt/1:x:1:4", None),
    ],
)
def test_attempt_marks_round_trip_and_foreign_metadata_is_ignored(
    metadata: str | None, expected: AttemptMark | None
) -> None:
    assert AttemptMark.decode(metadata) == expected
    if expected is not None:
        assert AttemptMark.decode(expected.encode()) == expected


def test_first_batch_after_assignment_is_marked_whole() -> None:
    guard = PoisonGuard()
    guard.assigned(TP, 10, "")
    plan = guard.plan(TP, recs(10, 5))
    assert [r.offset for r in plan.process] == [10, 11, 12, 13, 14]
    assert plan.mark == AttemptMark(10, 1, 14)
    assert plan.seek_to is None
    later = guard.plan(TP, recs(15, 5))
    assert later.mark is None
    assert len(later.process) == 5


def test_after_a_crash_the_window_is_processed_one_record_at_a_time() -> None:
    guard = PoisonGuard()
    guard.assigned(TP, 10, AttemptMark(10, 1, 14).encode())
    plan = guard.plan(TP, recs(10, 5))
    assert [r.offset for r in plan.process] == [10]
    assert plan.mark == AttemptMark(10, 2, 14)
    assert plan.seek_to == 11
    nxt = guard.plan(TP, recs(11, 4))
    assert [r.offset for r in nxt.process] == [11]
    assert nxt.mark == AttemptMark(11, 1, 14)
    past = guard.plan(TP, recs(15, 3))
    assert past.mark is None
    assert len(past.process) == 3


def test_record_that_stopped_the_worker_k_times_is_poison() -> None:
    guard = PoisonGuard(max_attempts=3)
    guard.assigned(TP, 12, AttemptMark(12, 3, 14).encode())
    plan = guard.plan(TP, recs(12, 3))
    assert plan.poison is not None
    assert plan.poison.offset == 12
    assert plan.process == []
    assert plan.seek_to == 13
    assert plan.attempts == 3
    # The rest of the window is still processed one at a time.
    nxt = guard.plan(TP, recs(13, 2))
    assert [r.offset for r in nxt.process] == [13]


def test_crash_loop_counts_up_to_poison_across_restarts() -> None:
    metadata = ""
    for expected_attempts in (1, 2, 3):
        guard = PoisonGuard(max_attempts=3)  # a fresh process after each crash
        guard.assigned(TP, 20, metadata)
        plan = guard.plan(TP, recs(20, 4))
        assert plan.poison is None
        assert plan.mark is not None
        assert plan.mark.attempts == expected_attempts
        metadata = plan.mark.encode()  # committed, then the worker dies
    guard = PoisonGuard(max_attempts=3)
    guard.assigned(TP, 20, metadata)
    plan = guard.plan(TP, recs(20, 4))
    assert plan.poison is not None
    assert plan.poison.offset == 20


def test_a_mark_for_another_offset_is_stale() -> None:
    guard = PoisonGuard()
    guard.assigned(TP, 30, AttemptMark(12, 3, 14).encode())
    plan = guard.plan(TP, recs(30, 2))
    assert plan.poison is None
    assert len(plan.process) == 2
