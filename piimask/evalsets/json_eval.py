"""Scoring JSON documents per field: false masks of PII-free fields, missed PII fields.

The documents go through the real JSON masker (:class:`piimask.mask.record.RecordMasker`
with a policy) and a detector, exactly as on a topic; each scalar field of the input is then
compared with the output:

- a PII-free field (neither in ``pii`` nor in ``spans`` of its gold line) that changed is a
  **false mask**; a number that came out as something else is counted as a **type change**;
- a field of ``pii`` is **masked** when the applied masks cover every letter and digit of it;
- a gold span of a free-text field (``spans``) **leaked** when any letter or digit of it is
  not covered, and the same texts are scored as plain text too (detector spans alone), so the
  two can be compared.

The report has the figures per ``<split>/<kind>`` group and per ``<split>/<family>`` (so
families added later can be told from the older ones).

Gold lines are those of :mod:`piimask.evalsets.json_events`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from piimask.detect.field_names import path_segments
from piimask.jsonl import read_json_objects
from piimask.keys import KeyRing
from piimask.mask.jsonpath import PathKey, format_path
from piimask.mask.policy import Policy
from piimask.mask.record import Document, RecordMasker
from piimask.spans import Span

DetectBatch = Callable[[Sequence[str]], list[list[Span]]]


@dataclass(frozen=True, slots=True)
class JsonGold:
    id: str
    value: object
    pii: dict[str, str]
    spans: dict[str, list[tuple[int, int, str]]]
    group: str  # "<split>/<kind>" for the report's rows ("all" when the line has none)
    family: str


def is_json_gold_line(line: object) -> bool:
    return isinstance(line, dict) and "value" in line and ("pii" in line or "spans" in line)


def parse_json_gold(line: dict[str, object], where: str) -> JsonGold:
    value = line.get("value")
    pii = line.get("pii", {})
    spans = line.get("spans", {})
    if not isinstance(value, dict | list):
        raise ValueError(f"{where}: 'value' must be a JSON object or array")
    if not isinstance(pii, dict) or not all(isinstance(v, str) for v in pii.values()):
        raise ValueError(f"{where}: 'pii' must map field paths to entity types")
    if not isinstance(spans, dict):
        raise ValueError(f"{where}: 'spans' must map field paths to span lists")
    parsed: dict[str, list[tuple[int, int, str]]] = {}
    for path, items in spans.items():
        if not isinstance(items, list):
            raise ValueError(f"{where}: spans of {path} must be a list")
        out = []
        for s in items:
            if not isinstance(s, dict) or not isinstance(s.get("start"), int):
                raise ValueError(f"{where}: a span of {path} needs start, end, label")
            start, end, label = s["start"], s.get("end"), s.get("label")
            if not isinstance(end, int) or not isinstance(label, str):
                raise ValueError(f"{where}: a span of {path} needs start, end, label")
            out.append((start, end, label))
        parsed[str(path)] = out
    split, kind = line.get("split"), line.get("kind")
    group = f"{split}/{kind}" if isinstance(split, str) and isinstance(kind, str) else "all"
    family = line.get("family")
    return JsonGold(
        str(line.get("id", where)),
        value,
        {str(k): str(v) for k, v in pii.items()},
        parsed,
        group,
        family if isinstance(family, str) else "",
    )


def read_json_gold_file(path: str | Path, limit: int | None = None) -> list[JsonGold]:
    out: list[JsonGold] = []
    for number, value in read_json_objects(path, limit):
        out.append(parse_json_gold(value, f"line {number}"))
    return out


@dataclass(slots=True)
class _Tally:
    fields: int = 0
    pii_free: int = 0
    false_masks: int = 0
    type_changes: int = 0
    pii_fields: int = 0
    pii_masked: int = 0
    text_spans: int = 0
    text_leaked: int = 0
    plain_leaked: int = 0

    def row(self) -> dict[str, object]:
        return {
            "fields": self.fields,
            "pii_free_fields": self.pii_free,
            "false_masks": self.false_masks,
            "false_mask_rate": _rate(self.false_masks, self.pii_free),
            "number_type_changes": self.type_changes,
            "pii_fields": self.pii_fields,
            "pii_fields_masked": self.pii_masked,
            "pii_field_recall": _rate(self.pii_masked, self.pii_fields),
            "free_text_spans": self.text_spans,
            "free_text_spans_leaked": self.text_leaked,
            "free_text_spans_leaked_as_plain_text": self.plain_leaked,
        }


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


@dataclass(slots=True)
class _Report:
    groups: dict[str, _Tally] = field(default_factory=dict)
    families: dict[str, _Tally] = field(default_factory=dict)
    false_keys: Counter[str] = field(default_factory=Counter)
    missed_keys: Counter[str] = field(default_factory=Counter)

    def tally(self, group: str, family: str = "") -> list[_Tally]:
        tallies = [self.groups.setdefault("all", _Tally())]
        if group != "all":
            tallies.append(self.groups.setdefault(group, _Tally()))
        if family:
            split = group.split("/")[0] if group != "all" else ""
            name = f"{split}/{family}" if split else family
            tallies.append(self.families.setdefault(name, _Tally()))
        return tallies


def _scalars(
    node: object, path: tuple[PathKey, ...]
) -> Iterable[tuple[tuple[PathKey, ...], object]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _scalars(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _scalars(v, (*path, i))
    elif isinstance(node, str | int | float) and not isinstance(node, bool):
        yield path, node


def _get(node: object, path: tuple[PathKey, ...]) -> tuple[bool, object]:
    for key in path:
        if isinstance(node, dict) and isinstance(key, str) and key in node:
            node = node[key]
            continue
        if isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
            continue
        return False, None
    return True, node


def _covered(text: str, start: int, end: int, ranges: Sequence[tuple[int, int]]) -> bool:
    return all(
        not text[i].isalnum() or any(a <= i < b for a, b in ranges) for i in range(start, end)
    )


# Titles and suffixes around a name are not the name (neutral in the text sets' scoring too).
_NAME_AFFIXES = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Jr|Sr|II|III|IV|MD|DDS|DVM|PhD)\b\.?", re.IGNORECASE
)


def _required(text: str, entity_type: str) -> str:
    """``text`` with what a mask of ``entity_type`` need not cover blanked out."""
    if entity_type != "PERSON":
        return text
    return _NAME_AFFIXES.sub(lambda m: " " * len(m.group(0)), text)


def _key_name(path_text: str) -> str:
    segments = path_segments(path_text.replace('["', ".").replace('"]', ""))
    return segments[-1] if segments else path_text


def score_json(
    records: Sequence[JsonGold],
    detect: DetectBatch,
    policy: Policy,
    keyring: KeyRing,
    *,
    batch_size: int = 256,
    progress: Callable[[int], None] | None = None,
) -> dict[str, object]:
    masker = RecordMasker(policy, keyring, message_format="json")
    report = _Report()
    for begin in range(0, len(records), batch_size):
        batch = records[begin : begin + batch_size]
        plans = [masker.plan(Document(r.value)) for r in batch]
        unique: dict[str, int] = {}
        for plan in plans:
            for text in plan.texts:
                unique.setdefault(text, len(unique))
        free_texts = {
            text
            for r in batch
            for p in r.spans
            for text in [_get(r.value, _parse_path(p))[1]]
            if isinstance(text, str)
        }
        for text in free_texts:
            unique.setdefault(text, len(unique))
        flat = list(unique)
        found = detect(flat) if flat else []
        for record, plan in zip(batch, plans, strict=True):
            spans = [found[unique[t]] for t in plan.texts]
            masked = masker.apply(plan, spans)
            document = masked.value.document if masked.value is not None else record.value
            covered: dict[str, list[tuple[int, int]]] = {}
            for m in masked.masks:
                if m.masked and m.field is not None:
                    covered.setdefault(m.field, []).append((m.start, m.end))
            _score_record(record, document, covered, found, unique, report)
        if progress is not None:
            progress(len(batch))
    groups = {name: tally.row() for name, tally in sorted(report.groups.items())}
    families = {name: tally.row() for name, tally in sorted(report.families.items())}
    return {
        "records": len(records),
        "policy_version": policy.version,
        "groups": groups,
        "families": families,
        "false_masks_by_key": dict(report.false_keys.most_common(25)),
        "missed_pii_by_key": dict(report.missed_keys.most_common(25)),
    }


def _parse_path(text: str) -> tuple[PathKey, ...]:
    """``$.a[0]["b c"]`` -> ("a", 0, "b c"): the inverse of ``format_path``."""
    out: list[PathKey] = []
    i = 1  # after "$"
    while i < len(text):
        if text[i] == ".":
            j = i + 1
            while j < len(text) and text[j] not in ".[":
                j += 1
            out.append(text[i + 1 : j])
            i = j
        elif text.startswith('["', i):
            decoder = json.JSONDecoder()
            key, end = decoder.raw_decode(text, i + 1)
            out.append(str(key))
            i = end + 1
        else:
            j = text.index("]", i)
            out.append(int(text[i + 1 : j]))
            i = j + 1
    return tuple(out)


def _score_record(
    record: JsonGold,
    document: object,
    covered: dict[str, list[tuple[int, int]]],
    found: Sequence[Sequence[Span]],
    unique: dict[str, int],
    report: _Report,
) -> None:
    tallies = report.tally(record.group, record.family)
    for path, original in _scalars(record.value, ()):
        path_text = format_path(path)
        text = original if isinstance(original, str) else json.dumps(original)
        present, out = _get(document, path)
        changed = not present or out != original or type(out) is not type(original)
        ranges = covered.get(path_text, [])
        for t in tallies:
            t.fields += 1
        if path_text in record.pii:
            required = _required(text, record.pii[path_text])
            ok = _covered(required, 0, len(required), ranges) and changed
            for t in tallies:
                t.pii_fields += 1
                t.pii_masked += ok
            if not ok:
                report.missed_keys[_key_name(path_text)] += 1
        elif path_text in record.spans:
            plain = [(s.start, s.end) for s in found[unique[text]]] if text in unique else []
            for start, end, _label in record.spans[path_text]:
                leaked = not _covered(text, start, end, ranges)
                plain_leaked = not _covered(text, start, end, plain)
                for t in tallies:
                    t.text_spans += 1
                    t.text_leaked += leaked
                    t.plain_leaked += plain_leaked
        else:
            for t in tallies:
                t.pii_free += 1
                t.false_masks += changed
                t.type_changes += (
                    changed
                    and not isinstance(original, str)
                    and (not isinstance(out, int | float) or isinstance(out, bool))
                )
            if changed:
                report.false_keys[_key_name(path_text)] += 1


def format_json_report(report: dict[str, object]) -> str:
    groups = report["groups"]
    assert isinstance(groups, dict)
    lines = [
        f"{'group':<18}{'fields':>8}{'PII-free':>9}{'false masks':>13}{'PII fields':>16}"
        f"{'free-text spans leaked':>26}{'(as plain text)':>17}{'numbers->text':>15}"
    ]
    for name, row in groups.items():
        lines.append(
            f"{name:<18}{row['fields']:>8}{row['pii_free_fields']:>9}"
            f"{row['false_masks']:>6} {100 * row['false_mask_rate']:>5.2f}%"
            f"{row['pii_fields_masked']:>8}/{row['pii_fields']:<7}"
            f"{row['free_text_spans_leaked']:>19}/{row['free_text_spans']:<6}"
            f"{row['free_text_spans_leaked_as_plain_text']:>11}/{row['free_text_spans']:<5}"
            f"{row['number_type_changes']:>15}"
        )
    families = report.get("families", {})
    assert isinstance(families, dict)
    if families:
        lines.append(
            "false masks by family (changed/PII-free fields): "
            + ", ".join(
                f"{name} {row['false_masks']}/{row['pii_free_fields']}"
                for name, row in families.items()
                if row["pii_free_fields"]
            )
        )
    for title, key in (
        ("false masks by key", "false_masks_by_key"),
        ("missed PII fields by key", "missed_pii_by_key"),
    ):
        counts = report[key]
        assert isinstance(counts, dict)
        if counts:
            lines.append(f"{title}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return "\n".join(lines)
