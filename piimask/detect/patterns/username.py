"""USERNAME: social-media handles (``@jane_doe``, ``RT @Jane_Doe:``).

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
# fediverse "@user@host" address is the e-mail recognizer's) or by more word characters.
_HANDLE = re.compile(
    r"(?<![\w@.+/\\-])@(?P<name>[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,38}[A-Za-z0-9_])?)(?![\w@-])"
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


class UsernameRecognizer(BaseRecognizer):
    name = "USERNAME"
    entity_type = "USERNAME"

    def find(self, text: str) -> list[Span]:
        spans = []
        for match in _HANDLE.finditer(text):
            handle = match.group("name")
            if not self.validate("@" + handle):
                continue
            spans.append(self.span(match.start(), match.end(), 0.85))
        return spans

    def validate(self, value: str) -> bool:
        if not value.startswith("@"):
            return False
        handle = value[1:]
        if _HANDLE.fullmatch(value) is None:
            return False
        if _TIME_OR_COUNT.fullmatch(handle) or handle.lower() in _NOT_PEOPLE:
            return False
        return any(c.isalpha() or c == "_" for c in handle)
