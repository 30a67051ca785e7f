"""Masking whole messages: plain text, or JSON documents whose fields the policy selects.

Two steps so the caller can batch detection: ``plan`` says which strings need detection,
``apply`` takes their spans and builds the masked message.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NoReturn

from piimask.detect.field_names import key_hint, names_person_key, path_hint
from piimask.keys import KeyRing
from piimask.mask.engine import AppliedMask, CompiledPolicy, MessageContext, mask_text
from piimask.mask.fields import (
    FIELD_NAME,
    SKIP,
    VALIDATED,
    FieldPlan,
    filter_spans,
    names_no_person,
    names_site,
    plan_field,
)
from piimask.mask.jsonpath import JsonPath, PathKey, format_path
from piimask.mask.numbers import masked_number
from piimask.mask.policy import Policy, is_identifier_key, key_glob_regex
from piimask.spans import Span

MessageFormat = Literal["text", "json"]
WHOLE_FIELD_DETECTOR = "policy:mask_whole"
FIELD_RULE_DETECTOR = "policy:fields"


class MessageRejected(Exception):
    """The message cannot be masked as the policy asks; it goes to the dead-letter topic.

    ``reason`` is a short code (invalid_json, not_json_object, too_deep, unexpected_type,
    invalid_unicode, pii_in_key, key_collision); ``detail`` says where, never quoting the
    message content (object keys that are not plain identifiers are written ``<key>``).
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class _Item:
    """One JSON value to mask, in document order."""

    path: tuple[PathKey, ...]
    path_text: str
    text: str
    is_number: bool
    text_index: int | None  # index into ScanPlan.texts (scanned fields)
    whole_entity: str | None  # entity type (masked whole, no detection)
    field: FieldPlan | None = None  # field-aware scanning (json.field_names, json.fields)


@dataclass(frozen=True, slots=True)
class _KeyItem:
    """One object key to scan: ``path`` is its member's path, so ``path[-1]`` is the key."""

    path: tuple[PathKey, ...]
    text_index: int


@dataclass(frozen=True, slots=True)
class ScanPlan:
    """The strings that need detection (``texts``) and how to put the message back together."""

    texts: list[str]
    format: MessageFormat
    payload: str | None = None
    document: object = None
    items: tuple[_Item, ...] = ()
    keys: tuple[_KeyItem, ...] = ()  # object keys to scan; their texts follow the values'

    @property
    def value_texts(self) -> list[str]:
        """The texts of string (and number) values, without the object keys."""
        return self.texts[: len(self.texts) - len(self.keys)]


@dataclass(frozen=True, slots=True)
class MaskedMessage:
    payload: str  # masked text, or the masked JSON document serialized
    masks: list[AppliedMask]
    format: MessageFormat  # how the message was handled ("text" also for JSON-as-text fallback)
    document: object = None  # the masked JSON document (format "json")

    @property
    def masked_count(self) -> int:
        return sum(1 for m in self.masks if m.masked)


def _reject_invalid_number(text: str) -> NoReturn:
    raise ValueError("number literal out of range")


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        _reject_invalid_number(text)
    return value


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class _Selector:
    """Several JSON paths stepped together down the document walk."""

    __slots__ = ("paths",)

    def __init__(self, texts: Sequence[str]) -> None:
        self.paths = tuple(JsonPath.parse(t) for t in texts)

    def start(self) -> tuple[frozenset[int], ...]:
        return tuple(p.initial() for p in self.paths)

    def step(self, states: tuple[frozenset[int], ...], key: PathKey) -> tuple[frozenset[int], ...]:
        return tuple(p.step(s, key) if s else s for p, s in zip(self.paths, states, strict=True))

    def first_accepting(self, states: tuple[frozenset[int], ...]) -> int:
        for i, (p, s) in enumerate(zip(self.paths, states, strict=True)):
            if s and p.accepts(s):
                return i
        return -1


_States = tuple[frozenset[int], ...]


