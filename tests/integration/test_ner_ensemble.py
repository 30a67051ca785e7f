"""The second NER model (real spaCy pipeline) inside the detection ensemble."""

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from piimask.cli import main
from piimask.detect import DetectionEngine, DetectorConfig
from piimask.detect.model import TokenClassifier
from piimask.detect.ner import NerDetector, NerLoadError
from piimask.keys import KeyRing
from piimask.settings import Settings
from piimask.stream.app import StartupError
from piimask.stream.detection import build_detection


@pytest.fixture(scope="module")
def ner() -> NerDetector:
    return NerDetector.load("en_core_web_sm")


@pytest.fixture(scope="module")
def engine(ner: NerDetector) -> DetectionEngine:
    config = DetectorConfig()
    return DetectionEngine(TokenClassifier(adapter=config.adapter_file()), config, ner=ner)


def test_the_default_model_loads_only_its_ner_component(ner: NerDetector) -> None:
    assert ner.nlp.pipe_names == ["ner"]
    assert ner.name == "ner:en_core_web_sm"


@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        ("Jane Doe called yesterday.", "Jane Doe", "PERSON"),
        ("The talks in Tehran ended without a deal.", "Tehran", "LOCATION"),
    ],
)
def test_ner_finds_names_and_places_in_running_text(
    ner: NerDetector, text: str, value: str, entity_type: str
) -> None:
    [spans] = ner.detect_batch([text])
    assert (value, entity_type) in [(text[s.start : s.end], s.entity_type) for s in spans]


def test_entities_of_other_labels_come_back_as_evidence_only(ner: NerDetector) -> None:
    text = "Iraqi officials met the Norwegian delegation in Basra."
    [found] = ner.detect_entities([text])
    others = [(text[s.start : s.end], s.entity_type) for s in found.others]
    assert ("Iraqi", "NORP") in others
    assert {s.entity_type for s in found.spans} <= {"PERSON", "LOCATION"}
    assert ner.detect_batch([text]) == [found.spans]


def test_a_nationality_is_no_place(engine: DetectionEngine) -> None:
    text = "Iraqi and Palestinian officials met the Norwegian delegation."
    values = [text[s.start : s.end] for s in engine.detect(text) if s.entity_type == "LOCATION"]
    assert not {"Iraqi", "Palestinian", "Norwegian"} & set(values)


def test_a_long_text_is_scanned_to_its_end(ner: NerDetector) -> None:
    filler = "The weather was fine and the meeting went on for a while. " * 400
    text = filler + "At the end Jane Doe signed the contract."
    [spans] = ner.detect_batch([text])
    assert any(text[s.start : s.end] == "Jane Doe" for s in spans)
    assert len(text) > 5 * ner.chunk_chars


def test_the_ensemble_catches_the_name_the_onnx_model_missed(engine: DetectionEngine) -> None:
    text = "Call Jane Doe at 415-555-0132 or jane@x.org, she lives at 12 Oak St, Springfield."
    spans = engine.detect(text)
    person = [s for s in spans if s.entity_type == "PERSON"]
    assert person
    assert "Jane Doe" in text[person[0].start : person[0].end]
    assert engine.model_name.endswith("+ner:en_core_web_sm")


def test_batched_ensemble_equals_one_text_at_a_time(engine: DetectionEngine) -> None:
    texts = ["Jane Doe called.", "", "We flew to Chillicothe, OH.", "Nothing here."]
    assert engine.detect_batch(texts) == [engine.detect(t) for t in texts]


def test_a_configured_model_that_is_not_installed_stops_loading_with_a_clear_error() -> None:
    with pytest.raises(NerLoadError, match=r"not installed.*PIIMASK_NER_ENABLED=false"):
        DetectionEngine(TokenClassifier(), DetectorConfig(ner_model="en_core_web_nonexistent"))


def test_turned_off_explicitly_the_engine_runs_without_it() -> None:
    engine = DetectionEngine(
        TokenClassifier(), DetectorConfig(ner_enabled=False, ner_model="en_core_web_nonexistent")
    )
    assert engine.ner is None


def test_cli_refuses_to_run_with_a_missing_ner_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIIMASK_NER_MODEL", "en_core_web_nonexistent")
    result = CliRunner().invoke(main, ["detect", os.devnull])
    assert result.exit_code != 0
    assert "en_core_web_nonexistent" in result.output
    assert "not installed" in result.output


def test_worker_refuses_to_start_with_a_missing_ner_model() -> None:
    env = {
        **os.environ,
        "PIIMASK_NER_MODEL": "en_core_web_nonexistent",
        "PIIMASK_INPUT_TOPICS": "piimask-ner-test",
        "PIIMASK_KEYS": '{"active": "k1", "keys": {"k1": "'
        + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQQ=="
        + '"}}',
        "PIIMASK_METRICS_PORT": "0",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "piimask", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "NER model 'en_core_web_nonexistent' is configured but not installed" in proc.stderr


def test_loading_the_ner_model_does_not_import_torch() -> None:
    code = (
        "import sys\n"
        "from piimask.detect.ner import NerDetector\n"
        "NerDetector.load('en_core_web_sm').detect_batch(['Jane Doe'])\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "import importlib.util\n"
        "print(importlib.util.find_spec('torch') is not None)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr


def test_a_missing_shadow_ner_model_stops_start_up_naming_the_shadow_switch() -> None:
    live = DetectionEngine(TokenClassifier(), DetectorConfig(ner_enabled=False))
    settings = Settings(shadow_sample_rate=0.5, shadow_ner_model="en_core_web_nonexistent")
    with pytest.raises(StartupError) as caught:
        build_detection(settings, keyring=KeyRing.generate(), engine=live)
    message = str(caught.value)
    assert "'en_core_web_nonexistent' is configured but not installed" in message
    assert "PIIMASK_SHADOW_NER_ENABLED=false" in message
    assert "PIIMASK_NER_ENABLED" not in message
