"""The recognizer registry: built-in recognizers enabled by name, custom regex recognizers."""

from __future__ import annotations

from pathlib import Path

import pytest

from piimask.custom_recognizers import (
    CustomRecognizerSpec,
    RecognizerConfigError,
    load_custom_recognizers,
)
from piimask.detect.config import DetectorConfig
from piimask.detect.patterns import RECOGNIZERS, RecognizerRegistry, RegexRecognizer
from piimask.settings import Settings

EMPLOYEE = CustomRecognizerSpec(
    name="EMPLOYEE_ID", entity_type="EMPLOYEE_ID", pattern=r"\bEMP-\d{6}\b", score=0.9
)


def test_every_recognizer_name_is_the_entity_type_it_reports() -> None:
    for name, factory in RECOGNIZERS.items():
        assert factory().name == name
    assert "DRIVER_LICENSE" in RECOGNIZERS
    assert RECOGNIZERS["DRIVER_LICENSE"]().entity_type == "DRIVER_LICENSE"


@pytest.mark.parametrize(
    ("enabled", "disabled", "expected"),
    [
        (None, (), tuple(RECOGNIZERS)),
        (["US_SSN", "EMAIL_ADDRESS"], (), ("EMAIL_ADDRESS", "US_SSN")),
        (
            None,
            ["ZIP_CODE", "DATE_TIME"],
            tuple(n for n in RECOGNIZERS if n not in {"ZIP_CODE", "DATE_TIME"}),
        ),
        (["US_SSN"], ["US_SSN"], ()),
    ],
)
def test_recognizers_are_enabled_and_disabled_by_name(
    enabled: list[str] | None, disabled: list[str], expected: tuple[str, ...]
) -> None:
    assert RecognizerRegistry.build(enabled, disabled=disabled).names == expected


@pytest.mark.parametrize(
    ("enabled", "disabled", "custom"),
    [
        (["NOPE"], (), ()),
        (None, ["US_DRIVER_LICENSE"], ()),
        (None, (), [EMPLOYEE, EMPLOYEE]),
        (None, (), [EMPLOYEE.model_copy(update={"name": "US_SSN"})]),
    ],
)
def test_unknown_or_repeated_recognizer_names_are_configuration_errors(
    enabled: list[str] | None, disabled: list[str], custom: list[CustomRecognizerSpec]
) -> None:
    with pytest.raises(RecognizerConfigError):
        RecognizerRegistry.build(enabled, disabled=disabled, custom=custom)


def test_custom_recognizers_run_after_the_built_in_ones() -> None:
    registry = RecognizerRegistry.build(["EMAIL_ADDRESS"], custom=[EMPLOYEE])
    assert registry.names == ("EMAIL_ADDRESS", "EMPLOYEE_ID")
    spans = registry.find("EMP-123456 writes from ann.lee@example.com")
    assert [(s.entity_type, s.detector) for s in spans] == [
        ("EMPLOYEE_ID", "pattern:EMPLOYEE_ID"),
        ("EMAIL_ADDRESS", "pattern:EMAIL_ADDRESS"),
    ]
    assert spans[0].score == 0.9


@pytest.mark.parametrize(
    ("spec", "text", "found"),
    [
        ({}, "id EMP-123456.", ["EMP-123456"]),
        ({}, "id EMP-1234567.", []),
        ({"context": ["employee"]}, "employee EMP-123456", ["EMP-123456"]),
        ({"context": ["employee"]}, "part EMP-123456", []),
        ({"context": ["staff id"]}, "Staff ID: EMP-123456", ["EMP-123456"]),
        (
            {"pattern": r"\b\d{4} ?\d{4} ?\d{4} ?\d{4}\b", "validator": "luhn"},
            "4111 1111 1111 1111",
            ["4111 1111 1111 1111"],
        ),
        (
            {"pattern": r"\b\d{4} ?\d{4} ?\d{4} ?\d{4}\b", "validator": "luhn"},
            "4111 1111 1111 1112",
            [],
        ),
        (
            {"pattern": r"\bDE\d{20}\b", "validator": "iban"},
            "DE89370400440532013000",
            ["DE89370400440532013000"],
        ),
        ({"pattern": r"\bDE\d{20}\b", "validator": "iban"}, "DE89370400440532013001", []),
    ],
)
def test_a_custom_recognizer_reports_matches_that_validate_and_have_context(
    spec: dict[str, object], text: str, found: list[str]
) -> None:
    recognizer = RegexRecognizer(EMPLOYEE.model_copy(update=spec))
    if "pattern" in spec or "validator" in spec:
        recognizer = RegexRecognizer(
            CustomRecognizerSpec.model_validate({**EMPLOYEE.model_dump(), **spec})
        )
    assert [text[s.start : s.end] for s in recognizer.find(text)] == found


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            "recognizers:\n  - {name: X, entity_type: X, pattern: '('}\n",
            "invalid regular expression",
        ),
        (
            "recognizers:\n  - {name: X, entity_type: X, pattern: 'a*'}\n",
            "matches the empty string",
        ),
        ("recognizers:\n  - {name: x, entity_type: X, pattern: 'a'}\n", "recognizers.0.name"),
        ("recognizers:\n  - {name: X, entity_type: X, pattern: 'a', colour: red}\n", "colour"),
        ("recognizers: [\n", "not valid YAML"),
    ],
)
def test_a_bad_custom_recognizer_file_names_the_problem(
    tmp_path: Path, yaml_text: str, message: str
) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(RecognizerConfigError, match=message):
        load_custom_recognizers(path)


def test_a_missing_custom_recognizer_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(RecognizerConfigError, match="cannot read"):
        load_custom_recognizers(tmp_path / "missing.yaml")


def test_the_file_adds_to_the_recognizers_declared_in_the_settings(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("recognizers:\n  - {name: BADGE, entity_type: BADGE, pattern: 'B-\\d{4}'}\n")
    config = DetectorConfig(custom_recognizers=(EMPLOYEE,), custom_recognizers_file=path)
    assert [s.name for s in config.all_custom_recognizers()] == ["EMPLOYEE_ID", "BADGE"]


def test_every_detector_knob_is_a_setting_with_the_same_default() -> None:
    assert set(DetectorConfig.model_fields) <= set(Settings.model_fields)
    assert DetectorConfig.from_settings(Settings()) == DetectorConfig()


def test_detector_knobs_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIIMASK_MIN_SCORES", '{"DATE_TIME": 0.6}')
    monkeypatch.setenv("PIIMASK_DISABLED_RECOGNIZERS", '["ZIP_CODE"]')
    monkeypatch.setenv("PIIMASK_PHONE_REGIONS", '["GB"]')
    monkeypatch.setenv(
        "PIIMASK_CUSTOM_RECOGNIZERS",
        '[{"name": "EMPLOYEE_ID", "entity_type": "EMPLOYEE_ID", "pattern": "EMP-\\\\d{6}"}]',
    )
    config = DetectorConfig.from_settings(Settings())
    assert config.min_scores == {"DATE_TIME": 0.6}
    assert config.disabled_recognizers == frozenset({"ZIP_CODE"})
    assert config.phone_regions == ("GB",)
    assert config.custom_recognizers[0].pattern == "EMP-\\d{6}"
