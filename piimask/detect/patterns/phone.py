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
    has_context_after,
    has_context_before,
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
        "landline",
        "hotline",
        "helpline",
        "call",
        "callback",
        "call back",
        "call-back",
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
        "my number",
        "your number",
        "his number",
        "her number",
        "their number",
        "our number",
        "number to call",
        "voicemail",
        "ph",
        "tél",
        "telefon",
        "telefono",
        "teléfono",
    ]
)
# Field labels that only mean "phone" when written as a label ("Office: ...").
LABELS = re.compile(
    r"(?<!\w)(?:office|home|work|direct|main|private|business|o|m|t|h|w|c|p|f)[ \t]*:",
    re.IGNORECASE,
)
# The digits start a street address ("call a taxi to 21616 23 Settlement Road").
_ADDRESS_AFTER = re.compile(
    r"[ \t]+(?:[^\W\d][\w'.-]*[ \t]+){0,3}?"
    r"(?:street|st|road|rd|avenue|ave|lane|ln|boulevard|blvd|drive|dr|way|court|ct|place|pl"
    r"|square|sq|terrace|heights|hwy|highway|parkway|pkwy|crescent|close|circle|trail|alley"
    r"|plaza|suite|apt|strasse|straße|rue|via|calle|avenida|ul|utca|vej|gatan|tie)\b"
    r"|[ \t]+(?:boulevard|rue|via|calle|avenida|chemin|route|rua|strada|ul\.)\b",
    re.IGNORECASE,
)
# Words that name another identifier: a number right after them is not a phone
# number even when the library could dial it ("license number is 5017491413").
OTHER_IDENTIFIERS = keyword_regex(
    ["license", "licence", "ssn", "social security", "routing", "aba", "account", "acct",
     "card", "iban", "passport", "zip", "postal", "postcode", "order", "invoice", "tracking",
     "serial", "customer id", "member id", "policy", "ticket", "reference", "ref"]
)  # fmt: skip
# After the number: "555 0100 is my cell", "... (mobile)".
CONTEXT_AFTER = keyword_regex(["phone", "mobile", "cell", "number", "fax", "landline", "home"])

