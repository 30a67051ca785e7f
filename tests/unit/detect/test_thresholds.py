"""The thresholds file: format, loading errors, and the score gate the engine applies."""

from pathlib import Path

import pytest

from piimask.detect.config import DetectorConfig
from piimask.detect.thresholds import (
    ScoreCalibration,
    ScoreGate,
    ScoreMap,
    ThresholdsError,
    ThresholdsFile,
    dump_thresholds,
    floor_score,
    load_thresholds,
)
from piimask.settings import Settings
from piimask.spans import Span

MAP = ScoreMap(raw=[0.2, 0.6], calibrated=[0.1, 0.9], spans=40)


@pytest.mark.parametrize(
    ("raw", "calibrated"),
    [(0.0, 0.1), (0.2, 0.1), (0.4, 0.5), (0.6, 0.9), (1.0, 0.9)],
)
def test_a_score_map_interpolates_between_its_points_and_is_flat_beyond(
    raw: float, calibrated: float
) -> None:
    assert MAP(raw) == pytest.approx(calibrated)


@pytest.mark.parametrize(
    "points",
    [
        {"raw": [0.5, 0.4], "calibrated": [0.1, 0.2]},
        {"raw": [0.4, 0.5], "calibrated": [0.3, 0.2]},
        {"raw": [0.4], "calibrated": [0.3, 0.2]},
    ],
)
def test_a_score_map_must_be_monotone(points: dict[str, list[float]]) -> None:
    with pytest.raises(ValueError, match=r"raw|calibrated"):
        ScoreMap.model_validate({**points, "spans": 1})


def test_the_gate_calibrates_then_applies_the_files_minimum_over_the_settings() -> None:
    thresholds = ThresholdsFile(
        min_score=0.5,
        min_scores={"PERSON": 0.4},
        calibration=ScoreCalibration(maps={"model": {"PERSON": MAP}}),
    )
    gate = ScoreGate.build(0.35, {"PERSON": 0.9, "ZIP_CODE": 0.8}, thresholds)
    assert (gate.minimum("PERSON"), gate.minimum("ZIP_CODE"), gate.minimum("URL")) == (
        0.4,
        0.8,
        0.5,
    )
    kept = gate.keep([Span(0, 3, "PERSON", 0.4, "model"), Span(4, 7, "PERSON", 0.3, "model")])
    assert [(s.start, round(s.score, 4)) for s in kept] == [(0, 0.5)]


def test_without_a_file_the_gate_is_the_min_score_settings() -> None:
    gate = ScoreGate.build(0.35, {"PERSON": 0.6})
    spans = [Span(0, 1, "PERSON", 0.5), Span(2, 3, "URL", 0.4)]
    assert gate.keep(spans) == [spans[1]]


def test_a_written_file_loads_back_as_is(tmp_path: Path) -> None:
    thresholds = ThresholdsFile(
        min_score=0.35,
        min_scores={"PERSON": 0.48},
        calibration=ScoreCalibration(maps={"*": {"PERSON": MAP}}),
        fitted={"target_recall": 0.98, "records": 750},
    )
    path = tmp_path / "thresholds.yaml"
    path.write_text(dump_thresholds(thresholds, "made by a test\n\nsecond line"), encoding="utf-8")
    assert path.read_text(encoding="utf-8").startswith("# made by a test\n#\n# second line\n")
    assert load_thresholds(path) == thresholds


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("min_scores: {PERSON: 1.5}\n", "min_scores.PERSON"),
        ("min_scores: {person: 0.5}\n", "min_scores.person"),
        ("unknown: 1\n", "unknown"),
        ("min_scores: [\n", "not YAML"),
        ("version: 2\n", "version"),
    ],
)
def test_a_bad_file_is_an_error_naming_the_field(tmp_path: Path, text: str, names: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ThresholdsError, match=names):
        load_thresholds(path)


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ThresholdsError, match=r"t\.yaml"):
        load_thresholds(tmp_path / "t.yaml")


@pytest.mark.parametrize(("value", "floored"), [(0.48449, 0.4844), (0.5, 0.5), (1.0, 1.0)])
def test_thresholds_are_rounded_down_so_no_span_at_the_score_is_lost(
    value: float, floored: float
) -> None:
    assert floor_score(value) == floored


def test_the_setting_reaches_the_detector_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.yaml"
    monkeypatch.setenv("PIIMASK_THRESHOLDS_FILE", str(path))
    assert DetectorConfig.from_settings(Settings()).thresholds_file == path
