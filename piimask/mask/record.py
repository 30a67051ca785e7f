"""Masking a whole record: its value, its key and its headers, under one policy.

A record's key and headers reach every consumer just as its value does, so they are
scanned too (``record_key`` and ``headers`` in the policy). The value is masked by a
:class:`MessageMasker`; PII in the key is rewritten with the key rules (hash, encrypt or
keep: deterministic and injective, so one input key is one output key and per-key order
and compaction keep working downstream); header values are masked like value text.

Two steps, like :class:`MessageMasker`: ``plan`` lists every string that needs detection
(value strings and object keys first, then the record key, then header values), ``apply``
takes their spans. Pure: no model, no broker.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from piimask.keys import KeyRing
from piimask.mask.engine import AppliedMask, CompiledPolicy, MessageContext, mask_text
from piimask.mask.message import (
    MaskedMessage,
    MessageFormat,
    MessageMasker,
    MessageRejected,
    ScanPlan,
)
from piimask.mask.operators import EncryptRule, HashParams, HashRule, apply_operator
from piimask.mask.policy import Policy, is_identifier_key
from piimask.spans import Span

Headers = tuple[tuple[str, bytes], ...]

RECORD_KEY_FIELD: Final = "key"
RECORD_KEY_ENTITY: Final = "RECORD_KEY"
RECORD_KEY_DETECTOR: Final = "policy:record_key"
OWN_HEADER_PREFIX: Final = "piimask-"

# A whole-key hash must not merge two keys of a compacted topic: 128 bits.
_WHOLE_KEY_HASH: Final = HashRule(operator="hash", params=HashParams(length=32))
_WHOLE_KEY_ENCRYPT: Final = EncryptRule(operator="encrypt")
_SHOWN_HEADER_RE: Final = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


@dataclass(frozen=True, slots=True)
class Document:
    """A value that is already a parsed JSON document (``piimask mask`` input lines)."""

    value: object


@dataclass(frozen=True, slots=True)
class _HeaderPlan:
    name: str
    value: bytes
    field: str
    text_index: int | None  # None: kept as is


@dataclass(frozen=True, slots=True)
class RecordPlan:
    """What ``apply`` needs: ``texts`` to detect, and where each part's texts are."""

    texts: list[str]
    value: ScanPlan | None  # None: nothing to mask in the value (tombstone, empty)
    value_masker: MessageMasker | None
    key: bytes | None
    key_text: str | None  # the key as scanned (scan, reject) or masked whole (hash, encrypt)
    key_index: int | None  # index of the key in ``texts`` (scan, reject)
    headers: tuple[_HeaderPlan, ...]


@dataclass(frozen=True, slots=True)
class MaskedRecord:
    key: bytes | None
    value: MaskedMessage | None
    headers: Headers
    masks: list[AppliedMask]  # the value's, then the key's, then the headers'

    @property
    def masked_count(self) -> int:
        return sum(1 for m in self.masks if m.masked)


def header_field(name: str, position: int) -> str:
    """``header:NAME`` in mask records; a name that could hold anything by its position."""
    if _SHOWN_HEADER_RE.match(name):
        return f"header:{name}"
    return f"header#{position}"


