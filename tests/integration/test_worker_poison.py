"""A record that crashes the worker process is dead-lettered as poison_record after K crashes.

The crash is injected (tests/integration/crashing_worker.py: the detector ends the process
on one marker), the rest is real: broker, commits, the attempt marks in the committed
offset metadata that carry the count across restarts. An orchestrator is played by the
test: it restarts the worker whenever it exits.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from piimask.keys import KeyRing
from piimask.stream.poison import MAX_ATTEMPTS, POISON_REASON
from tests.integration.crashing_worker import CRASH_EXIT_CODE, MARKER
from tests.integration.stream_support import (
    REPO,
    Topics,
    create_topics,
    delete_topics,
    produce,
    read_all,
    worker_env,
)

pytestmark = pytest.mark.integration

RECORDS = 10
POISON_OFFSET = 5


async def poison_scenario(bootstrap: str, tmp_path: Path) -> dict[str, Any]:
    topics = Topics.fresh("poison", partitions=1)
    await create_topics(bootstrap, topics)
    try:
        values = [f"plain record number {i}".encode() for i in range(RECORDS)]
        values[POISON_OFFSET] = f"this one {MARKER} stops the process".encode()
        await produce(
            bootstrap, topics.input, [(f"k{i}".encode(), v) for i, v in enumerate(values)]
        )
        env = worker_env(
            bootstrap, topics, KeyRing.generate().to_json(), PIIMASK_GROUP_ID=f"{topics.input}-g"
        )
        log_path = tmp_path / "worker.log"
        exits: list[int] = []
        deadline = time.monotonic() + 100
        letters: list[Any] = []
        outputs: list[Any] = []
        while time.monotonic() < deadline:
            with log_path.open("ab") as log:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "tests.integration.crashing_worker"],
                    env=env,
                    cwd=REPO,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            try:
                while proc.poll() is None and time.monotonic() < deadline:
                    letters = await read_all(bootstrap, topics.dlq, idle=0.5, timeout=5)
                    if letters:
                        break
                    await asyncio.sleep(0.5)
                if proc.poll() is None:
                    outputs = await read_all(
                        bootstrap, topics.output, expect=RECORDS - 1, idle=1, timeout=30
                    )
                    proc.terminate()
                    exits.append(proc.wait(timeout=60))
                    break
                exits.append(proc.returncode)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(timeout=30)
        events = await read_all(bootstrap, topics.audit, expect=RECORDS, idle=1, timeout=20)
        return {
            "exits": exits,
            "letters": [json.loads(r.value) for r in letters],
            "outputs": outputs,
            "events": [json.loads(r.value) for r in events],
            "log": log_path.read_text(errors="replace")[-3000:],
        }
    finally:
        await delete_topics(bootstrap, topics)


def test_a_record_that_keeps_crashing_the_worker_is_dead_lettered_as_poison(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    result = asyncio.run(poison_scenario(kafka_bootstrap, tmp_path))
    exits = result["exits"]
    print(f"\nworker exits before the poison record was dead-lettered: {exits}")
    crashes = [code for code in exits if code == CRASH_EXIT_CODE]
    # One crash with the whole batch, then MAX_ATTEMPTS with the record alone.
    assert len(crashes) == MAX_ATTEMPTS + 1, result["log"]
    assert exits[-1] == 0
    [letter] = result["letters"]
    assert letter["reason"] == POISON_REASON
    assert letter["source_offset"] == POISON_OFFSET
    assert len(result["outputs"]) == RECORDS - 1
    offsets = sorted(
        e["source_offset"] for e in result["events"] if e["outcome"] != "dead_lettered"
    )
    assert offsets == [o for o in range(RECORDS) if o != POISON_OFFSET]
    poisoned = [e for e in result["events"] if e["outcome"] == "dead_lettered"]
    assert [(e["source_offset"], e["reason"]) for e in poisoned] == [(POISON_OFFSET, POISON_REASON)]
