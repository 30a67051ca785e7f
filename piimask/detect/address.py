"""Completing postal addresses around what the model found.

The model labels building numbers, street names, secondary units, cities,
states and ZIP codes separately, and often misses the glue between them
("Apt.", "Suite 5", a leading house number, a state code, the country). A
postal address is one piece of PII: leaving "Apt. 5" or a ZIP readable beside
a masked street still locates the person. So an address span grows over
neighbouring address parts, and military addresses (PSC/Unit ... APO AE
12345), which the model does not know, are matched directly.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence

from piimask.detect.patterns.zip_code import US_STATES
from piimask.spans import Span

_UNIT_WORDS = (
    r"(?:apt|apartment|suite|ste|unit|box|room|rm|floor|fl|bldg|building|no"
    r"|po\s?box|p\.\s?o\.\s?box|psc|cmr)"
)
# A piece that may follow an address part: a unit ("Apt. 427"), a number, a state code, "(Greek)".
# Between two lines of an address block: a line break and maybe a bullet ("\n - Apt. 5").
_LINE_GAP = r"(?:[ \t,]*\n[ \t]*[^\w\s]{1,3}[ \t]+)"
_RIGHT_PIECE = re.compile(
    rf"(?:{_LINE_GAP}|[\s,]{{0,4}})(?:{_UNIT_WORDS}\b\.?\s*#?\s*(?:\d[\w-]{{0,7}}|[A-Za-z]\b)|\d{{1,6}}(?:-\d{{1,4}})?(?![\w.]\w)|\([A-Za-z]{{3,12}}\))",
    re.IGNORECASE,
)
# State and province codes are upper case ("WLG", "QLD"); matched case-sensitively.
_RIGHT_STATE = re.compile(r"[\s,]{0,4}[A-Z]{2,3}(?!\w)")
# A piece that may precede one: a house or unit number ("883 " before "2972 Hillside Street").
_LEFT_PIECE = re.compile(
    rf"(?:(?:{_UNIT_WORDS})\b\.?\s*#?\s*)?\d{{1,6}}[\s,]{{1,3}}$", re.IGNORECASE
)
# A unit word just before a span that starts with its number ("Apt. " + "441").
_LEFT_UNIT = re.compile(rf"\b{_UNIT_WORDS}\.?[ \t]*#?[ \t]*$", re.IGNORECASE)
# The town after a street: on the next line alone (with an optional state code), or on the
# same line before a state code, or after a comma at the end of the line or sentence.
# Capital letters of the Latin, Greek and Cyrillic scripts (re has no \\p{Lu}).
_UPPER = "[" + "".join(c for c in map(chr, range(0x41, 0x530)) if c.isupper()) + "]"
_TOWN_WORD = rf"(?:{_UPPER}[\w'’-]*\.?|de|la|del|do|da|di|le|les|of|upon|am)"
_WORDS = rf"{_UPPER}[\w'’-]*\.?(?:[ \t]+{_TOWN_WORD}){{0,3}}"
_TOWN_AFTER = (
    re.compile(
        rf"(?:{_LINE_GAP}|[ \t,]*\n[ \t]*)({_WORDS})"
        r"(?:[ \t]*\n?[ \t]*,?[ \t]*[A-Z]{2,3})?[ \t]*(?=\n|$)"
    ),
    re.compile(rf"[ \t]*,?[ \t]*({_WORDS}),?[ \t]+[A-Z]{{2,3}}\b(?!\.\w)"),
    re.compile(rf"[ \t]*,[ \t]*({_WORDS})(?=[ \t]*(?:[.;!?](?:\s|$)|\n|$|,))"),
)
_MILITARY = re.compile(
    r"\b(?:(?:PSC|CMR|Unit)\s+\d{3,5},?\s+Box\s+\d{3,5}|(?:US[NS][SVC]?|USCGC)\s+[^\W\d_][\w'’-]*)"
    r"[\s,]+[ADF]PO\s+A[AEP]\s+\d{5}\b",
    re.IGNORECASE,
)
_ADDRESS_PARTS = frozenset({"STREET_ADDRESS", "LOCATION", "ZIP_CODE"})
_MAX_GAP = 24
_SENTENCE_BREAK = re.compile(r"[.!?;]\s|\n\s*\n|\band\b|\bor\b", re.IGNORECASE)


def find_military_addresses(text: str) -> list[Span]:
    return [
        Span(m.start(), m.end(), "STREET_ADDRESS", 0.9, "pattern:MILITARY_ADDRESS")
        for m in _MILITARY.finditer(text)
    ]


def _town_after(text: str, end: int) -> int | None:
    """End of the town (and state) that follows an address ending at ``end``, if any."""
    for regex in _TOWN_AFTER:
        m = regex.match(text, end)
        if m is not None:
            return m.end()
    return None


def _grow(text: str, span: Span) -> Span:
    start, end = span.start, span.end
    town_taken = False
    while True:
        m = _RIGHT_PIECE.match(text, end) or _RIGHT_STATE.match(text, end)
        if m is not None and m.end() > end:
            end = m.end()
            continue
        # One town per address: a second short capitalised line is more likely a signature.
        town_end = None if town_taken else _town_after(text, end)
        if town_end is None or town_end <= end:
            break
        end, town_taken = town_end, True
    unit = _LEFT_UNIT.search(text, max(0, start - 16), start)
    if unit is not None and text[start : start + 1].isdigit():
        start = unit.start()
    while True:
        m = _LEFT_PIECE.search(text, max(0, start - 24), start)
        if m is None or m.end() != start or m.start() >= start:
            break
        if m.start() > 0 and text[m.start() - 1].isalnum():
            break
        start = m.start()
    return Span(start, end, span.entity_type, span.score, span.detector)


# The full stop of "Apt." or "St." does not end a sentence.
_ABBREVIATION_END = re.compile(
    r"\b(?:apt|ste|st|no|rd|ave|blvd|dr|ln|ct|bldg|fl|rm)$", re.IGNORECASE
)


def _joinable_gap(gap: str, before: str) -> bool:
    if gap.startswith(".") and _ABBREVIATION_END.search(before):
        gap = gap[1:]
    if len(gap) > _MAX_GAP or _SENTENCE_BREAK.search(gap):
        return False
    return len(gap.split()) <= 2


def _trim_right(text: str, span: Span, end: int) -> Span | None:
    """``span`` cut to end at ``end``, without trailing blanks; None when no letter or digit
    is left."""
    while end > span.start and text[end - 1].isspace():
        end -= 1
    if not any(c.isalnum() for c in text[span.start : end]):
        return None
    return Span(span.start, end, span.entity_type, span.score, span.detector)


def complete_addresses(text: str, spans: Sequence[Span]) -> list[Span]:
    """Grow street addresses over adjacent address parts and join them; input must not overlap."""
    ordered = sorted(spans)
    grown = [_grow(text, s) if s.entity_type == "STREET_ADDRESS" else s for s in ordered]
    out: list[Span] = []
    for span in grown:
        if out:
            prev = out[-1]
            is_chain = (
                prev.entity_type in _ADDRESS_PARTS
                and span.entity_type in _ADDRESS_PARTS
                and "STREET_ADDRESS" in (prev.entity_type, span.entity_type)
            )
            gap = text[prev.end : span.start]
            joinable = is_chain and _joinable_gap(gap, text[prev.start : prev.end])
            if span.start < prev.end or joinable:
                if span.start < prev.end and not is_chain:
                    # Growth reached a span of another kind: keep both, the grown one trimmed.
                    # A street grown rightwards gives way to a validated match ("412 " grew
                    # over the "1" of "412 10.8.4.22": the IP address stays whole).
                    if (
                        prev.entity_type == "STREET_ADDRESS"
                        and prev.start < span.start
                        and span.detector.startswith("pattern:")
                    ):
                        head = _trim_right(text, prev, span.start)
                        out[-1:] = [head] if head is not None else []
                        out.append(span)
                        continue
                    if span.end <= prev.end:
                        continue
                    span = Span(prev.end, span.end, span.entity_type, span.score, span.detector)
                    out.append(span)
                    continue
                merged = Span(
                    min(prev.start, span.start),
                    max(prev.end, span.end),
                    "STREET_ADDRESS",
                    max(prev.score, span.score),
                    prev.detector if prev.entity_type == "STREET_ADDRESS" else span.detector,
                )
                out[-1] = _grow(text, merged)
                continue
        out.append(span)
    return out


# --- address context for guesses ------------------------------------------------------

_STREET_WORDS = re.compile(
    r"\b(?:street|st|avenue|ave|av|road|rd|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl"
    r"|square|sq|terrace|ter|highway|hwy|parkway|pkwy|circle|cir|trail|trl|alley|route|rte|row"
    r"|crescent|close|grove|gardens|park|hill|view|walk|pike|loop|plaza|plz|mews|quay|wharf"
    r"|strasse|straße|str|weg|gasse|platz|rue|avenida|calle|via|viale|rua|ulica|ul|laan|straat"
    rf"|{_UNIT_WORDS[3:-1]})\b\.?",
    re.IGNORECASE,
)


_UNIT_WORD = re.compile(rf"{_UNIT_WORDS}\.?", re.IGNORECASE)


def street_words(text: str, *, units: bool = True) -> list[str]:
    """The street words in ``text`` ("St", "Avenue", "straße"), as written; with ``units``
    also unit words ("Apt", "Suite", "Floor")."""
    words = [m.group(0) for m in _STREET_WORDS.finditer(text)]
    return words if units else [w for w in words if not _UNIT_WORD.fullmatch(w)]


_WORD_PUNCTUATION = "'’.-\ufeff"
_ZIP_WORDS = re.compile(r"\b(?:zip|postal|post\s?code|postcode|plz|cep)\b", re.IGNORECASE)
# In machine output only a state code or name, or a town and a comma, before a ZIP.
_STATE_BEFORE = re.compile(
    rf"(?:\b(?:{'|'.join(US_STATES)})|\b(?:{'|'.join(map(re.escape, US_STATES.values()))})"
    r"|[A-Z][a-z]+,)[ \t]*,?[ \t]*$"
)
# In prose a state or town before a ZIP may be written in capitals ("DUNN 28334") or, in
# text written all in lower case, in lower case ("memphis tn 38148"); "copied 10240" is
# no town.
_ANY_STATE_BEFORE = re.compile(r"(?:[A-Z][^\W\d_]+|[^\W\d_]{2,}(?<=[A-Z]{2}))\.?[ \t]*,?[ \t]*$")
_LOWER_STATE_BEFORE = re.compile(r"[^\W\d_]{2,}\.?[ \t]*,?[ \t]*$")
_ZIP4 = re.compile(r"[0-9]{5}-[0-9]{4}")  # ZIP+4: in prose its own evidence
_ADDRESS_NEIGHBOURS = frozenset({"STREET_ADDRESS", "LOCATION"})
_CONTEXT_CHARS = 48


def line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return line_start, len(text) if line_end == -1 else line_end


# A bare number in these places is a field of machine output, never part of an address:
# after "=", "*", ":", "12#" (nginx's pid#tid) or inside brackets, after a word that names
# what it counts.
_MACHINE_NUMBER_BEFORE = re.compile(
    r"(?:[=*:\[(]|[0-9]#|\b(?:port|pid|tid|offset|partition|job|shard|order|build|version|size"
    r"|attempt|retry|line|status|exit|errno|thread|worker|pool|batch|page|step)\s?)$",
    re.IGNORECASE,
)


# A size, duration or count written with its unit or counted noun: "498 MB", "712 bytes",
# "found 412 matching", "20 rows". Case-sensitive: "12 S Main St" is a street.
# A rate ("88213 B/s", "412 xacts/s", "9 ops/sec") is a measurement too.
_UNIT = (
    r"(?:ms|µs|ns|secs?|msecs|seconds?|minutes?|hours?|[KMGTP]i?B|kB|bytes?|rows?|records?"
    r"|items?|files?|messages?|entries|buffers?|changes|pages?|vars|headers?|matching|%"
    r"|packages?|objects?|requests?|errors?|events?|tasks?|jobs?|nodes?|pods?|threads?"
    r"|connections?|sessions?|attempts?|retries|keys|times"
    r"|(?:[KMGTP]i?)?B/s|[a-z]{1,10}/s(?:ec)?)"
)
_UNIT_AFTER = re.compile(rf"[ \t]?{_UNIT}(?![\w-])")
_NUMBER_WITH_UNIT = re.compile(rf"[0-9][0-9,.]*(?:[ \t]?{_UNIT})?")


def _bare_machine_number(text: str, span: Span) -> bool:
    value = text[span.start : span.end].strip()
    if value and _NUMBER_WITH_UNIT.fullmatch(value) and not value[-1].isdigit():
        return True  # "498 MB": the unit is part of the guess
    if not value or not all(c.isdigit() or c in ",.-" for c in value):
        return False
    if _UNIT_AFTER.match(text, span.end):
        return True
    before = text[max(0, span.start - 12) : span.start]
    after = text[span.end : span.end + 2]
    return (
        _MACHINE_NUMBER_BEFORE.search(before) is not None
        or after[:1] in ("]", ")", "=")
        or re.fullmatch(r"#[0-9]", after) is not None
    )


# A decimal fraction: a time, a ratio, a version; house numbers are whole ("12", "12A", "12-14").
_DECIMAL = re.compile(r"[0-9]+\.[0-9]{2,}")


def _decimal_street(text: str, span: Span) -> bool:
    """A street guess made of numbers alone, one of them a decimal fraction ("#8 4.118
    Reading package lists", BuildKit's step and seconds): no building number."""
    if span.entity_type != "STREET_ADDRESS":
        return False
    tokens = [t.strip(",;:()#!") for t in text[span.start : span.end].split()]
    return any(_DECIMAL.fullmatch(t) for t in tokens) and all(
        _NUMBER_WITH_UNIT.fullmatch(t) for t in tokens if t
    )


def _lone_machine_number(text: str, span: Span, machine_line: Callable[[int], bool]) -> bool:
    """In machine output, a street guess that is only numbers ("Ticket #4411", "refund 4411
    approved") with no street or unit word in the next three words is a count or an id: an
    address written in a log line names its street ("shipping to 12 Oak Street")."""
    if span.entity_type != "STREET_ADDRESS" or not machine_line(span.start):
        return False
    tokens = text[span.start : span.end].split()
    if not tokens or not all(_NUMBER_WITH_UNIT.fullmatch(t.strip(",;:()#!")) for t in tokens):
        return False
    after = text[span.end : span.end + 40].split()[:3]
    return not any(_STREET_WORDS.fullmatch(w.strip(",;:().")) for w in after)


class _Anchors:
    """Address neighbours of a text, sorted by start, for window queries in log time (a
    record of thousands of findings would make a scan per candidate quadratic)."""

    def __init__(self, spans: Sequence[Span]) -> None:
        self.spans = sorted(
            (s for s in spans if s.entity_type in _ADDRESS_NEIGHBOURS), key=lambda s: s.start
        )
        self.starts = [s.start for s in self.spans]
        self.longest = max((len(s) for s in self.spans), default=0)

    def any_in(self, lo: int, hi: int, besides: Span) -> bool:
        """Whether a neighbour other than ``besides`` overlaps ``[lo, hi)``."""
        first = bisect.bisect_left(self.starts, lo - self.longest)
        last = bisect.bisect_left(self.starts, hi)
        return any(o is not besides and lo < o.end for o in self.spans[first:last])


def _neighbours(text: str, span: Span, anchors: _Anchors, *, before_only: bool) -> bool:
    line_start, line_end = line_bounds(text, span.start, span.end)
    lo = max(line_start, span.start - _CONTEXT_CHARS)
    hi = span.start if before_only else min(line_end, span.end + _CONTEXT_CHARS)
    return anchors.any_in(lo, hi, span)


# In prose, also what US address lines are made of: directionals and ordinals ("E 71ST").
_DIRECTION_OR_ORDINAL = re.compile(r"[NSEW]|[NS][EW]|[0-9]+(?:st|nd|rd|th)", re.IGNORECASE)


def _place_word(word: str, *, strict: bool) -> bool:
    """A word as street and town names are written, in letters of any script. ``strict``
    (machine output): capitalised only ("Hillside", "Αλκυονίδων"); else also "WV", "main"."""
    bare = word.strip(",;:()#.")
    if not strict and _DIRECTION_OR_ORDINAL.fullmatch(bare):
        return True
    letters = bare.translate({ord(c): None for c in _WORD_PUNCTUATION})
    if len(letters) < 2 or not letters.isalpha():
        return False
    if letters[0].isupper() and not letters.isupper():
        # In machine output a word with capitals inside is code ("NoSuchBucketPolicy",
        # "HttpClientFacetImpl"); a name has one at most ("McAllister", "DeKalb").
        return not strict or sum(c.isupper() for c in letters[1:]) < 2
    return not strict


def _words_near(text: str, span: Span, *, strict: bool, before: bool) -> bool:
    """A street, unit or place word within three words after the span (or before it).

    In machine output every line is a record of its own: the words after a number on the
    next line ("412 internal,\nINFO: Build completed") are not its street.
    """
    after = text[span.end : span.end + 32]
    if strict:
        after = after.split("\n", 1)[0]
    words = after.split()[:3]
    if before:
        words += text[max(0, span.start - 24) : span.start].split()[-2:]
    if any(_place_word(w, strict=strict) for w in words):
        return True
    # In machine output a lower-case "no", "way" or "park" is an English word, not a street.
    return not strict and any(_STREET_WORDS.fullmatch(w.strip(",;:()")) for w in words)


def _street_words_in(text: str, span: Span, *, strict: bool) -> bool:
    """A street or unit word, or a word written as a place name, in the span or near it."""
    value = text[span.start : span.end]
    if _STREET_WORDS.search(value) or _MILITARY.search(value):
        return True
    if any(_place_word(w, strict=strict) for w in value.split()):
        return True
    return _words_near(text, span, strict=strict, before=not strict)


def _zip_words_before(text: str, span: Span, *, strict: bool) -> bool:
    line_start, _ = line_bounds(text, span.start, span.end)
    before = text[max(line_start, span.start - 24) : span.start]
    state = _STATE_BEFORE if strict else _ANY_STATE_BEFORE
    if not strict and text.islower():
        state = _LOWER_STATE_BEFORE
    return bool(
        _ZIP_WORDS.search(before)
        or state.search(before)
        or re.search(rf"\b{_UNIT_WORDS}\b\.?[ \t#]*$|\bpob[ \t]*$", before, re.IGNORECASE)
    )


def gate_address_guesses(
    text: str, spans: Sequence[Span], machine_line: Callable[[int], bool] = lambda _: False
) -> list[Span]:
    """Drop street and ZIP guesses that nothing around them makes part of an address.

    The model calls many bare numbers ZIP codes or building numbers ("worker[52144]",
    "port 52144", "size=10240 evictions=17"). A guessed street address needs a street or
    unit word, a word written like a name, or a neighbouring place or street; a guessed ZIP
    code needs a ZIP keyword or a state or city right before it, or a neighbouring place or
    street. Validated matches (the ZIP recognizer already demands such context) stay.
    """

    def validated(span: Span) -> bool:
        return span.detector.startswith(("pattern:", "context:"))

    def guessed(span: Span, entity_type: str) -> bool:
        return span.entity_type == entity_type and not validated(span)

    kept = [
        s
        for s in spans
        # No postal code is followed by a unit of measure ("in 88213 B/s" after ", in" read
        # as Indiana): validated or not, a ZIP before a unit is a measurement.
        if not (s.entity_type == "ZIP_CODE" and _UNIT_AFTER.match(text, s.end))
        and (
            not (guessed(s, "STREET_ADDRESS") or guessed(s, "ZIP_CODE"))
            or not (
                _bare_machine_number(text, s)
                or _lone_machine_number(text, s, machine_line)
                or _decimal_street(text, s)
            )
        )
    ]

    # Neighbours that count: places, validated parts, streets with words of their own.
    def street_words(span: Span) -> bool:
        return _street_words_in(text, span, strict=machine_line(span.start))

    anchors = _Anchors(
        [
            s
            for s in kept
            if not guessed(s, "ZIP_CODE") and (not guessed(s, "STREET_ADDRESS") or street_words(s))
        ]
    )
    out = []
    for s in kept:
        if guessed(s, "STREET_ADDRESS"):
            ok = street_words(s) or _neighbours(text, s, anchors, before_only=False)
        elif (
            guessed(s, "ZIP_CODE")
            and any(c.isdigit() for c in text[s.start : s.end])
            and not (_ZIP4.fullmatch(text[s.start : s.end]) and not machine_line(s.start))
        ):
            ok = _zip_words_before(text, s, strict=machine_line(s.start)) or _neighbours(
                text, s, anchors, before_only=True
            )
            if not ok and not machine_line(s.start):
                # In prose the model often calls a building number a ZIP ("50740 Turjaška 68",
                # "11988 EL CAMINO REAL"); "10240 files" is a count.
                after = text[s.end : s.end + 32].split()[:1]
                ok = any(_place_word(w, strict=True) or w.strip(",.").isupper() for w in after) or (
                    text.islower() and _words_near(text, s, strict=False, before=False)
                )
        else:
            ok = True
        if ok:
            out.append(s)
    return out
