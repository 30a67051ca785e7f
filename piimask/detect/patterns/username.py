"""USERNAME: social-media handles (``@jane_doe``, ``RT @Jane_Doe:``) and Matrix user ids
(``@jane.doe:matrix.example.org``).

A handle names an account, and so a person, as directly as an e-mail address
does; it is not one (no host). The ``@`` must start the token: ``jane@x.org`` is
an e-mail address and ``x@y`` inside a word is not a handle.
"""

from __future__ import annotations

import re

from piimask.detect.patterns._base import BaseRecognizer
from piimask.spans import Span

# Letters, digits and underscores (Twitter/X, GitHub, Instagram); inner dots and
# dashes allowed (Instagram, Mastodon, GitHub). Not followed by "@" (a
# fediverse "@user@host" address is the e-mail recognizer's), by more word characters, by
# "/" (a package scope or a team: "@babel/core", "@acme/backend") or by "(" (a decorator or
# an annotation called: "@app.route(", "@Retry("), nor right after a closing bracket or
# before ":" and a word: an Erlang process at its module and function
# ("<0.521.0>@mod_mam:delete_old_messages/3").
_HANDLE = re.compile(
    r"(?<![\w@.+/\\>)\]-])@(?P<name>[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,38}[A-Za-z0-9_])?)"
    r"(?![\w@/(-]|\.\w|:\w)"
)
# A Matrix user id: "@", the local part, ":", the home server (the Matrix specification's
# grammar for the local part). The whole id names the account; its server alone names none.
_MATRIX_ID = re.compile(
    r"(?<![\w@.+/\\-])@[a-z0-9._=+/-]{1,64}:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::[0-9]{1,5})?"
    r"(?![\w.-]|\.\w)"
)
_TIME_OR_COUNT = re.compile(r"[0-9]+(?:[.:][0-9]+)?(?:am|pm|h|hrs?|mins?|x|k|m|st|nd|rd|th)?", re.I)
# Group mentions and code annotations that name no person.
_NOT_PEOPLE = frozenset(
    {
        "here", "channel", "everyone", "all", "team", "home",
        "media", "import", "font-face", "keyframes", "charset", "supports",
        "override", "deprecated", "param", "return", "returns", "throws", "author", "see",
        "since", "version", "todo", "property", "staticmethod", "classmethod", "dataclass",
        "interface", "end", "implementation", "synthesize",
    }
)  # fmt: skip


# "@ jane_doe": tokenised text (corpora, some exports) splits the "@" from the name. With
# the space "@" is also plain "at" ("dinner @ Nobu"), so the spaced form needs a
# handle-like name (digit, underscore, inner capital) or a retweet/mention frame.
_SPACED = re.compile(r"(?<![\w@.+/\\-])@ (?P<name>[A-Za-z_][A-Za-z0-9_]{1,29})(?![\w@-])")
_HANDLE_LIKE = re.compile(r"[0-9_]|[a-z][A-Z]")
_MENTION_BEFORE = re.compile(
    r"(?:^|\b(?:RT|MT|via|cc|by|to|with|thanks|thx|follow|ft|feat|hi|hey|dear)"
    r"|[:\"“(]|@ ?\w+)[ \t]*$",
    re.IGNORECASE,
)
_MENTION_AFTER = re.compile(r"[ \t]?:")


def _spaced_mention(text: str, match: re.Match[str]) -> bool:
    name = match.group("name")
    if name.lower() in _NOT_PEOPLE:
        return False
    if _HANDLE_LIKE.search(name):
        return True
    before = text[max(0, match.start() - 24) : match.start()]
    return bool(_MENTION_BEFORE.search(before) or _MENTION_AFTER.match(text, match.end()))


class UsernameRecognizer(BaseRecognizer):
    name = "USERNAME"
    entity_type = "USERNAME"

    def find(self, text: str) -> list[Span]:
        spans = [self.span(m.start(), m.end(), 0.85) for m in _MATRIX_ID.finditer(text)]
        ids = {s.start for s in spans}
        for match in _HANDLE.finditer(text):
            handle = match.group("name")
            if match.start() in ids or not self.validate("@" + handle):
                continue  # a Matrix id's local part is the id's, found whole above
            spans.append(self.span(match.start(), match.end(), 0.85))
        for match in _SPACED.finditer(text):
            if _spaced_mention(text, match):
                spans.append(self.span(match.start(), match.end(), 0.7))
        spans.sort()
        return spans

    def validate(self, value: str) -> bool:
        if not value.startswith("@"):
            return False
        if _MATRIX_ID.fullmatch(value):
            return True
        spaced = _SPACED.fullmatch(value)
        if spaced is not None:
            return spaced.group("name").lower() not in _NOT_PEOPLE
        handle = value[1:]
        if _HANDLE.fullmatch(value) is None:
            return False
        if _TIME_OR_COUNT.fullmatch(handle) or handle.lower() in _NOT_PEOPLE:
            return False
        return any(c.isalpha() or c == "_" for c in handle)
