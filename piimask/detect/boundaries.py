"""Where a name, place or address ends: line breaks, list items, lead-in words, bare titles.

The token classifier and the NER model both read a text as one stream of words, so a span
they find can run on past the end of its line ("starring Kimura\\nMy driver's license"),
over the bullet of the next list item, or take in the words that introduce an address
("Cordelia lives on 181 Heb Place"). These rules cut spans at such boundaries; they never
widen a span, so every character they leave unmasked was outside the value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from piimask.detect.evidence import core_word, stop_words
from piimask.spans import Span

# No person or place name in any development set runs over a line break; addresses do
# ("12 Oak St\nSpringfield"), so they are only cut where the next line is a list item.
_ONE_LINE_TYPES = frozenset({"PERSON", "LOCATION"})
_ADDRESS = "STREET_ADDRESS"

# A list item's marker at the start of a line: bullets, dashes, arrows, and the "???" that
# a bullet becomes when text passes through a codec that cannot encode it.
_ITEM_MARKER = re.compile(r"\n[ \t]*(?:[-*•·‣◦▪>]|\?{1,3}|->)[ \t]+")
_WORD = re.compile(r"\S+")
_EDGE_PUNCTUATION = " \t\r\n.,;:!?'’\"()[]"

# Words that introduce an address without being part of it: a span that starts
# "Cordelia lives on 181 Heb Place" holds the address only after "on".
_ADDRESS_LEAD_INS = frozenset(
    {
        "on",
        "at",
        "in",
        "to",
        "from",
        "is",
        "was",
        "lives",
        "live",
        "living",
        "located",
        "moved",
        "address",
        "address:",
    }
)
# After the house number, "in" or "at" and a capitalised word start the town:
# "Jakobstrasse 89 in Oeschenbach".
_TOWN_AFTER = frozenset({"in", "at"})

# Titles that name an office or a rank, not a person: "The Princess Royal", "the Duke".
_TITLE_WORDS = frozenset(
    {
        "king",
        "queen",
        "prince",
        "princess",
        "royal",
        "duke",
        "duchess",
        "earl",
        "countess",
        "baron",
        "baroness",
        "emperor",
        "empress",
        "pope",
        "sultan",
        "sheikh",
        "majesty",
        "highness",
        "excellency",
        "president",
        "chancellor",
        "minister",
        "prime",
        "mayor",
        "governor",
        "senator",
        "lord",
        "lady",
        "sir",
        "dame",
        "his",
        "her",
        "the",
        "of",
        "crown",
    }
)


# Words that open a request or a greeting right before a name and that both models take
# in at the start of a sentence ("Call Jane Doe", "Email Jane Doe", "Hi Priya"). None is a
# given name; the stop-word list is not used for this, because some of its words are
# ("Will Smith", "May Lee").
_OPENERS = frozenset(
    {
        "call",
        "email",
        "e-mail",
        "text",
        "ping",
        "ask",
        "tell",
        "contact",
        "message",
        "meet",
        "thank",
        "thanks",
        "cc",
        "dm",
        "invite",
        "remind",
        "phone",
        "notify",
        "inform",
        "welcome",
        "congrats",
        "congratulations",
        "hi",
        "hello",
        "hey",
        "dear",
        "attn",
        "greetings",
        "bye",
        "goodbye",
        "sorry",
        "please",
        "regards",
        "cheers",
    }
)


# Words of time that follow a name in a sentence ("I spoke with Miguel yesterday"); the
# models take them in because a lower-case surname may stand there ("Donald trump").
_TIME_WORDS = frozenset(
    {
        "yesterday",
        "today",
        "tonight",
        "tomorrow",
        "now",
        "later",
        "earlier",
        "again",
        "recently",
        "lately",
        "soon",
        "already",
        "asap",
    }
)
# The last word of an organisation's name: "Acme Corp" is a company, not a person.
_COMPANY_SUFFIXES = frozenset(
    {
        "inc",
        "corp",
        "corporation",
        "ltd",
        "llc",
        "llp",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "nv",
        "bv",
        "oy",
        "ab",
        "srl",
        "spa",
        "pty",
        "co",
        "company",
        "group",
        "holdings",
    }
)


def cut_at_boundaries(text: str, spans: Sequence[Span]) -> list[Span]:
    """Every span cut at the boundaries described in the module docstring."""
    out: list[Span] = []
    for span in spans:
        if span.entity_type in _ONE_LINE_TYPES:
            pieces = _line_pieces(text, span)
            if span.entity_type == "PERSON":
                pieces = [
                    _without_time_word(text, _without_opener(text, p))
                    for p in pieces
                    if not _only_titles(text[p.start : p.end])
                    and not _is_company(text[p.start : p.end])
                ]
            out.extend(pieces)
        elif span.entity_type == _ADDRESS:
            for item in _item_pieces(text, span):
                out.extend(_address_pieces(text, item))
        else:
            out.append(span)
    return sorted(out)


def _line_pieces(text: str, span: Span) -> list[Span]:
    value = text[span.start : span.end]
    if "\n" not in value:
        return [span]
    pieces: list[Span] = []
    offset = span.start
    for line in value.split("\n"):
        piece = _stripped(text, offset, offset + len(line), span)
        offset += len(line) + 1
        if piece is None:
            continue
        words = text[piece.start : piece.end].split()
        # A single function word split off a longer span ("Kimura\nMy") was the model
        # running on past the line's end. Lower-case pieces stay: people write their
        # names in lower case.
        if len(words) == 1 and core_word(words[0]).lower() in stop_words():
            continue
        pieces.append(piece)
    # Blank lines at the outer edges stay with the span (see _stripped).
    if pieces and not any(c.isalnum() for c in text[span.start : pieces[0].start]):
        pieces[0] = Span(span.start, pieces[0].end, span.entity_type, span.score, span.detector)
    if pieces and not any(c.isalnum() for c in text[pieces[-1].end : span.end]):
        last = pieces[-1]
        pieces[-1] = Span(last.start, span.end, span.entity_type, span.score, span.detector)
    return pieces


def _item_pieces(text: str, span: Span) -> list[Span]:
    value = text[span.start : span.end]
    pieces: list[Span] = []
    start = span.start
    for m in _ITEM_MARKER.finditer(value):
        piece = _stripped(text, start, span.start + m.start(), span)
        if piece is not None:
            pieces.append(piece)
        start = span.start + m.end()
    last = _stripped(text, start, span.end, span)
    if last is not None:
        pieces.append(last)
    return pieces


def _address_pieces(text: str, span: Span) -> list[Span]:
    words = [m.span() for m in _WORD.finditer(text, span.start, span.end)]
    # Before the house number, lead-in words are cut out; what stands before them stays
    # masked (in "Cordelia lives on 181 Heb Place" that is the resident's name).
    groups: list[list[tuple[int, int]]] = [[]]
    seen_digit = False
    for a, b in words:
        word = text[a:b]
        seen_digit = seen_digit or any(c.isdigit() for c in word)
        if not seen_digit and word in _ADDRESS_LEAD_INS:
            groups.append([])
        else:
            groups[-1].append((a, b))
    groups = [g for g in groups if g]
    if not groups:
        return []
    # The outer edges stay where the detector put them (see _stripped).
    groups[0][0] = (span.start, groups[0][0][1])
    groups[-1][-1] = (groups[-1][-1][0], span.end)
    pieces: list[Span] = []
    for group in groups:
        pieces.extend(_town_split(text, span, group))
    return pieces


def _town_split(text: str, span: Span, words: list[tuple[int, int]]) -> list[Span]:
    """The words as one address span, or a street and a town where "in"/"at" joins them."""
    for i in range(1, len(words) - 1):
        a, b = words[i]
        head_end = words[i - 1][1]
        after = text[words[i + 1][0] : words[i + 1][1]]
        if (
            text[a:b] in _TOWN_AFTER
            and any(c.isdigit() for c in text[words[0][0] : head_end])
            and after[:1].isupper()
            and text[head_end - 1] != ","
        ):
            head = _stripped(text, words[0][0], head_end, span)
            town = _stripped(text, words[i + 1][0], words[-1][1], span)
            pieces = [head] if head else []
            if town:
                pieces.append(Span(town.start, town.end, "LOCATION", town.score, town.detector))
            return pieces
    piece = _stripped(text, words[0][0], words[-1][1], span)
    return [piece] if piece else []


def _stripped(text: str, start: int, end: int, like: Span) -> Span | None:
    """``like`` narrowed to [start, end), blanks and punctuation off the new edges.

    The edges ``like`` already had stay where they were: a detector that took the blank
    between two adjacent values ("1039 1266| Cheriton Dr") masks it for both. None when
    nothing but punctuation is left."""
    while start < end and start != like.start and text[start] in _EDGE_PUNCTUATION:
        start += 1
    # A full stop ends an abbreviation ("St.", "Jr.") as often as a sentence, and a closing
    # bracket closes one inside the value ("Cyprus (Greek)"): both kept.
    while (
        end > start
        and end != like.end
        and text[end - 1] in _EDGE_PUNCTUATION
        and text[end - 1] != "."
        and not (text[end - 1] == ")" and "(" in text[start:end])
    ):
        end -= 1
    if not any(c.isalnum() for c in text[start:end]):
        return None
    return Span(start, end, like.entity_type, like.score, like.detector)


def _without_opener(text: str, span: Span) -> Span:
    """``span`` without a request or greeting word before the name ("Call Jane Doe")."""
    m = _FIRST_WORD.match(text, span.start, span.end)
    if m is None or core_word(m.group(1)).lower() not in _OPENERS or m.end() >= span.end:
        return span
    return Span(m.end(), span.end, span.entity_type, span.score, span.detector)


_FIRST_WORD = re.compile(r"(\S+)[ \t]+(?=\S)")
_LAST_WORD = re.compile(r"(?<=\S)[ \t]+(\S+)$")


def _without_time_word(text: str, span: Span) -> Span:
    """``span`` without a word of time after the name ("Miguel yesterday")."""
    m = _LAST_WORD.search(text, span.start, span.end)
    if m is None or core_word(m.group(1)) not in _TIME_WORDS:
        return span
    return Span(span.start, m.start(), span.entity_type, span.score, span.detector)


def _is_company(value: str) -> bool:
    words = value.split()
    return len(words) > 1 and core_word(words[-1]).lower() in _COMPANY_SUFFIXES


def _only_titles(value: str) -> bool:
    # One title word alone may be a surname ("early King"); two or more are an office.
    words = [core_word(w).lower() for w in value.split()]
    return len(words) > 1 and all(w in _TITLE_WORDS for w in words)
