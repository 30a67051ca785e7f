"""Masking one string: spans + policy -> masked string + one record per span decision."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from piimask.keys import KeyRing
from piimask.mask.operators import OPERATOR_STRENGTH, MaskRule, Rule, apply_operator
from piimask.mask.policy import Policy
from piimask.mask.pseudonym import normalize
from piimask.spans import Span


@dataclass(frozen=True, slots=True)
class AppliedMask:
    """What happened to one detected span. Holds a keyed fingerprint, never the value."""

    entity_type: str
    start: int  # offsets in the original string of the field
    end: int
    field: str | None  # JSON path such as "$.comments[0].text"; None for plain text
    operator: str
    score: float
    detector: str
    masked: bool
    reason: str | None  # when not masked: "below_threshold" | "allow_list" | "keep"
    key_id: str | None
    fingerprint: str

    def to_dict(self) -> dict[str, object]:
        return {
            "entity_type": self.entity_type,
            "start": self.start,
            "end": self.end,
            "field": self.field,
            "operator": self.operator,
            "score": round(self.score, 4),
            "detector": self.detector,
            "masked": self.masked,
            "reason": self.reason,
            "key_id": self.key_id,
            "fingerprint": self.fingerprint,
        }


class CompiledPolicy:
    """A policy with its lookups precomputed for the hot path."""

    __slots__ = ("_allow_patterns", "_allow_values", "policy")

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._allow_values = frozenset(policy.allow.values)
        self._allow_patterns = tuple(re.compile(p) for p in policy.allow.patterns)

    def is_allowed(self, value: str) -> bool:
        if self._allow_values and (
            value in self._allow_values or value.strip() in self._allow_values
        ):
            return True
        return bool(self._allow_patterns) and any(p.fullmatch(value) for p in self._allow_patterns)


@dataclass
class MessageContext:
    """State shared by all fields of one message: numbered tags stay consistent in it."""

    numbers: dict[tuple[str, str], int] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)

    def number_for(self, entity_type: str, value: str) -> int:
        key = (entity_type, normalize(value, "casefold"))
        number = self.numbers.get(key)
        if number is None:
            number = self.counters.get(entity_type, 0) + 1
            self.counters[entity_type] = number
            self.numbers[key] = number
        return number

    def fingerprint(self, keyring: KeyRing, value: str) -> str:
        fp = self.fingerprints.get(value)
        if fp is None:
            fp = keyring.fingerprint(value)
            self.fingerprints[value] = fp
        return fp


@dataclass(frozen=True, slots=True)
class Segment:
    """A replaced region: ``original[start:end]`` became ``masked[out_start:out_end]``."""

    start: int
    end: int
    out_start: int
    out_end: int
    operator: str


@dataclass(frozen=True, slots=True)
class MaskedText:
    text: str
    masks: list[AppliedMask]
    segments: list[Segment]


@dataclass(slots=True)
class _Group:
    start: int
    end: int
    winner: Span
    rule: Rule
    score: float


def _strength(rule: Rule) -> tuple[int, int]:
    """Higher is less revealing; among mask rules, the one keeping fewer characters wins."""
    kept = rule.params.keep_first + rule.params.keep_last if isinstance(rule, MaskRule) else 0
    return OPERATOR_STRENGTH[rule.operator], -kept


def _merge(active: list[tuple[Span, Rule]]) -> list[_Group]:
    """Overlapping spans become one region masked by the least revealing of their rules.

    Touching spans (one ends where the next starts) stay separate."""
    active.sort(key=lambda sr: (sr[0].start, sr[0].end))
    groups: list[_Group] = []
    for span, rule in active:
        if groups and span.start < groups[-1].end:
            g = groups[-1]
            g.end = max(g.end, span.end)
            g.score = max(g.score, span.score)
            if (_strength(rule), span.score) > (_strength(g.rule), g.winner.score):
                g.winner, g.rule = span, rule
        else:
            groups.append(_Group(span.start, span.end, span, rule, span.score))
    return groups


def mask_text(
    text: str,
    spans: Sequence[Span],
    policy: CompiledPolicy,
    keyring: KeyRing,
    *,
    field_path: str | None = None,
    context: MessageContext | None = None,
    in_key: bool = False,
) -> MaskedText:
    """Mask ``spans`` of ``text`` per ``policy``.

    Offsets always refer to ``text``: the output is assembled from the untouched gaps and the
    replacements in one pass, so no replacement shifts another span's offsets.
    Raises ValueError for a span outside ``text`` (a detector bug: fail, don't guess).
    ``in_key``: ``text`` is a key (JSON object key, record key), masked with the key rules.
    """
    ctx = context if context is not None else MessageContext()
    pol = policy.policy
    records: list[AppliedMask] = []
    active: list[tuple[Span, Rule]] = []
    for span in spans:
        if span.end > len(text):
            where = f"field {field_path}" if field_path else "text"
            raise ValueError(
                f"span [{span.start}, {span.end}) is outside the {where} (length {len(text)})"
            )
        if span.start == span.end:
            continue  # nothing to mask
        rule = pol.key_rule_for(span.entity_type) if in_key else pol.rule_for(span.entity_type)
        value = text[span.start : span.end]
        reason: str | None = None
        if span.score < pol.min_score_for(span.entity_type):
            reason = "below_threshold"
        elif policy.is_allowed(value):
            reason = "allow_list"
        if reason is None:
            active.append((span, rule))
            continue
        records.append(
            AppliedMask(
                entity_type=span.entity_type,
                start=span.start,
                end=span.end,
                field=field_path,
                operator=rule.operator,
                score=span.score,
                detector=span.detector,
                masked=False,
                reason=reason,
                key_id=None,
                fingerprint=ctx.fingerprint(keyring, value),
            )
        )

    pieces: list[str] = []
    segments: list[Segment] = []
    out_len = 0
    cursor = 0
    for g in _merge(active):
        gap = text[cursor : g.start]
        pieces.append(gap)
        out_len += len(gap)
        value = text[g.start : g.end]
        entity = g.winner.entity_type
        if g.rule.operator == "keep":
            replacement, key_id, masked, reason = value, None, False, "keep"
        else:
            number = None
            if g.rule.operator == "replace" and g.rule.params.numbered:
                number = ctx.number_for(entity, value)
            replacement, key_id = apply_operator(g.rule, value, entity, keyring, number=number)
            if replacement == value:
                # e.g. masking "***" with "*", or a pseudonym that happens to equal the value
                replacement = ""
            masked, reason = True, None
        pieces.append(replacement)
        segments.append(
            Segment(g.start, g.end, out_len, out_len + len(replacement), g.rule.operator)
        )
        out_len += len(replacement)
        cursor = g.end
        records.append(
            AppliedMask(
                entity_type=entity,
                start=g.start,
                end=g.end,
                field=field_path,
                operator=g.rule.operator,
                score=g.score,
                detector=g.winner.detector,
                masked=masked,
                reason=reason,
                key_id=key_id,
                fingerprint=ctx.fingerprint(keyring, value),
            )
        )
    pieces.append(text[cursor:])
    records.sort(key=lambda r: (r.start, r.end))
    return MaskedText("".join(pieces), records, segments)
