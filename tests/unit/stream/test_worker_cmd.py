from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

import piimask.stream.app as app
from piimask.cli.worker_cmd import worker
from piimask.keys import KeyRing


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PIIMASK_"):
            monkeypatch.delenv(name)


@pytest.mark.usefixtures("clean_env")
def test_worker_refuses_to_start_without_a_key_ring() -> None:
    result = CliRunner().invoke(worker, [], env={"PIIMASK_INPUT_TOPICS": "orders"})
    assert result.exit_code == 2
    assert "PIIMASK_KEYS" in result.output
    assert "PIIMASK_KEY_FILE" in result.output


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "PIIMASK_INPUT_TOPICS"),
        ({"PIIMASK_INPUT_TOPICS": "a", "PIIMASK_INPUT_PATTERN": "b.*"}, "exactly one"),
        ({"PIIMASK_INPUT_TOPICS": "a", "PIIMASK_OUTPUT_TOPIC_TEMPLATE": "a"}, "itself"),
        ({"PIIMASK_INPUT_TOPICS": "a", "PIIMASK_PROCESSING_GUARANTEE": "maybe"}, "processing"),
    ],
)
def test_worker_configuration_errors_exit_2_naming_the_setting(
    env: dict[str, str], message: str
) -> None:
    engine = type("Engine", (), {"model_name": "fake", "model_sha256": "ab" * 32})()
    original = app.build_worker

    def build_without_model(settings: object, **kw: object) -> object:
        return original(settings, engine=engine, **kw)  # type: ignore[arg-type]

    keys = {"PIIMASK_KEYS": KeyRing.generate().to_json()}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(app, "build_worker", build_without_model)
        result = CliRunner().invoke(worker, [], env={**keys, **env})
    assert result.exit_code == 2, result.output
    assert message in result.output
