"""Scoring detected spans against gold spans: strict span P/R/F1, character recall/precision, leaks.

Character metrics are untyped: they answer "would this character be masked?".
Gold spans of ignored labels (dates, organisations, ... when only core PII is
scored) are neutral: masking them is neither a hit nor a false positive.

Two gold label schemes are known (:func:`detect_label_scheme` tells them apart):

- ``synthetic``: presidio-evaluator's labels (PERSON, GPE, STREET_ADDRESS, PHONE_NUMBER, ...);
  dates, organisations, ages, titles and NRP are neutral.
- ``real``: the real-text sets (PERSON, LOCATION, ORG, OTHER for NER corpora; STREET_ADDRESS,
  LOCATION, ZIP_CODE for address strings); ORG and OTHER are neutral. Its report adds
  the name/place precision: of the characters predicted PERSON, LOCATION or
  STREET_ADDRESS, the share inside any gold span (of any label). NER corpora label
  only names, places and organisations, so the untyped character precision would
  count every correctly masked phone number or e-mail as a false alarm there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from piimask.jsonl import read_json_objects
from piimask.spans import Span

# Gold labels as presidio-evaluator names them -> piimask entity types.
PRESIDIO_GOLD_LABEL_MAP: Mapping[str, str] = {
    "PERSON": "PERSON",
    "STREET_ADDRESS": "STREET_ADDRESS",
    "GPE": "LOCATION",
    "LOCATION": "LOCATION",
    "ZIP_CODE": "ZIP_CODE",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN_CODE",
    "US_SSN": "US_SSN",
    "US_DRIVER_LICENSE": "DRIVER_LICENSE",
    "IP_ADDRESS": "IP_ADDRESS",
    # In presidio-evaluator data DOMAIN_NAME spans are whole URLs.
    "DOMAIN_NAME": "URL",
    "DATE_TIME": "DATE_TIME",
    "ORGANIZATION": "ORGANIZATION",
    "AGE": "AGE",
    "TITLE": "TITLE",
    "NRP": "NRP",
}
NON_CORE_TYPES = frozenset({"ORGANIZATION", "DATE_TIME", "AGE", "TITLE", "NRP"})
STRUCTURED_TYPES = frozenset(
    {
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "CREDIT_CARD",
        "US_SSN",
        "IBAN_CODE",
        "IP_ADDRESS",
        "DOMAIN_NAME",
        "URL",
        "DRIVER_LICENSE",
    }
)

# Real-text sets: NER corpora (PERSON, LOCATION, ORG, OTHER) and address / name strings.
REAL_TEXT_LABEL_MAP: Mapping[str, str] = {
    "PERSON": "PERSON",
    "LOCATION": "LOCATION",
    "STREET_ADDRESS": "STREET_ADDRESS",
    "ZIP_CODE": "ZIP_CODE",
    "ORG": "ORG",
    "OTHER": "OTHER",
}
REAL_TEXT_NEUTRAL_TYPES = frozenset({"ORG", "OTHER"})
# Predicted types whose characters the name/place precision judges.
NAME_PLACE_TYPES = frozenset({"PERSON", "LOCATION", "STREET_ADDRESS"})

SchemeName = Literal["synthetic", "real"]


@dataclass(frozen=True, slots=True)
class LabelScheme:
    """How a gold file's labels are read: label map, neutral types, extra metrics."""

    name: SchemeName
    label_map: Mapping[str, str]
    neutral_types: frozenset[str]
    name_place_precision: bool


SYNTHETIC_SCHEME = LabelScheme("synthetic", PRESIDIO_GOLD_LABEL_MAP, NON_CORE_TYPES, False)
REAL_TEXT_SCHEME = LabelScheme("real", REAL_TEXT_LABEL_MAP, REAL_TEXT_NEUTRAL_TYPES, True)
SCHEMES: Mapping[str, LabelScheme] = {"synthetic": SYNTHETIC_SCHEME, "real": REAL_TEXT_SCHEME}


def detect_label_scheme(labels: Iterable[str]) -> LabelScheme:
    """``real`` when every gold label is a real-text label, else ``synthetic``.

    Synthetic data names places GPE and always carries other PII labels, so a
    file whose labels all lie in PERSON, LOCATION, ORG, OTHER, STREET_ADDRESS and
    ZIP_CODE is a real-text set. A file without any gold span stays ``synthetic``.
    """
    seen = set(labels)
    if seen and seen <= set(REAL_TEXT_LABEL_MAP):
        return REAL_TEXT_SCHEME
    return SYNTHETIC_SCHEME


@dataclass(frozen=True, slots=True)
class GoldSpan:
    start: int
    end: int
    entity_type: str


