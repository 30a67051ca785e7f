"""The faust runtime's pure parts: refusals, record conversion, the app it builds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from piimask.settings import Settings
from piimask.stream.faust_runtime import (
    EXACTLY_ONCE_REFUSED,
    FaustRuntimeError,
    check_settings,
    source_record,
)
from piimask.stream.routing import RoutingError


@dataclass
class FakeMessage:
    topic: str = "orders"
    partition: int = 3
    offset: int = 17
    key: bytes | None = b"k"
    value: bytes | None = b"v"
    headers: Any = (("trace", b"abc"),)
    timestamp: float | None = 1_764_300_000.123


def settings(**extra: Any) -> Settings:
    return Settings(**{"input_topics": ["orders"], **extra})


def test_exactly_once_is_refused_with_a_pointer_to_the_aiokafka_runtime() -> None:
    with pytest.raises(FaustRuntimeError) as err:
        check_settings(settings(processing_guarantee="exactly-once"))
    assert str(err.value) == EXACTLY_ONCE_REFUSED
    assert "PIIMASK_RUNTIME=aiokafka" in EXACTLY_ONCE_REFUSED


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"input_topics": []}, "exactly one of"),
        ({"input_pattern": "raw\\..*"}, "exactly one of"),
        ({"output_topic_template": "orders"}, "orders"),
    ],
)
def test_input_and_output_topics_are_checked_before_anything_loads(
    extra: dict[str, Any], message: str
) -> None:
    with pytest.raises(RoutingError, match=message):
        check_settings(settings(**extra))


def test_at_least_once_settings_pass() -> None:
    check_settings(settings())


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (FakeMessage(), ("orders", 3, 17, b"k", b"v", (("trace", b"abc"),), 1_764_300_000_123)),
        (
            FakeMessage(key=None, value=None, headers=None, timestamp=None),
            ("orders", 3, 17, None, None, (), None),
        ),
        (
            FakeMessage(headers=[("h", None)], timestamp=-0.001),
            ("orders", 3, 17, b"k", b"v", (("h", b""),), None),
        ),
    ],
)
def test_a_faust_message_becomes_the_same_source_record_as_an_aiokafka_one(
    message: FakeMessage, expected: tuple[Any, ...]
) -> None:
    r = source_record(message)
    assert (r.topic, r.partition, r.offset, r.key, r.value, r.headers, r.timestamp_ms) == expected


def test_millisecond_timestamps_survive_faust_float_seconds() -> None:
    for ms in (0, 1, 999, 1_764_300_000_001, 1_764_300_000_999, 4_102_444_800_000):
        assert source_record(FakeMessage(timestamp=ms / 1000.0)).timestamp_ms == ms


# --- the agent loop: acknowledgements only after delivery, nothing raises out -------------


class FakeEvent:
    def __init__(self, offset: int) -> None:
        self.message = FakeMessage(offset=offset, value=f"v{offset}".encode())


class FakeStream:
    """``take_events`` like faust's: the batch is acknowledged when the loop asks for more."""

    def __init__(self, batches: list[list[int]], log: list[str]) -> None:
        self.batches = batches
        self.log = log

    async def take_events(self, max_: int, within: float) -> Any:
        for batch in self.batches:
            yield [FakeEvent(o) for o in batch]
            self.log.append(f"ack {batch}")


def make_masking(keyring: Any, detector: Any, fatal: list[BaseException]) -> Any:
    from piimask.mask import default_policy
    from piimask.stream.app import masking_context
    from piimask.stream.faust_runtime import FaustMasking

    s = settings()
    return FaustMasking(
        s,
        detector=detector,
        model_name="m",
        model_sha256="0" * 64,
        keyring=keyring,
        context=masking_context(default_policy(), keyring, s),
        on_fatal=fatal.append,
    )


def run_stream(masking: Any, stream: FakeStream) -> list[Any]:
    import asyncio

    async def consume() -> list[Any]:
        masking.start = _no_start
        masking.stop = _no_start
        return [o async for o in masking.stream(stream)]

    return asyncio.run(consume())


async def _no_start() -> None:
    return None


def test_a_batch_is_acknowledged_only_after_its_delivery(keyring: Any, detector: Any) -> None:
    log: list[str] = []
    fatal: list[BaseException] = []
    masking = make_masking(keyring, detector, fatal)

    async def deliver(records: Any) -> list[Any]:
        log.append(f"delivered {[r.offset for r in records]}")
        return list(records)

    masking.mask_batch = deliver
    out = run_stream(masking, FakeStream([[0, 1], [2]], log))
    assert [r.offset for r in out] == [0, 1, 2]
    assert log == ["delivered [0, 1]", "ack [0, 1]", "delivered [2]", "ack [2]"]
    assert fatal == []


def test_a_failed_delivery_ends_the_process_before_faust_can_acknowledge(
    keyring: Any, detector: Any
) -> None:
    log: list[str] = []
    fatal: list[BaseException] = []
    masking = make_masking(keyring, detector, fatal)

    async def deliver(records: Any) -> list[Any]:
        raise RuntimeError("dead-letter topic refused a letter")

    masking.mask_batch = deliver
    with pytest.raises(RuntimeError):
        run_stream(masking, FakeStream([[0, 1]], log))
    assert [str(e) for e in fatal] == ["dead-letter topic refused a letter"]
    assert log == []


def test_a_cancellation_mid_batch_waits_for_the_delivery(keyring: Any, detector: Any) -> None:
    import asyncio

    fatal: list[BaseException] = []
    masking = make_masking(keyring, detector, fatal)
    log: list[str] = []
    started = asyncio.Event()

    async def deliver(records: Any) -> list[Any]:
        started.set()
        await asyncio.sleep(0.2)
        log.append("delivered")
        return list(records)

    masking.mask_batch = deliver

    async def scenario() -> None:
        masking.start = _no_start
        masking.stop = _no_start

        async def agent() -> None:
            async for _ in masking.stream(FakeStream([[0]], log)):
                pass

        task = asyncio.ensure_future(agent())
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert log == ["delivered"]
    assert fatal == []