class MessageMasker:
    """Applies one policy with one key ring to messages of one format. Thread-safe."""

    def __init__(self, policy: Policy, keyring: KeyRing, *, message_format: MessageFormat) -> None:
        self.policy = policy
        self.keyring = keyring
        self.message_format: MessageFormat = message_format
        self._compiled = CompiledPolicy(policy)
        rules = policy.json_rules
        self._scan = _Selector(rules.scan) if rules.scan is not None else None
        self._ignore = _Selector(rules.ignore)
        self._whole = _Selector([w.path for w in rules.mask_whole])
        self._whole_entities = [w.entity_type for w in rules.mask_whole]
        self._scan_keys = rules.object_keys != "keep"
        self._scan_identifier_keys = policy.key_rules.scan_identifiers
        self._field_names = rules.field_names
        self._field_rules = [(key_glob_regex(r.key), r) for r in rules.fields]

    # --- plan ------------------------------------------------------------------------

    def plan(self, payload: str) -> ScanPlan:
        if self.message_format == "text":
            return ScanPlan(texts=[payload], format="text", payload=payload)
        try:
            document = json.loads(
                payload, parse_float=_parse_float, parse_constant=_reject_invalid_number
            )
        except json.JSONDecodeError as exc:
            return self._unexpected(
                payload, "invalid_json", f"{exc.msg} at line {exc.lineno} column {exc.colno}"
            )
        except RecursionError:
            raise MessageRejected("too_deep", "the JSON document is nested too deeply") from None
        except ValueError as exc:
            return self._unexpected(payload, "invalid_json", str(exc))
        if not isinstance(document, dict | list):
            return self._unexpected(
                payload, "not_json_object", f"top-level JSON {_type_name(document)}"
            )
        return self._plan_document(document, payload)

    def plan_document(self, document: object) -> ScanPlan:
        """Plan for an already parsed JSON document (an object or array)."""
        if not isinstance(document, dict | list):
            raise MessageRejected("not_json_object", f"top-level JSON {_type_name(document)}")
        return self._plan_document(document, None)

    def _unexpected(self, payload: str, reason: str, detail: str) -> ScanPlan:
        if self.policy.on_unexpected == "text":
            return ScanPlan(texts=[payload], format="text", payload=payload)
        raise MessageRejected(reason, detail)

    def _plan_document(
        self, document: dict[str, object] | list[object], payload: str | None
    ) -> ScanPlan:
        items: list[_Item] = []
        keys: list[_KeyItem] = []
        texts: list[str] = []
        self._walk(
            document,
            (),
            depth=1,
            scan_states=self._scan.start() if self._scan else (),
            ignore_states=self._ignore.start(),
            whole_states=self._whole.start(),
            scanning=self._scan is None,
            whole_entity=None,
            items=items,
            keys=keys,
            texts=texts,
        )
        # Keys after the values: a value's index is the same whether keys are scanned or not.
        keys = [_KeyItem(k.path, len(texts) + k.text_index) for k in keys]
        texts.extend(str(k.path[-1]) for k in keys)
        return ScanPlan(
            texts=texts,
            format="json",
            payload=payload,
            document=document,
            items=tuple(items),
            keys=tuple(keys),
        )

    def _walk(
        self,
        node: object,
        path: tuple[PathKey, ...],
        *,
        depth: int,
        scan_states: _States,
        ignore_states: _States,
        whole_states: _States,
        scanning: bool,
        whole_entity: str | None,
        items: list[_Item],
        keys: list[_KeyItem],
        texts: list[str],
        non_person: bool = False,
        site: bool = False,
    ) -> None:
        unexpected = isinstance(node, int | float)  # bool is an int too
        if self._ignore.paths:
            if path:
                ignore_states = self._ignore.step(ignore_states, path[-1])
            if self._ignore.first_accepting(ignore_states) >= 0:
                return
        if (
            path
            and isinstance(path[-1], str)
            and path[-1]
            and self._scan_keys
            and (self._scan_identifier_keys or not is_identifier_key(path[-1]))
            and not (self._field_names and _is_field_name(path[-1]))
        ):
            # Every key outside json.ignore is scanned, whatever json.scan selects: keys
            # are structure that every consumer of the document sees. Field names
            # (created_at) are not, unless key_rules.scan_identifiers says so.
            if _has_surrogate(path[-1]):
                raise MessageRejected(
                    "invalid_unicode",
                    f"object key at {format_path(path[:-1], hide_keys=True)}: lone surrogate",
                )
            keys.append(_KeyItem(path, len(keys)))
        if self._whole.paths and whole_entity is None:
            if path:
                whole_states = self._whole.step(whole_states, path[-1])
            hit = self._whole.first_accepting(whole_states)
            if hit >= 0:
                whole_entity = self._whole_entities[hit]
                if unexpected:
                    self._unexpected_field(path, node)
        if self._scan is not None and not scanning:
            if path:
                scan_states = self._scan.step(scan_states, path[-1])
            if self._scan.first_accepting(scan_states) >= 0:
                scanning = True
                if unexpected:
                    self._unexpected_field(path, node)
        if isinstance(node, dict | list):
            if depth > self.policy.json_rules.max_depth:
                raise MessageRejected(
                    "too_deep",
                    f"field {format_path(path, hide_keys=True)}: deeper than max_depth "
                    f"{self.policy.json_rules.max_depth}",
                )
            children = node.items() if isinstance(node, dict) else enumerate(node)
            # members of an account that says it is no person's (type: Organization)
            members_no_person = (
                isinstance(node, dict) and self._field_names and names_no_person(node)
            )
            # places in a site's or an organisation's object, at any depth
            in_site = site or (isinstance(node, dict) and self._field_names and names_site(node))
            for key, child in children:
                self._walk(
                    child,
                    (*path, key),
                    depth=depth + 1,
                    scan_states=scan_states,
                    ignore_states=ignore_states,
                    whole_states=whole_states,
                    scanning=scanning,
                    whole_entity=whole_entity,
                    items=items,
                    keys=keys,
                    texts=texts,
                    non_person=members_no_person,
                    site=in_site and not (isinstance(key, str) and names_person_key(key)),
                )
            return
        if isinstance(node, str):
            text, is_number = node, False
            if _has_surrogate(text):
                raise MessageRejected(
                    "invalid_unicode",
                    f"field {format_path(path, hide_keys=True)}: lone surrogate in string",
                )
        elif isinstance(node, int | float) and not isinstance(node, bool):
            text, is_number = json.dumps(node), True
        else:
            return  # true / false / null carry nothing to mask
        if whole_entity is not None:
            items.append(_Item(path, format_path(path), text, is_number, None, whole_entity))
            return
        if not scanning or not text:
            return
        field = self._field_plan(path, text, is_number, non_person=non_person, site=site)
        if field is None:
            if not is_number or self._numbers_scanned(path):
                items.append(_Item(path, format_path(path), text, is_number, len(texts), None))
                texts.append(text)
        elif field.mode == "whole":
            # a policy rule masks numbers too; a key name only where numbers are scanned
            if not is_number or self._numbers_scanned(path) or field.detector != FIELD_NAME:
                items.append(
                    _Item(path, format_path(path), text, is_number, None, field.entity_type, field)
                )
        elif field.mode != "skip" and (not is_number or self._numbers_scanned(path)):
            items.append(_Item(path, format_path(path), text, is_number, len(texts), None, field))
            texts.append(text)

    def _field_plan(
        self,
        path: tuple[PathKey, ...],
        text: str,
        is_number: bool,
        *,
        non_person: bool = False,
        site: bool = False,
    ) -> FieldPlan | None:
        """How a value is scanned by its key path; None: alone, as plain text."""
        if self._field_rules:
            dotted = [k for k in path if isinstance(k, str)]
            prefixes = [".".join(dotted[:n]) for n in range(len(dotted), 0, -1)]
            for regex, rule in self._field_rules:
                if any(regex.fullmatch(p) for p in prefixes):
                    if rule.action == "ignore":
                        return SKIP
                    if rule.action == "scan":
                        return None
                    return FieldPlan("whole", rule.entity_type, detector=FIELD_RULE_DETECTOR)
        if not self._field_names:
            return None
        return plan_field(
            path,
            text,
            is_number=is_number,
            hint=path_hint(path),
            non_person=non_person,
            site=site,
        )

    def _numbers_scanned(self, path: tuple[PathKey, ...]) -> bool:
        if self.policy.json_rules.scan_numbers:
            return True
        # a number at an explicitly listed path under on_unexpected=text is handled as text
        return self._scan is not None and any(p.matches(path) for p in self._scan.paths)

    def _unexpected_field(self, path: tuple[PathKey, ...], node: object) -> None:
        if self.policy.on_unexpected == "reject":
            raise MessageRejected(
                "unexpected_type",
                f"field {format_path(path, hide_keys=True)}: expected a string, "
                f"got {_type_name(node)}",
            )

    # --- apply -------------------------------------------------------------------------

    def apply(
        self,
        plan: ScanPlan,
        spans: Sequence[Sequence[Span]],
        *,
        context: MessageContext | None = None,
    ) -> MaskedMessage:
        """``spans[i]`` are the detected spans of ``plan.texts[i]``.

        ``context``: shared with the other parts of the same record (key, headers), so a
        numbered tag means the same value in all of them."""
        if len(spans) != len(plan.texts):
            raise ValueError(f"got spans for {len(spans)} texts, the plan has {len(plan.texts)}")
        if context is None:
            context = MessageContext()
        if plan.format == "text":
            result = mask_text(
                plan.texts[0], spans[0], self._compiled, self.keyring, context=context
            )
            return MaskedMessage(payload=result.text, masks=result.masks, format="text")

        masks: list[AppliedMask] = []
        renames = self._mask_keys(plan, spans, context, masks)
        replacements: dict[tuple[PathKey, ...], object] = {}
        for item in plan.items:
            if item.whole_entity is not None:
                detector = item.field.detector if item.field else WHOLE_FIELD_DETECTOR
                item_spans: Sequence[Span] = [
                    Span(0, len(item.text), item.whole_entity, 1.0, detector)
                ]
            else:
                assert item.text_index is not None
                item_spans = spans[item.text_index]
                if item.field is not None:
                    item_spans = filter_spans(item.field, item.text, item_spans)
            if not item_spans:
                continue
            result = mask_text(
                item.text,
                item_spans,
                self._compiled,
                self.keyring,
                field_path=_shown_path(item.path, renames) if renames else item.path_text,
                context=context,
            )
            masks.extend(result.masks)
            if any(m.masked for m in result.masks):
                replacements[item.path] = (
                    masked_number(item.text, self.policy.json_rules.masked_numbers, self.keyring)
                    if item.is_number and self.policy.json_rules.masked_numbers != "text"
                    else result.text
                )
        if renames:
            document = _rebuild_renamed(plan.document, _edits(replacements, renames), ())
            payload = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        elif not replacements:
            document = plan.document
            payload = (
                plan.payload
                if plan.payload is not None
                else json.dumps(document, ensure_ascii=False, separators=(",", ":"))
            )
        else:
            document = _rebuild(plan.document, _trie(replacements))
            payload = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        return MaskedMessage(payload=payload, masks=masks, format="json", document=document)

    def _mask_keys(
        self,
        plan: ScanPlan,
        spans: Sequence[Sequence[Span]],
        context: MessageContext,
        masks: list[AppliedMask],
    ) -> dict[tuple[PathKey, ...], str]:
        """Masks the object keys that hold PII; the new key of each renamed member's path.

        Keys come in document order, so a member's parents are renamed before it and its
        path is written with their new names: no record names a masked key in clear."""
        renames: dict[tuple[PathKey, ...], str] = {}
        for key_item in plan.keys:
            key_spans = spans[key_item.text_index]
            if not key_spans:
                continue
            key = key_item.path[-1]
            assert isinstance(key, str)
            if self._field_names and _WORDISH_KEY.fullmatch(key):
                # one word-like token (FreqMhz, DEVICE_TOKEN): a field name the vocabulary
                # does not know, masked only by a validated pattern, like a short code
                key_spans = filter_spans(VALIDATED, key, key_spans)
                if not key_spans:
                    continue
            result = mask_text(
                key, key_spans, self._compiled, self.keyring, context=context, in_key=True
            )
            masked = any(m.masked for m in result.masks)
            if masked and self.policy.json_rules.object_keys == "reject":
                entities = sorted({m.entity_type for m in result.masks if m.masked})
                raise MessageRejected(
                    "pii_in_key",
                    f"an object key at {_shown_path(key_item.path[:-1], renames, hide=True)} "
                    f"holds {', '.join(entities)} (json.object_keys: reject)",
                )
            if masked:
                renames[key_item.path] = result.text
            field = _shown_path(key_item.path, renames) + "~"
            masks.extend(dataclasses.replace(m, field=field) for m in result.masks)
        return renames