@dataclass(slots=True)
class EvalCounts:
    """Accumulates counts over records; :meth:`report` turns them into rates."""

    ignored_types: frozenset[str] = NON_CORE_TYPES
    # Predicted types judged by the name/place precision; None: not reported.
    name_place_types: frozenset[str] | None = None
    records: int = 0
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    gold_spans: Counter[str] = field(default_factory=Counter)
    leaked_spans: Counter[str] = field(default_factory=Counter)
    gold_chars: int = 0
    gold_chars_masked: int = 0
    masked_chars: int = 0
    masked_chars_on_pii: int = 0
    name_place_chars: int = 0
    name_place_chars_on_gold: int = 0
    name_place_by_type: Counter[str] = field(default_factory=Counter)
    name_place_on_gold_by_type: Counter[str] = field(default_factory=Counter)

    def add(self, text_length: int, gold: Sequence[GoldSpan], predicted: Sequence[Span]) -> None:
        self.records += 1
        scored = [g for g in gold if g.entity_type not in self.ignored_types]
        neutral = [g for g in gold if g.entity_type in self.ignored_types]

        gold_keys = {(g.start, g.end, g.entity_type) for g in scored}
        pred_keys = {(p.start, p.end, p.entity_type) for p in predicted}
        neutral_keys = {(g.start, g.end) for g in neutral}
        for key in pred_keys:
            if key in gold_keys:
                self.tp[key[2]] += 1
            elif (key[0], key[1]) not in neutral_keys:
                self.fp[key[2]] += 1
        for key in gold_keys - pred_keys:
            self.fn[key[2]] += 1

        masked = bytearray(text_length)
        for p in predicted:
            masked[p.start : p.end] = b"\x01" * (p.end - p.start)
        pii = bytearray(text_length)
        for g in scored:
            pii[g.start : g.end] = b"\x01" * (g.end - g.start)
        neutral_chars = bytearray(text_length)
        for g in neutral:
            neutral_chars[g.start : g.end] = b"\x01" * (g.end - g.start)

        for g in scored:
            self.gold_spans[g.entity_type] += 1
            if not all(masked[g.start : g.end]):
                self.leaked_spans[g.entity_type] += 1
        for i in range(text_length):
            if pii[i]:
                self.gold_chars += 1
                self.gold_chars_masked += masked[i]
            elif masked[i] and not neutral_chars[i]:
                self.masked_chars += 1
        self.masked_chars_on_pii = self.gold_chars_masked
        if self.name_place_types is not None:
            self._add_name_place(text_length, gold, predicted, self.name_place_types)

    def _add_name_place(
        self,
        text_length: int,
        gold: Sequence[GoldSpan],
        predicted: Sequence[Span],
        types: frozenset[str],
    ) -> None:
        in_gold = bytearray(text_length)
        for g in gold:
            in_gold[g.start : g.end] = b"\x01" * (g.end - g.start)
        for p in predicted:
            if p.entity_type in types:
                on_gold = sum(in_gold[p.start : p.end])
                self.name_place_chars += p.end - p.start
                self.name_place_chars_on_gold += on_gold
                self.name_place_by_type[p.entity_type] += p.end - p.start
                self.name_place_on_gold_by_type[p.entity_type] += on_gold

    def report(self) -> dict[str, object]:
        def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
            precision = tp / (tp + fp) if tp + fp else 0.0
            recall = tp / (tp + fn) if tp + fn else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            return {
                "precision": round(precision, 4),
                "recall": round(recall, 4),
                "f1": round(f1, 4),
                "support": tp + fn,
            }

        types = sorted(set(self.tp) | set(self.fp) | set(self.fn) | set(self.gold_spans))
        per_type = {
            t: {
                **prf(self.tp[t], self.fp[t], self.fn[t]),
                "leaked": self.leaked_spans[t],
                "leak_rate": round(self.leaked_spans[t] / self.gold_spans[t], 4)
                if self.gold_spans[t]
                else 0.0,
            }
            for t in types
        }
        total_gold = sum(self.gold_spans.values())
        structured_gold = sum(v for k, v in self.gold_spans.items() if k in STRUCTURED_TYPES)
        structured_leaked = sum(v for k, v in self.leaked_spans.items() if k in STRUCTURED_TYPES)
        masked_total = self.masked_chars + self.masked_chars_on_pii
        report: dict[str, object] = {
            "records": self.records,
            "span": prf(sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())),
            "char_recall": round(self.gold_chars_masked / self.gold_chars, 4)
            if self.gold_chars
            else 1.0,
            "char_precision": round(self.masked_chars_on_pii / masked_total, 4)
            if masked_total
            else 1.0,
            "leaked_spans": round(sum(self.leaked_spans.values()) / total_gold, 4)
            if total_gold
            else 0.0,
            "leaked_structured_spans": round(structured_leaked / structured_gold, 4)
            if structured_gold
            else 0.0,
            "per_type": per_type,
        }
        if self.name_place_types is not None:
            report["name_place_precision"] = (
                round(self.name_place_chars_on_gold / self.name_place_chars, 4)
                if self.name_place_chars
                else 1.0
            )
            report["name_place_chars"] = self.name_place_chars
            report["name_place_precision_by_type"] = {
                t: round(self.name_place_on_gold_by_type[t] / n, 4)
                for t, n in sorted(self.name_place_by_type.items())
            }
        return report


