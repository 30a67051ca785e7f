"""``key=value``, ``key: value`` and ``"key": value`` fragments in plain text.

Log lines and events sent as text name their values as JSON does: ``order=48213``,
``"latency_ms": 2461``, ``client: 203.0.113.7``, and the SQL they quote does too
(``updated_at < '2026-09-14'``). The key is the best evidence about the
value (a ZIP code does not sit under ``order=``), so detection reads the fragments and
asks :func:`piimask.detect.field_names.key_hint` what each key says.

Only offsets are computed here; nothing is kept of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Form = Literal["equals", "json", "colon", "compare"]


@dataclass(frozen=True, slots=True)
class Fragment:
    """One key and its value: ``text[key_start:key_end]``, ``text[value_start:value_end]``
    (quotes around either are outside the offsets)."""

    key_start: int
    key_end: int
    value_start: int
    value_end: int
    form: Form

    def key(self, text: str) -> str:
        return text[self.key_start : self.key_end]

    def value(self, text: str) -> str:
        return text[self.value_start : self.value_end]

    def holds(self, start: int, end: int) -> bool:
        """Whether [start, end) lies inside the value."""
        return self.value_start <= start and end <= self.value_end

    def in_key(self, start: int, end: int) -> bool:
        return self.key_start <= start and end <= self.key_end


# A double-quoted string with escapes, a single-quoted one, or a bare token: logfmt values
# end at whitespace, a separator or a closing bracket ("(replicas=11, cpu=3126m)").
_QUOTED = r'"(?P<dq>(?:[^"\\\n]|\\.){0,2000})"'
_SINGLE = r"'(?P<sq>[^'\n]{0,2000})'"
_BARE = r"(?P<bare>[^\s,;&)\]}\"'][^\s,;&)\]}\"]{0,2000})"
_KEY = r"[A-Za-z_@][\w.@/-]{0,63}"
_EQUALS = re.compile(rf"(?<![\w.@/=-])(?P<key>{_KEY})=(?!=)(?:{_QUOTED}|{_SINGLE}|{_BARE})")
_JSON = re.compile(
    rf'"(?P<key>[^"\\\n]{{1,64}})"[ \t]*:[ \t]*'
    rf"(?:{_QUOTED}|(?P<bare>-?[0-9][0-9.eE+-]*|true|false|null))"
)
# "client: 203.0.113.7, server: ..." (nginx), "level: warn" (YAML-ish). The key must be an
# identifier directly before the colon and a space; the value is one token or a quoted string.
_COLON = re.compile(
    rf"(?<![\w.@/:-])(?P<key>[A-Za-z_][\w.-]{{0,40}}):[ \t]+"
    rf"(?:{_QUOTED}|{_SINGLE}|(?P<bare>[^\s,;\"'\])][^\s,;\"]*?))(?=[\])]*(?:[\s,;\"]|$))"
)  # MySQL writes "user: 'jdoe' host: '10.0.0.1'"; brackets after a bare value close the field
# it stands in ("[user: tnakamura]", "(ip: 49.36.12.201)"), they are no part of the value


# A comparison in an SQL statement a log line quotes ("WHERE updated_at < '2026-09-14'",
# "SET phone = '+44 7700 900123'"): the column names the literal. Quoted literals only:
# "<3" in a tweet is no comparison.
_COMPARE = re.compile(
    rf"(?<![\w.])(?P<key>[a-z_][\w.]{{0,63}})[ \t]+(?:<=|>=|<>|!=|<|>|=)[ \t]+{_SINGLE}"
)


_FORMS: tuple[tuple[re.Pattern[str], Form], ...] = (
    (_JSON, "json"),
    (_EQUALS, "equals"),
    (_COLON, "colon"),
    (_COMPARE, "compare"),
)


def _value_group(match: re.Match[str]) -> tuple[int, int, bool] | None:
    """The value's offsets, and whether it was quoted (a quoted value may hold fragments)."""
    for group in ("dq", "sq", "bare"):
        if group in match.re.groupindex and match.group(group) is not None:
            start, end = match.span(group)
            return (start, end, group != "bare") if end > start else None
    return None


def _balanced_end(text: str, start: int, end: int) -> int:
    """The end of a bare value with the closing brackets that close its own openers
    ("f(a)", "list[0]"); those of the field around it stay out ("[user: jdoe]")."""
    for close, opening in ((")", "("), ("]", "[")):
        while text[end : end + 1] == close and text.count(opening, start, end) > text.count(
            close, start, end
        ):
            end += 1
    return end


def find_fragments(text: str) -> list[Fragment]:
    """Every fragment in ``text``, ordered by key position.

    A quoted value may hold fragments of its own (``msg="retry=1 order=5"``): a fragment
    is skipped only where its key or bare value would overlap another fragment's."""
    found: list[Fragment] = []
    taken: list[tuple[int, int]] = []

    def overlaps(start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in taken)

    for regex, form in _FORMS:
        pos = 0
        while (match := regex.search(text, pos)) is not None:
            pos = match.end()
            value = _value_group(match)
            if value is None or overlaps(match.start(), match.end()):
                continue
            value_start, value_end, quoted = value
            if form == "colon" and not quoted:
                value_end = _balanced_end(text, value_start, value_end)
            key_start, key_end = match.span("key")
            found.append(Fragment(key_start, key_end, value_start, value_end, form))
            if quoted:
                taken.append((match.start(), value_start))
                pos = value_start  # look inside the quoted value too
            else:
                taken.append((match.start(), match.end()))
    found.sort(key=lambda f: f.key_start)
    return found
