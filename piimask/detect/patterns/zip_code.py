"""ZIP_CODE: US ZIP(+4) after a state or a zip/postal keyword; other postal codes after a keyword.

A bare five-digit number is far more often a quantity than a ZIP code, so every
match needs that evidence right before it.
"""

from __future__ import annotations

import re

from piimask.detect.patterns._base import BaseRecognizer, keyword_regex
from piimask.spans import Span

US_STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia",
    "PR": "Puerto Rico", "GU": "Guam", "VI": "Virgin Islands", "AS": "American Samoa",
    "MP": "Northern Mariana Islands", "AA": "Armed Forces Americas", "AE": "Armed Forces Europe",
    "AP": "Armed Forces Pacific",
}  # fmt: skip

KEYWORDS = keyword_regex(
    ["zip", "zip code", "zipcode", "zip+4", "postal code", "postcode", "post code",
     "postal", "plz", "cep", "code postal", "código postal", "codigo postal", "pin code"]
)  # fmt: skip

_US_ZIP = r"[0-9]{5}(?:-[0-9]{4})?"
# Postal code shapes of other countries, only accepted right after a keyword.
_OTHER_POSTAL = (  # longer shapes first: the first alternative that fits wins
    r"[0-9]{5}-[0-9]{3}"  # BR
    r"|[0-9]{4}-[0-9]{3}"  # PT
    r"|[0-9]{3} [0-9]{2}"  # CZ, SK, SE, GR
    r"|[0-9]{2}-[0-9]{3}"  # PL
    r"|[0-9]{4} ?(?-i:[A-Z]{2})"  # NL
    r"|[0-9]{3,6}"  # 3-6 digits (AT, BE, CH, DK, IN, RU, CN ...)
    r"|[A-Za-z][0-9][A-Za-z] ?[0-9][A-Za-z][0-9]"  # CA
    r"|[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}"  # UK
)
_AFTER_KEYWORD = re.compile(
    # a keyword's value may be quoted: zip='1040', postcode "11000", "zip": "94107"
    rf"[\s:#.=\"'-]{{0,4}}(?:(?:is|was|of|code)\s+){{0,2}}[\s:#.=\"'-]{{0,3}}"
    rf"(?<![\w-])({_US_ZIP}|{_OTHER_POSTAL})(?![\w-]|[.,][0-9])",
    re.IGNORECASE,
)
_US_ONLY = re.compile(rf"{_US_ZIP}")
_STATE_NAMES = "|".join(sorted((re.escape(n) for n in US_STATES.values()), key=len, reverse=True))
_STATE_ABBREVIATIONS = "|".join(US_STATES)
# "Springfield, IL 62704", "Austin, Texas 78701-1234", "NY 10001". In lower-cased text
# two-letter words ("in", "or", "me") look like states, so there the comma is required.
_AFTER_STATE = re.compile(
    rf"(?:(?<![\w.])(?:{_STATE_ABBREVIATIONS})\.?|(?<!\w)(?i:{_STATE_NAMES}))"
    rf",?[ \t]{{1,3}}({_US_ZIP})(?![\w-]|[.,][0-9])"
    rf"|,[ \t]?(?i:{_STATE_ABBREVIATIONS})[ \t]{{1,3}}({_US_ZIP})(?![\w-]|[.,][0-9])"
)
# The ZIP prefixes of the territories and the military "states" (USPS), whose two letters
# are also words of machine output: "External AS 64512" is a BGP peer's number after an
# "AS", American Samoa's code, whose one ZIP is 96799; "PR 12345" is a pull request. The
# fifty states are not checked: test data and typos pair a state with any ZIP, and a ZIP
# written after a state is masked even when it is wrong (fail closed).
_TERRITORY_PREFIXES: dict[str, tuple[str, ...]] = {
    "AS": ("967",),
    "GU": ("969",),
    "MP": ("969",),
    "AA": ("340",),
    "AE": ("09",),
    "AP": ("96",),
    "PR": ("006", "007", "009"),
    "VI": ("008",),
}


def zip_fits_state(state: str, zip_code: str) -> bool:
    """Whether ``zip_code`` can be a ZIP of ``state`` (checked for the territories only)."""
    prefixes = _TERRITORY_PREFIXES.get(state.strip().rstrip("."))
    return prefixes is None or zip_code.startswith(prefixes)


_ANY_POSTAL = re.compile(rf"(?:{_US_ZIP}|{_OTHER_POSTAL})", re.IGNORECASE)


class ZipCodeRecognizer(BaseRecognizer):
    name = "ZIP_CODE"
    entity_type = "ZIP_CODE"

    def find(self, text: str) -> list[Span]:
        spans: dict[int, Span] = {}
        for keyword in KEYWORDS.finditer(text):
            match = _AFTER_KEYWORD.match(text, keyword.end())
            if match is None:
                continue
            start, end = match.span(1)
            score = 0.85 if _US_ONLY.fullmatch(match.group(1)) else 0.75
            spans[start] = self.span(start, end, score)
        for match in _AFTER_STATE.finditer(text):
            group = 1 if match.group(1) is not None else 2
            start, end = match.span(group)
            state = text[match.start() : start].strip(" \t,")
            if not zip_fits_state(state, text[start:end]):
                continue
            spans.setdefault(start, self.span(start, end, 0.8))
        return sorted(spans.values())

    def validate(self, value: str) -> bool:
        return _ANY_POSTAL.fullmatch(value) is not None
