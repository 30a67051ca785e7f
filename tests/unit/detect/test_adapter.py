"""The bundled adapter: small, made for the bundled base, merged at load; wrong bases refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from piimask.detect import DetectionEngine, DetectorConfig
from piimask.detect.adapter import Adapter, bundled_adapter_path, save_adapter
from piimask.detect.model import ModelLoadError, TokenClassifier, default_model_dir, find_onnx_file


def test_the_bundled_adapter_is_at_most_4_mb_and_has_a_model_card() -> None:
    path = bundled_adapter_path()
    assert path.stat().st_size <= 4 * 1024 * 1024
    card = (path.parent / "MODEL_CARD.md").read_text()
    for credit in ("Rampart", "Broad Twitter Corpus", "WNUT-17", "CC BY 4.0"):
        assert credit in card


def test_the_adapted_variant_is_the_default() -> None:
    assert DetectorConfig().model_variant == "adapted"
    assert DetectorConfig().adapter_file() == bundled_adapter_path()


def test_the_adapted_variant_merges_the_bundled_adapter_at_load() -> None:
    base = DetectionEngine.load(DetectorConfig(model_variant="base", ner_enabled=False))
    adapted = DetectionEngine.load(DetectorConfig(model_variant="adapted", ner_enabled=False))
    assert adapted.model_name.endswith("+adapter")
    assert adapted.model_sha256 != base.model_sha256
    text = "saw priya raghunathan in brooklyn last nite"
    assert {s.entity_type for s in adapted.detect(text)} >= {"PERSON", "LOCATION"}


def test_an_explicit_model_dir_runs_without_the_bundled_adapter() -> None:
    config = DetectorConfig(model_dir=default_model_dir(), model_variant="adapted")
    assert config.adapter_file() is None


def test_an_adapter_for_another_base_is_refused(tmp_path: Path) -> None:
    adapter = Adapter.load(bundled_adapter_path())
    meta = {**adapter.meta, "base_sha256": "0" * 64}
    other = tmp_path / "other.npz"
    save_adapter(other, meta, adapter.low_rank, adapter.replaced)
    with pytest.raises(ModelLoadError, match="train it again"):
        TokenClassifier(adapter=other)


def test_a_file_that_is_not_an_adapter_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    np.savez(bad, x=np.zeros(3))
    with pytest.raises(ModelLoadError, match="not a piimask adapter"):
        TokenClassifier(adapter=bad)
    assert json.loads(str(np.load(bundled_adapter_path())["__meta__"]))["base_sha256"] == (
        TokenClassifier().info.sha256
    )
    assert find_onnx_file(default_model_dir()).name == "model_q4.onnx"
