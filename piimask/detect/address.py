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

import re
from collections.abc import Sequence

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
