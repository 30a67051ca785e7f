"""Completing person names and propagating mentions within one text.

The model often tags one part of a name ("Santino" of "Santino Rentería") or
one mention of a name it saw twice ("Lewis was a huge Lewis Forbes fan").
Either leak identifies the person as well as the full name would, so a PERSON
span grows over adjoining capitalised name parts and initials, and every other
whole-word mention of a detected name part is reported too.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from functools import lru_cache

from piimask.detect.ensemble import detector_family
from piimask.spans import Span

# Capitalised words that stand next to names but are not part of them.
_NOT_NAME_PARTS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "as",
        "is",
        "was",
        "are",
        "were",
        "be",
        "been",
        "i",
        "im",
        "i'm",
        "my",
        "your",
        "his",
        "her",
        "our",
        "their",
        "me",
        "you",
        "he",
        "she",
        "we",
        "they",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "dr",
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "prof",
        "sir",
        "madam",
        "dear",
        "hi",
        "hello",
        "hey",
        "thanks",
        "thank",
        "regards",
        "yes",
        "no",
        "ok",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "street",
        "st",
        "road",
        "rd",
        "avenue",
        "ave",
        "apt",
        "suite",
    ]
)
_NAME_WORD = r"[^\W\d_][\w'’-]*"
_NEXT_PART = re.compile(rf" (?:[A-Z]\. |[A-Z] )?({_NAME_WORD})")
_PREV_PART = re.compile(rf"({_NAME_WORD})(?: [A-Z]\.?)? $")
_MIN_MENTION_LENGTH = 3
MENTION_SCORE_FACTOR = 0.9


def _is_name_part(word: str) -> bool:
    return (
        word[:1].isupper()
        and not word.isupper()
        and word.lower().strip("'’") not in _NOT_NAME_PARTS
    )


def _sentence_start(text: str, index: int) -> bool:
    before = text[:index].rstrip(" ")
    if len(before) >= 2 and before[-1] == "." and before[-2].isupper():
        # "Freddie F. Bolton": the full stop of an initial does not end a sentence.
        return len(before) >= 3 and not before[-3].isspace()
    return not before or before[-1] in '.!?\n:"“'


def complete_names(text: str, spans: Sequence[Span]) -> list[Span]:
    """Grow PERSON spans over neighbouring capitalised name parts and initials."""
    if text.islower():
        return list(spans)
    taken = sorted(spans)
    out: list[Span] = []
    for i, span in enumerate(taken):
        if span.entity_type != "PERSON":
            out.append(span)
            continue
        lower = out[-1].end if out else 0
        upper = taken[i + 1].start if i + 1 < len(taken) else len(text)
        start, end = span.start, span.end
        for _ in range(2):
            m = _NEXT_PART.match(text, end)
            if m is None or m.end() > upper or not _is_name_part(m.group(1)):
                break
            end = m.end()
        if not _sentence_start(text, start):
            for _ in range(2):
                m = _PREV_PART.search(text, max(lower, start - 40), start)
                if m is None or m.end() != start or m.start() < lower:
                    break
                if not _is_name_part(m.group(1)) or _sentence_start(text, m.start()):
                    break
                if m.start() > 0 and text[m.start() - 1].isalnum():
                    break
                start = m.start()
        out.append(Span(start, end, span.entity_type, span.score, span.detector))
    return out


def propagate_mentions(text: str, spans: Sequence[Span], types: frozenset[str]) -> list[Span]:
    """Report other whole-word mentions of detected names (and their parts) in the same text."""
    words: dict[str, Span] = {}
    for span in spans:
        if span.entity_type not in types:
            continue
        value = text[span.start : span.end]
        for part in [value, *re.findall(_NAME_WORD, value)]:
            if len(part) >= _MIN_MENTION_LENGTH and part.lower() not in _NOT_NAME_PARTS:
                words.setdefault(part, span)
    if not words:
        return list(spans)
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w'’-])(?:{alternation})(?![\w'’-])")
    out = list(spans)
    for m in pattern.finditer(text):
        if any(s.start < m.end() and m.start() < s.end for s in out):
            continue
        source = words[m.group(0)]
        out.append(
            Span(
                m.start(),
                m.end(),
                source.entity_type,
                source.score * MENTION_SCORE_FACTOR,
                source.detector,
            )
        )
    return sorted(out)


# An honorific before a capitalised word makes it a name ("Capt. Spastic", "Dr Okafor").
_HONORIFIC_NAME = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Capt|Captain|Sgt|Sergeant|Lt|Col|Gen|Rev|"
    r"Fr|Sr|Sir|Dame|Lady|Lord|Judge|Det|Officer|Gov|Sen|Rep|Pres|Hon)(?:[ \t]?\.)?[ \t]+"
    r"((?:(?:[A-Z]\.|[A-Z][\w'’-]*)[ \t]+){0,2}[A-Z][\w'’-]*[a-z][\w'’-]*)"
)
HONORIFIC_SCORE = 0.6


def find_titled_names(text: str) -> list[Span]:
    """The name after an honorific: evidence no model needs to agree with."""
    return [
        Span(m.start(1), m.end(1), "PERSON", HONORIFIC_SCORE, "context:HONORIFIC")
        for m in _HONORIFIC_NAME.finditer(text)
    ]


def drop_lowercase_guesses(
    text: str, spans: Sequence[Span], families: Collection[str]
) -> list[Span]:
    """Drop lone PERSON spans of these detector families written in lower case.

    Statistical models call common nouns names ("bacon", "yuck"). Where the writer
    capitalises elsewhere, a lower-case word that only one detector calls a name is more
    often a noun. Spans two detectors agree on (``model+ner:...``) are kept, and in text
    written all in lower case nothing is dropped.
    """
    if text.islower() or not families:
        return list(spans)
    return [
        s
        for s in spans
        if not (
            s.entity_type == "PERSON"
            and detector_family(s.detector) in families
            and text[s.start : s.end].islower()
        )
    ]


_TRAILING_POSSESSIVE = re.compile(r"[ \t]?['’][ \t]?s?$")
_POSSESSIVE_TYPES = frozenset({"PERSON", "LOCATION"})


def trim_possessives(text: str, spans: Sequence[Span]) -> list[Span]:
    """ "Jay Pearce's" -> "Jay Pearce": the clitic is no part of the name."""
    out: list[Span] = []
    for span in spans:
        if span.entity_type in _POSSESSIVE_TYPES:
            m = _TRAILING_POSSESSIVE.search(text, span.start, span.end)
            if m is not None and m.start() > span.start:
                span = Span(span.start, m.start(), span.entity_type, span.score, span.detector)
        out.append(span)
    return out


# "Lenhart, Matthew" in e-mail headers and lists: surname, comma, given name, at the start of
# a line or a quoted string, and ending there. The given name must be a known one (Faker's
# person providers of many locales), and the first word no greeting or closing
# ("Thanks, John" is a sign-off; the model and NER see John on their own).
_INVERTED_NAME = re.compile(
    r"(?:^|(?<=[\"'(<\n]))[ \t]*([A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?,[ \t]?([A-Z][a-z]+)"
    r"(?:[ \t][A-Z]\.?)?)(?=[ \t]*(?:[\"')>\n]|$|<))",
    re.MULTILINE,
)
_NOT_SURNAMES = frozenset(
    [
        "thanks",
        "thank",
        "regards",
        "best",
        "cheers",
        "sincerely",
        "yours",
        "love",
        "hi",
        "hello",
        "hey",
        "dear",
        "welcome",
        "ok",
        "okay",
        "yes",
        "no",
        "sorry",
        "please",
        "congrats",
        "congratulations",
        "morning",
        "evening",
        "afternoon",
    ]
)
_GIVEN_NAME_LOCALES = [
    "en_US",
    "en_GB",
    "en_IE",
    "en_IN",
    "en_NZ",
    "es_ES",
    "es_MX",
    "fr_FR",
    "de_DE",
    "it_IT",
    "pt_BR",
    "nl_NL",
    "pl_PL",
    "sv_SE",
]
INVERTED_NAME_SCORE = 0.6


@lru_cache(maxsize=1)
def _given_names() -> frozenset[str]:
    import importlib

    names: set[str] = set()
    for locale in _GIVEN_NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr in ("first_names", "first_names_male", "first_names_female"):
            value = provider.__dict__.get(attr)
            if isinstance(value, (list, tuple, dict)):
                names.update(n for n in value if isinstance(n, str) and n.isalpha())
    return frozenset(names)


def is_given_name(word: str) -> bool:
    """Is ``word`` (any case) a given name of the Faker locales above ("lars", "Priya")?"""
    return word[:1].upper() + word[1:].lower() in _given_names()


def find_inverted_names(text: str) -> list[Span]:
    """ "Surname, Given" entries (module comment above :data:`_INVERTED_NAME`)."""
    if "," not in text:
        return []
    given = _given_names()
    return [
        Span(m.start(1), m.end(1), "PERSON", INVERTED_NAME_SCORE, "context:INVERTED_NAME")
        for m in _INVERTED_NAME.finditer(text)
        if m.group(2) in given and m.group(1).split(",")[0].lower() not in _NOT_SURNAMES
    ]