class RecordMasker:
    """Applies one policy with one key ring to whole records. Thread-safe.

    ``message_format`` is how values given as text are read (the worker's
    ``PIIMASK_MESSAGE_FORMAT``); ``plan`` can override it per record."""

    def __init__(self, policy: Policy, keyring: KeyRing, *, message_format: MessageFormat) -> None:
        self.policy = policy
        self.keyring = keyring
        self.message_format: MessageFormat = message_format
        self._compiled = CompiledPolicy(policy)
        self._maskers: dict[MessageFormat, MessageMasker] = {
            "text": MessageMasker(policy, keyring, message_format="text"),
            "json": MessageMasker(policy, keyring, message_format="json"),
        }

    def masker(self, fmt: MessageFormat | None = None) -> MessageMasker:
        return self._maskers[fmt or self.message_format]

    # --- plan ------------------------------------------------------------------------

    def plan(
        self,
        value: str | Document | None,
        *,
        key: bytes | None = None,
        headers: Headers = (),
        value_format: MessageFormat | None = None,
    ) -> RecordPlan:
        """``value``: text read as ``value_format``, a parsed document, or None (no value
        to mask: a tombstone or an empty value). Raises :class:`MessageRejected`."""
        scan_plan: ScanPlan | None = None
        value_masker: MessageMasker | None = None
        if isinstance(value, Document):
            value_masker = self.masker("json")
            scan_plan = value_masker.plan_document(value.value)
        elif value is not None:
            value_masker = self.masker(value_format)
            scan_plan = value_masker.plan(value)
        texts = list(scan_plan.texts) if scan_plan is not None else []

        key_text, key_index = self._plan_key(key, texts)
        header_plans = tuple(self._plan_headers(headers, texts))
        return RecordPlan(
            texts=texts,
            value=scan_plan,
            value_masker=value_masker,
            key=key,
            key_text=key_text,
            key_index=key_index,
            headers=header_plans,
        )

    def _plan_key(self, key: bytes | None, texts: list[str]) -> tuple[str | None, int | None]:
        action = self.policy.record_key
        if key is None or not key or action == "keep":
            return None, None
        if action in ("hash", "encrypt"):
            return _key_text(key), None
        try:
            text = key.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MessageRejected(
                "invalid_key",
                f"the record key is not UTF-8 text (byte {exc.start}); record_key: {action} "
                "needs text (use keep, hash or encrypt for binary keys)",
            ) from None
        if not self.policy.key_rules.scan_identifiers and is_identifier_key(text):
            return None, None
        texts.append(text)
        return text, len(texts) - 1

    def _plan_headers(self, headers: Headers, texts: list[str]) -> list[_HeaderPlan]:
        plans: list[_HeaderPlan] = []
        rules = self.policy.headers
        for position, (name, value) in enumerate(headers):
            field = header_field(name, position)
            if name.startswith(OWN_HEADER_PREFIX):
                plans.append(_HeaderPlan(name, value, field, None))
                continue
            action = rules.action_for(name)
            if action == "drop":
                continue
            if action == "keep" or not value:
                plans.append(_HeaderPlan(name, value, field, None))
                continue
            try:
                text = value.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise MessageRejected(
                    "invalid_header",
                    f"{field}: the value is not UTF-8 text (byte {exc.start}); headers: scan "
                    "needs text (list the header under headers.names as keep or drop)",
                ) from None
            texts.append(text)
            plans.append(_HeaderPlan(name, value, field, len(texts) - 1))
        return plans

    # --- apply -------------------------------------------------------------------------

    def apply(self, plan: RecordPlan, spans: Sequence[Sequence[Span]]) -> MaskedRecord:
        """``spans[i]`` are the detected spans of ``plan.texts[i]``."""
        if len(spans) != len(plan.texts):
            raise ValueError(f"got spans for {len(spans)} texts, the plan has {len(plan.texts)}")
        context = MessageContext()
        masks: list[AppliedMask] = []
        value: MaskedMessage | None = None
        if plan.value is not None:
            assert plan.value_masker is not None
            count = len(plan.value.texts)
            value = plan.value_masker.apply(plan.value, spans[:count], context=context)
            masks.extend(value.masks)
        key = self._apply_key(plan, spans, context, masks)
        headers: list[tuple[str, bytes]] = []
        for header in plan.headers:
            if header.text_index is None:
                headers.append((header.name, header.value))
                continue
            result = mask_text(
                header.value.decode("utf-8"),
                spans[header.text_index],
                self._compiled,
                self.keyring,
                field_path=header.field,
                context=context,
            )
            masks.extend(result.masks)
            headers.append((header.name, result.text.encode("utf-8")))
        return MaskedRecord(key=key, value=value, headers=tuple(headers), masks=masks)

    def _apply_key(
        self,
        plan: RecordPlan,
        spans: Sequence[Sequence[Span]],
        context: MessageContext,
        masks: list[AppliedMask],
    ) -> bytes | None:
        action = self.policy.record_key
        if plan.key_text is None:
            return plan.key
        if action in ("hash", "encrypt"):
            rule = _WHOLE_KEY_HASH if action == "hash" else _WHOLE_KEY_ENCRYPT
            token, key_id = apply_operator(rule, plan.key_text, RECORD_KEY_ENTITY, self.keyring)
            masks.append(
                AppliedMask(
                    entity_type=RECORD_KEY_ENTITY,
                    start=0,
                    end=len(plan.key_text),
                    field=RECORD_KEY_FIELD,
                    operator=rule.operator,
                    score=1.0,
                    detector=RECORD_KEY_DETECTOR,
                    masked=True,
                    reason=None,
                    key_id=key_id,
                    fingerprint=context.fingerprint(self.keyring, plan.key_text),
                )
            )
            return token.encode("utf-8")
        assert plan.key_index is not None
        result = mask_text(
            plan.key_text,
            spans[plan.key_index],
            self._compiled,
            self.keyring,
            field_path=RECORD_KEY_FIELD,
            context=context,
            in_key=True,
        )
        found = sorted({m.entity_type for m in result.masks if m.masked})
        if found and action == "reject":
            raise MessageRejected(
                "pii_in_key", f"the record key holds {', '.join(found)} (record_key: reject)"
            )
        masks.extend(result.masks)
        return result.text.encode("utf-8") if found else plan.key


def _key_text(key: bytes) -> str:
    """The key as text to hash or encrypt: UTF-8 as is, other bytes as ``base64:...``."""
    try:
        return key.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(key).decode("ascii")
