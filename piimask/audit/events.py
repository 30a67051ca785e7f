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

from piimask.audit.digest import FingerprintDigest, encoded_size
from piimask.operator_names import OPERATOR_NAMES, OperatorName
from piimask.reasons import RECORD_OUTCOMES, RecordOutcome

Outcome = RecordOutcome
OUTCOMES: tuple[Outcome, ...] = RECORD_OUTCOMES
Operator = OperatorName
OPERATORS: tuple[Operator, ...] = OPERATOR_NAMES

# Findings listed in full per event; the rest are summarised (counts + digest).
MAX_FINDINGS_IN_FULL = 100
# Distinct entity types in a summary; further types are counted under OTHER_ENTITY.
MAX_SUMMARY_GROUPS = 64
OTHER_ENTITY = "OTHER"
# Largest digest, in bits (256 KiB, about 350 KB as base64): 1% false positives up to
# about 200,000 summarised fingerprints; beyond that the rate grows, the size does not.
MAX_DIGEST_BITS = 1 << 21
# Default event size limit: the producer's default request limit less record overhead.
DEFAULT_MAX_EVENT_BYTES = 1_048_576 - 16 * 1024
# Room kept for what sealing adds (prev_hash, hash, chain_key_id) and JSON framing.
_SEAL_RESERVE_BYTES = 1024

HexDigest = Annotated[str, Field(pattern=r"^[0-9a-f]{32,128}$")]
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]{0,63}$")]
ReasonCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
TopicName = Annotated[str, Field(pattern=r"^[A-Za-z0-9._\-]{1,249}$")]
KeyId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")]
# Link to the previous event: its hash, or "genesis:<uuid>" where a chain segment starts.
ChainLink = Annotated[str, Field(pattern=r"^([0-9a-f]{64}|genesis:[0-9a-f\-]{36})$")]
FindingsDigest = Annotated[
    str, Field(pattern=r"^bloom1:[0-9]{2,9}:[0-9]{1,2}:[A-Za-z0-9+/]*={0,2}$")
]


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
        description="JSON path of the string field ($.a.b[0]; a path ending in ~ is an "
        "object key, written masked), 'key' for the record key, 'header:NAME' for a header; "
        "null for plain-text records.",
    )
    operator: Operator = Field(description="Mask operator the policy chose for this entity type.")
    score: float = Field(ge=0.0, le=1.0, description="Detector confidence.")
    detector: str = Field(
        pattern=r"^[a-z][a-z0-9_]{0,31}(:[A-Za-z0-9_.\-]{1,64})?"
        r"(\+[a-z][a-z0-9_]{0,31}(:[A-Za-z0-9_.\-]{1,64})?){0,3}$",
        description='"model", "pattern:<NAME>", "ner:<MODEL>", ...; detectors that agreed on '
        'the span are joined with "+" (at most 4), e.g. "model+ner:en_core_web_sm".',
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


class FindingCount(BaseModel):
    """How many summarised findings (not listed in full) had this entity type and operator."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    entity_type: Identifier = Field(
        description=f"Entity type; {OTHER_ENTITY} gathers types beyond the summary's size cap."
    )
    operator: Operator = Field(description="Mask operator the policy chose.")
    masked: int = Field(ge=0, description="Findings replaced in the output.")
    not_masked: int = Field(ge=0, description="Findings left in place (below threshold, ...).")


class ShadowCount(BaseModel):
    """How one entity type's spans of a record compare between the live and shadow detectors."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    entity_type: Identifier = Field(
        description=f"Entity type; {OTHER_ENTITY} gathers types beyond the size cap."
    )
    both: int = Field(ge=0, description="Spans both found (same type, overlapping).")
    live_only: int = Field(ge=0, description="Spans only the live detectors found.")
    shadow_only: int = Field(ge=0, description="Spans only the shadow detector found.")


