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

Guesses, not findings, and for the same reason: on a machine line a label with its count
("Trash: 118", "Syncs: 1204") and the key of a field ("GitRepository": {...}) are the
record's own words; a name with a digit in it ("4W-12B") is a bed, a room or a part; and
the model alone never decides a document number there without a document's word before
it (no such guess was right on any log set, docs/detection.md). Anywhere, a name or a
place guess with no word in it and a digit ("2C 00 C3 FF") and a "phone" that is a
decimal number ("1763656802.118412") are no findings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from piimask.detect.value_shapes import ID_CONTEXT, fits_type
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
_NAME_PLACE = frozenset({"PERSON", "LOCATION"})
_DOCUMENT_GUESS_TYPES = frozenset(
    {"DRIVER_LICENSE", "GOVERNMENT_ID", "PASSPORT", "TAX_ID", "US_BANK_NUMBER", "US_ITIN"}
)
# "Trash: 118" in the span, or "Syncs" with ": 1204" after it: a label and its count
_LABEL_AND_COUNT = re.compile(r"\W*[^\W\d_]+:[ \t]*[0-9][0-9.,]*\W*")
_COUNT_AFTER = re.compile(r":[ \t]*[0-9]")
# a JSON key ("GitRepository": {) or a field's key (GitRepository=...)
_JSON_KEY_AFTER = re.compile(r'"[ \t]*:')
_FIELD_KEY_AFTER = re.compile(r"=[^=\s]")
_HOLDS_ADDRESS = re.compile(
    r"@|[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{0,4}){2,}"
)
# a decimal number with a long fraction or integer part: an epoch, a measurement
_DECIMAL = re.compile(r"[0-9]+\.[0-9]+")


def _trim_lead(text: str, span: Span) -> Span | None:
    value = text[span.start : span.end]
    lead = len(value) - len(value.lstrip(_LEADING_MARKS))
    if lead == len(value):
        return None
    if lead:
        return Span(span.start + lead, span.end, span.entity_type, span.score, span.detector)
    return span


def _guessed(span: Span) -> bool:
    return span.detector == "model" or span.detector.startswith(("ner:", "model+ner"))


def _wordless(value: str) -> bool:
    """No run of three letters, nor of two with a lower-case or uncased one ("Li", "王芳"):
    hex bytes and codes, no name."""
    for run in re.findall(r"[^\W\d_]+", value):
        if len(run) >= 3 or (len(run) == 2 and not run.isupper()):
            return False
    return True


def _digit_token(value: str) -> bool:
    return any(c.isdigit() for c in value)


def _mostly_codes(value: str) -> bool:
    tokens = value.split()
    return 2 * sum(any(c.isdigit() for c in t) for t in tokens) > len(tokens)


def _decimal_phone(value: str) -> bool:
    if not _DECIMAL.fullmatch(value):
        return False
    whole, fraction = value.split(".")
    return len(whole) >= 9 or len(fraction) >= 5


def _key_of_field(text: str, span: Span, *, machine: bool) -> bool:
    if span.start > 0 and text[span.start - 1] == '"' and _JSON_KEY_AFTER.match(text, span.end):
        return True
    before = text[span.start - 1] if span.start > 0 else " "
    return machine and before in " \t,;{[(" and bool(_FIELD_KEY_AFTER.match(text, span.end))


def _guess_ruled_out(text: str, span: Span, *, machine: bool) -> bool:
    """The rules for guesses of the module docstring's second paragraph."""
    value = text[span.start : span.end]
    if _HOLDS_ADDRESS.search(value):
        return False  # a guess over an address or a mailbox is masked, whatever it is
    if span.entity_type in _NAME_PLACE and (
        (machine and _mostly_codes(value))
        or (_wordless(value) and (machine or _digit_token(value)))
    ):
        return True
    if span.entity_type == "PHONE_NUMBER" and _decimal_phone(value.strip("()[] ")):
        return True
    if _key_of_field(text, span, machine=machine):
        return True
    if not machine:
        return False
    if span.entity_type in _DOCUMENT_GUESS_TYPES:
        line_start = text.rfind("\n", 0, span.start) + 1
        return not ID_CONTEXT.search(text, max(line_start, span.start - 40), span.start)
    if span.entity_type in _LINE_TYPES and (
        _LABEL_AND_COUNT.fullmatch(value)
        or (" " not in value.strip() and _COUNT_AFTER.match(text, span.end))
    ):
        return True
    return span.entity_type in _NAME_PLACE and any(c.isdigit() for c in value)


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
        if _guessed(span) and _guess_ruled_out(text, span, machine=machine):
            continue
        out.append(span)
    return out
