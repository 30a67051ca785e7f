"""Shadow detection: agreement counting, deterministic sampling, a runner that never raises."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from pydantic import ValidationError

from piimask.detect.config import DetectorConfig
from piimask.detect.shadow import (
    MAX_TYPES,
    OTHER_TYPE,
    Sampler,
    ShadowResult,
    ShadowRunner,
    TypeAgreement,
    bounded_agreement,
    count_agreement,
    shadow_config,
)
from piimask.spans import Span

KEY = b"k" * 32


def s(start: int, end: int, entity: str = "PERSON") -> Span:
    return Span(start, end, entity)


@pytest.mark.parametrize(
    ("live", "shadow", "expected"),
    [
        ([], [], {}),
        ([s(0, 4)], [s(0, 4)], {"PERSON": [1, 0, 0]}),
        ([s(0, 4)], [s(2, 8)], {"PERSON": [1, 0, 0]}),  # other boundaries still agree
        ([s(0, 4)], [], {"PERSON": [0, 1, 0]}),
        ([], [s(0, 4)], {"PERSON": [0, 0, 1]}),
        ([s(0, 4)], [s(0, 4, "LOCATION")], {"PERSON": [0, 1, 0], "LOCATION": [0, 0, 1]}),
        ([s(0, 4)], [s(5, 9)], {"PERSON": [0, 1, 1]}),  # no overlap
        # one wide live span meets two shadow spans: one pair, one shadow span left over
        ([s(0, 10)], [s(0, 4), s(6, 10)], {"PERSON": [1, 0, 1]}),
        (
            [s(0, 4), s(10, 20, "EMAIL_ADDRESS")],
            [s(0, 4), s(10, 20, "EMAIL_ADDRESS"), s(30, 35)],
            {"PERSON": [1, 0, 1], "EMAIL_ADDRESS": [1, 0, 0]},
        ),
    ],
)
def test_spans_agree_when_same_type_and_overlapping_each_matched_once(
    live: list[Span], shadow: list[Span], expected: dict[str, list[int]]
) -> None:
    counts: dict[str, list[int]] = {}
    count_agreement(live, shadow, counts)
    assert counts == expected


def test_agreement_lists_at_most_max_types_and_counts_the_rest_under_other() -> None:
    counts = {f"T{i:03d}": [1, 0, 0] for i in range(MAX_TYPES + 5)}
    rows = bounded_agreement(counts)
    assert len(rows) == MAX_TYPES + 1
    (other,) = [r for r in rows if r.entity_type == OTHER_TYPE]
    assert other.both == 5


def test_sampling_is_deterministic_keyed_and_close_to_the_rate() -> None:
    keys = [f"orders:{p}:{o}" for p in range(3) for o in range(3000)]
    sampler = Sampler(KEY, 0.1)
    chosen = {k for k in keys if sampler.sampled(k)}
    assert chosen == {k for k in keys if Sampler(KEY, 0.1).sampled(k)}
    assert 0.08 < len(chosen) / len(keys) < 0.12
    other_key = {k for k in keys if Sampler(b"x" * 32, 0.1).sampled(k)}
    assert other_key != chosen


@pytest.mark.parametrize(("rate", "expected"), [(0.0, 0), (1.0, 500)])
def test_rate_zero_samples_nothing_and_one_samples_everything(rate: float, expected: int) -> None:
    sampler = Sampler(KEY, rate)
    assert sum(sampler.sampled(f"t:0:{o}") for o in range(500)) == expected


class Fixed:
    """A detector that returns given spans per text (or raises)."""

    def __init__(self, spans: Mapping[str, list[Span]], fail: bool = False) -> None:
        self.spans = spans
        self.fail = fail
        self.calls: list[list[str]] = []

    def detect_batch(self, texts: Sequence[str]) -> list[list[Span]]:
        self.calls.append(list(texts))
        if self.fail:
            raise RuntimeError("shadow model crashed on 'Jane Doe'")
        return [list(self.spans.get(t, [])) for t in texts]


class Seen:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int, dict[tuple[str, str], int]]] = []

    def observe_shadow(
        self,
        *,
        compared: int,
        failed: int,
        spans: Mapping[tuple[str, str], int],
        seconds: float,
    ) -> None:
        assert seconds >= 0
        self.calls.append((compared, failed, dict(spans)))


def runner(detector: Fixed, observer: Seen | None = None) -> ShadowRunner:
    return ShadowRunner(
        detector,
        model_name="rampart",
        model_sha256="ab" * 32,
        sampler=Sampler(KEY, 1.0),
        observer=observer,
    )


def test_runner_compares_each_record_over_all_its_texts_in_one_call() -> None:
    shadow = Fixed({"Ann here": [s(0, 3)], "key Bob": [s(4, 7), s(0, 3, "LOCATION")]})
    seen = Seen()
    results = runner(shadow, seen).compare(
        [["Ann here", "key Bob"], ["Ann here"]],
        [[[s(0, 3)], [s(4, 7)]], [[]]],
    )
    assert shadow.calls == [["Ann here", "key Bob"]]
    assert results == [
        ShadowResult(
            "rampart",
            "ab" * 32,
            False,
            (TypeAgreement("LOCATION", 0, 0, 1), TypeAgreement("PERSON", 2, 0, 0)),
        ),
        ShadowResult("rampart", "ab" * 32, False, (TypeAgreement("PERSON", 0, 0, 1),)),
    ]
    assert seen.calls == [
        (
            2,
            0,
            {("LOCATION", "shadow_only"): 1, ("PERSON", "both"): 2, ("PERSON", "shadow_only"): 1},
        )
    ]


def test_a_failing_shadow_marks_its_records_failed_logs_no_text_and_never_raises(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen = Seen()
    results = runner(Fixed({}, fail=True), seen).compare([["Jane Doe"], ["x"]], [[[]], [[]]])
    assert [r.failed for r in results] == [True, True]
    assert all(r.agreement == () for r in results)
    assert seen.calls == [(0, 2, {})]
    assert "Jane" not in caplog.text
    assert any(getattr(r, "error", None) == "RuntimeError" for r in caplog.records)


def test_a_shadow_returning_the_wrong_number_of_results_counts_as_failed() -> None:
    class Short(Fixed):
        def detect_batch(self, texts: Sequence[str]) -> list[list[Span]]:
            return []

    (result,) = runner(Short({})).compare([["a"]], [[[]]])
    assert result.failed


@pytest.mark.parametrize(
    ("live", "options", "expected"),
    [
        (
            DetectorConfig(model_variant="adapted"),
            {"model_variant": "base"},
            {"model_variant": "base"},
        ),
        (
            DetectorConfig(adapter_path=Path("a.npz")),
            {"model_dir": Path("/m")},
            {
                "model_dir": Path("/m"),
                "adapter_path": None,
                "model_variant": DetectorConfig.model_fields["model_variant"].default,
            },
        ),
        (
            DetectorConfig(ner_enabled=False),
            {"ner_model": "en_core_web_md"},
            {"ner_enabled": True, "ner_model": "en_core_web_md"},
        ),
        (DetectorConfig(), {"ner_enabled": False}, {"ner_enabled": False}),
        (
            DetectorConfig(),
            {"overrides": {"min_scores": {"PERSON": 0.6}}},
            {"min_scores": {"PERSON": 0.6}},
        ),
        (DetectorConfig(min_score=0.5), {}, {"min_score": 0.5}),
        (
            DetectorConfig(),
            {"overrides": {"thresholds_file": "thresholds.yaml"}},
            {"thresholds_file": Path("thresholds.yaml")},
        ),
    ],
)
def test_shadow_config_is_the_live_one_with_the_shadow_settings_on_top(
    live: DetectorConfig, options: dict[str, object], expected: dict[str, object]
) -> None:
    config = shadow_config(live, **options)  # type: ignore[arg-type]
    for name, value in expected.items():
        assert getattr(config, name) == value
    unchanged = (
        set(DetectorConfig.model_fields)
        - set(expected)
        - {"adapter_path", "model_variant", "model_dir", "ner_enabled", "ner_model"}
    )
    assert all(getattr(config, f) == getattr(live, f) for f in unchanged)


@pytest.mark.parametrize(
    "overrides",
    [{"no_such_setting": 1}, {"min_score": 7}, {"window_overlap": 30}],
)
def test_invalid_shadow_overrides_are_refused(overrides: dict[str, object]) -> None:
    with pytest.raises((ValueError, ValidationError)):
        shadow_config(DetectorConfig(), overrides=overrides)  # type: ignore[arg-type]