class ShadowComparison(BaseModel):
    """A shadow detector's agreement with the live detectors on this record (counts only).

    Present only on records the shadow sampled; the record's output and findings are the
    live detectors' alone."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    model_name: str = Field(max_length=200, description="The shadow detector's model name.")
    model_sha256: HexDigest = Field(description="SHA-256 of the shadow's model.")
    status: Literal["compared", "failed"] = Field(
        description="compared, or failed: the shadow could not run (the record is unaffected)."
    )
    agreement: list[ShadowCount] = Field(
        default_factory=list,
        max_length=MAX_SUMMARY_GROUPS + 1,
        description="Per entity type found by either side; empty when neither found a span.",
    )


class AuditEvent(BaseModel):
    """One event per input record (any outcome), chained per source partition (see chain.py).

    Bounded by design: at most ``MAX_FINDINGS_IN_FULL`` findings are listed in full; the
    rest are counted in ``findings_summary`` and their fingerprints go into
    ``findings_digest`` (a Bloom filter ``audit find`` tests), so the event fits the
    producer limit whatever the record holds, and ``findings_total`` still counts every span.
    """

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
    findings_total: int | None = Field(
        default=None,
        ge=0,
        description="Set when the record had more findings than are listed: all of them, "
        "= len(findings) + the counts of findings_summary. Null: findings lists every one.",
    )
    findings_summary: list[FindingCount] | None = Field(
        default=None,
        max_length=(MAX_SUMMARY_GROUPS + 1) * len(OPERATORS),
        description="Counts per entity type and operator of the findings not listed in full.",
    )
    findings_digest: FindingsDigest | None = Field(
        default=None,
        description="Bloom filter (bloom1:<bits>:<hashes>:<base64>) of the fingerprints of the "
        "findings not listed in full; audit find tests it (about 1% false positives).",
    )
    # Left out of the JSON when absent, so events without a shadow stay exactly as before
    # (and readable by versions that do not know the field).
    shadow: ShadowComparison | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="Set on records a shadow detector sampled (PIIMASK_SHADOW_SAMPLE_RATE): "
        "its agreement with the live detectors per entity type; absent otherwise.",
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
        if self.findings_total is None:
            if self.findings_summary is not None or self.findings_digest is not None:
                raise ValueError("findings_summary and findings_digest need findings_total")
        else:
            summarised = sum(c.masked + c.not_masked for c in self.findings_summary or ())
            if self.findings_total != len(self.findings) + summarised:
                raise ValueError("findings_total must equal listed plus summarised findings")
        return self

    @property
    def total_findings(self) -> int:
        """Every finding of the record, listed or summarised."""
        return len(self.findings) if self.findings_total is None else self.findings_total

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


class AuditEventTooLarge(ValueError):
    """Even summarised, the event does not fit the limit (only with a tiny limit)."""


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
    max_bytes: int = DEFAULT_MAX_EVENT_BYTES,
    shadow: ShadowComparison | None = None,
) -> AuditEvent:
    """An unsealed event of at most ``max_bytes`` once sealed; ``AuditChain.seal`` links it.

    Raises ``pydantic.ValidationError`` naming the field when an input breaks the event
    format (for example an entity type that is not an identifier), and
    :class:`AuditEventTooLarge` when not even the summarised event fits ``max_bytes``.
    """
    event = AuditEvent(
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
        shadow=shadow,
    )
    return bounded(event, masks, max_bytes=max_bytes)


def _size(event: AuditEvent) -> int:
    return len(event.model_dump_json().encode("utf-8"))


def bounded(event: AuditEvent, masks: Sequence[MaskLike], *, max_bytes: int) -> AuditEvent:
    """``event`` with ``masks`` as findings: all in full if they fit, else summarised."""
    budget = max_bytes - _SEAL_RESERVE_BYTES
    findings = [finding_from_mask(m) for m in masks[:MAX_FINDINGS_IN_FULL]]
    if len(masks) <= MAX_FINDINGS_IN_FULL:
        full = event.model_copy(update={"findings": findings})
        if _size(full) <= budget:
            return AuditEvent.model_validate(full.model_dump())
    # Listed findings take at most a quarter of the budget; counts and digest the rest.
    sizes = [len(f.model_dump_json()) + 1 for f in findings]
    listed = len(findings)
    while listed and sum(sizes[:listed]) > budget // 4:
        listed //= 2
    rest = masks[listed:]
    summary = _summarise(rest)
    update: dict[str, object] = {
        "findings": findings[:listed],
        "findings_total": len(masks),
        "findings_summary": summary,
        "findings_digest": None,
    }
    without_digest = _size(event.model_copy(update=update))
    room_bytes = (budget - without_digest - 64) // 4 * 3
    max_bits = min(MAX_DIGEST_BITS, room_bytes * 8)
    if rest and max_bits >= 64:
        digest = FingerprintDigest.build((m.fingerprint for m in rest), max_bits=max_bits)
        assert without_digest + encoded_size(digest.bits) + 32 <= budget
        update["findings_digest"] = digest.encode()
    result = AuditEvent.model_validate(event.model_copy(update=update).model_dump())
    size = _size(result)
    if size > budget:
        raise AuditEventTooLarge(
            f"audit event is {size} bytes even with findings summarised; limit {budget}"
        )
    return result


def _summarise(masks: Sequence[MaskLike]) -> list[FindingCount]:
    counts: dict[tuple[str, str], list[int]] = {}
    types: set[str] = set()
    for m in masks:
        entity = m.entity_type
        if entity not in types and len(types) >= MAX_SUMMARY_GROUPS:
            entity = OTHER_ENTITY
        else:
            types.add(entity)
        pair = counts.setdefault((entity, m.operator), [0, 0])
        pair[0 if m.masked else 1] += 1
    return [
        FindingCount.model_validate(
            {"entity_type": e, "operator": o, "masked": n[0], "not_masked": n[1]}
        )
        for (e, o), n in sorted(counts.items())
    ]
