"""A guess whose own text cannot be of its type, on a line of machine output.

The model, the NER model and key words guess; in machine output a guess whose text no
person's value of its type is written as ("ip: 'any'", an address ":8086", a "street" that
is a return code, an e-mail with no "@", a "URL" with spaces in it, a licence "sapgw00", a
name written as a constant, "NO_PUBKEY") is no finding. In prose such a guess is most often
PII of another type (a house number the model cut off its street, a surname it called an
id) and stays masked (fail closed), and so does a value a key decided there. Validated
patterns checked their own shapes and are left alone. Anywhere, a name guess that begins
with a dash or a bracket loses it, and one written as a constant or a namespace is code, as
is any guess written as an error type ("Utf8Error").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from piimask.detect.value_shapes import fits_type
from piimask.spans import Span

_LINE_TYPES = frozenset({"PERSON", "LOCATION", "STREET_ADDRESS", "ZIP_CODE"})
_CONSTANT = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_ERROR_TYPE = re.compile(r"(?:[A-Z]\w*\.)*[A-Z]\w*(?:Error|Exception|Fault)")
# A namespace or a module path: three dotted parts of two letters or more, no space
# ("Ecto.Schema.Metadata"; initials are one letter: "J.R.Smith" stays a name)
_NAMESPACE = re.compile(r"[^\W\d_][\w]+(?:\.[^\W\d_][\w]+){2,}")
# What a list, a log header or a quote puts before a word: never part of a name (an "@" of
# a handle and an opening quote are kept)
_LEADING_MARKS = "-\u2013\u2014*\u2022\u00b7>|:;,. \t([{"


def _trim_lead(text: str, span: Span) -> Span | None:
    value = text[span.start : span.end]
    lead = len(value) - len(value.lstrip(_LEADING_MARKS))
    if lead == len(value):
        return None
    if lead:
        return Span(span.start + lead, span.end, span.entity_type, span.score, span.detector)
    return span


def _ruled_out(text: str, span: Span) -> bool:
    value = text[span.start : span.end]
    if span.entity_type == "EMAIL_ADDRESS" and not span.detector.startswith("context:"):
        # a guess with no "@" ("junos" of "junos@2636.1.1"); under a key, "email=jdoe" is
        # a mailbox's local part, a login: still a person's
        return "@" not in value and _SPELLED_AT.search(value) is None
    return not fits_type(span.entity_type, value)


# "jane dot doe at example dot com": an address spelled out to escape scrapers
_SPELLED_AT = re.compile(r"\s(?:at|\(at\)|\[at\])\s", re.IGNORECASE)


def drop_misshapen(
    text: str, spans: Sequence[Span], machine_line: Callable[[int], bool]
) -> list[Span]:
    """``spans`` less the guesses on machine lines (``machine_line(offset)``) that their
    own text rules out; name guesses without a dash or bracket before them, and none that
    is a constant."""
    out: list[Span] = []
    for span in spans:
        if span.detector.startswith("pattern:"):
            out.append(span)
            continue
        if span.entity_type == "PERSON":
            trimmed = _trim_lead(text, span)
            if trimmed is None:
                continue
            span = trimmed
            value = text[span.start : span.end]
            if _CONSTANT.fullmatch(value) or _NAMESPACE.fullmatch(value):
                continue
        if _ERROR_TYPE.fullmatch(text[span.start : span.end]):
            continue  # "Utf8Error", "Ecto.StaleEntryError": a program's error type
        machine = machine_line(span.start)
        if machine and span.entity_type in _LINE_TYPES:
            # in machine output every line is a record: a name or an address guess that
            # runs over a line break ("412\nScanned", "...: 9\nSession Id: 4") ends at it
            cut = text.find("\n", span.start, span.end)
            if cut != -1:
                if text[span.start : cut].strip() == "":
                    continue
                span = Span(span.start, cut, span.entity_type, span.score, span.detector)
        if machine and _ruled_out(text, span):
            continue
        out.append(span)
    return out
