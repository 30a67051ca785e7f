"""CREDIT_CARD: 12-19 digit card numbers with a known issuer prefix and length, Luhn-checked."""

from __future__ import annotations

import re

from piimask.detect.patterns._base import BaseRecognizer, luhn_valid, only_digits
from piimask.spans import Span

# (prefix range low, high, prefix length, allowed lengths); ranges are inclusive.
_ISSUERS: tuple[tuple[int, int, int, frozenset[int]], ...] = (
    (4, 4, 1, frozenset({13, 16, 19})),  # Visa
    (51, 55, 2, frozenset({16})),  # Mastercard
    (2221, 2720, 4, frozenset({16})),  # Mastercard 2-series
    (2200, 2204, 4, frozenset({16, 17, 18, 19})),  # Mir
    (34, 34, 2, frozenset({15})),  # Amex
    (37, 37, 2, frozenset({15})),  # Amex
    (6011, 6011, 4, frozenset({16, 17, 18, 19})),  # Discover
    (644, 649, 3, frozenset({16, 17, 18, 19})),  # Discover
    (65, 65, 2, frozenset({16, 17, 18, 19})),  # Discover
    (62, 62, 2, frozenset({16, 17, 18, 19})),  # UnionPay (incl. Discover co-brand 622126-622925)
    (81, 81, 2, frozenset({16, 17, 18, 19})),  # UnionPay 81 series
    # JCB proper is 3528-3589; the wider 35 block is accepted because issuers and
    # test generators use it, and Luhn plus the length still gate it.
    (35, 35, 2, frozenset({16, 17, 18, 19})),  # JCB
    (2131, 2131, 4, frozenset({15})),  # JCB (legacy 15 digit)
    (1800, 1800, 4, frozenset({15})),  # JCB (legacy 15 digit)
    (300, 305, 3, frozenset({14, 16})),  # Diners Club Carte Blanche
    (36, 36, 2, frozenset({14, 16})),  # Diners Club International
    (38, 39, 2, frozenset({14, 16})),  # Diners Club
    (309, 309, 3, frozenset({14, 16})),  # Diners Club
    (50, 50, 2, frozenset(range(12, 20))),  # Maestro
    (56, 58, 2, frozenset(range(12, 20))),  # Maestro
    (63, 63, 2, frozenset(range(12, 20))),  # Maestro (6304) / Laser
    (67, 67, 2, frozenset(range(12, 20))),  # Maestro (67xx)
    (6390, 6390, 4, frozenset(range(12, 20))),  # Maestro
    (60, 60, 2, frozenset({16, 17, 18, 19})),  # RuPay 60 series
)


def issuer_accepts(digits: str) -> bool:
    """Whether some issuer uses this prefix at this length."""
    length = len(digits)
    if digits.startswith("0604"):  # Maestro's one leading-zero prefix
        return 12 <= length <= 19
    if digits[0] == "0":
        return False
    for low, high, size, lengths in _ISSUERS:
        if length in lengths and low <= int(digits[:size]) <= high:
            return True
    return False


def is_card_number(digits: str) -> bool:
    return 12 <= len(digits) <= 19 and issuer_accepts(digits) and luhn_valid(digits)


# A run of digit groups joined by single spaces or dashes; windows inside it are
# tried so that "4111 1111 1111 1111 12/25" still yields the card.
_GROUP_RUN = re.compile(r"(?<![\w.,/-])[0-9]{1,19}(?:[ -][0-9]{1,19}){0,11}(?![\w-])")
_GROUP = re.compile(r"[0-9]+")


class CreditCardRecognizer(BaseRecognizer):
    name = "CREDIT_CARD"
    entity_type = "CREDIT_CARD"

    def find(self, text: str) -> list[Span]:
        spans: list[Span] = []
        for run in _GROUP_RUN.finditer(text):
            groups = [(m.start(), m.end()) for m in _GROUP.finditer(text, run.start(), run.end())]
            spans.extend(self._windows(text, groups))
        return spans

    def _windows(self, text: str, groups: list[tuple[int, int]]) -> list[Span]:
        found: list[Span] = []
        before = [0]  # digits in groups[:i]
        for a, b in groups:
            before.append(before[-1] + b - a)
        index = 0
        while index < len(groups):
            best_end = -1
            for last in range(min(len(groups), index + 8) - 1, index - 1, -1):
                start, end = groups[index][0], groups[last][1]
                if not 12 <= before[last + 1] - before[index] <= 19:
                    continue
                if self._window_ok(text, groups, index, last) and self.validate(text[start:end]):
                    best_end = last
                    break
            if best_end >= 0:
                found.append(self.span(groups[index][0], groups[best_end][1], 1.0))
                index = best_end + 1
            else:
                index += 1
        return found

    @staticmethod
    def _window_ok(text: str, groups: list[tuple[int, int]], first: int, last: int) -> bool:
        if first == last:
            return True
        # Card numbers are printed in blocks: a 4-digit lead block, then blocks of
        # 3-6 digits with the same separator throughout (the tail block may be short).
        if groups[first][1] - groups[first][0] != 4:
            return False
        separator = text[groups[first][1]]
        for index in range(first + 1, last + 1):
            if text[groups[index - 1][1]] != separator:
                return False
            size = groups[index][1] - groups[index][0]
            if size > 6 or (size < 3 and index != last) or size < 1:
                return False
        return True

    def validate(self, value: str) -> bool:
        if not re.fullmatch(r"[0-9]+(?:[ -][0-9]+)*", value):
            return False
        if " " in value and "-" in value:
            return False
        return is_card_number(only_digits(value))
