"""``piimask worker``: the stream worker."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click
from pydantic import ValidationError

from piimask.ops.logs import configure_logging, safe_exc
from piimask.settings import Settings


@click.command("worker")
@click.option(
    "--env-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read PIIMASK_* settings from this file (environment variables win).",
)
def worker(env_file: Path | None) -> None:
    """Consume input topics, mask records, produce masked records, audit events, dead letters.

    Every setting comes from PIIMASK_* environment variables (or --env-file); see the
    README section "worker". Exits 0 after SIGTERM/SIGINT once the batches in flight are
    committed; exits 1 if a batch could not be delivered (nothing of it is committed);
    exits 2 on a configuration error.
    """
    from piimask.detect.model import ModelLoadError
    from piimask.detect.ner import NerLoadError
    from piimask.stream.app import StartupError, build_worker, serve
    from piimask.stream.kafka_security import KafkaSecurityError
    from piimask.stream.routing import RoutingError

    try:
        settings = Settings(_env_file=env_file) if env_file else Settings()
    except ValidationError as exc:
        click.echo(f"Error: invalid settings: {safe_exc(exc)}", err=True)
        sys.exit(2)
    configure_logging(settings.log_level, settings.log_format)
    try:
        from piimask.ops.metrics import WorkerMetrics

        built = build_worker(settings, metrics=WorkerMetrics())
    except (StartupError, KafkaSecurityError, RoutingError, ModelLoadError, NerLoadError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:
        # Policy errors name the field; other errors are described without content.
        click.echo(f"Error: cannot start the worker: {safe_exc(exc)}", err=True)
        sys.exit(2)
    code = asyncio.run(serve(built))
    sys.exit(code)
