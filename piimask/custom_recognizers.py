"""Custom regex recognizers as data: the declaration model, read from the settings
(``PIIMASK_CUSTOM_RECOGNIZERS``) or a YAML file (``PIIMASK_CUSTOM_RECOGNIZERS_FILE``).
``piimask.detect.patterns.custom`` turns a declaration into a recognizer. A declaration names
the recognizer and its entity type, gives a regular expression, and optionally a validator
for the matched value and context words; a match is reported only when it validates and,
where context words are given, one of them stands within ``context_window`` characters
before it (or just after it, on the same line)::

    recognizers:
      - name: EMPLOYEE_ID
        entity_type: EMPLOYEE_ID
        pattern: '\\bEMP-\\d{6}\\b'
        context: [employee, staff id]
        score: 0.9
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

ValidatorName = Literal["luhn", "iban"]

RecognizerName = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")]


class CustomRecognizerSpec(BaseModel):
    """One custom regex recognizer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: RecognizerName = Field(description="Recognizer name (upper case, unique).")
    entity_type: RecognizerName = Field(description="Entity type of its spans.")
    pattern: str = Field(min_length=1, description="Python regular expression of a value.")
    validator: ValidatorName | None = Field(
        default=None, description="Checksum the matched value must pass (luhn, iban)."
    )
    context: tuple[str, ...] = Field(
        default=(), description="Words one of which must stand near a match (none: any match)."
    )
    context_window: int = Field(
        default=40, ge=1, le=400, description="Characters before a match searched for context."
    )
    score: float = Field(default=0.85, ge=0.0, le=1.0, description="Score of a match.")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None
        if compiled.match(""):
            raise ValueError("the pattern matches the empty string")
        return value


class CustomRecognizerFile(BaseModel):
    """A YAML file of custom recognizers: ``recognizers: [ ... ]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    recognizers: tuple[CustomRecognizerSpec, ...] = ()


class RecognizerConfigError(ValueError):
    """A recognizer configuration that cannot be used: an unknown or repeated name, or a
    custom recognizer file that cannot be read or does not validate."""


def load_custom_recognizers(path: Path) -> tuple[CustomRecognizerSpec, ...]:
    """The declarations in a YAML file; raises :class:`RecognizerConfigError` naming the field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RecognizerConfigError(f"{path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise RecognizerConfigError(f"{path}: not valid YAML ({type(exc).__name__})") from None
    try:
        return CustomRecognizerFile.model_validate(data or {}).recognizers
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise RecognizerConfigError(f"{path}: {problems}") from None
