"""The faust runtime under faults: SIGKILL during a run, two workers in one group.

at-least-once on faust: every input record has at least one masked output and audit
event after three SIGKILLs; duplicates are allowed, counted and printed.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
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
    gold_values,
    keys_kept_policy,
    produce,
    read_all,
    worker_env,
)
from tests.integration.test_worker_scale_out import wait_for_assignments

pytestmark = pytest.mark.integration

RECORDS = int(os.environ.get("PIIMASK_FAUST_CRASH_RECORDS", "2000"))
KILLS = 3
SCALE_RECORDS = 800
PARTITIONS = 4


def faust_env(bootstrap: str, topics: Topics, policy: Path, **extra: str) -> dict[str, str]:
    return worker_env(
        bootstrap,
        topics,
        KeyRing.generate().to_json(),
        PIIMASK_RUNTIME="faust",
        PIIMASK_GROUP_ID=f"{topics.input}-g",
        PIIMASK_POLICY_FILE=str(policy),
        **extra,
    )


async def crash_scenario(bootstrap: str, log_path: Path, seed: int) -> dict[str, Any]:
    topics = Topics.fresh("faust-crash", partitions=2)
    await create_topics(bootstrap, topics)
    try:
        rows = dev_records(RECORDS)
        await produce(
            bootstrap,
            topics.input,
            [(rid.encode(), row["text"].encode()) for rid, row in rows],
            partition_of=lambda i: i % 2,
        )
        worker = WorkerProcess(
            faust_env(bootstrap, topics, keys_kept_policy(log_path.parent)), log_path
        )
        rng = random.Random(seed)
        kill_points = sorted(rng.sample(range(RECORDS // 10, RECORDS * 8 // 10), KILLS))
        try:
            async with ProgressWatcher(bootstrap, topics.output) as progress:
                worker.start()
                for point in kill_points:
                    await progress.wait_for(point, alive=worker.alive)
                    worker.kill()
                    worker.start()
                await progress.wait_for(RECORDS, alive=worker.alive)
            exit_code = worker.terminate()
        finally:
            worker.ensure_stopped()
        outputs = await read_all(bootstrap, topics.output, expect=RECORDS)
        audits = await read_all(bootstrap, topics.audit, expect=RECORDS)
        letters = await read_all(bootstrap, topics.dlq, idle=1.0)
    finally:
        await delete_topics(bootstrap, topics)
    return {
        "rows": rows,
        "outputs": outputs,
        "audits": audits,
        "letters": letters,
        "exit_code": exit_code,
        "starts": worker.starts,
    }


def test_sigkilled_faust_worker_loses_nothing_and_leaks_no_structured_pii(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    seed = int(
        os.environ.get("PIIMASK_CRASH_TEST_SEED") or random.SystemRandom().randrange(1 << 30)
    )
    log_path = tmp_path / "faust-worker.log"
    try:
        result = asyncio.run(crash_scenario(kafka_bootstrap, log_path, seed))
    except BaseException:
        print(f"seed={seed}; worker log tail:\n" + _tail(log_path))
        raise
    rows, outputs = result["rows"], result["outputs"]
    assert result["starts"] == KILLS + 1
    assert result["exit_code"] == 0, "SIGTERM after the run must exit 0"
    assert result["letters"] == []

    per_key = Counter(m.key for m in outputs)
    expected = {rid.encode() for rid, _ in rows}
    missing = expected - set(per_key)
    assert not missing, f"{len(missing)} records lost (seed={seed}), e.g. {sorted(missing)[:5]}"
    assert set(per_key) == expected
    audited = Counter(
        (e["source_partition"], e["source_offset"])
        for e in (json.loads(a.value) for a in result["audits"])
    )
    assert len(audited) == len(rows), "every record has an audit event"
    duplicates = sum(n - 1 for n in per_key.values())
    print(
        f"faust crash test: {len(rows)} records, {KILLS} SIGKILLs, 0 lost, "
        f"{duplicates} duplicate outputs ({sum(1 for n in per_key.values() if n > 1)} records "
        f"twice or more), {sum(audited.values()) - len(audited)} duplicate audit events"
    )

    secrets = gold_values(row for _, row in rows)
    leaked = [m.key for m in outputs if any(s.encode() in m.value for s in secrets)]
    assert not leaked, f"structured PII on the output topic in {len(leaked)} records"


def _tail(path: Path, lines: int = 60) -> str:
    if not path.exists():
        return "(no worker log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


async def scale_out_scenario(bootstrap: str, tmp_path: Path) -> dict[str, Any]:
    topics = Topics.fresh("faust-scale", partitions=PARTITIONS)
    await create_topics(bootstrap, topics)
    # Two workers share the machine's cores.
    env = faust_env(bootstrap, topics, keys_kept_policy(tmp_path), PIIMASK_INTRA_OP_THREADS="1")
    first = WorkerProcess(env, tmp_path / "first.log")
    second = WorkerProcess(env, tmp_path / "second.log")
    try:
        first.start()
        second.start()
        split = await wait_for_assignments([first, second], [2, 2], timeout=150)
        rows = dev_records(SCALE_RECORDS)
        await produce(
            bootstrap,
            topics.input,
            [(rid.encode(), row["text"].encode()) for rid, row in rows],
            partition_of=lambda i: i % PARTITIONS,
        )
        async with ProgressWatcher(bootstrap, topics.output) as progress:
            await progress.wait_for(SCALE_RECORDS // 3, alive=second.alive)
            first.kill()
            takeover = await wait_for_assignments([second], [PARTITIONS], timeout=90)
            await progress.wait_for(SCALE_RECORDS, alive=second.alive)
        exit_code = second.terminate()
        outputs = await read_all(bootstrap, topics.output, expect=SCALE_RECORDS)
    except BaseException:
        print(f"first:\n{first.log_tail()}\nsecond:\n{second.log_tail()}")
        raise
    finally:
        first.ensure_stopped()
        second.ensure_stopped()
        await delete_topics(bootstrap, topics)
    return {
        "split": split,
        "takeover": takeover,
        "outputs": outputs,
        "keys": {rid.encode() for rid, _ in rows},
        "exit_code": exit_code,
        "topic": topics.input,
    }


def test_two_faust_workers_split_four_partitions_and_the_survivor_takes_over(
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
    assert {m.partition for m in result["outputs"]} == set(range(PARTITIONS))
