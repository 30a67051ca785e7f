"""Reading the dead-letter topic back: listing letters and re-sending chosen ones."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiokafka import AIOKafkaProducer
from pydantic import ValidationError

from piimask.settings import Settings
from piimask.stream.deadletter import DeadLetter, open_dead_letter, parse
from piimask.stream.kafka_security import client_security_kwargs
from piimask.topic_reader import ReadRecord, TopicMissingError, read_to_end

if TYPE_CHECKING:
    from piimask.keys import KeyRing

REPLAY_HEADER = "piimask-replay-of"


@dataclass(frozen=True, slots=True)
class StoredLetter:
    """A record of the dead-letter topic: its own address and the parsed letter (or why not)."""

    partition: int
    offset: int
    letter: DeadLetter | None
    error: str | None = None

    @property
    def address(self) -> str:
        return f"{self.partition}:{self.offset}"


@dataclass(frozen=True, slots=True)
class Selection:
    reasons: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()

    def matches(self, letter: DeadLetter) -> bool:
        if self.reasons and letter.reason not in self.reasons:
            return False
        return not self.sources or letter.source in self.sources


async def read_letters(
    settings: Settings, topic: str, *, idle_timeout: float = 10.0
) -> AsyncIterator[StoredLetter]:
    """Every committed record of ``topic`` from the beginning to its end at call time.

    Raises ``LookupError`` for a missing topic and ``TimeoutError`` when the read makes no
    progress for ``idle_timeout`` seconds before the end (``piimask.topic_reader``'s rule)."""
    client = {
        **client_security_kwargs(settings),
        "client_id": f"{settings.client_id}-dlq-reader",
    }
    try:
        async for batch in read_to_end(
            settings.kafka_bootstrap,
            [topic],
            client_kwargs=client,
            stall_timeout=idle_timeout,
            max_records=500,
        ):
            for record in batch.records:
                yield _parse(record)
    except TopicMissingError:
        raise LookupError(f"dead-letter topic {topic} does not exist") from None


def _parse(message: ReadRecord) -> StoredLetter:
    try:
        letter = parse(message.value or b"")
    except (ValidationError, ValueError) as exc:
        kind = type(exc).__name__
        return StoredLetter(message.partition, message.offset, None, f"not a dead letter ({kind})")
    return StoredLetter(message.partition, message.offset, letter)


@dataclass(slots=True)
class ReplayReport:
    replayed: list[str]
    skipped: list[tuple[str, str]]


async def replay(
    settings: Settings,
    topic: str,
    selection: Selection,
    keyring: KeyRing,
    *,
    dry_run: bool = False,
) -> ReplayReport:
    """Re-send the selected letters' originals to their source topics (same key, headers)."""
    chosen: list[DeadLetter] = []
    report = ReplayReport([], [])
    async for stored in read_letters(settings, topic):
        if stored.letter is not None and selection.matches(stored.letter):
            chosen.append(stored.letter)
    originals = []
    for letter in chosen:
        if not letter.replayable:
            report.skipped.append((letter.source, f"original not kept ({letter.omitted})"))
            continue
        try:
            originals.append((letter, open_dead_letter(letter, keyring)))
        except Exception as exc:
            report.skipped.append((letter.source, str(exc)))
    if dry_run:
        report.replayed = [letter.source for letter, _ in originals]
        return report
    if not originals:
        return report
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        **client_security_kwargs(settings),
        client_id=f"{settings.client_id}-dlq-replay",
        enable_idempotence=True,
        acks="all",
        max_request_size=settings.producer_max_request_bytes,
    )
    await producer.start()
    try:
        futures = []
        for letter, original in originals:
            headers = [(n, v) for n, v in original.headers if n != REPLAY_HEADER]
            headers.append((REPLAY_HEADER, letter.source.encode()))
            futures.append(
                await producer.send(
                    letter.source_topic, value=original.value, key=original.key, headers=headers
                )
            )
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    report.replayed = [letter.source for letter, _ in originals]
    return report
