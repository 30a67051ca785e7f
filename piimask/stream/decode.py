"""Raw record value -> text to scan, a pass-through, or a rejection with a reason code.

Decisions made here (documented in the README worker section):

- ``None`` value (tombstone): passed through as a tombstone with the same key, because
  compacted topics use tombstones to delete keys and holding them back would keep data
  alive that its owner deleted.
- ``b""`` (empty value): passed through as an empty record, outcome ``clean``: it holds
  no PII and dead-lettering it would only make noise. This holds in both formats.
- More than ``max_message_bytes``: rejected as ``oversize`` (unless ``oversize_action``
  is ``scan``); the check runs on the byte length before decoding.
- Not UTF-8: rejected as ``invalid_utf8``. The detail names the byte position only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OversizeAction = Literal["dead_letter", "scan"]


@dataclass(frozen=True, slots=True)
class PassThrough:
    """A value forwarded unchanged because it cannot hold PII."""

    kind: Literal["tombstone", "empty_value"]


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a record goes to the dead-letter topic. ``detail`` never quotes the value."""

    reason: str
    detail: str


def decode_value(
    value: bytes | None, *, max_bytes: int, oversize_action: OversizeAction = "dead_letter"
) -> str | PassThrough | Rejection:
    if value is None:
        return PassThrough("tombstone")
    if len(value) == 0:
        return PassThrough("empty_value")
    if len(value) > max_bytes and oversize_action == "dead_letter":
        return Rejection(
            "oversize", f"value is {len(value)} bytes, more than max_message_bytes={max_bytes}"
        )
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Rejection(
            "invalid_utf8", f"value is not valid UTF-8 at byte {exc.start}: {exc.reason}"
        )
