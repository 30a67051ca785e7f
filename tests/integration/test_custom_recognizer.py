"""A custom regex recognizer declared in a YAML file, end to end: ``piimask mask`` and the worker.

Nothing but configuration adds the recognizer (PIIMASK_CUSTOM_RECOGNIZERS_FILE); the real
model, the real broker and the shipped policy do the rest.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from piimask.keys import KeyRing
from piimask.ops.metrics import WorkerMetrics
from piimask.settings import Settings
from piimask.stream.app import build_worker
from tests.integration.stream_support import (
    REPO,
    Topics,
    create_topics,
    delete_topics,
    produce,
    read_all,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

RECOGNIZERS_YAML = """\
recognizers:
  - name: EMPLOYEE_ID
    entity_type: EMPLOYEE_ID
    pattern: '\\bEMP-\\d{6}\\b'
    context: [employee, staff]
    score: 0.9
"""
TEXTS = [
    "Employee EMP-204816 asked for a day off on Friday.",
    "The staff badge EMP-773301 was reported lost.",
    "Part number EMP-555555 ships in a blue box.",  # no context word: left alone
]
IDS = ["EMP-204816", "EMP-773301"]


@pytest.fixture
def recognizers_file(tmp_path: Path) -> Path:
    path = tmp_path / "recognizers.yaml"
    path.write_text(RECOGNIZERS_YAML, encoding="utf-8")
    return path


def test_piimask_mask_runs_a_custom_recognizer_from_a_yaml_file(
    recognizers_file: Path, tmp_path: Path
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(TEXTS)),
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIIMASK_")}
    env["PIIMASK_CUSTOM_RECOGNIZERS_FILE"] = str(recognizers_file)
    proc = subprocess.run(
        [sys.executable, "-m", "piimask", "mask", str(source), "-o", str(out), "--dev-keys"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [0, 1, 2]
    for line, secret in zip(lines, IDS, strict=False):
        assert secret not in line["text"]
        assert "<EMPLOYEE_ID>" in line["text"]
        [mask] = [m for m in line["masks"] if m["entity_type"] == "EMPLOYEE_ID"]
        assert mask["detector"] == "pattern:EMPLOYEE_ID"
        assert mask["score"] == 0.9
    assert not any(m["entity_type"] == "EMPLOYEE_ID" for m in lines[2]["masks"])


def test_an_invalid_custom_recognizer_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("recognizers:\n  - name: X\n    entity_type: X\n    pattern: '('\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIIMASK_")}
    env["PIIMASK_CUSTOM_RECOGNIZERS_FILE"] = str(bad)
    proc = subprocess.run(
        [sys.executable, "-m", "piimask", "mask", "-", "-o", "-", "--dev-keys"],
        input="",
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 1
    assert "recognizers.0.pattern" in proc.stderr
    assert "invalid regular expression" in proc.stderr
    assert "Traceback" not in proc.stderr


async def worker_roundtrip(bootstrap: str, recognizers_file: Path) -> tuple[list[bytes], list[str]]:
    topics = Topics.fresh("custom-rec")
    await create_topics(bootstrap, topics)
    try:
        settings = Settings(
            kafka_bootstrap=bootstrap,
            input_topics=[topics.input],
            audit_topic=topics.audit,
            dlq_topic=topics.dlq,
            group_id=f"{topics.input}-g",
            metrics_port=0,
            custom_recognizers_file=recognizers_file,
        )
        # no engine passed: the worker builds its own from the settings, as in production
        worker = build_worker(settings, keyring=KeyRing.generate(), metrics=WorkerMetrics())
        task = asyncio.create_task(worker.run())
        await produce(bootstrap, topics.input, [(None, t.encode()) for t in TEXTS])
        try:
            outputs = await read_all(bootstrap, topics.output, expect=len(TEXTS), timeout=120)
            audits = await read_all(bootstrap, topics.audit, expect=len(TEXTS), timeout=30)
            assert not task.done(), "worker stopped early"
        finally:
            worker.stop()
            await asyncio.wait_for(task, 60)
        return [m.value for m in outputs], [a.value.decode() for a in audits]
    finally:
        await delete_topics(bootstrap, topics)


def test_the_worker_runs_a_custom_recognizer_from_a_yaml_file(
    kafka_bootstrap: str, recognizers_file: Path
) -> None:
    outputs, audits = asyncio.run(worker_roundtrip(kafka_bootstrap, recognizers_file))
    assert len(outputs) == len(TEXTS)
    assert sum(b"<EMPLOYEE_ID>" in value for value in outputs) == len(IDS)
    for secret in IDS:
        assert not any(secret.encode() in value for value in outputs)
        assert not any(secret in event for event in audits)
    assert any(b"EMP-555555" in value for value in outputs)
    findings = [
        f
        for event in audits
        for f in json.loads(event).get("findings", [])
        if f["entity_type"] == "EMPLOYEE_ID"
    ]
    assert len(findings) == len(IDS)
    assert {f["detector"] for f in findings} == {"pattern:EMPLOYEE_ID"}
