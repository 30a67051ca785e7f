"""One loader for settings, key ring and policy; one error style: the setting, never its value."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from piimask.cli import main
from piimask.keys import KeyRing, KeyRingError
from piimask.loaders import LoadError, load_keyring, load_policy, load_settings

SECRET = "hunter2-not-a-number"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("PIIMASK_"):
            monkeypatch.delenv(name)


def test_invalid_settings_name_the_field_and_never_the_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PIIMASK_BATCH_SIZE", SECRET)
    with pytest.raises(LoadError) as info:
        load_settings()
    assert str(info.value).startswith("settings: batch_size:")
    assert SECRET not in str(info.value)


def test_command_line_overrides_win_and_none_means_not_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PIIMASK_KAFKA_BOOTSTRAP", "env:9092")
    assert load_settings(kafka_bootstrap="cli:9092").kafka_bootstrap == "cli:9092"
    assert load_settings(kafka_bootstrap=None).kafka_bootstrap == "env:9092"


def test_settings_come_from_an_env_file_under_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / "piimask.env"
    env_file.write_text("PIIMASK_DLQ_TOPIC=from-file\nPIIMASK_AUDIT_TOPIC=from-file\n")
    monkeypatch.setenv("PIIMASK_AUDIT_TOPIC", "from-env")
    settings = load_settings(env_file)
    assert (settings.dlq_topic, settings.audit_topic) == ("from-file", "from-env")


def test_a_key_file_is_used_whatever_the_environment_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ring = KeyRing.generate("k7")
    path = tmp_path / "ring.json"
    path.write_text(ring.to_json())
    monkeypatch.setenv("PIIMASK_BATCH_SIZE", SECRET)  # invalid settings are never read
    assert load_keyring(key_file=path).active_id == "k7"


def test_no_key_ring_configured_says_what_to_set() -> None:
    with pytest.raises(KeyRingError, match="PIIMASK_KEYS"):
        load_keyring()


def test_the_policy_comes_from_the_file_else_the_setting_else_the_shipped_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: from-setting\ndefault: {operator: redact}\n")
    assert load_policy().version == "default-2"
    monkeypatch.setenv("PIIMASK_POLICY_FILE", str(path))
    assert load_policy().version == "from-setting"
    other = tmp_path / "q.yaml"
    other.write_text("version: from-option\ndefault: {operator: redact}\n")
    assert load_policy(policy_file=other).version == "from-option"


@pytest.mark.parametrize(
    "args",
    [
        ["mask", "-", "-o", "-", "--key-file", "RING"],
        ["unmask", "-"],
        ["dlq", "list"],
        ["audit", "dump"],
    ],
)
def test_every_command_reports_invalid_settings_as_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    ring = tmp_path / "ring.json"
    ring.write_text(KeyRing.generate().to_json())
    monkeypatch.setenv("PIIMASK_BATCH_SIZE", SECRET)
    result = CliRunner().invoke(main, [str(ring) if a == "RING" else a for a in args], input="")
    assert result.exit_code == 1, result.output
    assert "settings: batch_size:" in result.output
    assert SECRET not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
