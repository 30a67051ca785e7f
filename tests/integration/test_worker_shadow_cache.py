"""Shadow detector and repeated-text cache through the worker on the real broker.

Two workers read the same records with the same key ring and live detector (the bundled
model with piimask's adapter): one plain (no cache, no shadow), one with the cache and
the base Rampart model as a shadow on half of the records. Their outputs must be
byte-identical; the second one's audit events and metrics carry the shadow's agreement,
which ``piimask audit report`` summarises, and its cache answers the repeated texts. A
third worker's shadow fails on every batch: its outputs are the same, every event says
``failed`` and the failures are counted.
"""

from __future__ import annotations

import asyncio
import functools
import json
from typing import Any

import pytest
from click.testing import CliRunner

from piimask.cli import main
from piimask.detect import DetectionEngine, DetectorConfig
from piimask.detect.shadow import SAMPLE_PURPOSE, Sampler, load_shadow_engine, shadow_config
from piimask.keys import KeyRing
from piimask.ops.metrics import WorkerMetrics
from piimask.settings import Settings
from piimask.stream.app import build_worker
from tests.integration.stream_support import (
    Topics,
    create_topics,
    delete_topics,
    dev_records,
    produce,
    read_all,
)

pytestmark = pytest.mark.integration

SAMPLE_RATE = 0.5
# Templated texts that repeat exactly (log lines, notifications): the cache's traffic.
REPEATED = [
    "Password reset requested for user jdoe from 10.1.2.3",
    "Your parcel for Maria Garcia ships today.",
    "Login failed for alice@example.com",
]


@functools.cache
def adapted_engine() -> DetectionEngine:
    return DetectionEngine.load(DetectorConfig(model_variant="adapted"))


@functools.cache
def base_shadow() -> DetectionEngine:
    live = adapted_engine()
    return load_shadow_engine(live, shadow_config(live.config, model_variant="base"))


def values() -> list[bytes]:
    dev = [row["text"] for _, row in dev_records(40)]
    out: list[bytes] = []
    for i, text in enumerate(dev):
        out.append(text.encode())
        out.append(REPEATED[i % len(REPEATED)].encode())
    return out


class CrashingShadow:
    """A shadow whose model fails on every batch, with text in its message."""

    model_name = "crashing"
    model_sha256 = "0" * 64

    def detect_batch(self, texts: Any) -> Any:
        raise RuntimeError(f"shadow model crashed on {texts[0]!r}")


async def run_worker(
    bootstrap: str,
    topics: Topics,
    keyring: KeyRing,
    n: int,
    shadow: Any = None,
    **extra: Any,
) -> dict[str, Any]:
    settings = Settings(
        kafka_bootstrap=bootstrap,
        input_topics=[topics.input],
        audit_topic=topics.audit,
        dlq_topic=topics.dlq,
        group_id=f"{topics.input}-g",
        metrics_port=0,
        batch_size=16,
        **extra,
    )
    metrics = WorkerMetrics()
    if shadow is None and settings.shadow_sample_rate > 0:
        shadow = base_shadow()
    worker = build_worker(
        settings,
        engine=adapted_engine(),
        shadow_engine=shadow,
        keyring=keyring,
        metrics=metrics,
    )
    task = asyncio.create_task(worker.run())
    try:
        outputs = await read_all(bootstrap, topics.output, expect=n, timeout=240)
        audits = await read_all(bootstrap, topics.audit, expect=n, timeout=60)
        assert not task.done(), "worker stopped early"
    finally:
        worker.stop()
        await asyncio.wait_for(task, 60)
    return {"outputs": outputs, "audits": audits, "metrics": metrics}


async def scenario(bootstrap: str) -> dict[str, Any]:
    keyring = KeyRing.generate()
    payload = values()
    runs: dict[str, Any] = {}
    for name, extra in (
        ("plain", {"detect_cache_size": 0}),
        ("shadowed", {"detect_cache_size": 1000, "shadow_sample_rate": SAMPLE_RATE}),
        ("failing", {"shadow_sample_rate": 1.0, "shadow": CrashingShadow()}),
    ):
        topics = Topics.fresh(f"shadow-{name}")
        await create_topics(bootstrap, topics)
        try:
            await produce(
                bootstrap, topics.input, [(f"k{i}".encode(), v) for i, v in enumerate(payload)]
            )
            runs[name] = await run_worker(bootstrap, topics, keyring, len(payload), **extra)
            runs[name]["topics"] = topics
            if name == "shadowed":
                # the command runs its own event loop: in a thread, as from a shell
                runs[name]["report"] = await asyncio.to_thread(
                    CliRunner().invoke,
                    main,
                    [
                        "audit",
                        "report",
                        "--bootstrap",
                        bootstrap,
                        "--topic",
                        topics.audit,
                        "--format",
                        "json",
                    ],
                )
        finally:
            await delete_topics(bootstrap, topics)
    runs["keyring"] = keyring
    runs["n"] = len(payload)
    return runs


@pytest.fixture(scope="module")
def runs(kafka_bootstrap: str) -> dict[str, Any]:
    return asyncio.run(scenario(kafka_bootstrap))


def by_offset(records: list[Any]) -> dict[int, tuple[Any, ...]]:
    return {r.offset: (r.key, r.value, tuple(r.headers), r.partition) for r in records}