def gold_spans(raw: Iterable[Mapping[str, object]], label_map: Mapping[str, str]) -> list[GoldSpan]:
    out = []
    for item in raw:
        label = str(item["label"])
        start, end = item["start"], item["end"]
        if not isinstance(start, int) or not isinstance(end, int):
            raise ValueError("gold span start/end must be integers")
        out.append(GoldSpan(start, end, label_map.get(label, label)))
    return out


def format_report(report: Mapping[str, object]) -> str:
    """A readable table of a report."""
    lines = [
        f"records: {report['records']}",
        f"character recall:    {report['char_recall']:.4f}   (gold PII characters masked)",
        f"character precision: {report['char_precision']:.4f}   (masked chars that are PII)",
    ]
    if "name_place_precision" in report:
        lines.insert(0, f"label scheme: {report.get('label_scheme', 'real')}")
        lines.append(
            f"name/place precision: {report['name_place_precision']:.4f}  "
            "(predicted PERSON/LOCATION/STREET_ADDRESS chars inside any gold span)"
        )
        by_type = report.get("name_place_precision_by_type")
        if isinstance(by_type, Mapping) and by_type:
            lines.append(
                "  by predicted type:  " + ", ".join(f"{t} {v:.4f}" for t, v in by_type.items())
            )
    lines += [
        f"leaked spans:        {report['leaked_spans']:.4f}   (gold spans not fully masked)",
        f"leaked structured:   {report['leaked_structured_spans']:.4f}",
        "",
        f"{'entity type':<18}{'precision':>10}{'recall':>8}{'f1':>8}"
        f"{'support':>9}{'leaked':>8}{'leak%':>7}",
    ]
    per_type = report["per_type"]
    assert isinstance(per_type, Mapping)
    for name, row in per_type.items():
        lines.append(
            f"{name:<18}{row['precision']:>10.3f}{row['recall']:>8.3f}{row['f1']:>8.3f}"
            f"{row['support']:>9}{row['leaked']:>8}{100 * row['leak_rate']:>6.1f}%"
        )
    span = report["span"]
    assert isinstance(span, Mapping)
    lines.append(
        f"{'overall (strict)':<18}{span['precision']:>10.3f}{span['recall']:>8.3f}"
        f"{span['f1']:>8.3f}{span['support']:>9}"
    )
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class GoldRecord:
    text: str
    spans: tuple[Mapping[str, object], ...]


def read_gold_file(path: Path | str, limit: int | None = None) -> list[GoldRecord]:
    """Records of a gold JSONL file; ``ValueError`` naming the line (never its text) if bad."""
    records: list[GoldRecord] = []
    for number, value in read_json_objects(path, limit):
        text, spans = value.get("text"), value.get("spans")
        if not isinstance(text, str) or not isinstance(spans, list):
            raise ValueError(f"line {number}: needs 'text' (string) and 'spans' (list)")
        if not all(isinstance(item, dict) and "label" in item for item in spans):
            raise ValueError(f"line {number}: bad gold span (each needs start, end, label)")
        records.append(GoldRecord(text, tuple(spans)))
    return records


def scheme_for(records: Iterable[GoldRecord], name: str = "auto") -> LabelScheme:
    """The named scheme, or (``auto``) the one :func:`detect_label_scheme` finds in the records."""
    if name != "auto":
        return SCHEMES[name]
    return detect_label_scheme(str(item["label"]) for r in records for item in r.spans)


Detector = Callable[[Sequence[str]], list[list[Span]]]


def evaluate(
    detect_batch: Detector,
    records: Sequence[GoldRecord],
    scheme: LabelScheme,
    *,
    all_labels: bool = False,
    label_map: Mapping[str, str] | None = None,
    batch_size: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, object]:
    """Detect over the records (``batch_size`` texts per call; None: all at once) and score them."""
    labels = {**scheme.label_map, **(label_map or {})}
    counts = EvalCounts(
        ignored_types=frozenset() if all_labels else scheme.neutral_types,
        name_place_types=NAME_PLACE_TYPES if scheme.name_place_precision else None,
    )
    gold = [gold_spans(r.spans, labels) for r in records]
    step = batch_size or max(1, len(records))
    for i in range(0, len(records), step):
        chunk = records[i : i + step]
        predicted = detect_batch([r.text for r in chunk])
        for record, spans, predicted_spans in zip(
            chunk, gold[i : i + step], predicted, strict=True
        ):
            counts.add(len(record.text), spans, predicted_spans)
        if progress is not None:
            progress(len(chunk))
    report = counts.report()
    if scheme.name_place_precision:
        report["label_scheme"] = scheme.name
    return report
