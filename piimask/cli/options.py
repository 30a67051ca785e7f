"""Command-line options shared by the commands that run detection."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from piimask.detect import DetectionEngine
    from piimask.keys import KeyRing
    from piimask.settings import Settings

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
        click.option(
            "--no-ner",
            is_flag=True,
            help="Without the second NER model (same as PIIMASK_NER_ENABLED=false).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def load_settings() -> Settings:
    """PIIMASK_* settings, or a click error naming the bad setting (never its value)."""
    from pydantic import ValidationError

    from piimask.audit.trail import describe_validation_error
    from piimask.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        raise click.ClickException(f"settings: {describe_validation_error(exc)}") from None


def load_keyring(
    key_file: Path | None, dev_keys: bool = False, *, offer_dev_keys: bool = True
) -> KeyRing:
    """The key ring from --key-file, else PIIMASK_KEYS / PIIMASK_KEY_FILE (or a throwaway one)."""
    from piimask.keys import KeyRing, KeyRingError

    if key_file is not None and dev_keys:
        raise click.UsageError("--key-file and --dev-keys exclude each other")
    if dev_keys:
        click.echo(
            "warning: --dev-keys: using an ephemeral random key ring; hashes, pseudonyms and "
            "encrypt tokens of this run cannot be reproduced or unmasked later",
            err=True,
        )
        return KeyRing.generate("dev")
    try:
        if key_file is not None:
            return KeyRing.from_file(key_file)
        return KeyRing.from_settings(load_settings())
    except KeyRingError as exc:
        hint = " (or pass --key-file FILE, or --dev-keys for a throwaway ring)"
        raise click.ClickException(f"{exc}{hint if offer_dev_keys else ''}") from None


def engine_from_options(options: Mapping[str, object]) -> DetectionEngine:
    from piimask.detect import DetectionEngine, DetectorConfig

    base = DetectorConfig.from_settings(load_settings()).model_dump()
    overrides = {
        k: v
        for k, v in options.items()
        if k in {"model_dir", "window_tokens", "window_overlap", "aggregation"} and v is not None
    }
    if options.get("no_patterns"):
        overrides["patterns"] = False
    if options.get("no_ner"):
        overrides["ner_enabled"] = False
    try:
        config = DetectorConfig(**{**base, **overrides})
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    from piimask.custom_recognizers import RecognizerConfigError
    from piimask.detect.model import ModelLoadError
    from piimask.detect.ner import NerLoadError

    try:
        return DetectionEngine.load(config)
    except (ModelLoadError, NerLoadError, RecognizerConfigError) as exc:
        raise click.ClickException(str(exc)) from None
