"""Command-line options shared by the commands that run detection."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from piimask.detect import DetectionEngine

F = TypeVar("F", bound=Callable[..., Any])


def detector_options(func: F) -> F:
    """``--model-dir``, window and aggregation overrides; defaults come from PIIMASK_* settings."""
    options = [
        click.option(
            "--model-dir",
            type=click.Path(file_okay=False, exists=True, path_type=Path),
            default=None,
            help="Model directory (default: bundled Rampart).",
        ),
        click.option(
            "--window", "window_tokens", type=int, default=None, help="Tokens per model window."
        ),
        click.option(
            "--overlap",
            "window_overlap",
            type=int,
            default=None,
            help="Tokens shared by adjacent windows.",
        ),
        click.option("--aggregation", type=click.Choice(["first", "average", "max"]), default=None),
        click.option(
            "--no-patterns", is_flag=True, help="Model only, without pattern recognizers."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def engine_from_options(options: Mapping[str, object]) -> DetectionEngine:
    from piimask.detect import DetectionEngine, DetectorConfig
    from piimask.settings import Settings

    base = DetectorConfig.from_settings(Settings()).model_dump()
    overrides = {
        k: v
        for k, v in options.items()
        if k in {"model_dir", "window_tokens", "window_overlap", "aggregation"} and v is not None
    }
    if options.get("no_patterns"):
        overrides["patterns"] = False
    try:
        config = DetectorConfig(**{**base, **overrides})
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return DetectionEngine.load(config)
