from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, generate_latest

from piimask.ops.metrics import WorkerMetrics, detector_label, label


@dataclass(frozen=True)
class FakeMask:
    entity_type: str
    operator: str
    masked: bool
    score: float = 0.9
    detector: str = "model"


def value(metrics: WorkerMetrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


@pytest.fixture
def metrics() -> WorkerMetrics:
    return WorkerMetrics(CollectorRegistry())


def test_records_in_counts_by_topic(metrics: WorkerMetrics) -> None:
    metrics.records_in("orders", 3)
    metrics.records_in("orders", 2)
    assert value(metrics, "piimask_records_in_total", topic="orders") == 5


@pytest.mark.parametrize("outcome", ["masked", "clean", "tombstone"])
def test_outcome_counts_without_dead_letter_reason(metrics: WorkerMetrics, outcome: str) -> None:
    metrics.outcome(outcome, 4)  # type: ignore[arg-type]
    assert value(metrics, "piimask_records_total", outcome=outcome) == 4
    assert "piimask_dead_letters_total{" not in generate_latest(metrics.registry).decode()


def test_dead_letters_count_by_reason(metrics: WorkerMetrics) -> None:
    metrics.outcome("dead_lettered", reason="invalid_json")
    metrics.outcome("dead_lettered", 2, reason="invalid_json")
    metrics.outcome("dead_lettered")
    assert value(metrics, "piimask_records_total", outcome="dead_lettered") == 4
    assert value(metrics, "piimask_dead_letters_total", reason="invalid_json") == 3
    assert value(metrics, "piimask_dead_letters_total", reason="unknown") == 1


def test_findings_count_by_entity_type_operator_and_masked(metrics: WorkerMetrics) -> None:
    metrics.findings(
        [
            FakeMask("EMAIL_ADDRESS", "replace", True),
            FakeMask("EMAIL_ADDRESS", "replace", True),
            FakeMask("PERSON", "keep", False),
        ]
    )
    assert (
        value(
            metrics,
            "piimask_findings_total",
            entity_type="EMAIL_ADDRESS",
            operator="replace",
            masked="true",
        )
        == 2
    )
    assert (
        value(
            metrics, "piimask_findings_total", entity_type="PERSON", operator="keep", masked="false"
        )
        == 1
    )


def test_histograms_record_latencies_batches_and_windows(metrics: WorkerMetrics) -> None:
    metrics.observe_detect(0.02, windows=7)
    metrics.observe_mask(0.001)
    metrics.observe_end_to_end(0.5)
    metrics.observe_batch(32)
    assert value(metrics, "piimask_detect_seconds_count") == 1
    assert value(metrics, "piimask_model_windows_sum") == 7
    assert value(metrics, "piimask_mask_seconds_count") == 1
    assert value(metrics, "piimask_end_to_end_seconds_sum") == 0.5
    assert value(metrics, "piimask_batch_size_sum") == 32


def test_end_to_end_latency_clamps_clock_skew_to_zero(metrics: WorkerMetrics) -> None:
    metrics.observe_end_to_end(-3.0)
    assert value(metrics, "piimask_end_to_end_seconds_sum") == 0


def test_lag_is_set_per_partition_and_removed_on_revoke(metrics: WorkerMetrics) -> None:
    metrics.set_lag("in", 0, 12)
    metrics.set_lag("in", 1, 0)
    assert value(metrics, "piimask_consumer_lag", topic="in", partition="0") == 12
    metrics.remove_lag("in", 0)
    metrics.remove_lag("in", 7)
    assert value(metrics, "piimask_consumer_lag", topic="in", partition="0") is None
    assert value(metrics, "piimask_consumer_lag", topic="in", partition="1") == 0


def test_policy_info_exposes_version_and_hash(metrics: WorkerMetrics) -> None:
    metrics.set_policy("2024-06-01", "ab" * 32)
    metrics.set_policy("2024-07-01", "cd" * 32)
    assert value(metrics, "piimask_policy_info", version="2024-07-01", sha256="cd" * 32) == 1
    assert value(metrics, "piimask_policy_info", version="2024-06-01", sha256="ab" * 32) is None


def test_broker_up_follows_the_last_probe_result(metrics: WorkerMetrics) -> None:
    metrics.set_broker_up(True)
    assert value(metrics, "piimask_broker_up") == 1
    metrics.set_broker_up(False)
    assert value(metrics, "piimask_broker_up") == 0


def test_policy_reloads_count_by_result(metrics: WorkerMetrics) -> None:
    metrics.policy_reload(True)
    metrics.policy_reload(False)
    metrics.policy_reload(False)
    assert value(metrics, "piimask_policy_reloads_total", result="rejected") == 2


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CREDIT_CARD", "CREDIT_CARD"),
        ("orders.v1-eu", "orders.v1-eu"),
        ("pattern:IBAN", "pattern:IBAN"),
        (None, "none"),
        ("", "none"),
        ("john@example.com", "other"),
        ("call me at 555 0100", "other"),
        ("x" * 65, "other"),
    ],
)
def test_label_keeps_identifiers_and_replaces_anything_else(raw: str | None, expected: str) -> None:
    assert label(raw) == expected


