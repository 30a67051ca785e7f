"""``piimask demo run``: topics, keys, workers, traffic, side-by-side output, audit summary."""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from piimask.demo import kafka_io
from piimask.demo.report import (
    pair_records,
    parse_audit,
    pick_examples,
    render_pair,
    render_summary,
    summarize,
)
from piimask.demo.traffic import DemoMessage, generate
from piimask.demo.workers import DemoError, WorkerProcess, start_worker, stop_workers, wait_ready
from piimask.ops.logs import safe_exc
from piimask.settings import Settings

Echo = Callable[[str], None]


@dataclass(frozen=True)
class DemoTopics:
    text: str
    events: str
    audit: str
    dlq: str

    @classmethod
    def for_run(cls, run_id: str) -> DemoTopics:
        base = f"piimask-demo-{run_id}"
        return cls(f"{base}.tickets", f"{base}.events", f"{base}.audit", f"{base}.dlq")

    @property
    def inputs(self) -> list[str]:
        return [self.text, self.events]

    @property
    def outputs(self) -> list[str]:
        return [f"{t}.masked" for t in self.inputs]

    @property
    def all(self) -> list[str]:
        return [*self.inputs, *self.outputs, self.audit, self.dlq]


def topic_for(message: DemoMessage, topics: DemoTopics) -> str:
    return topics.events if message.format == "json" else topics.text


def write_dev_keys(path: Path) -> None:
    """A throwaway key ring for this run only (never use it for real data)."""
    from piimask.keys import KeyRing

    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(KeyRing.generate("demo").to_json(), encoding="utf-8")


def worker_env(
    settings: Settings,
    topics: DemoTopics,
    *,
    input_topic: str,
    message_format: str,
    group: str,
    key_file: Path,
    policy_file: Path | None,
) -> dict[str, str]:
    env = {
        "PIIMASK_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "PIIMASK_INPUT_TOPICS": input_topic,
        "PIIMASK_OUTPUT_TOPIC_TEMPLATE": "{topic}.masked",
        "PIIMASK_AUDIT_TOPIC": topics.audit,
        "PIIMASK_DLQ_TOPIC": topics.dlq,
        "PIIMASK_GROUP_ID": group,
        "PIIMASK_MESSAGE_FORMAT": message_format,
        "PIIMASK_KEY_FILE": str(key_file),
        "PIIMASK_LOG_FORMAT": "json",
        "PIIMASK_LOG_LEVEL": "INFO",
    }
    if policy_file is not None:
        env["PIIMASK_POLICY_FILE"] = str(policy_file)
    return env


async def _wait_processed(
    settings: Settings,
    topics: DemoTopics,
    expected: int,
    timeout: float,
    workers: list[WorkerProcess],
    echo: Echo,
) -> int:
    start = time.monotonic()
    done = -1
    while True:
        events = parse_audit(await kafka_io.read_to_end(settings, [topics.audit]))
        covered = {(e["source_topic"], e["source_partition"], e["source_offset"]) for e in events}
        if len(covered) != done:
            done = len(covered)
            echo(f"      processed {done}/{expected}")
        if done >= expected:
            return done
        for w in workers:
            if w.proc.poll() is not None:
                raise DemoError(
                    f"worker {w.name} stopped (code {w.proc.returncode}); "
                    f"last lines of {w.log_path}:\n{w.log_tail()}"
                )
        if time.monotonic() - start > timeout:
            return done
        await asyncio.sleep(1.0)


