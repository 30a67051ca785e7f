"""Field-aware scanning of JSON values: each value is judged together with its key path.

A scalar seen alone is a guess for the model (``2``, ``1732700000``, ``SKU-1234``); its key
says what it is (``qty``, ``ts``, ``sku``; ``zip``, ``email``). :func:`plan_field` decides,
from the key's :class:`~piimask.detect.field_names.KeyHint` and the value's shape, how a
value is scanned:

- ``whole``: masked whole as the type its key names (``"email": ...``, ``"zip": 94107``);
- ``skip``: not scanned (a number under a count, amount, id, time key);
- ``validated``: only validated pattern recognizers may mask it (card numbers with their
  Luhn check, IBAN, SSN ranges, e-mail, IP and MAC addresses, ...; phone numbers only when
  the key or the value's shape says phone): a bare number or a short code the model alone
  would guess at;
- ``full``: full detection: free text and long strings as plain text; a short phrase under
  a key not known to be harmless, or a short string under a key that suggests a type
  (``name``, ``customer``), where the model alone may only mask words (names, places,
  dates) or the suggested type, never an id-shaped code as a licence or tax number.

Pure: the plan says how a value is scanned, :func:`filter_spans` keeps the detector's spans
of the value that the plan allows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from piimask.detect.field_names import KeyHint
from piimask.spans import Span

FieldMode = Literal["whole", "skip", "validated", "full"]
FIELD_NAME: Final = "field_name"  # the detector of a value masked whole for its key
ValueShape = Literal["number", "code", "token", "phrase", "text"]

# Types whose recognizers validate what they match (a checksum, a structure with ranges),
# so a match in a lone code is evidence enough.
VALIDATED_TYPES: Final = frozenset(
    {
        "CREDIT_CARD",
        "IBAN_CODE",
        "US_SSN",
        "EMAIL_ADDRESS",
        "IP_ADDRESS",
        "MAC_ADDRESS",
        "CRYPTO",
        "US_ITIN",
        "UK_NINO",
    }
)
# What the model may still find, alone, in a short string under a key that is not known to
# be harmless: words (names, places, dates), not identifiers; an id-shaped code (a hex
# token, a uuid) read as a driver's licence or a tax id is the guess field names prevent.
MODEL_WORD_TYPES: Final = frozenset({"PERSON", "LOCATION", "STREET_ADDRESS", "DATE_TIME"})
# Values that say "no value": never masked whole (they hold nothing).
_PLACEHOLDERS: Final = frozenset(
    {"-", "--", "n/a", "na", "none", "null", "nil", "unknown", "redacted", "***", "?"}
)
_LETTER_RE: Final = re.compile(r"[^\W\d_]")
_PHONE_SHAPE_RE: Final = re.compile(r"\+?[\d\s().\-]{7,24}(?:\s*(?:x|ext\.?)\s*\d{1,6})?", re.I)
_PHONE_SEPARATED_RE: Final = re.compile(r"^\+|[\s().\-]")
# A phrase: a few words; longer strings are text and keep full detection whatever the key.
_PHRASE_MAX_WORDS: Final = 3
_PHRASE_MAX_CHARS: Final = 40
_TOKEN_MAX_CHARS: Final = 100
_UPPER_RE: Final = re.compile(r"[^\W\d_a-z]")  # a letter that is not lower case


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """How one JSON value is scanned (see the module docstring)."""

    mode: FieldMode
    entity_type: str | None = None  # whole: the type; validated/full: the key's suggested type
    phone: bool = False  # validated: phone-number spans are kept
    model_types: frozenset[str] | None = None  # full: types the model alone may mask
    detector: str = FIELD_NAME  # whole: recorded as the mask's detector


SKIP: Final = FieldPlan("skip")
VALIDATED: Final = FieldPlan("validated")


def value_shape(text: str, *, is_number: bool) -> ValueShape:
    """number (a JSON number), code (no letters: ``94107``, ``2026-01-05``, ``+1 415 555``),
    token (letters, no whitespace, up to 100 characters), phrase (up to 3 words, 40
    characters), text (longer)."""
    if is_number:
        return "number"
    if _LETTER_RE.search(text) is None:
        return "code"
    words = text.split()
    if len(words) <= 1:
        # one token, however long (a digest, a uuid, a path): not prose
        return "token" if len(text) <= _TOKEN_MAX_CHARS else "text"
    if len(words) <= _PHRASE_MAX_WORDS and len(text) <= _PHRASE_MAX_CHARS:
        return "phrase"
    return "text"


def phone_shaped(text: str) -> bool:
    """A value written like a phone number: digits with a leading + or separators."""
    stripped = text.strip()
    if _PHONE_SHAPE_RE.fullmatch(stripped) is None:
        return False
    digits = sum(c.isdigit() for c in stripped)
    return 7 <= digits <= 15 and _PHONE_SEPARATED_RE.search(stripped) is not None


def plan_field(
    path: Sequence[str | int], text: str, *, is_number: bool, hint: KeyHint
) -> FieldPlan:
    """How the value ``text`` at ``path`` is scanned, given what its key says."""
    shape = value_shape(text, is_number=is_number)
    if hint.kind == "pii" and hint.decides:
        if text.strip().casefold() in _PLACEHOLDERS or not text.strip():
            return SKIP
        return FieldPlan("whole", hint.entity_type)
    suggested = hint.entity_type if hint.kind == "pii" else None
    if shape in ("number", "code"):
        if shape == "number" and hint.kind in ("non_pii", "event_time"):
            return SKIP
        phone = suggested == "PHONE_NUMBER" or (
            hint.kind in ("unknown", "free_text") and shape == "code" and phone_shaped(text)
        )
        return FieldPlan("validated", suggested, phone=phone)
    if shape == "text" or hint.kind == "free_text":
        return FieldPlan("full", suggested)  # read as plain text
    if hint.kind in ("non_pii", "event_time") or (shape == "token" and suggested is None):
        # SKU-1234, eu-west-1, 2026-01-05T10:00:00Z, a session uuid: validated patterns
        # only (an e-mail address or IBAN there is still found)
        return FieldPlan("validated")
    # a phrase under an unknown key, a token or phrase under a key that suggests a type:
    # full detection, where the model alone masks the type the key suggests, or else words
    # only (names, places, dates). The value is detected alone: a context prefix ("name:
    # Home") makes the model call any word under a name key a person.
    return FieldPlan(
        "full", suggested, model_types=frozenset({suggested}) if suggested else MODEL_WORD_TYPES
    )


def _is_validated(span: Span) -> bool:
    return any(part.startswith("pattern:") for part in span.detector.split("+"))


def filter_spans(plan: FieldPlan, value: str, spans: Sequence[Span]) -> list[Span]:
    """The detector's spans of ``value`` that may mask it under ``plan``."""
    out: list[Span] = []
    for span in spans:
        if plan.mode == "validated":
            if not _is_validated(span):
                continue
            if span.entity_type == "PHONE_NUMBER":
                if not plan.phone:
                    continue
            elif span.entity_type not in VALIDATED_TYPES and span.entity_type != plan.entity_type:
                continue
        elif (
            plan.model_types is not None
            and not _is_validated(span)
            and span.entity_type != plan.entity_type
            and (
                span.entity_type not in plan.model_types
                or _LETTER_RE.search(value, span.start, span.end) is None
                # names and places in a field value are written with capitals; the model
                # reads lower-case tool names (trivy 0.50.1) as names
                or _UPPER_RE.search(value, span.start, span.end) is None
            )
        ):
            continue  # the model alone never masks a bare number or code
        out.append(span)
    return out
