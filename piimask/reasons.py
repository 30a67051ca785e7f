"""Reason codes: why a record was dead-lettered or an input line rejected. One list for the
worker and ``piimask mask``; dead letters, audit events and reject files carry these values.
And the outcome of a record (masked, clean, dead-lettered, tombstone)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, TypeAlias, get_args

# What became of a record: its audit event's outcome and the worker's metric label.
RecordOutcome: TypeAlias = Literal["masked", "clean", "dead_lettered", "tombstone"]
RECORD_OUTCOMES: tuple[RecordOutcome, ...] = get_args(RecordOutcome)
# The outcomes of a record that goes to the output topic.
ForwardOutcome: TypeAlias = Literal["masked", "clean", "tombstone"]


class Reason(StrEnum):
    """Every reason a record can be rejected for (dead letter, or a rejected input line)."""

    INVALID_UTF8 = "invalid_utf8"
    INVALID_JSON = "invalid_json"
    NOT_JSON_OBJECT = "not_json_object"
    TOO_DEEP = "too_deep"
    UNEXPECTED_TYPE = "unexpected_type"
    INVALID_UNICODE = "invalid_unicode"
    OVERSIZE = "oversize"
    OUTPUT_TOO_LARGE = "output_too_large"
    DETECTION_ERROR = "detection_error"
    MASKING_ERROR = "masking_error"
    PII_IN_KEY = "pii_in_key"
    KEY_COLLISION = "key_collision"
    INVALID_KEY = "invalid_key"
    INVALID_HEADER = "invalid_header"
    # the worker, after masking
    OUTPUT_REJECTED = "output_rejected"
    AUDIT_EVENT_ERROR = "audit_event_error"
    POISON_RECORD = "poison_record"
    # input lines of `piimask mask`
    INVALID_TEXT = "invalid_text"
    MISSING_TEXT = "missing_text"
    INVALID_SPANS = "invalid_spans"
