"""IBAN_CODE: international bank account numbers, length per country and ISO 7064 mod-97."""

from __future__ import annotations

import re

from piimask.detect.patterns._base import BaseRecognizer
from piimask.spans import Span

# IBAN lengths from the SWIFT IBAN registry (all SEPA countries and the other
# registered ones), plus the long-standing "partial" IBAN countries.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
    "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
    "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
    "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20,
    "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
    "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    "YE": 30,
    # Countries that publish IBANs outside the registry.
    "AO": 25, "BF": 28, "BJ": 28, "CI": 28, "CM": 27, "CV": 25, "DZ": 26, "GA": 27,
    "IR": 26, "MG": 27, "ML": 28, "MZ": 25, "NE": 28, "SN": 28, "TG": 28,
}  # fmt: skip

# Country code + check digits, then alphanumerics optionally split by single spaces
# or dashes (print form groups of four). The greedy tail is trimmed to the country's length.
_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}(?:[ -]?[A-Za-z0-9]){8,32}",
)
_SEPARATORS = " -"


def mod97_valid(iban: str) -> bool:
    rearranged = iban[4:] + iban[:4]
    remainder = 0
    for char in rearranged:
        if char.isdigit():
            remainder = (remainder * 10 + int(char)) % 97
        else:
            remainder = (remainder * 100 + ord(char) - 55) % 97
    return remainder == 1


def _compact(value: str) -> str:
    return value.replace(" ", "").replace("-", "").upper()


class IbanRecognizer(BaseRecognizer):
    name = "IBAN_CODE"
    entity_type = "IBAN_CODE"

    def find(self, text: str) -> list[Span]:
        spans: list[Span] = []
        position = 0
        while True:
            match = _CANDIDATE.search(text, position)
            if match is None:
                return spans
            found = self._trim(text, match.start(), match.end())
            if found is None:
                position = match.start() + 1
                continue
            end, score = found
            spans.append(self.span(match.start(), end, score))
            position = end

    def _trim(self, text: str, start: int, limit: int) -> tuple[int, float] | None:
        country = text[start : start + 2].upper()
        expected = IBAN_LENGTHS.get(country)
        candidates: list[int] = []
        if expected is not None:
            end = _end_after(text, start, limit, expected)
            if end is not None:
                candidates.append(end)
        else:
            # Unregistered country: accept the whole unbroken run if it checks out.
            end = start
            count = 0
            while end < limit and (text[end].isascii() and text[end].isalnum()):
                end += 1
                count += 1
            # Mod-97 alone passes one random token in a hundred: without a known
            # country only an upper-case run of the right size is taken.
            if 15 <= count <= 34 and text[start:end].isupper():
                candidates.append(end)
        for end in candidates:
            if end < len(text) and text[end].isascii() and text[end].isalnum():
                continue
            value = text[start:end]
            if self._valid(value, expected):
                return end, 1.0 if expected is not None else 0.85
        return None

    def _valid(self, value: str, expected: int | None) -> bool:
        if not _spacing_ok(value):
            return False
        compact = _compact(value)
        if expected is not None and len(compact) != expected:
            return False
        if not 15 <= len(compact) <= 34:
            return False
        return compact[2:4].isdigit() and mod97_valid(compact)

    def validate(self, value: str) -> bool:
        if not re.fullmatch(r"[A-Za-z]{2}[0-9]{2}[A-Za-z0-9 -]+", value) or value[-1] in " -":
            return False
        return self._valid(value, IBAN_LENGTHS.get(value[:2].upper()))


def _end_after(text: str, start: int, limit: int, count: int) -> int | None:
    """End offset after ``count`` alphanumerics from ``start`` (separators skipped), if in limit."""
    seen = 0
    position = start
    while position < limit:
        if text[position] not in _SEPARATORS:
            seen += 1
            if seen == count:
                return position + 1
        position += 1
    return None


def _spacing_ok(value: str) -> bool:
    """One kind of separator, if any, splits the code into blocks of four (the last may be
    shorter)."""
    used = [sep for sep in _SEPARATORS if sep in value]
    if not used:
        return True
    if len(used) > 1:
        return False
    blocks = value.split(used[0])
    return all(len(block) == 4 for block in blocks[:-1]) and 1 <= len(blocks[-1]) <= 4
