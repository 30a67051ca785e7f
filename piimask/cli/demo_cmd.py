"""``piimask demo``: see piimask work end to end on a local broker with synthetic traffic."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path
from types import FrameType

import click

from piimask.cli.options import bootstrap_option, load_settings
from piimask.ops.logs import safe_exc


@click.group("demo")
def demo() -> None:
    """Synthetic traffic (Faker) through real workers; `./run-demo.sh` calls `demo run`."""


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@demo.command("run")
@bootstrap_option
@click.option("--count", default=300, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--examples", default=4, show_default=True, type=click.IntRange(0, 50))
@click.option("--partitions", default=3, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--workdir",
    default=Path(".demo"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Key ring and worker logs of this run.",
)
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Mask policy [default: the shipped default policy].",
)
@click.option("--ready-timeout", default=300.0, show_default=True, help="Seconds.")
@click.option("--process-timeout", default=300.0, show_default=True, help="Seconds.")
@click.option("--seed", default=7, show_default=True)
@click.option("--keep-topics", is_flag=True, help="Leave the demo topics on the broker.")
def run(
    bootstrap: str | None,
    count: int,
    examples: int,
    partitions: int,
    workdir: Path,
    policy_file: Path | None,
    ready_timeout: float,
    process_timeout: float,
    seed: int,
    keep_topics: bool,
) -> None:
    """Create topics, start two workers, send COUNT messages, show original vs masked."""
    from piimask.demo.run import run_demo
    from piimask.demo.workers import DemoError

    # run-demo.sh stops us with SIGTERM on Ctrl-C or error; unwind so workers are stopped.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    settings = load_settings(kafka_bootstrap=bootstrap)
    try:
        ok = run_demo(
            settings,
            count=count,
            examples=examples,
            partitions=partitions,
            workdir=workdir,
            policy_file=policy_file,
            ready_timeout=ready_timeout,
            process_timeout=process_timeout,
            seed=seed,
            echo=lambda line: click.echo(line),
            keep_topics=keep_topics,
        )
    except DemoError as exc:
        click.echo(f"\nDEMO FAILED: {exc}", err=True)
        sys.exit(1)
    except (KeyboardInterrupt, asyncio.CancelledError):
        click.echo("\ndemo interrupted; workers stopped", err=True)
        sys.exit(130)
    except Exception as exc:
        click.echo(f"\nDEMO FAILED: {safe_exc(exc)}", err=True)
        sys.exit(1)
    sys.exit(0 if ok else 1)


@demo.command("produce")
@bootstrap_option
@click.option("--topic", required=True, help="Topic for tickets, chat lines and notes (text).")
@click.option("--json-topic", help="Topic for JSON events [default: --topic].")
@click.option("--count", default=300, show_default=True, type=click.IntRange(0, 10_000_000))
@click.option("--seed", default=7, show_default=True)
def produce(
    bootstrap: str | None, topic: str, json_topic: str | None, count: int, seed: int
) -> None:
    """Send COUNT synthetic messages (Faker) to an existing topic."""
    from piimask.demo import kafka_io
    from piimask.demo.traffic import generate

    settings = load_settings(kafka_bootstrap=bootstrap)
    messages = (
        (
            json_topic if (m.format == "json" and json_topic) else topic,
            m.key.encode(),
            m.value.encode("utf-8"),
        )
        for m in generate(count, seed=seed)
    )
    try:
        sent = asyncio.run(kafka_io.produce(settings, messages))
    except Exception as exc:
        raise click.ClickException(f"cannot produce: {safe_exc(exc)}") from None
    click.echo(f"sent {sent} messages")


@demo.command("sample")
@click.option("--count", default=10, show_default=True, type=click.IntRange(0, 10_000_000))
@click.option("--seed", default=7, show_default=True)
def sample(count: int, seed: int) -> None:
    """Print synthetic messages as JSON lines (kind, format, key, value); no Kafka needed."""
    from piimask.demo.traffic import generate

    for m in generate(count, seed=seed):
        click.echo(json.dumps({"kind": m.kind, "format": m.format, "key": m.key, "value": m.value}))
