"""``piimask worker``: the stream worker."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from piimask.cli.options import env_file_option
from piimask.loaders import LoadError, load_settings
from piimask.ops.logs import configure_logging, safe_exc
from piimask.settings import Settings


def _startup_errors() -> tuple[type[Exception], ...]:
    """Configuration errors whose messages name the problem (and never hold content)."""
    from piimask.detect.model import ModelLoadError
    from piimask.detect.ner import NerLoadError
    from piimask.detect.thresholds import ThresholdsError
    from piimask.stream.app import StartupError
    from piimask.stream.kafka_security import KafkaSecurityError
    from piimask.stream.routing import RoutingError

    return (
        StartupError,
        KafkaSecurityError,
        RoutingError,
        ModelLoadError,
        NerLoadError,
        ThresholdsError,
    )


@click.command("worker")
@env_file_option
@click.option(
    "--runtime",
    type=click.Choice(["aiokafka", "faust"]),
    default=None,
    help="aiokafka (default: both guarantees) or faust (a faust-streaming app, at-least-once); "
    "overrides PIIMASK_RUNTIME.",
)
def worker(env_file: Path | None, runtime: str | None) -> None:
    """Consume input topics, mask records, produce masked records, audit events, dead letters.

    Every setting comes from PIIMASK_* environment variables (or --env-file); see the
    README section "worker". Exits 0 after SIGTERM/SIGINT once the batches in flight are
    committed; exits 1 if a batch could not be delivered (nothing of it is committed);
    exits 2 on a configuration error.
    """
    from piimask.stream.app import build_worker, serve

    try:
        settings = load_settings(env_file, runtime=runtime)
    except LoadError as exc:
        click.echo(f"Error: invalid {exc}", err=True)
        sys.exit(2)
    configure_logging(settings.log_level, settings.log_format)
    if settings.runtime == "faust":
        sys.exit(_run_faust(settings))
    try:
        from piimask.ops.metrics import WorkerMetrics

        built = build_worker(settings, metrics=WorkerMetrics())
    except _startup_errors() as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:
        # Policy errors name the field; other errors are described without content.
        click.echo(f"Error: cannot start the worker: {safe_exc(exc)}", err=True)
        sys.exit(2)
    code = asyncio.run(serve(built))
    sys.exit(code)


def _run_faust(settings: Settings) -> int:
    """``--runtime faust``: the same settings, pipeline and delivery in a faust app."""
    from piimask.ops.metrics import WorkerMetrics
    from piimask.stream.faust_runtime import FaustMasking, FaustRuntimeError, check_settings, run

    errors: tuple[type[Exception], ...] = (FaustRuntimeError, *_startup_errors())
    try:
        check_settings(settings)
        masking = FaustMasking.from_settings(settings, metrics=WorkerMetrics())
        return run(settings, masking)
    except errors as exc:
        click.echo(f"Error: {exc}", err=True)
        return 2
