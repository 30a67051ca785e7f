"""Command-line options shared by the commands that run detection."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from piimask.detect import DetectionEngine
    from piimask.keys import KeyRing
    from piimask.mask.policy import Policy
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
        click.option(
            "--thresholds",
            "thresholds_file",
            type=click.Path(dir_okay=False, exists=True, path_type=Path),
            default=None,
            help="Thresholds file from `piimask calibrate` (same as PIIMASK_THRESHOLDS_FILE).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


# --- options every command spells the same way ------------------------------------------


def key_file_option(func: F) -> F:
    """``--key-file FILE``: the key ring, instead of PIIMASK_KEYS / PIIMASK_KEY_FILE."""
    return click.option(
        "--key-file",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        default=None,
        help="Key ring file (default: PIIMASK_KEYS / PIIMASK_KEY_FILE).",
    )(func)


def bootstrap_option(func: F) -> F:
    """``--bootstrap HOST:PORT``: instead of PIIMASK_KAFKA_BOOTSTRAP."""
    return click.option(
        "--bootstrap", help="Kafka bootstrap servers [default: PIIMASK_KAFKA_BOOTSTRAP]."
    )(func)


def env_file_option(func: F) -> F:
    """``--env-file FILE``: PIIMASK_* settings from a file (environment variables win)."""
    return click.option(
        "--env-file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Read PIIMASK_* settings from this file (environment variables win).",
    )(func)


def policy_option(func: F) -> F:
    """``--policy FILE``: instead of PIIMASK_POLICY_FILE / the shipped policy."""
    return click.option(
        "--policy",
        "policy_path",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        default=None,
        help="Mask policy (default: PIIMASK_POLICY_FILE, else the shipped default policy).",
    )(func)


def input_argument(metavar: str = "INPUT.jsonl", *, optional: bool = False) -> Callable[[F], F]:
    """``INPUT``: a file, or '-' for stdin (the default when ``optional``)."""
    extra: dict[str, Any] = {"default": "-"} if optional else {}
    return click.argument(
        "input_path",
        metavar=f"[{metavar}]" if optional else metavar,
        type=click.Path(dir_okay=False, allow_dash=True),
        **extra,
    )


def output_option(*, required: bool = False, help: str | None = None) -> Callable[[F], F]:
    """``-o/--output FILE``: a file, or '-' for stdout (the default unless ``required``)."""
    extra: dict[str, Any] = (
        {"required": True} if required else {"default": "-", "show_default": True}
    )
    return click.option(
        "-o",
        "--output",
        "output_path",
        type=click.Path(dir_okay=False, allow_dash=True),
        help=help,
        **extra,
    )


# --- loading, with click errors ----------------------------------------------------------


def load_settings(env_file: Path | None = None, **overrides: object) -> Settings:
    """PIIMASK_* settings (with command-line overrides), or a click error naming the bad
    setting (never its value)."""
    from piimask.loaders import LoadError
    from piimask.loaders import load_settings as load

    try:
        return load(env_file, **overrides)
    except LoadError as exc:
        raise click.ClickException(str(exc)) from None


def load_keyring(
    key_file: Path | None,
    dev_keys: bool = False,
    *,
    offer_dev_keys: bool = True,
    settings: Settings | None = None,
) -> KeyRing:
    """The key ring from --key-file, else PIIMASK_KEYS / PIIMASK_KEY_FILE (or a throwaway one)."""
    from piimask.keys import KeyRing, KeyRingError
    from piimask.loaders import LoadError
    from piimask.loaders import load_keyring as load

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
        return load(settings, key_file)
    except LoadError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyRingError as exc:
        hint = " (or pass --key-file FILE, or --dev-keys for a throwaway ring)"
        raise click.ClickException(f"{exc}{hint if offer_dev_keys else ''}") from None


def load_policy_option(path: Path | None, settings: Settings | None = None) -> Policy:
    """The policy from --policy, else PIIMASK_POLICY_FILE, else the shipped one."""
    from piimask.loaders import LoadError, load_policy
    from piimask.mask import PolicyError

    try:
        return load_policy(settings, path)
    except (LoadError, PolicyError) as exc:
        raise click.ClickException(str(exc)) from None


def engine_from_options(options: Mapping[str, object]) -> DetectionEngine:
    from piimask.detect import DetectionEngine, DetectorConfig

    base = DetectorConfig.from_settings(load_settings()).model_dump()
    overrides = {
        k: v
        for k, v in options.items()
        if k in {"model_dir", "window_tokens", "window_overlap", "aggregation", "thresholds_file"}
        and v is not None
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
    from piimask.detect.thresholds import ThresholdsError

    try:
        return DetectionEngine.load(config)
    except (ModelLoadError, NerLoadError, RecognizerConfigError, ThresholdsError) as exc:
        raise click.ClickException(str(exc)) from None
