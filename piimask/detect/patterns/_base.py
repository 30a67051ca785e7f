"""Shared plumbing for the pattern recognizers: the base class and context look-ups."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from piimask.spans import Span


class BaseRecognizer:
    """A recognizer finds validated matches of one identifier family in a text.

    Subclasses set ``name`` and ``entity_type`` and implement :meth:`find` and
    :meth:`validate`; ``validate`` accepts exactly the strings ``find`` may return
    (context is not re-checked there, only the value's own shape and checksum).
    """

    name: str = ""
    entity_type: str = ""

    @property
    def detector(self) -> str:
        return f"pattern:{self.name}"

    def find(self, text: str) -> list[Span]:
        raise NotImplementedError

    def validate(self, value: str) -> bool:
        raise NotImplementedError

    def span(self, start: int, end: int, score: float) -> Span:
        return Span(start, end, self.entity_type, min(1.0, max(0.0, score)), self.detector)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def keyword_regex(words: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive regex matching any of ``words`` as whole words.

    Words may contain spaces (matched as any run of whitespace) and apostrophes
    (matched as straight or curly, or missing).
    """
    parts = []
    for word in sorted(set(words), key=len, reverse=True):
        escaped = re.escape(word.lower())
        escaped = escaped.replace(r"\ ", r"[\s_-]+").replace("'", "['’]?")
        parts.append(escaped)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


# Words before a dotted number that make it a software version ("v1.2.3.4", "build 21.5.21").
VERSION_WORDS = keyword_regex(["version", "ver", "release", "build", "firmware", "v"])

_DIGIT = re.compile(r"[0-9]")
# Context may sit on the line above only when it is a label ending that line ("Phone:\n").
_LABEL_LINE_BREAK = re.compile(r"[^\w\n]*\n[ \t]*")


def has_context_before(
    text: str, start: int, keywords: re.Pattern[str], window: int, *, digit_free_gap: bool = False
) -> bool:
    """Whether a keyword ends within ``window`` characters before ``start``, on the same line.

    The keyword may also end the previous line when nothing but punctuation follows
    it there ("Phone:" on its own line). With ``digit_free_gap`` the text between
    the keyword and ``start`` must hold no digit, so "call me at 555 0100 about
    order 81234567" ties the keyword to the phone number only.
    """
    last = None
    for match in keywords.finditer(text, max(0, start - window), start):
        last = match
    if last is None:
        return False
    gap = text[last.end() : start]
    if "\n" in gap and not _LABEL_LINE_BREAK.fullmatch(gap):
        return False
    return not (digit_free_gap and _DIGIT.search(gap))


def has_context_after(text: str, end: int, keywords: re.Pattern[str], window: int) -> bool:
    """Whether a keyword starts within ``window`` characters after ``end``, on the same line."""
    line_end = text.find("\n", end, end + window)
    limit = min(len(text), end + window) if line_end == -1 else line_end
    return keywords.search(text, end, limit) is not None


def has_context(
    text: str,
    start: int,
    end: int,
    keywords: re.Pattern[str],
    *,
    before: int = 40,
    after: int = 0,
    digit_free_gap: bool = False,
) -> bool:
    return has_context_before(text, start, keywords, before, digit_free_gap=digit_free_gap) or (
        after > 0 and has_context_after(text, end, keywords, after)
    )


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def only_digits(value: str) -> str:
    return "".join(c for c in value if "0" <= c <= "9")


class IntervalSet:
    """Non-overlapping [start, end) intervals with logarithmic overlap look-ups."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def overlapping(self, start: int, end: int) -> tuple[int, int] | None:
        """The stored interval that overlaps [start, end), if any."""
        index = bisect.bisect_right(self._starts, start) - 1
        for candidate in (index, index + 1):
            if 0 <= candidate < len(self._starts):
                a, b = self._starts[candidate], self._ends[candidate]
                if a < end and start < b:
                    return a, b
        return None

    def add(self, start: int, end: int) -> bool:
        """Store the interval unless it overlaps one already stored; report whether it was."""
        if self.overlapping(start, end) is not None:
            return False
        index = bisect.bisect_left(self._starts, start)
        self._starts.insert(index, start)
        self._ends.insert(index, end)
        return True
