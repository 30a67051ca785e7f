"""Dead letters: records the worker could not mask, kept encrypted with their source address.

The original key, value and headers are encrypted with the key ring (each bound to the
record's coordinates, so a blob cannot be moved to another letter), so the dead-letter
topic holds no readable PII. A letter that would not fit in one Kafka record (the
original is larger than the producer's limit allows after encryption and base64) keeps
only the value's size and SHA-256: it can be listed and matched, not replayed.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from piimask.stream.records import Headers, SourceRecord

if TYPE_CHECKING:
    from piimask.keys import KeyRing

REASON_HEADER = "piimask-reason"
SOURCE_HEADER = "piimask-source"

# JSON field names, punctuation and the fixed fields of a letter stay well under this.
_ENVELOPE_BYTES = 4096

ReasonCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class DeadLetterError(Exception):
    """A dead letter cannot be opened (payload omitted, wrong key, tampered)."""


class DeadLetter(BaseModel):
    """One record that did not reach the output topic, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    format_version: Literal[1] = Field(default=1, description="Letter format version.")
    source_topic: str = Field(min_length=1, max_length=249, description="Input topic.")
    source_partition: int = Field(ge=0, description="Input partition.")
    source_offset: int = Field(ge=0, description="Input offset.")
    source_timestamp_ms: int | None = Field(
        default=None, description="Timestamp of the input record (ms since the epoch)."
    )
    reason: ReasonCode = Field(
        description="Why: invalid_utf8, invalid_json, not_json_object, too_deep, oversize, "
        "output_too_large, detection_error, masking_error, audit_event_error, output_rejected, "
        "poison_record, pii_in_key, key_collision, invalid_key, invalid_header, ... (all in "
        "piimask.reasons.Reason)"
    )
    detail: str = Field(
        default="", max_length=1000, description="What went wrong, without quoting the value."
    )
    dead_lettered_at: AwareDatetime = Field(description="When the worker dead-lettered it (UTC).")
    group_id: str | None = Field(default=None, description="Consumer group of the worker.")
    policy_version: str | None = Field(default=None, max_length=128)
    value_size: int | None = Field(
        default=None, ge=0, description="Size of the original value in bytes; null = tombstone."
    )
    key_id: str | None = Field(
        default=None, description="Key ring id that encrypted the original; null when omitted."
    )
    key_encrypted: str | None = Field(
        default=None, description="Original key, encrypted, base64; null when the key was null."
    )
    value_encrypted: str | None = Field(
        default=None, description="Original value, encrypted, base64; null when omitted."
    )
    headers_encrypted: str | None = Field(
        default=None, description="Original headers (JSON list), encrypted, base64."
    )
    omitted: Literal["too_large"] | None = Field(
        default=None, description="Set when the original was too large to keep in the letter."
    )
    value_sha256: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 of the original value; set only when the value is omitted.",
    )

    @property
    def source(self) -> str:
        return f"{self.source_topic}:{self.source_partition}:{self.source_offset}"

    @property
    def replayable(self) -> bool:
        return self.omitted is None


@dataclass(frozen=True, slots=True)
class OriginalRecord:
    key: bytes | None
    value: bytes | None
    headers: Headers


def _context(source: str, part: str) -> bytes:
    return f"piimask-dlq/v1/{part}/{source}".encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _encode_headers(headers: Headers) -> bytes:
    return json.dumps([[name, _b64(value)] for name, value in headers]).encode()


def make_dead_letter(
    record: SourceRecord,
    *,
    reason: str,
    detail: str,
    keyring: KeyRing,
    max_record_bytes: int,
    group_id: str | None = None,
    policy_version: str | None = None,
    now: datetime | None = None,
) -> DeadLetter:
    """Build the letter; the original is kept only if the serialized letter fits the limit."""
    value = record.value
    common = {
        "source_topic": record.topic,
        "source_partition": record.partition,
        "source_offset": record.offset,
        "source_timestamp_ms": record.timestamp_ms,
        "reason": reason,
        "detail": detail[:1000],
        "dead_lettered_at": now or datetime.now(UTC),
        "group_id": group_id,
        "policy_version": policy_version,
        "value_size": None if value is None else len(value),
    }
    source = record.coordinates
    raw_size = (
        len(value or b"") + len(record.key or b"") + sum(len(n) + len(v) for n, v in record.headers)
    )
    # base64 makes 3 bytes 4; encryption adds a small fixed overhead per part.
    fits = (raw_size * 4) // 3 + 3 * 64 + _ENVELOPE_BYTES <= max_record_bytes
    if fits:
        letter = DeadLetter(
            **common,
            key_id=keyring.active_id,
            key_encrypted=None
            if record.key is None
            else _b64(keyring.encrypt_bytes(record.key, context=_context(source, "key"))),
            value_encrypted=None
            if value is None
            else _b64(keyring.encrypt_bytes(value, context=_context(source, "value"))),
            headers_encrypted=_b64(
                keyring.encrypt_bytes(
                    _encode_headers(record.headers), context=_context(source, "headers")
                )
            ),
        )
        if len(serialize(letter)) <= max_record_bytes - _ENVELOPE_BYTES // 4:
            return letter
    return DeadLetter(
        **common,
        omitted="too_large",
        value_sha256=None if value is None else hashlib.sha256(value).hexdigest(),
    )


def serialize(letter: DeadLetter) -> bytes:
    return letter.model_dump_json().encode("utf-8")


def parse(data: bytes) -> DeadLetter:
    return DeadLetter.model_validate_json(data)


def dead_letter_headers(letter: DeadLetter) -> list[tuple[str, bytes]]:
    return [
        (REASON_HEADER, letter.reason.encode()),
        (SOURCE_HEADER, letter.source.encode()),
    ]


def open_dead_letter(letter: DeadLetter, keyring: KeyRing) -> OriginalRecord:
    """Decrypt the original key, value and headers (raises DeadLetterError if impossible)."""
    if not letter.replayable:
        raise DeadLetterError(f"{letter.source}: the original was not kept ({letter.omitted})")
    source = letter.source

    def dec(blob: str | None, part: str) -> bytes | None:
        if blob is None:
            return None
        try:
            return keyring.decrypt_bytes(base64.b64decode(blob), context=_context(source, part))
        except Exception as exc:
            raise DeadLetterError(
                f"{source}: cannot decrypt the original {part} ({type(exc).__name__})"
            ) from None

    key = dec(letter.key_encrypted, "key")
    value = dec(letter.value_encrypted, "value")
    raw_headers = dec(letter.headers_encrypted, "headers")
    headers: Headers = ()
    if raw_headers:
        headers = tuple((str(n), base64.b64decode(v)) for n, v in json.loads(raw_headers))
    return OriginalRecord(key=key, value=value, headers=headers)
