"""Two workers in one group split a 4-partition topic; when one dies the other takes over."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from piimask.keys import KeyRing
from tests.integration.stream_support import (
    ProgressWatcher,
    Topics,
    WorkerProcess,
    create_topics,
    delete_topics,
    dev_records,
    keys_kept_policy,
    produce,
    read_all,
    worker_env,
)

pytestmark = pytest.mark.integration

RECORDS = 1200
PARTITIONS = 4


def latest_assignment(worker: WorkerProcess) -> list[str] | None:
    assigned = [
        line["partitions"]
        for line in worker.log_lines()
        if line.get("msg") == "partitions assigned" and "partitions" in line
    ]
    return assigned[-1] if assigned else None


async def wait_for_assignments(
    workers: list[WorkerProcess], sizes: list[int], timeout: float = 90
) -> list[list[str]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = [latest_assignment(w) for w in workers]
        if all(a is not None and len(a) == n for a, n in zip(current, sizes, strict=True)):
            return [a for a in current if a is not None]
        for w in workers:
            if not w.alive():
                raise AssertionError(f"worker exited:\n{w.log_tail()}")
        await asyncio.sleep(0.3)
    raise AssertionError(f"assignments never became {sizes}: {current}")


async def scale_out_scenario(bootstrap: str, tmp_path: Path) -> dict[str, Any]:
    topics = Topics.fresh("scale", partitions=PARTITIONS)
    await create_topics(bootstrap, topics)
    try:
        return await run_scale_out(bootstrap, topics, tmp_path)
    finally:
        await delete_topics(bootstrap, topics)


async def run_scale_out(bootstrap: str, topics: Topics, tmp_path: Path) -> dict[str, Any]:
    env = worker_env(
        bootstrap,
        topics,
        KeyRing.generate().to_json(),
        PIIMASK_GROUP_ID=f"{topics.input}-g",
        # Two workers share the machine's cores.
        PIIMASK_INTRA_OP_THREADS="1",
        PIIMASK_POLICY_FILE=str(keys_kept_policy(tmp_path)),
    )
    first = WorkerProcess(env, tmp_path / "first.log")
    second = WorkerProcess(env, tmp_path / "second.log")
    try:
        first.start()
        second.start()
        split = await wait_for_assignments([first, second], [2, 2])
        rows = dev_records(RECORDS)
        await produce(
            bootstrap,
            topics.input,
            [(rid.encode(), row["text"].encode()) for rid, row in rows],
            partition_of=lambda i: i % PARTITIONS,
        )
        async with ProgressWatcher(bootstrap, topics.output) as progress:
            await progress.wait_for(RECORDS // 3, alive=second.alive)
            first.kill()
            takeover = await wait_for_assignments([second], [PARTITIONS], timeout=60)
            await progress.wait_for(RECORDS, alive=second.alive)
        exit_code = second.terminate()
    finally:
        first.ensure_stopped()
        second.ensure_stopped()
    outputs = await read_all(bootstrap, topics.output, expect=RECORDS)
    return {
        "split": split,
        "takeover": takeover,
        "outputs": outputs,
        "keys": {rid.encode() for rid, _ in rows},
        "exit_code": exit_code,
        "topic": topics.input,
    }


def test_two_workers_split_partitions_and_the_survivor_takes_over(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    result = asyncio.run(scale_out_scenario(kafka_bootstrap, tmp_path))
    first_half, second_half = result["split"]
    assert set(first_half).isdisjoint(second_half)
    everything = {f"{result['topic']}:{p}" for p in range(PARTITIONS)}
    assert set(first_half) | set(second_half) == everything
    assert set(result["takeover"][0]) == everything
    assert result["exit_code"] == 0

    seen = Counter(m.key for m in result["outputs"])
    missing = result["keys"] - set(seen)
    assert not missing, f"{len(missing)} records lost, e.g. {sorted(missing)[:5]}"
    # Each input partition went to the same output partition number, by either worker.
    assert {m.partition for m in result["outputs"]} == set(range(PARTITIONS))
