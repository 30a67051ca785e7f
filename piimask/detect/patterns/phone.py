"""PHONE_NUMBER: the ``phonenumbers`` matcher plus context-gated national formats.

The library (strict "valid" leniency) is precise but only knows numbers it can
place in a numbering plan of the default regions. Many real numbers are written
in a local format without a country code ("476 6970", "06-42894155"), so a
phone-shaped digit group run is also taken when the text says it is a phone
number ("call", "mobile:", "fax:" ...) right before it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import phonenumbers

from piimask.detect.patterns._base import (
    BaseRecognizer,
    IntervalSet,
    has_context,
    keyword_regex,
    only_digits,
)
from piimask.detect.patterns.credit_card import is_card_number
from piimask.spans import Span

CONTEXT = keyword_regex(
    [
        "phone",
        "phones",
        "phone no",
        "telephone",
        "tel",
        "tel no",
        "mobile",
        "mob",
        "cell",
        "cellphone",
        "cell phone",
        "fax",
        "desk",
        "office",
        "home",
        "work",
        "direct",
        "landline",
        "hotline",
        "helpline",
        "call",
        "calls",
        "called",
        "calling",
        "ring",
        "dial",
        "text",
        "texts",
        "texting",
        "sms",
        "whatsapp",
        "message",
        "messages",
        "reach",
        "reached",
        "contact",
        "answering",
        "voicemail",
        "ph",
        "tél",
        "telefon",
        "telefono",
        "teléfono",
    ]
)
# After the number: "555 0100 is my cell", "... (mobile)".
CONTEXT_AFTER = keyword_regex(["phone", "mobile", "cell", "number", "fax", "landline", "home"])

_CANDIDATE = re.compile(
    r"(?<![\w+#/.,:@-])"
    r"(?:\+[ ]?[0-9]{1,3}(?:[ .-]|(?=\())?)?"  # country code
    r"(?:\([0-9]{1,5}\)[ .-]?)?"  # trunk or area code in parentheses
    r"[0-9]{1,6}(?:(?:[ .-]|[ ]-[ ])[0-9]{1,6}){0,6}"  # digit groups
    r"(?:[ ]?(?:x|ext\.?|extension|#)[ ]?[0-9]{1,6})?"  # extension
    r"(?![\w@-]|[.,/:][0-9])",
    re.IGNORECASE,
)
_EXTENSION = re.compile(r"[ ]?(?:x|ext\.?|extension|#)[ ]?[0-9]{1,6}$", re.IGNORECASE)
_NANP_SHAPE = re.compile(r"(?:\(\d{3}\)[ ]?|\d{3}([-.]))\d{3}[-.]\d{4}")
_DATE_SHAPE = re.compile(
    r"(?:19|20)[0-9]{2}([-. ])[0-9]{1,2}\1[0-9]{1,2}|[0-9]{1,2}([-. ])[0-9]{1,2}\2(?:19|20)[0-9]{2}"
)
_DOTTED_QUAD = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")
# Between two numbers of one list: "555 0100, 555 0199" or "555 0100 or 555 0199".
_LIST_GAP = re.compile(r"\s*(?:[,;/|&]|\s(?:or|and|oder|ou|o)\s)\s*", re.IGNORECASE)
_SSN_SHAPE = re.compile(r"[0-9]{3}-[0-9]{2}-[0-9]{4}")


def _shape_ok(value: str) -> bool:
    """A plausible written phone number: 6-15 digits in groups, no lone trailing digit."""
    number = _EXTENSION.sub("", value)
    digits = only_digits(number)
    international = number.startswith("+")
    if not (8 if international else 6) <= len(digits) <= 15:
        return False
    groups = re.findall(r"[0-9]+", number)
    if len(groups) > 1 and len(groups[-1]) < 2:
        return False
    if _DATE_SHAPE.fullmatch(number) or _DOTTED_QUAD.fullmatch(number):
        return False
    if _SSN_SHAPE.fullmatch(number):
        return False
    return not (len(digits) >= 12 and not international and is_card_number(digits))


class PhoneRecognizer(BaseRecognizer):
    name = "PHONE_NUMBER"
    entity_type = "PHONE_NUMBER"

    def __init__(self, regions: Sequence[str] = ("US",)) -> None:
        unknown = [r for r in regions if r.upper() not in phonenumbers.SUPPORTED_REGIONS]
        if unknown:
            raise ValueError(f"unknown phone region code(s): {', '.join(unknown)}")
        self.regions = tuple(r.upper() for r in regions)

    def find(self, text: str) -> list[Span]:
        spans: list[Span] = []
        if not any("0" <= c <= "9" for c in text):
            return spans
        library = IntervalSet()
        for region in self.regions:
            matcher = phonenumbers.PhoneNumberMatcher(
                text, region, leniency=phonenumbers.Leniency.VALID
            )
            for found in matcher:
                start, end = found.start, found.end
                if not _shape_ok(text[start:end]) or not library.add(start, end):
                    continue
                spans.append(self.span(start, end, self._library_score(text, start, end)))
        position = 0
        previous: Span | None = None
        while (match := _CANDIDATE.search(text, position)) is not None:
            start = match.start()
            position = match.end()
            claimed = library.overlapping(start, start + 1)
            if claimed is not None:
                position = claimed[1]
                continue
            # Greedy grouping can run into the next number ("555 0100 2 times"):
            # shorten from the right, one digit group at a time.
            for end in _group_ends(text, start, match.end()):
                if library.overlapping(start, end) is not None:
                    continue
                listed = previous is not None and _LIST_GAP.fullmatch(text, previous.end, start)
                score = self._candidate_score(text, start, end, listed=bool(listed))
                if score > 0:
                    previous = self.span(start, end, score)
                    spans.append(previous)
                    position = end
                    break
        spans.sort()
        return spans

    @staticmethod
    def _context(text: str, start: int, end: int) -> bool:
        return has_context(text, start, end, CONTEXT, before=40, digit_free_gap=True) or (
            has_context(text, start, end, CONTEXT_AFTER, before=0, after=20)
        )

    def _library_score(self, text: str, start: int, end: int) -> float:
        if self._context(text, start, end):
            return 0.95
        value = text[start:end]
        return 0.8 if (value.startswith("+") or not value.isdigit()) else 0.6

    def _candidate_score(self, text: str, start: int, end: int, *, listed: bool) -> float:
        value = text[start:end]
        if not _shape_ok(value):
            return 0.0
        if listed or self._context(text, start, end):
            return 0.8 if len(only_digits(value)) >= 7 else 0.7
        if value.startswith("+") and _possible_international(value):
            return 0.7
        if _NANP_SHAPE.fullmatch(_EXTENSION.sub("", value)):
            return 0.6
        return 0.0

    def validate(self, value: str) -> bool:
        return _CANDIDATE.fullmatch(value) is not None and _shape_ok(value)


_GROUP_END = re.compile(r"[0-9]+(?:[ ]?(?:x|ext\.?|extension|#)[ ]?[0-9]{1,6}$)?", re.IGNORECASE)


def _group_ends(text: str, start: int, end: int) -> list[int]:
    """Candidate end offsets, longest first: after each digit group (at most 8)."""
    ends = [m.end() for m in _GROUP_END.finditer(text, start, end)]
    return ends[::-1][:8]


def _possible_international(value: str) -> bool:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_possible_number(number))
