"""Deterministic synthetic audit trails for tests, demos and benchmarks (no real data)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from piimask.audit.chain import AuditChain
from piimask.audit.events import AuditEvent, Outcome, build_audit_event
from piimask.audit.find import Fingerprinter

ENTITY_TYPES = ("EMAIL_ADDRESS", "PHONE_NUMBER", "PERSON", "CREDIT_CARD", "IBAN_CODE")
OPERATORS = ("redact", "replace", "mask", "hash", "encrypt", "pseudonymize")
DEAD_LETTER_REASONS = ("invalid_json", "too_large", "masking_error")
POLICY_SHA256 = "5" * 64
MODEL_SHA256 = "7" * 64


@dataclass(frozen=True, slots=True)
class SyntheticMask:
    """Shaped like ``piimask.mask.AppliedMask``."""

    entity_type: str
    start: int
    end: int
    field: str | None
    operator: str
    score: float
    detector: str
    masked: bool
    reason: str | None
    key_id: str | None
    fingerprint: str


def synthetic_values(count: int) -> list[str]:
    """Made-up e-mail addresses (reserved example domain) used as the values being masked."""
    return [f"user{i:07d}@example.com" for i in range(count)]


def synthetic_events(
    keyring: Fingerprinter,
    chain: AuditChain | None,
    *,
    records: int,
    topic: str = "orders",
    partitions: int = 1,
    values: Sequence[str] = (),
    seed: int = 0,
    start: datetime | None = None,
    step: timedelta = timedelta(milliseconds=10),
) -> Iterator[AuditEvent]:
    """``records`` events spread round-robin over ``partitions``, sealed if ``chain`` is given.

    Masked records hold 1-3 findings whose values are drawn from ``values`` (each is
    fingerprinted with ``keyring``), so ``find`` has something to look up.
    """
    rng = random.Random(seed)  # noqa: S311  # reproducible test data, not secrets
    pool = list(values) or synthetic_values(100)
    fingerprints: dict[str, str] = {}
    offsets = [0] * partitions
    moment = start or datetime(2025, 1, 1, tzinfo=UTC)
    for n in range(records):
        partition = n % partitions
        offset = offsets[partition]
        offsets[partition] += 1
        roll = rng.random()
        outcome: Outcome
        outcome = (
            "masked"
            if roll < 0.7
            else "clean"
            if roll < 0.9
            else "dead_lettered"
            if roll < 0.97
            else "tombstone"
        )
        masks: list[SyntheticMask] = []
        if outcome == "masked":
            for _ in range(rng.randint(1, 3)):
                value = pool[rng.randrange(len(pool))]
                fp = fingerprints.get(value)
                if fp is None:
                    fp = fingerprints[value] = keyring.fingerprint(value)
                entity = rng.choice(ENTITY_TYPES)
                begin = rng.randrange(0, 200)
                masks.append(
                    SyntheticMask(
                        entity_type=entity,
                        start=begin,
                        end=begin + len(value),
                        field=rng.choice((None, "$.body", "$.customer.email")),
                        operator=rng.choice(OPERATORS),
                        score=round(rng.uniform(0.5, 1.0), 4),
                        detector=rng.choice(("model", "pattern:EMAIL")),
                        masked=True,
                        reason=None,
                        key_id=None,
                        fingerprint=fp,
                    )
                )
        event = build_audit_event(
            source_topic=topic,
            source_partition=partition,
            source_offset=offset,
            key_fingerprint=None,
            output_topic="piimask.dlq" if outcome == "dead_lettered" else f"{topic}.masked",
            output_partition=partition,
            output_offset=offset,
            outcome=outcome,
            reason=rng.choice(DEAD_LETTER_REASONS) if outcome == "dead_lettered" else None,
            policy_version="1",
            policy_sha256=POLICY_SHA256,
            model_name="rampart",
            model_sha256=MODEL_SHA256,
            masks=masks,
            timestamp=moment + step * n,
            event_id=uuid.UUID(int=rng.getrandbits(128), version=4),
        )
        yield chain.seal(event) if chain is not None else event