@given(st.text(min_size=1))
def test_label_never_exports_text_with_spaces_or_at_signs(raw: str) -> None:
    out = label(raw)
    assert " " not in out
    assert "@" not in out
    assert len(out) <= 64


def test_content_like_labels_never_reach_the_exposition(metrics: WorkerMetrics) -> None:
    metrics.outcome("dead_lettered", reason="bad value 4111 1111 1111 1111")
    metrics.findings([FakeMask("jane.doe@example.com", "replace", True)])
    # *_created samples are timestamps, whose digits may happen to read "4111".
    lines = generate_latest(metrics.registry).decode().splitlines()
    text = "\n".join(line for line in lines if "_created" not in line)
    assert "4111" not in text
    assert "jane.doe" not in text


@pytest.mark.parametrize(
    ("topic", "expected"),
    [("t" * 249, "t" * 249), ("orders.eu-1_v2", "orders.eu-1_v2"), ("bad topic", "other")],
)
def test_topic_labels_keep_any_valid_kafka_topic_name(
    metrics: WorkerMetrics, topic: str, expected: str
) -> None:
    metrics.records_in(topic, 1)
    assert value(metrics, "piimask_records_in_total", topic=expected) == 1


def test_each_finding_lands_in_the_score_histogram_of_its_type_and_detector_families(
    metrics: WorkerMetrics,
) -> None:
    metrics.findings(
        [
            FakeMask("PERSON", "replace", True, 0.93, "model+ner:en_core_web_sm"),
            FakeMask("PERSON", "replace", False, 0.2, "ner:en_core_web_sm"),
            FakeMask("EMAIL_ADDRESS", "hash", True, 1.0, "pattern:EMAIL_ADDRESS"),
        ]
    )
    both = {"entity_type": "PERSON", "detector": "model+ner"}
    assert value(metrics, "piimask_finding_score_count", **both) == 1
    assert value(metrics, "piimask_finding_score_bucket", **both, le="0.9") == 0
    assert value(metrics, "piimask_finding_score_bucket", **both, le="0.95") == 1
    lone = {"entity_type": "PERSON", "detector": "ner"}
    assert value(metrics, "piimask_finding_score_bucket", **lone, le="0.3") == 1
    email = {"entity_type": "EMAIL_ADDRESS", "detector": "pattern"}
    assert value(metrics, "piimask_finding_score_sum", **email) == 1.0


@pytest.mark.parametrize(
    ("detector", "expected"),
    [
        ("model", "model"),
        ("ner:en_core_web_sm+model", "model+ner"),
        ("pattern:EMAIL_ADDRESS", "pattern"),
        ("gazetteer:PLACE", "gazetteer"),
        ("", "none"),
        ("a b c:x", "other"),
    ],
)
def test_the_detector_label_keeps_detector_families_only(detector: str, expected: str) -> None:
    assert detector_label(detector) == expected
