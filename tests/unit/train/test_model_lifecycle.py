"""The whole model lifecycle on a tiny run: train -> export -> quantize -> load -> gate.

Not a quality test (a few steps on a few dozen sentences): it keeps the training code
from rotting. torch is imported unconditionally: without the train extra this FAILS.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from piimask.cli import main
from piimask.detect import DetectionEngine, DetectorConfig
from piimask.train.synth import write as write_synthetic
from piimask.train.trainer import TrainConfig, train

REAL_TEXT = [
    ("yesterday I met Maria Gonzalez in Lisbon", [(16, 30, "PERSON"), (34, 40, "LOCATION")]),
    ("@dave heading to Chicago with Tom tonight", [(17, 24, "LOCATION"), (30, 33, "PERSON")]),
    ("Apple hired John Smith last week", [(0, 5, "ORG"), (12, 22, "PERSON")]),
    ("so cold in Oslo today", [(11, 15, "LOCATION")]),
]


def _write_real(path: Path, copies: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for n in range(copies):
            for text, spans in REAL_TEXT:
                record = {
                    "id": f"r{n}",
                    "text": text,
                    "spans": [{"start": s, "end": e, "label": lab} for s, e, lab in spans],
                }
                fh.write(json.dumps(record) + "\n")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lifecycle")
    _write_real(root / "real.jsonl", copies=5)
    _write_real(root / "dev.jsonl", copies=1)
    write_synthetic(root / "synth.jsonl", 12, seed=3)
    out = root / "run"
    train(_tiny_run(root, out), log=lambda _line: None)
    return out


def _tiny_run(root: Path, out: Path) -> TrainConfig:
    """3 steps on the sentences the fixture wrote under ``root``."""
    return TrainConfig(
        train=[str(root / "real.jsonl"), str(root / "synth.jsonl")],
        dev=[str(root / "dev.jsonl")],
        out=str(out),
        epochs=2,
        max_steps=3,
        batch_size=8,
        threads=1,
    )


def test_torch_is_installed_with_the_train_extra() -> None:
    assert torch.__version__


def test_a_run_directory_holds_model_adapter_metrics_and_card(run_dir: Path) -> None:
    for name in (
        "config.json",
        "tokenizer.json",
        "onnx/model.onnx",
        "adapter.npz",
        "metrics.json",
        "MODEL_CARD.md",
        "train_config.json",
    ):
        assert (run_dir / name).is_file(), name
    assert (run_dir / "adapter.npz").stat().st_size <= 4 * 1024 * 1024
    card = (run_dir / "MODEL_CARD.md").read_text()
    assert "Rampart" in card
    assert "CC BY 4.0" in card


def test_the_exported_onnx_agrees_with_torch_on_padded_batches(run_dir: Path) -> None:
    metrics = json.loads((run_dir / "metrics.json").read_text())
    check = metrics["export_check"]
    assert check["argmax_agreement"] == 1.0
    assert check["max_abs_logit_diff"] < 1e-3
    assert metrics["epochs"][0]["dev"]["dev.jsonl"]["records"] == len(REAL_TEXT)


def test_the_engine_loads_the_adapter_and_the_exported_model(run_dir: Path) -> None:
    adapted = DetectionEngine.load(
        DetectorConfig(adapter_path=run_dir / "adapter.npz", ner_enabled=False)
    )
    exported = DetectionEngine.load(DetectorConfig(model_dir=run_dir, ner_enabled=False))
    text = "Please call Maria Gonzalez at 415-555-0132 in Lisbon."
    assert adapted.detect(text) == exported.detect(text)
    assert adapted.model_sha256 != exported.model_sha256 or adapted.model_name


def test_quantize_writes_an_int8_model_the_engine_runs(run_dir: Path, tmp_path: Path) -> None:
    dev = run_dir.parent / "dev.jsonl"
    result = CliRunner().invoke(
        main,
        [
            "model",
            "quantize",
            str(run_dir),
            "--calibration",
            str(dev),
            "-o",
            str(tmp_path / "q"),
            "--method",
            "int8",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "q" / "onnx" / "model_int8.onnx").is_file()
    assert "int8" in result.output
    assert "source" in result.output


@pytest.mark.parametrize(
    ("gate", "exit_code"),
    [("recall_core>=0.0", 0), ("dev.leak_core<=1.0", 0), ("recall_core>=1.01", 1)],
)
def test_model_eval_exits_non_zero_when_a_gate_fails(
    run_dir: Path, gate: str, exit_code: int
) -> None:
    dev = run_dir.parent / "dev.jsonl"
    result = CliRunner().invoke(
        main, ["model", "eval", str(run_dir), "--data", str(dev), "--gate", gate]
    )
    assert result.exit_code == exit_code, result.output


def test_the_same_seed_trains_the_same_adapter(run_dir: Path, tmp_path: Path) -> None:
    # A second run of the fixture's configuration, byte for byte: shuffling, dropout and
    # initialisation all come from TrainConfig.seed.
    again = tmp_path / "again"
    train(_tiny_run(run_dir.parent, again), log=lambda _line: None)
    first = np.load(run_dir / "adapter.npz")
    second = np.load(again / "adapter.npz")
    assert sorted(first.files) == sorted(second.files)
    for name in first.files:
        np.testing.assert_array_equal(first[name], second[name], err_msg=name)
