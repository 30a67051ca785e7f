"""A small JSONPath subset for selecting fields of JSON messages.

Grammar: ``$`` followed by any of ``.name``, ``["name"]`` / ``['name']``, ``[3]``, ``[*]`` or
``.*`` (any child), and ``..name`` / ``..*`` (at any depth below). A path selects a node and
everything under it, so ``$.comments`` covers ``$.comments[0].text``.

Matching runs as a tiny NFA whose state sets are carried down the document walk, so a
message is walked once whatever the number of paths.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Final

PathKey = str | int
"""One step of a concrete path: an object key or a list index."""


@dataclass(frozen=True, slots=True)
class _Key:
    name: str


@dataclass(frozen=True, slots=True)
class _Index:
    index: int


@dataclass(frozen=True, slots=True)
class _Any:
    pass


@dataclass(frozen=True, slots=True)
class _Descend:
    """Zero or more levels of any key; always followed by another segment."""


_Segment = _Key | _Index | _Any | _Descend

_NAME_RE: Final = re.compile(r"[^.\[\]\s'\"]+")
_IDENT_RE: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_INDEX_RE: Final = re.compile(r"\[(\d+)\]")
_QUOTED_RE: Final = re.compile(r"""\[\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\]""")


class JsonPathError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class JsonPath:
    text: str
    segments: tuple[_Segment, ...]

    @classmethod
    def parse(cls, text: str) -> JsonPath:
        if not text.startswith("$"):
            raise JsonPathError("a path starts with '$' (e.g. $.body or $.comments[*].text)")
        segments: list[_Segment] = []
        pos = 1
        while pos < len(text):
            if text.startswith("..", pos):
                segments.append(_Descend())
                pos += 2
                pos = _parse_dotted_child(text, pos, segments, after_descend=True)
            elif text[pos] == ".":
                pos = _parse_dotted_child(text, pos + 1, segments, after_descend=False)
            elif text.startswith("[*]", pos):
                segments.append(_Any())
                pos += 3
            elif m := _INDEX_RE.match(text, pos):
                segments.append(_Index(int(m.group(1))))
                pos = m.end()
            elif m := _QUOTED_RE.match(text, pos):
                raw = m.group(1) if m.group(1) is not None else m.group(2)
                segments.append(_Key(_unescape(raw)))
                pos = m.end()
            else:
                raise JsonPathError(f"unexpected {text[pos]!r} at position {pos}")
        return cls(text, tuple(segments))

    # --- NFA over segments ----------------------------------------------------------

    def initial(self) -> frozenset[int]:
        return self._closure({0})

    def _closure(self, states: set[int]) -> frozenset[int]:
        out = set(states)
        for s in states:
            if s < len(self.segments) and isinstance(self.segments[s], _Descend):
                out.add(s + 1)
        return frozenset(out)

    def step(self, states: frozenset[int], key: PathKey) -> frozenset[int]:
        nxt: set[int] = set()
        for s in states:
            if s >= len(self.segments):
                continue
            seg = self.segments[s]
            if isinstance(seg, _Descend):
                nxt.add(s)
            elif isinstance(seg, _Any):
                nxt.add(s + 1)
            elif isinstance(seg, _Key):
                if isinstance(key, str) and key == seg.name:
                    nxt.add(s + 1)
            elif isinstance(key, int) and key == seg.index:
                nxt.add(s + 1)
        return self._closure(nxt)

    def accepts(self, states: frozenset[int]) -> bool:
        return len(self.segments) in states

    def matches(self, path: tuple[PathKey, ...]) -> bool:
        """Does this pattern select exactly ``path``?"""
        states = self.initial()
        for key in path:
            states = self.step(states, key)
            if not states:
                return False
        return self.accepts(states)


def _parse_dotted_child(
    text: str, pos: int, segments: list[_Segment], *, after_descend: bool
) -> int:
    if text.startswith("*", pos):
        segments.append(_Any())
        return pos + 1
    if after_descend and text.startswith("[", pos):
        return pos  # "..[*]" / '..["x"]': the bracket segment follows
    m = _NAME_RE.match(text, pos)
    if m is None:
        raise JsonPathError(f"expected a field name at position {pos}")
    segments.append(_Key(m.group(0)))
    return m.end()


def _unescape(raw: str) -> str:
    try:
        value = json.loads('"' + raw.replace("\\'", "'") + '"')
    except ValueError:
        raise JsonPathError("invalid escape in quoted field name") from None
    assert isinstance(value, str)
    return value


def format_path(path: tuple[PathKey, ...], *, hide_keys: bool = False) -> str:
    """``("comments", 0, "text")`` -> ``$.comments[0].text``; odd keys are quoted.

    ``hide_keys``: keys that are not plain identifiers (an e-mail address, a name with a
    space) are written ``.<key>``, for messages about a document whose keys were not
    scanned yet (dead-letter details, log lines)."""
    parts = ["$"]
    for key in path:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif _IDENT_RE.match(key) and (not hide_keys or len(key) <= _MAX_SHOWN_KEY):
            parts.append("." + key)
        elif hide_keys:
            parts.append(".<key>")
        else:
            parts.append("[" + json.dumps(key, ensure_ascii=False) + "]")
    return "".join(parts)


_MAX_SHOWN_KEY = 64