_WORDISH_KEY = re.compile(r"[@$_]*[A-Za-z][A-Za-z0-9]*(?:[_\-][A-Za-z0-9]+)*_*")


def _is_field_name(key: str) -> bool:
    """A key the field-name vocabulary knows (``PORT``, ``DevEui``... ``Email``) is a field
    name, not data: the model, seeing it alone, would guess at it."""
    return len(key) <= 64 and key_hint(key).kind != "unknown"


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _shown_path(
    path: tuple[PathKey, ...], renames: dict[tuple[PathKey, ...], str], *, hide: bool = False
) -> str:
    """``path`` as written in mask records: renamed keys by their masked form."""
    if not renames:
        return format_path(path, hide_keys=hide)
    shown = tuple(renames.get(path[: i + 1], key) for i, key in enumerate(path))
    return format_path(shown, hide_keys=hide)


@dataclass(frozen=True, slots=True)
class _Leaf:
    """A masked value (a string; a number or null under json.masked_numbers)."""

    value: object


@dataclass(slots=True)
class _Edit:
    """What changes at one member of the document, and under it."""

    value: _Leaf | None = None
    key: str | None = None
    children: dict[PathKey, _Edit] = dataclasses.field(default_factory=dict)


def _edits(
    replacements: dict[tuple[PathKey, ...], object], renames: dict[tuple[PathKey, ...], str]
) -> _Edit:
    root = _Edit()

    def node_at(path: tuple[PathKey, ...]) -> _Edit:
        node = root
        for key in path:
            node = node.children.setdefault(key, _Edit())
        return node

    for path, value in replacements.items():
        node_at(path).value = _Leaf(value)
    for path, key in renames.items():
        node_at(path).key = key
    return root


