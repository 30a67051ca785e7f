"""Describing a pydantic ``ValidationError`` without the values that failed.

Pydantic's own text echoes the input, and input here may be a secret (settings) or PII (an
audit event, a dead letter): only field paths and messages are kept."""

from __future__ import annotations

from pydantic import ValidationError

MAX_ERRORS = 5


def describe_validation_error(exc: ValidationError, *, empty: str = "(value)") -> str:
    """``"loc.path: message; ..."`` for the first errors, ``empty`` naming a root-level error."""
    errors = exc.errors(include_input=False, include_url=False, include_context=False)
    parts = []
    for error in errors[:MAX_ERRORS]:
        where = ".".join(str(p) for p in error["loc"]) or empty
        parts.append(f"{where}: {error['msg']}")
    more = exc.error_count() - len(parts)
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)