def test_outputs_are_byte_identical_with_shadow_and_cache(runs: dict[str, Any]) -> None:
    plain, shadowed = by_offset(runs["plain"]["outputs"]), by_offset(runs["shadowed"]["outputs"])
    assert len(plain) == runs["n"]
    assert plain == shadowed
    for name in ("plain", "shadowed"):
        events = [json.loads(a.value) for a in runs[name]["audits"]]
        assert {e["outcome"] for e in events} <= {"masked", "clean"}


def test_sampled_records_carry_the_shadows_agreement_in_their_audit_event(
    runs: dict[str, Any],
) -> None:
    sampler = Sampler(runs["keyring"].hmac_key(SAMPLE_PURPOSE), SAMPLE_RATE)
    topic = runs["shadowed"]["topics"].input
    events = [json.loads(a.value) for a in runs["shadowed"]["audits"]]
    with_shadow = {e["source_offset"]: e["shadow"] for e in events if "shadow" in e}
    expected = {
        e["source_offset"] for e in events if sampler.sampled(f"{topic}:0:{e['source_offset']}")
    }
    assert set(with_shadow) == expected
    assert 0.3 * runs["n"] < len(expected) < 0.7 * runs["n"]
    shadow_model = base_shadow().model_name
    for shadow in with_shadow.values():
        assert shadow["status"] == "compared"
        assert shadow["model_name"] == shadow_model
        assert shadow["model_sha256"] == base_shadow().model_sha256
    rows = [row for s in with_shadow.values() for row in s["agreement"]]
    assert sum(r["both"] for r in rows) > 0
    # the live event is the adapter's: its findings and model are unchanged by the shadow
    assert all(e["model_name"] == adapted_engine().model_name for e in events)
    plain_events = {
        json.loads(a.value)["source_offset"]: json.loads(a.value) for a in runs["plain"]["audits"]
    }
    for e in events:
        plain_event = plain_events[e["source_offset"]]
        assert without_scores(e["findings"]) == without_scores(plain_event["findings"])
        # a score may differ in the 8th decimal when batches are cut differently (onnxruntime's
        # float sums depend on the padded width), with or without a cache
        for a, b in zip(e["findings"], plain_event["findings"], strict=True):
            assert a["score"] == pytest.approx(b["score"], abs=1e-6)
        assert "shadow" not in plain_event


def without_scores(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in f.items() if k != "score"} for f in findings]


def test_metrics_count_shadow_agreement_and_cache_hits(runs: dict[str, Any]) -> None:
    metrics: WorkerMetrics = runs["shadowed"]["metrics"]
    events = [json.loads(a.value) for a in runs["shadowed"]["audits"]]
    sampled = sum("shadow" in e for e in events)

    def value(name: str, **labels: str) -> float:
        return metrics.registry.get_sample_value(name, labels) or 0.0

    assert value("piimask_shadow_records_total", result="compared") == sampled
    assert value("piimask_shadow_records_total", result="failed") == 0
    spans = {
        agreement: sum(
            row[agreement] for e in events if "shadow" in e for row in e["shadow"]["agreement"]
        )
        for agreement in ("both", "live_only", "shadow_only")
    }
    for agreement, n in spans.items():
        exported = sum(
            s.value
            for family in metrics.registry.collect()
            if family.name == "piimask_shadow_spans"
            for s in family.samples
            if s.name.endswith("_total") and s.labels["agreement"] == agreement
        )
        assert exported == n, agreement
    # each distinct text is detected once (a miss); later batches find the repeated ones
    distinct = len({v for v in values()})
    assert value("piimask_detect_cache_lookups_total", result="hit") > 0
    assert value("piimask_detect_cache_lookups_total", result="miss") <= distinct
    plain = runs["plain"]["metrics"]
    assert (
        plain.registry.get_sample_value("piimask_detect_cache_lookups_total", {"result": "hit"})
        is None
    )


def test_audit_report_summarises_the_shadow_agreement(runs: dict[str, Any]) -> None:
    result = runs["shadowed"]["report"]
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    (shadow,) = report["shadow"]
    events = [json.loads(a.value) for a in runs["shadowed"]["audits"]]
    assert shadow["records"] == sum("shadow" in e for e in events)
    assert shadow["model_name"] == base_shadow().model_name
    assert shadow["by_entity_type"]
    assert 0.0 <= shadow["total"]["agreement"] <= 1.0


def test_a_failing_shadow_changes_no_record_and_is_counted(runs: dict[str, Any]) -> None:
    assert by_offset(runs["failing"]["outputs"]) == by_offset(runs["plain"]["outputs"])
    events = [json.loads(a.value) for a in runs["failing"]["audits"]]
    assert len(events) == runs["n"]
    assert {e["outcome"] for e in events} <= {"masked", "clean"}  # none dead-lettered
    assert all(e["shadow"]["status"] == "failed" for e in events)
    assert all(e["shadow"]["agreement"] == [] for e in events)
    metrics: WorkerMetrics = runs["failing"]["metrics"]
    failed = metrics.registry.get_sample_value("piimask_shadow_records_total", {"result": "failed"})
    assert failed == runs["n"]
