"""The blind hand-written sets: well-formed gold only (their scores are not tested here).

The ``_final``, ``blind2``, ``blind3``, ``blind4``, ``blind5``, ``blind6`` and ``blind7`` files
are checked for shape alone: they stay unread until scored once.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from piimask.evalsets.json_eval import _get, _parse_path, read_json_gold_file
from piimask.evalsets.json_events import (
    HANDWRITTEN_BLIND,
    HANDWRITTEN_BLIND2,
    HANDWRITTEN_BLIND3,
    HANDWRITTEN_BLIND4,
    HANDWRITTEN_BLIND5,
    HANDWRITTEN_BLIND6,
    HANDWRITTEN_BLIND7,
)
from piimask.evalsets.log_lines import (
    BLIND,
    BLIND2,
    BLIND3,
    BLIND4,
    BLIND5,
    BLIND6,
    BLIND7,
    read_log_lines,
)
from piimask.mask import KNOWN_ENTITY_TYPES

DATA = BLIND.parent
JSON_FILES = [
    (HANDWRITTEN_BLIND, "blind", "bjson-"),
    (DATA / "json_events_blind_final.jsonl", "blind_final", "bjfin-"),
    (HANDWRITTEN_BLIND2, "blind2", "b2json-"),
    (HANDWRITTEN_BLIND3, "blind3", "b3json-"),
    (HANDWRITTEN_BLIND4, "blind4", "b4json-"),
    (HANDWRITTEN_BLIND5, "blind5", "b5json-"),
    (HANDWRITTEN_BLIND6, "blind6", "b6json-"),
    (HANDWRITTEN_BLIND7, "blind7", "b7json-"),
]
LOG_FILES = [
    (BLIND, "blind", "blind-"),
    (DATA / "log_lines_blind_final.jsonl", "blind_final", "bfin-"),
    (BLIND2, "blind2", "b2log-"),
    (BLIND3, "blind3", "blind3-"),
    (BLIND4, "blind4", "blind4-"),
    (BLIND5, "blind5", "blind5-"),
    (BLIND6, "blind6", "blind6-"),
    (BLIND7, "blind7", "blind7-"),
]


def _raw(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize(("path", "split", "prefix"), JSON_FILES)
def test_blind_json_events_are_one_split_with_unique_ids_and_both_kinds(
    path: Path, split: str, prefix: str
) -> None:
    raw = _raw(path)
    ids = [r["id"] for r in raw]
    assert len(set(ids)) == len(ids) >= 50
    assert all(isinstance(i, str) and i.startswith(prefix) for i in ids)
    assert {r["split"] for r in raw} == {split}
    kinds = [r["kind"] for r in raw]
    assert kinds.count("telemetry") >= 30
    assert kinds.count("pii") >= 20


@pytest.mark.parametrize(("path", "split", "prefix"), JSON_FILES)
def test_blind_json_gold_points_at_string_fields_and_only_pii_events_have_gold(
    path: Path, split: str, prefix: str
) -> None:
    for gold, raw in zip(read_json_gold_file(path), _raw(path), strict=True):
        assert gold.group == f"{split}/{raw['kind']}"
        assert (raw["kind"] == "pii") == bool(gold.pii or gold.spans)
        assert not set(gold.pii) & set(gold.spans)
        for field_path, entity_type in gold.pii.items():
            found, value = _get(gold.value, _parse_path(field_path))
            assert found
            assert isinstance(value, str)
            assert value.strip()
            assert entity_type in KNOWN_ENTITY_TYPES
        for field_path, spans in gold.spans.items():
            found, text = _get(gold.value, _parse_path(field_path))
            assert found
            assert isinstance(text, str)
            for start, end, label in spans:
                assert label in KNOWN_ENTITY_TYPES
                assert 0 <= start < end <= len(text)
                assert text[start:end] == text[start:end].strip()


@pytest.mark.parametrize(("path", "split", "prefix"), LOG_FILES)
def test_blind_log_lines_are_one_split_mostly_pii_free_with_labelled_spans_in_range(
    path: Path, split: str, prefix: str
) -> None:
    raw = _raw(path)
    lines = read_log_lines(path)
    ids = [r["id"] for r in raw]
    assert len(set(ids)) == len(ids) == len(lines) >= 60
    assert all(isinstance(i, str) and i.startswith(prefix) for i in ids)
    assert {r["split"] for r in raw} == {split}
    assert 0.2 < sum(bool(line.spans) for line in lines) / len(lines) < 0.5
    assert len({line.format for line in lines}) >= 15
    for line in lines:
        ends = 0
        for start, end, label in sorted(line.spans):
            assert label in KNOWN_ENTITY_TYPES
            assert 0 <= start < end <= len(line.text)
            assert line.text[start:end] == line.text[start:end].strip()
            assert start >= ends  # gold spans do not overlap
            ends = end


def _luhn_holds(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _iban_holds(iban: str) -> bool:
    compact = iban.replace(" ", "")
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


CHECKSUMS = {"CREDIT_CARD": _luhn_holds, "IBAN_CODE": _iban_holds}


@pytest.mark.parametrize(
    ("json_path", "log_path"),
    [
        (HANDWRITTEN_BLIND2, BLIND2),
        (HANDWRITTEN_BLIND3, BLIND3),
        (HANDWRITTEN_BLIND4, BLIND4),
        (HANDWRITTEN_BLIND5, BLIND5),
        (HANDWRITTEN_BLIND6, BLIND6),
        (HANDWRITTEN_BLIND7, BLIND7),
    ],
)
def test_later_blind_gold_cards_and_ibans_hold_their_checksums(
    json_path: Path, log_path: Path
) -> None:
    values: list[tuple[str, str]] = []
    for gold in read_json_gold_file(json_path):
        for field_path, entity_type in gold.pii.items():
            value = _get(gold.value, _parse_path(field_path))[1]
            values.append((entity_type, str(value)))
        for field_path, spans in gold.spans.items():
            text = str(_get(gold.value, _parse_path(field_path))[1])
            values.extend((label, text[start:end]) for start, end, label in spans)
    for line in read_log_lines(log_path):
        values.extend((label, line.text[start:end]) for start, end, label in line.spans)
    checked = [(t, v) for t, v in values if t in CHECKSUMS]
    assert checked
    assert all(CHECKSUMS[t](v) for t, v in checked)