def _rebuild_renamed(node: object, edit: _Edit, path: tuple[PathKey, ...]) -> object:
    """Like ``_rebuild``, and renames keys; two keys that would become one are an error."""
    if edit.value is not None:
        return edit.value.value
    if isinstance(node, dict):
        out_d: dict[str, object] = {}
        for key, child in node.items():
            sub = edit.children.get(key)
            new_key = key if sub is None or sub.key is None else sub.key
            if new_key in out_d:
                raise MessageRejected(
                    "key_collision",
                    f"object at {format_path(path, hide_keys=True)}: two keys would be the "
                    "same after masking",
                )
            out_d[new_key] = child if sub is None else _rebuild_renamed(child, sub, (*path, key))
        return out_d
    if isinstance(node, list):
        return [
            child
            if (sub := edit.children.get(i)) is None
            else _rebuild_renamed(child, sub, (*path, i))
            for i, child in enumerate(node)
        ]
    return node


_Trie = dict[PathKey, "_Trie | _Leaf"]


def _trie(replacements: dict[tuple[PathKey, ...], object]) -> _Trie:
    root: _Trie = {}
    for path, value in replacements.items():
        node = root
        for key in path[:-1]:
            child = node.setdefault(key, {})
            assert isinstance(child, dict)
            node = child
        node[path[-1]] = _Leaf(value)
    return root


def _rebuild(node: object, trie: _Trie) -> object:
    """A copy of ``node`` with the replacements applied; untouched subtrees are shared."""
    if isinstance(node, dict):
        out_d: dict[str, object] = {}
        for key, child in node.items():
            sub = trie.get(key)
            if sub is None:
                out_d[key] = child
            elif isinstance(sub, _Leaf):
                out_d[key] = sub.value
            else:
                out_d[key] = _rebuild(child, sub)
        return out_d
    if isinstance(node, list):
        out_l: list[object] = []
        for index, child in enumerate(node):
            sub = trie.get(index)
            if sub is None:
                out_l.append(child)
            elif isinstance(sub, _Leaf):
                out_l.append(sub.value)
            else:
                out_l.append(_rebuild(child, sub))
        return out_l
    return node
