"""Metrics of the repeated-text cache and the shadow detector."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest

from piimask.ops.metrics import WorkerMetrics


def value(metrics: WorkerMetrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def test_cache_lookups_evictions_and_size_are_exported() -> None:
    metrics = WorkerMetrics(CollectorRegistry())
    metrics.observe_cache(hits=3, misses=2, evicted=0, entries=2)
    metrics.observe_cache(hits=5, misses=1, evicted=1, entries=2)
    assert value(metrics, "piimask_detect_cache_lookups_total", result="hit") == 8
    assert value(metrics, "piimask_detect_cache_lookups_total", result="miss") == 3
    assert value(metrics, "piimask_detect_cache_evictions_total") == 1
    assert value(metrics, "piimask_detect_cache_entries") == 2


def test_shadow_records_and_spans_by_type_and_agreement_are_exported() -> None:
    metrics = WorkerMetrics(CollectorRegistry())
    metrics.observe_shadow(
        compared=4,
        failed=1,
        spans={("PERSON", "both"): 3, ("PERSON", "shadow_only"): 1, ("no such type!", "both"): 2},
        seconds=0.02,
    )
    assert value(metrics, "piimask_shadow_records_total", result="compared") == 4
    assert value(metrics, "piimask_shadow_records_total", result="failed") == 1
    assert value(metrics, "piimask_shadow_spans_total", entity_type="PERSON", agreement="both") == 3
    assert (
        value(metrics, "piimask_shadow_spans_total", entity_type="PERSON", agreement="shadow_only")
        == 1
    )
    # a label that is not an identifier never becomes a series name
    assert value(metrics, "piimask_shadow_spans_total", entity_type="other", agreement="both") == 2
    assert "no such type" not in generate_latest(metrics.registry).decode()
    assert value(metrics, "piimask_shadow_seconds_count") == 1
