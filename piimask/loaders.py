"""Loading what every command and the worker start from: settings, the key ring, the policy.

One place, one error style: each loader raises :class:`LoadError` (or a subclass the caller
already knows: ``KeyRingError``, ``PolicyError``) whose message names the setting or file
to fix and never quotes a value (settings hold secrets). The CLI turns these into click
errors (``piimask.cli.options``); the worker into a start-up error (``piimask.stream.app``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from piimask.settings import Settings
from piimask.validation import describe_validation_error

if TYPE_CHECKING:
    from piimask.keys import KeyRing
    from piimask.mask.policy import Policy


class LoadError(Exception):
    """Settings that do not validate; the message names the fields, not their values."""


def load_settings(env_file: Path | None = None, **overrides: object) -> Settings:
    """``PIIMASK_*`` settings (environment, then ``env_file``), with ``overrides`` on top
    (command-line options such as ``--bootstrap``; None values are ignored)."""
    given = {name: value for name, value in overrides.items() if value is not None}
    try:
        return Settings(_env_file=env_file, **given)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise LoadError(f"settings: {describe_validation_error(exc)}") from None


def load_keyring(settings: Settings | None = None, key_file: Path | None = None) -> KeyRing:
    """The key ring from ``key_file``, else ``PIIMASK_KEYS`` / ``PIIMASK_KEY_FILE`` (settings
    read only then, so a given file works whatever the environment holds).

    Raises ``KeyRingError`` saying what to set, ``LoadError`` for invalid settings."""
    from piimask.keys import KeyRing

    if key_file is not None:
        return KeyRing.from_file(key_file)
    return KeyRing.from_settings(settings if settings is not None else load_settings())


def load_policy(settings: Settings | None = None, policy_file: Path | None = None) -> Policy:
    """The policy from ``policy_file``, else ``PIIMASK_POLICY_FILE``, else the shipped one.

    Raises ``PolicyError`` naming the file and field, ``LoadError`` for invalid settings."""
    from piimask.mask.policy import default_policy
    from piimask.mask.policy import load_policy as read_policy

    if policy_file is None:
        policy_file = (settings if settings is not None else load_settings()).policy_file
    chosen = policy_file
    return default_policy() if chosen is None else read_policy(chosen)
