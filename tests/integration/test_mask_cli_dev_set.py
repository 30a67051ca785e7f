"""``piimask mask`` on the dev set with the real model and the default policy (no broker).

Slow-ish (detection of 1,500 records); it checks what a user of the CLI relies on: every line
comes out as JSON, and no gold structured identifier survives verbatim.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEV_SET = REPO.parent / "shared" / "eval" / "presidio_synth_dev.jsonl"
STRUCTURED = {"CREDIT_CARD", "US_SSN", "IBAN_CODE", "EMAIL_ADDRESS", "IP_ADDRESS"}


@pytest.fixture(scope="module")
def masked_dev_set(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    if not DEV_SET.is_file():
        pytest.fail(f"dev set missing: {DEV_SET}")
    out = tmp_path_factory.mktemp("mask") / "out.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIIMASK_")}
    proc = subprocess.run(
        [sys.executable, "-m", "piimask", "mask", str(DEV_SET), "-o", str(out), "--dev-keys"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out, proc.stderr


def test_every_line_is_masked_and_parses(masked_dev_set: tuple[Path, str]) -> None:
    out, stderr = masked_dev_set
    gold = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(gold)
    for expected, line in zip(gold, lines, strict=True):
        record = json.loads(line)
        assert record["id"] == expected["id"]
        assert isinstance(record["text"], str)
        assert record["policy_version"] == "default-2"
        for mask in record["masks"]:
            assert set(mask) >= {"entity_type", "start", "end", "operator", "fingerprint"}
    assert "0 rejected" in stderr
    assert "warning: --dev-keys" in stderr


def test_no_gold_structured_identifier_appears_verbatim(masked_dev_set: tuple[Path, str]) -> None:
    out, _ = masked_dev_set
    gold = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    lines = out.read_text(encoding="utf-8").splitlines()
    leaks = []
    checked = 0
    for record, line in zip(gold, lines, strict=True):
        for span in record["spans"]:
            if span["label"] not in STRUCTURED:
                continue
            checked += 1
            value = record["text"][span["start"] : span["end"]]
            if value in line:  # the whole output line: masked text and mask records
                leaks.append(f"{record['id']} {span['label']} [{span['start']}, {span['end']})")
    assert checked > 250
    assert leaks == [], f"{len(leaks)} of {checked} gold identifiers left readable: {leaks[:20]}"