_PAREN = r"\(\+?[0-9]{1,5}\)"
# Digit groups and parenthesised codes; a separator is required between two digit
# groups (so the pattern cannot split one run of digits in many ways) and optional
# around a parenthesised code ("+90(273)4646869", "(155)954-3783").
_NEXT_GROUP = (
    rf"(?:[ ]?[-./][ ]?|[ ])(?:{_PAREN}|[0-9]{{1,12}})"  # separated group or code
    rf"|[ ]?{_PAREN}"  # code straight after a group
    r"|(?<=\))[0-9]{1,12}"  # group straight after a code
)
_CANDIDATE = re.compile(
    r"(?<![\w+#/.,:@-])"
    rf"(?:\+[ ]?)?(?:{_PAREN}|[0-9]{{1,15}})(?:{_NEXT_GROUP}){{0,8}}"
    r"(?:[ ]?(?:x|ext\.?|extension|#)[ ]?[0-9]{1,6})?"  # extension
    r"(?![\w@-]|[.,/:][0-9])",
    re.IGNORECASE,
)
_EXTENSION = re.compile(r"[ ]?(?:x|ext\.?|extension|#)[ ]?[0-9]{1,6}$", re.IGNORECASE)
_NANP_SHAPE = re.compile(r"(?:(?:\+?1|001)[ .-]?)?(?:\(\d{3}\)[ ]?|\d{3}[-.])\d{3}[-.]\d{4}")
# Formats that read as phone numbers even with no phone word nearby: an area code in
# parentheses, a national trunk "0" followed by three or more groups, dotted pairs.
_DISTINCT_SHAPE = re.compile(
    r"\([0-9]{1,5}\)[ ]?[0-9]{2,8}(?:[ .-][0-9]{2,8}){0,3}"
    r"|0[0-9]{1,4}(?:[ .-][0-9]{2,8}){2,4}"
    r"|[0-9]{2}(?:\.[0-9]{2}){4}"
)
# The library tries every digit run it sees; on digit-dense input (a 100 kB log
# of numbers) that costs seconds. Past this many tries it stops, and the
# context-gated candidates below still cover the rest of the text.
_LIBRARY_MAX_TRIES = 5000
_DATE_SHAPE = re.compile(
    r"(?:19|20)[0-9]{2}([-./ ])[0-9]{1,2}\1[0-9]{1,2}"
    r"|[0-9]{1,2}([-./ ])[0-9]{1,2}\2(?:19|20)[0-9]{2}"
)
# A date and a short sequence number: a batch, a partition, a file of the day
# ("20261203-02", "2026-12-03/02"), never how a phone number is grouped.
_DATED_CODE = re.compile(
    r"(?:19|20)[0-9]{2}([-./]?)(?:0[1-9]|1[0-2])\1(?:0[1-9]|[12][0-9]|3[01])[-./][0-9]{1,3}"
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
    if (
        _DATE_SHAPE.fullmatch(number)
        or _DATED_CODE.fullmatch(number)
        or _DOTTED_QUAD.fullmatch(number)
    ):
        return False
    if _SSN_SHAPE.fullmatch(number):
        return False
    return not (len(digits) >= 12 and not international and is_card_number(digits))


def _context_before(text: str, start: int) -> bool:
    return has_context_before(text, start, CONTEXT, 40, digit_free_gap=True) or has_context_before(
        text, start, LABELS, 12, digit_free_gap=True
    )


def phone_context(text: str, start: int, end: int) -> bool:
    """A phone word ("phone", "tel", "mobile", "call", ...) before ``text[start:end]``, or a
    phone noun right after it ("... (mobile)")."""
    return _context_before(text, start) or has_context_after(text, end, CONTEXT_AFTER, 20)


class PhoneRecognizer(BaseRecognizer):
    name = "PHONE_NUMBER"
    entity_type = "PHONE_NUMBER"

    def __init__(self, regions: Sequence[str] = ("US",)) -> None:
        unknown = [r for r in regions if r.upper() not in phonenumbers.SUPPORTED_REGIONS]
        if unknown:
            raise ValueError(f"unknown phone region code(s): {', '.join(unknown)}")
        self.regions = tuple(r.upper() for r in regions)

    def find(self, text: str) -> list[Span]:
        if not any("0" <= c <= "9" for c in text):
            return []
        library = IntervalSet()
        library_spans: dict[int, Span] = {}
        for region in self.regions:
            matcher = phonenumbers.PhoneNumberMatcher(
                text, region, leniency=phonenumbers.Leniency.VALID, max_tries=_LIBRARY_MAX_TRIES
            )
            for found in matcher:
                start, end = _balanced(text, found.start, found.end)
                if not _shape_ok(text[start:end]) or _names_other_identifier(text, start):
                    continue
                if _inside_code(text, start, end) or _fraction_of_number(text, start):
                    continue
                if library.add(start, end):
                    score = self._library_score(text, start, end)
                    library_spans[start] = self.span(start, end, score)
        spans: list[Span] = []
        position = 0
        previous: Span | None = None
        while (match := _CANDIDATE.search(text, position)) is not None:
            start = match.start()
            position = match.end()
            claimed = library.overlapping(start, start + 1)
            if claimed is not None and claimed[0] < start:
                position = claimed[1]
                continue
            before = self._context_before(text, start)
            # Greedy grouping can run into the next number ("555 0100 2 times"):
            # shorten from the right, one digit group at a time.
            for end in _group_ends(text, start, match.end()):
                inside = library.overlapping(start, end)
                if inside is not None and inside[1] > end:
                    continue
                listed = previous is not None and _LIST_GAP.fullmatch(text, previous.end, start)
                score = self._candidate_score(text, start, end, listed=bool(listed), before=before)
                if inside is not None and _shape_ok(text[start:end]):
                    # The library validated the core; the run only adds a trunk or
                    # country prefix it left out ("8 (705) 331-8123").
                    score = max(score, library_spans.pop(inside[0]).score)
                if score > 0:
                    previous = self.span(start, end, score)
                    spans.append(previous)
                    position = end
                    break
        spans.extend(library_spans.values())
        spans.sort()
        return spans

    @staticmethod
    def _context_before(text: str, start: int) -> bool:
        return _context_before(text, start)

    def _context(self, text: str, start: int, end: int) -> bool:
        return phone_context(text, start, end)

    def _library_score(self, text: str, start: int, end: int) -> float:
        if self._context(text, start, end):
            return 0.95
        value = text[start:end]
        return 0.8 if (value.startswith("+") or not value.isdigit()) else 0.6

    def _candidate_score(
        self, text: str, start: int, end: int, *, listed: bool, before: bool
    ) -> float:
        value = text[start:end]
        if not _shape_ok(value) or _ADDRESS_AFTER.match(text, end):
            return 0.0
        if _names_other_identifier(text, start):
            return 0.0
        if listed or before or has_context_after(text, end, CONTEXT_AFTER, 20):
            return 0.8 if len(only_digits(value)) >= 7 else 0.7
        if value.startswith("+") and _possible_international(value):
            return 0.7
        number = _EXTENSION.sub("", value)
        if _NANP_SHAPE.fullmatch(number):
            return 0.6
        if (
            _DISTINCT_SHAPE.fullmatch(number)
            and 8 <= len(only_digits(number)) <= 13
            and not _part_of_longer_code(text, start, end)
        ):
            return 0.5
        return 0.0

    def validate(self, value: str) -> bool:
        return _CANDIDATE.fullmatch(value) is not None and _shape_ok(value)


def _inside_code(text: str, start: int, end: int) -> bool:
    """A run of digits the library dials that is a piece of a longer code: joined by a
    hyphen, an underscore or a slash to letters or digits before or after it
    ("HOM-2026-044120", a claim's number; "build_2026044120")."""
    before = text[max(0, start - 2) : start]
    after = text[end : end + 2]
    return (len(before) == 2 and before[1] in "-_/" and before[0].isalnum()) or (
        len(after) == 2 and after[0] in "-_/" and after[1].isalnum()
    )


def _fraction_of_number(text: str, start: int) -> bool:
    """Digits the library dials that go on a number or a clock ("11:32:14.412881201", where
    it dials "14.412881201"): after a digit and a point, comma or colon, nobody writes a
    phone."""
    return start >= 2 and text[start - 1] in ".,:" and text[start - 2].isdigit()


def _balanced(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a bracket the library took in without its partner: "(+44 20 7946 0958".

    The library's lead class also holds "[" and the full-width brackets, so a number
    printed as "[+44 20 7946 0958]" arrives with its "[".
    """
    for opening, closing in _BRACKETS:
        value = text[start:end]
        if value.startswith(opening) and closing not in value:
            start += 1
        value = text[start:end]
        if value.endswith(closing) and opening not in value:
            end -= 1
    return start, end


_BRACKETS = (("(", ")"), ("[", "]"), ("\uff08", "\uff09"), ("\uff3b", "\uff3d"))


_GROUP_END = re.compile(r"[0-9]+(?:[ ]?(?:x|ext\.?|extension|#)[ ]?[0-9]{1,6}$)?", re.IGNORECASE)


def _group_ends(text: str, start: int, end: int) -> list[int]:
    """Candidate end offsets, longest first: the whole run, then before each space.

    Only spaces split a run: "2003-06-03" is one token, never the number "2003-06".
    """
    ends = [
        m.end()
        for m in _GROUP_END.finditer(text, start, end)
        if m.end() == end or text[m.end()] == " "
    ]
    return ends[::-1][:8]


def _names_other_identifier(text: str, start: int) -> bool:
    """Whether the nearest identifier word before ``start`` names something else."""
    window = max(0, start - 40)
    other = [m.end() for m in OTHER_IDENTIFIERS.finditer(text, window, start)]
    if not other or "\n" in text[other[-1] : start] or re.search(r"[0-9]", text[other[-1] : start]):
        return False
    phone = [m.end() for m in CONTEXT.finditer(text, window, start)]
    return not phone or phone[-1] < other[-1]


# A block holding a digit right before, optionally followed by a block of capitals
# (an IBAN's "NL91 ABNA 0417 ..." bank code).
_CODE_BLOCK_BEFORE = re.compile(
    r"(?:^|[^\w-])[A-Za-z0-9]*[0-9][A-Za-z0-9]*[ -](?:[A-Z]{2,6}[ -])?$"
)
_CODE_BLOCK_AFTER = re.compile(r"[ -][A-Za-z0-9]*[0-9]")


def _part_of_longer_code(text: str, start: int, end: int) -> bool:
    """Whether the digits are blocks cut from a longer code ("AD12 0001 2030 2003 5910 0101").

    Account numbers, IBANs with a typo and serials print in blocks of digits too;
    with no phone word around, a number whose neighbouring block also holds digits
    is a piece of that code, not a phone number.
    """
    return bool(
        _CODE_BLOCK_BEFORE.search(text, max(0, start - 32), start)
        or _CODE_BLOCK_AFTER.match(text, end)
    )


def _possible_international(value: str) -> bool:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_possible_number(number))
