"""Country names, which the model (trained on address parts) does not label on their own."""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

from piimask.spans import Span

# Everyday names that differ from the ISO 3166 short names pycountry holds.
_ALIASES = (
    "United States",
    "United States of America",
    "USA",
    "U.S.A.",
    "U.S.",
    "America",
    "United Kingdom",
    "UK",
    "U.K.",
    "Great Britain",
    "Britain",
    "England",
    "Scotland",
    "Wales",
    "Northern Ireland",
    "Russia",
    "South Korea",
    "North Korea",
    "Korea",
    "Iran",
    "Syria",
    "Vietnam",
    "Laos",
    "Bolivia",
    "Venezuela",
    "Tanzania",
    "Moldova",
    "Taiwan",
    "Palestine",
    "Czech Republic",
    "Czechia",
    "Macedonia",
    "North Macedonia",
    "Ivory Coast",
    "Holland",
    "The Netherlands",
    "Vatican",
    "Brunei",
    "Micronesia",
    "Cape Verde",
    "Swaziland",
    "Burma",
    "East Timor",
    "Congo",
    "Democratic Republic of the Congo",
    "Turkey",
)
GAZETTEER_SCORE = 0.6


@lru_cache(maxsize=1)
def _country_regex() -> re.Pattern[str]:
    names: set[str] = set(_ALIASES)
    for country in pycountry.countries:
        for attr in ("name", "common_name"):
            value = getattr(country, attr, None)
            if value and "," not in value:
                names.add(value)
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])")


@lru_cache(maxsize=1)
def _country_regex_lower() -> re.Pattern[str]:
    return re.compile(_country_regex().pattern, re.IGNORECASE)


def find_countries(text: str) -> list[Span]:
    """Country names; case-insensitive only in text written all in lower case."""
    regex = _country_regex_lower() if text.islower() else _country_regex()
    return [
        Span(m.start(), m.end(), "LOCATION", GAZETTEER_SCORE, "gazetteer:COUNTRY")
        for m in regex.finditer(text)
    ]


def is_country_name(value: str) -> bool:
    """Whether ``value`` (any case) is a country name or everyday alias the gazetteer holds."""
    return _country_regex_lower().fullmatch(value) is not None
