"""The masking layer: policy + spans -> masked text or JSON and a record per decision.

Pure: no model, no broker. ``piimask.detect`` produces the spans; this package applies them.
"""

from piimask.mask.engine import AppliedMask, CompiledPolicy, MaskedText, mask_text
from piimask.mask.message import MaskedMessage, MessageMasker, MessageRejected, ScanPlan
from piimask.mask.policy import (
    KNOWN_ENTITY_TYPES,
    Policy,
    PolicyError,
    default_policy,
    load_policy,
)
from piimask.mask.record import Document, MaskedRecord, RecordMasker, RecordPlan
from piimask.mask.tokens import ENC_TOKEN_RE
from piimask.mask.unmask import UnmaskError, unmask_json, unmask_text, unmask_text_strict

__all__ = [
    "ENC_TOKEN_RE",
    "KNOWN_ENTITY_TYPES",
    "AppliedMask",
    "CompiledPolicy",
    "Document",
    "MaskedMessage",
    "MaskedRecord",
    "MaskedText",
    "MessageMasker",
    "MessageRejected",
    "Policy",
    "PolicyError",
    "RecordMasker",
    "RecordPlan",
    "ScanPlan",
    "UnmaskError",
    "default_policy",
    "load_policy",
    "mask_text",
    "unmask_json",
    "unmask_text",
    "unmask_text_strict",
]
