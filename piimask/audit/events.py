"""The audit event: what was masked, where, when, by which model and policy — never the value.

Every string field is constrained (identifier-like patterns, hex digests, bounded lengths)
and ``extra="forbid"`` rejects unknown fields, so free text — where a value could hide —
has no place to go.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Literal, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

EVENT_VERSION = 1

Outcome = Literal["masked", "clean", "dead_lettered", "tombstone"]
OUTCOMES: tuple[Outcome, ...] = ("masked", "clean", "dead_lettered", "tombstone")
Operator = Literal["redact", "replace", "mask", "hash", "encrypt", "pseudonymize", "keep"]

HexDigest = Annotated[str, Field(pattern=r"^[0-9a-f]{32,128}$")]
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]{0,63}$")]
ReasonCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
TopicName = Annotated[str, Field(pattern=r"^[A-Za-z0-9._\-]{1,249}$")]
KeyId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")]
# Link to the previous event: its hash, or "genesis:<uuid>" where a chain segment starts.
ChainLink = Annotated[str, Field(pattern=r"^([0-9a-f]{64}|genesis:[0-9a-f\-]{36})$")]


class MaskLike(Protocol):
    """What the audit trail reads from a ``piimask.mask.AppliedMask`` (structural, read-only)."""

    @property
    def entity_type(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def field(self) -> str | None: ...
    @property
    def operator(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def detector(self) -> str: ...
    @property
    def masked(self) -> bool: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def key_id(self) -> str | None: ...
    @property
    def fingerprint(self) -> str: ...


class Finding(BaseModel):
    """One detected span of one record: where it was and what was done, plus a keyed fingerprint."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    entity_type: Identifier = Field(description="Entity type, e.g. EMAIL_ADDRESS.")
    start: int = Field(ge=0, description="Start offset (code points) in the original string.")
    end: int = Field(ge=0, description="End offset (exclusive) in the original string.")
    field: str | None = Field(
        default=None,
        max_length=512,
        description="JSON path of the string field ($.a.b[0]); null for plain-text records.",
    )
    operator: Operator = Field(description="Mask operator the policy chose for this entity type.")
    score: float = Field(ge=0.0, le=1.0, description="Detector confidence.")
    detector: str = Field(
        pattern=r"^[a-z][a-z0-9_]{0,31}(:[A-Za-z0-9_.\-]{1,64})?$",
        description='"model" or "pattern:<NAME>".',
    )
    masked: bool = Field(description="Whether the span was replaced in the output.")
    reason: ReasonCode | None = Field(
        default=None,
        description="Why not masked: below_threshold, allow_list or keep; null when masked.",
    )
    key_id: KeyId | None = Field(
        default=None, description="Key ring id used by keyed operators (hash, encrypt, ...)."
    )
    fingerprint: HexDigest = Field(
        description="HMAC-SHA256 of the exact value under the key ring's fingerprint key."
    )

    @field_validator("score")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Finding:
        if self.end < self.start:
            raise ValueError("end must be >= start")
        if not self.masked and self.reason is None:
            raise ValueError("reason is required when masked is false")
        return self


class AuditEvent(BaseModel):
    """One event per input record (any outcome), chained per source partition (see chain.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    event_version: Literal[1] = Field(default=1, description="Event format version.")
    event_id: uuid.UUID = Field(description="Unique id of this event.")
    time: AwareDatetime = Field(description="When the event was built (UTC).")
    source_topic: TopicName = Field(description="Topic of the input record.")
    source_partition: int = Field(ge=0, description="Partition of the input record.")
    source_offset: int = Field(ge=0, description="Offset of the input record.")
    key_fingerprint: HexDigest | None = Field(
        default=None, description="Fingerprint of the record key; null when the key was null."
    )
    output_topic: TopicName | None = Field(
        default=None, description="Where the record went: the output or dead-letter topic."
    )
    output_partition: int | None = Field(
        default=None, ge=0, description="Partition of the output record (after its ack)."
    )
    output_offset: int | None = Field(
        default=None, ge=0, description="Offset of the output record (after its ack)."
    )
    outcome: Outcome = Field(
        description="masked (a span was replaced), clean (nothing replaced), dead_lettered, "
        "or tombstone (null value passed through)."
    )
    reason: ReasonCode | None = Field(
        default=None, description="Dead-letter reason (e.g. invalid_json); null otherwise."
    )
    policy_version: str = Field(max_length=128, description="The policy's own version string.")
    policy_sha256: HexDigest = Field(description="SHA-256 of the policy's canonical JSON.")
    model_name: str = Field(max_length=200, description="Detection model name.")
    model_sha256: HexDigest = Field(description="SHA-256 of the model (.onnx) file.")
    findings: list[Finding] = Field(
        default_factory=list, description="One entry per detected span, masked or not."
    )
    chain_key_id: KeyId | None = Field(
        default=None, description="Key ring id whose audit-chain key sealed this event."
    )
    prev_hash: ChainLink | None = Field(
        default=None,
        description='Hash of the previous event of this source partition, or "genesis:<uuid>".',
    )
    hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = Field(
        default=None, description="HMAC-SHA256 over the canonical JSON of every other field."
    )

    @field_validator("time")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @model_validator(mode="after")
    def _consistent(self) -> AuditEvent:
        if (self.outcome == "dead_lettered") != (self.reason is not None):
            raise ValueError("reason is required for dead_lettered events and only for them")
        return self

    @property
    def source(self) -> str:
        """``topic:partition:offset`` of the input record."""
        return f"{self.source_topic}:{self.source_partition}:{self.source_offset}"

    @property
    def sealed(self) -> bool:
        return self.hash is not None and self.prev_hash is not None


def finding_from_mask(mask: MaskLike) -> Finding:
    return Finding(
        entity_type=mask.entity_type,
        start=mask.start,
        end=mask.end,
        field=mask.field,
        operator=mask.operator,
        score=mask.score,
        detector=mask.detector,
        masked=mask.masked,
        reason=mask.reason,
        key_id=mask.key_id,
        fingerprint=mask.fingerprint,
    )


def build_audit_event(
    *,
    source_topic: str,
    source_partition: int,
    source_offset: int,
    key_fingerprint: str | None,
    output_topic: str | None,
    outcome: Outcome,
    reason: str | None,
    policy_version: str,
    policy_sha256: str,
    model_name: str,
    model_sha256: str,
    masks: Sequence[MaskLike],
    output_partition: int | None = None,
    output_offset: int | None = None,
    timestamp: datetime | None = None,
    event_id: uuid.UUID | None = None,
) -> AuditEvent:
    """An unsealed event; ``AuditChain.seal`` links and signs it.

    Raises ``pydantic.ValidationError`` naming the field when an input breaks the event
    format (for example an entity type that is not an identifier).
    """
    return AuditEvent(
        event_id=event_id or uuid.uuid4(),
        time=timestamp or datetime.now(UTC),
        source_topic=source_topic,
        source_partition=source_partition,
        source_offset=source_offset,
        key_fingerprint=key_fingerprint,
        output_topic=output_topic,
        output_partition=output_partition,
        output_offset=output_offset,
        outcome=outcome,
        reason=reason,
        policy_version=policy_version,
        policy_sha256=policy_sha256,
        model_name=model_name,
        model_sha256=model_sha256,
        findings=[finding_from_mask(m) for m in masks],
    )
