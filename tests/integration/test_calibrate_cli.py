"""``piimask calibrate`` with the real detectors on the shared synthetic short set."""

import os
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from piimask.cli import main
from piimask.detect.thresholds import load_thresholds
from piimask.keys import KeyRing

REPO = Path(__file__).resolve().parents[2]
SHORT_SET = REPO.parent / "shared" / "eval" / "presidio_synth_dev.jsonl"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_thresholds_for_98_percent_recall_hold_on_the_held_out_half(tmp_path: Path) -> None:
    assert SHORT_SET.exists(), f"shared evaluation set missing: {SHORT_SET}"
    out = tmp_path / "thresholds.yaml"
    result = CliRunner().invoke(
        main, ["calibrate", str(SHORT_SET), "--target-recall", "0.98", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    held = re.search(r"held-out half: +recall ([0-9.]+) +precision ([0-9.]+)", result.output)
    assert held is not None, result.output
    assert "calibration half: recall" in result.output
    assert float(held.group(1)) >= 0.975, result.output
    assert "ECE (held-out, all types): raw" in result.output

    thresholds = load_thresholds(out)
    assert thresholds.calibration is not None
    assert {"PERSON", "LOCATION", "EMAIL_ADDRESS"} <= set(thresholds.min_scores)
    assert thresholds.fitted["target_recall"] == 0.98
    for name in ("thresholds.reliability.png", "thresholds.recall.png"):
        png = tmp_path / name
        assert png.read_bytes()[:8] == PNG_MAGIC, name
        assert png.stat().st_size > 10_000, name

    # The file is loadable as is by the other commands.
    gold = tmp_path / "one.jsonl"
    gold.write_text(SHORT_SET.read_text(encoding="utf-8").splitlines()[0] + "\n", "utf-8")
    scored = CliRunner().invoke(main, ["eval", str(gold), "--thresholds", str(out)])
    assert scored.exit_code == 0, scored.output

    # Calibrating again under that file: "now" is judged with its score maps.
    again = CliRunner().invoke(
        main,
        [
            "calibrate",
            str(SHORT_SET),
            "--limit",
            "100",
            "--no-plots",
            "-o",
            str(tmp_path / "b.yaml"),
        ],
        env={"PIIMASK_THRESHOLDS_FILE": str(out)},
    )
    assert again.exit_code == 0, again.output


def test_per_type_and_raw_scores_without_plots(tmp_path: Path) -> None:
    out = tmp_path / "t.yaml"
    result = CliRunner().invoke(
        main,
        [
            "calibrate",
            str(SHORT_SET),
            "--limit",
            "200",
            "--per-type",
            "--calibration",
            "none",
            "--no-plots",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "every gold type" in result.output
    assert load_thresholds(out).calibration is None
    assert not list(tmp_path.glob("*.png"))


def test_a_thresholds_file_that_does_not_validate_stops_the_command(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("min_scores: {PERSON: 2}\n", encoding="utf-8")
    gold = tmp_path / "one.jsonl"
    gold.write_text(SHORT_SET.read_text(encoding="utf-8").splitlines()[0] + "\n", "utf-8")
    result = CliRunner().invoke(main, ["eval", str(gold), "--thresholds", str(bad)])
    assert result.exit_code == 1
    assert "min_scores.PERSON" in result.output


def test_a_worker_with_an_invalid_thresholds_file_exits_2_naming_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("min_scores: {PERSON: 2}\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIIMASK_")}
    env.update(
        {
            "PIIMASK_KEYS": KeyRing.generate().to_json(),
            "PIIMASK_INPUT_TOPICS": "never-read",
            "PIIMASK_METRICS_PORT": "0",
            "PIIMASK_THRESHOLDS_FILE": str(bad),
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "piimask", "worker"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "min_scores.PERSON" in result.stderr