def _verify_audit(settings: Settings, topics: DemoTopics, key_file: Path) -> tuple[bool, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "piimask", "audit", "verify", "--quiet",
         "--bootstrap", settings.kafka_bootstrap, "--topic", topics.audit,
         "--key-file", str(key_file)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    # Client libraries add noise lines on errors; the verdict is the line that says OK/FAIL/Error.
    verdicts = [ln for ln in lines if ln.startswith(("OK", "FAIL", "Error"))]
    verdict = verdicts[-1] if verdicts else (lines[-1] if lines else "")
    return proc.returncode == 0, verdict or f"exit code {proc.returncode}"


def run_demo(
    settings: Settings,
    *,
    count: int,
    examples: int,
    partitions: int,
    workdir: Path,
    policy_file: Path | None,
    ready_timeout: float,
    process_timeout: float,
    seed: int,
    echo: Echo,
    keep_topics: bool = False,
) -> bool:
    """The whole demo; returns True on success. Workers are stopped on every path out."""
    started = time.monotonic()
    run_id = secrets.token_hex(3)
    topics = DemoTopics.for_run(run_id)
    workdir.mkdir(parents=True, exist_ok=True)
    # Keys and logs of a demo run never belong in git.
    (workdir / ".gitignore").write_text("*\n", encoding="utf-8")
    key_file = workdir / "keys.json"

    echo(f"[1/6] creating topics piimask-demo-{run_id}.* on {settings.kafka_bootstrap}")
    asyncio.run(kafka_io.create_topics(settings, topics.all, partitions))

    echo(f"[2/6] generating a throwaway key ring in {key_file}")
    write_dev_keys(key_file)

    echo("[3/6] starting workers (text: support tickets and chat; json: events)")
    workers: list[WorkerProcess] = []
    try:
        for name, topic, fmt in (("text", topics.text, "text"), ("json", topics.events, "json")):
            env = worker_env(
                settings,
                topics,
                input_topic=topic,
                message_format=fmt,
                group=f"piimask-demo-{run_id}-{name}",
                key_file=key_file,
                policy_file=policy_file,
            )
            workers.append(start_worker(name, env, workdir))
        last_tick = [0.0]

        def tick(elapsed: float) -> None:
            if elapsed - last_tick[0] >= 5:
                last_tick[0] = elapsed
                echo(
                    f"      waiting for /readyz (model loading, joining the group) {elapsed:.0f} s"
                )

        wait_ready(workers, ready_timeout, tick)
        ports = ", ".join(f"{w.name} :{w.port}" for w in workers)
        echo(f"      ready; metrics and health on {ports}")

        messages = list(generate(count, seed=seed))
        echo(f"[4/6] producing {len(messages)} synthetic messages (Faker, seed {seed})")
        sent = asyncio.run(
            kafka_io.produce(
                settings,
                ((topic_for(m, topics), m.key.encode(), m.value.encode("utf-8")) for m in messages),
            )
        )

        echo("[5/6] waiting for the workers to mask, audit and commit every record")
        done = asyncio.run(_wait_processed(settings, topics, sent, process_timeout, workers, echo))
        inputs = asyncio.run(kafka_io.read_to_end(settings, topics.inputs))
        outputs = asyncio.run(kafka_io.read_to_end(settings, topics.outputs))
        audit = parse_audit(asyncio.run(kafka_io.read_to_end(settings, [topics.audit])))
    finally:
        codes = stop_workers(workers)
    pairs, unaccounted = pair_records(inputs, outputs, audit)
    width = max(80, min(shutil.get_terminal_size((120, 40)).columns, 160))
    echo("[6/6] results\n")
    for pair in pick_examples(pairs, examples):
        echo(render_pair(pair, width) + "\n")
    summary = summarize(pairs, len(inputs), unaccounted)
    echo(render_summary(summary))
    ok_chain, verdict = _verify_audit(settings, topics, key_file)
    echo(f"Audit chain check (piimask audit verify): {verdict}")
    (workdir / "last-run.json").write_text(
        json.dumps(
            {
                "run_id": run_id,
                "topics": topics.all,
                "records": len(inputs),
                "outcomes": dict(summary.outcomes),
                "worker_exit_codes": codes,
                "seconds": round(time.monotonic() - started, 1),
            },
            indent=2,
        )
    )
    if keep_topics:
        echo(f"Topics kept: {', '.join(topics.all)}")
    else:
        try:
            asyncio.run(kafka_io.delete_topics(settings, topics.all))
        except Exception as exc:
            echo(f"(could not delete the demo topics: {safe_exc(exc)})")
    elapsed = time.monotonic() - started
    if done < sent or unaccounted:
        echo(
            f"\nDEMO FAILED: {sent - done} of {sent} records were not processed within "
            f"{process_timeout:.0f} s; worker logs in {workdir}"
        )
        return False
    if not ok_chain:
        echo(f"\nDEMO FAILED: the audit chain did not verify; worker logs in {workdir}")
        return False
    echo(
        f"\nDEMO OK: {sent} records masked end to end and audited in {elapsed:.0f} s "
        f"(worker logs in {workdir})"
    )
    return True
