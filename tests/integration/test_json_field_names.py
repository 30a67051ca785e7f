"""JSON events through the real engine and the shipped policy: field names as context.

The issue's telemetry (counts, amounts, ids, timestamps, codes) comes out unchanged; the
demo's JSON events and the PII events of the dev set have every PII field masked, and the
PII inside their free-text fields is caught as in plain text."""

from __future__ import annotations

import json
import random

import pytest

from piimask.detect import DetectionEngine
from piimask.evalsets.json_eval import parse_json_gold, score_json
from piimask.evalsets.json_events import demo_events, generate
from piimask.keys import KeyRing
from piimask.mask import default_policy
from piimask.mask.record import Document, RecordMasker


@pytest.fixture(scope="module")
def engine() -> DetectionEngine:
    return DetectionEngine.load()


def issue_events(count: int) -> list[dict[str, object]]:
    rng = random.Random(16)
    return [
        {
            "event": rng.choice(["purchase", "refund", "view"]),
            "order_id": rng.randint(10000, 99999),
            "qty": rng.randint(1, 12),
            "amount": round(rng.uniform(1, 500), 2),
            "status": rng.choice([200, 201, 404, 500]),
            "duration_ms": rng.randint(5, 5000),
            "ts": 1732700000 + rng.randint(0, 10**6),
            "retries": rng.randint(0, 5),
            "version": f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
            "port": rng.choice([80, 443, 8080]),
            "sku": f"SKU-{rng.randint(1000, 9999)}",
            "region": rng.choice(["eu-west-1", "us-east-1"]),
            "year": rng.randint(1950, 2026),
        }
        for _ in range(count)
    ]


def test_the_issue_telemetry_comes_out_unchanged(engine: DetectionEngine) -> None:
    masker = RecordMasker(default_policy(), KeyRing.generate(), message_format="json")
    events = issue_events(300)
    plans = [masker.plan(Document(e)) for e in events]
    changed = 0
    for event, plan in zip(events, plans, strict=True):
        masked = masker.apply(plan, engine.detect_batch(plan.texts))
        assert masked.value is not None
        changed += sum(masked.value.document[k] != v for k, v in event.items())  # type: ignore[index]
    assert changed == 0


def test_demo_and_dev_pii_events_have_every_pii_field_masked(engine: DetectionEngine) -> None:
    events = [*demo_events(60), *(e for e in generate(90, splits=("dev",)) if e.kind == "pii")]
    gold = [parse_json_gold(e.to_json(), e.id) for e in events]
    report = score_json(gold, engine.detect_batch, default_policy(), KeyRing.generate())
    row = report["groups"]["all"]  # type: ignore[index]
    assert row["pii_fields"] > 100
    assert row["pii_fields_masked"] == row["pii_fields"], json.dumps(report["missed_pii_by_key"])
    assert row["free_text_spans"] > 10
    assert row["free_text_spans_leaked"] == row["free_text_spans_leaked_as_plain_text"]


def test_code_lines_storage_places_and_machine_messages_are_not_masked(
    engine: DetectionEngine,
) -> None:
    # METARs, bin and dock codes, PLC alarms, k8s messages: shapes the model reads as ids,
    # addresses and ZIP codes; the second pass's PII label in capitals is scored below
    families = {"weather", "k8s", "logistics", "gps", "warehouse", "plc"}
    events = [
        e
        for e in generate(120, splits=("dev", "unseen", "final"))
        if e.kind == "telemetry" and e.family in families
    ]
    gold = [parse_json_gold(e.to_json(), e.id) for e in events]
    report = score_json(gold, engine.detect_batch, default_policy(), KeyRing.generate())
    row = report["groups"]["all"]  # type: ignore[index]
    assert row["pii_free_fields"] > 500
    assert row["false_masks"] <= row["pii_free_fields"] // 100, report["false_masks_by_key"]


def test_a_label_printed_in_capitals_keeps_its_pii_masked(engine: DetectionEngine) -> None:
    events = [e for e in generate(240, splits=("dev",)) if e.family == "caps_label"]
    gold = [parse_json_gold(e.to_json(), e.id) for e in events]
    report = score_json(gold, engine.detect_batch, default_policy(), KeyRing.generate())
    row = report["groups"]["all"]  # type: ignore[index]
    assert row["pii_fields"] >= 40
    assert row["pii_fields_masked"] == row["pii_fields"], report["missed_pii_by_key"]
    assert row["free_text_spans"] > 0
    assert row["free_text_spans_leaked"] == 0
