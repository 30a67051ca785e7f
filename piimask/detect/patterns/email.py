"""EMAIL_ADDRESS: a practical RFC 5322 subset (dot-atom local part, host names with a real TLD)."""

from __future__ import annotations

import re

from piimask.detect.patterns._base import BaseRecognizer
from piimask.detect.patterns.tlds import ALL_TLDS
from piimask.spans import Span

_LOCAL_SPECIALS = frozenset("._%+-'!#$&*/=?^`{|}~")
_MAX_LOCAL = 64
# Host labels: letters/digits (any script), inner hyphens, no underscore (host names are
# letters, digits and hyphens: "openssl@3--3.4.0.arm64_sonoma.bottle.tar.gz" is a file);
# at most 8 labels so a long run of "a.a.a.a" cannot make the scan quadratic.
_LABEL = r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL}){{1,8}}")
_TLD_SHAPE = re.compile(r"[A-Za-z]{2,24}|xn--[a-z0-9-]{1,59}")
_EMAIL_SHAPE = re.compile(r"[^\s@]{1,64}@[^\s@]{3,255}")
# The TLDs reserved for documentation and tests (RFC 2606): the host ends there, even
# when a label before it is a TLD of its own (students.university.example).
_RESERVED_TLDS = frozenset({"example", "test", "invalid"})
_MAILTO = re.compile(r"mailto:\Z", re.IGNORECASE)
# An scp-like remote, user@host:path (git@github.com:acme/api.git): a login on a host with
# a path on it, no mailbox. The path has a slash or ends in .git ("jane@x.com:hunter2", a
# credential dump's address and password, stays an address).
_SCP_PATH = re.compile(r":[\w.~\-]*(?:/[\w.~\-]+)+|:[\w.~/\-]*\.git\b")


def _local_char(char: str) -> bool:
    return char.isalnum() or char in _LOCAL_SPECIALS


def split_host(host: str) -> list[list[str]]:
    """Host prefixes (longest first) that end in a plausible TLD, each a label list."""
    labels = host.split(".")
    options: list[list[str]] = []
    for count in range(len(labels), 1, -1):
        tld = labels[count - 1]
        if _TLD_SHAPE.fullmatch(tld) and (tld == tld.lower() or tld == tld.upper()):
            options.append(labels[:count])
    return options


# The token before a local part, back to a space or a quote.
_TOKEN_BEFORE = re.compile(r"[^\s\"'<>()\[\]]*\Z")


def _credentials(text: str, start: int) -> bool:
    """Whether the ``@`` at the end of ``text[start:]``'s local part ends a link's user info
    (``https://user:pw@host``, ``ssh://git@host``) rather than a mailbox written after a
    label or inside a path (``login:f.dubois@example.fr``, an AWS role session
    ``assumed-role/Admin/noa.ben-david@example.com``). ``mailto:a@b.example`` is a mailbox."""
    if _MAILTO.search(text, 0, start):
        return False
    before = text[start - 1]
    token = _TOKEN_BEFORE.search(text, 0, start)
    head = token.group() if token is not None else ""
    if before == "@":
        return True
    return "//" in head


class EmailRecognizer(BaseRecognizer):
    name = "EMAIL_ADDRESS"
    entity_type = "EMAIL_ADDRESS"

    def find(self, text: str) -> list[Span]:
        spans: list[Span] = []
        at = text.find("@")
        last_end = 0
        while at != -1:
            found = self._around(text, at, last_end)
            if found is not None:
                spans.append(found)
                last_end = found.end
            at = text.find("@", max(at + 1, last_end))
        return spans

    def _around(self, text: str, at: int, floor: int) -> Span | None:
        start = at
        while start > floor and at - start <= _MAX_LOCAL and _local_char(text[start - 1]):
            start -= 1
        if at - start > _MAX_LOCAL:
            return None
        # Quotes, dots and other specials before the first letter belong to the prose.
        while start < at and not (text[start].isalnum() or text[start] == "_"):
            start += 1
        if "/" in text[start:at]:
            # a path's last segment holds the mailbox ("assumed-role/Admin/jane@example.com");
            # RFC 5322 allows "/" in a local part, mail systems in use do not
            start += text[start:at].rindex("/") + 1
        local = text[start:at]
        if not local or local.endswith(".") or ".." in local:
            return None
        if start > 0 and text[start - 1] in "@/:" and _credentials(text, start):
            return None  # user:password@host, a URL's credentials; mailto:a@b.example stays
        host_match = _HOST.match(text, at + 1)
        if host_match is None:
            return None
        if _SCP_PATH.match(text, host_match.end()):
            return None
        options = split_host(host_match.group())
        if options and options[0][-1].lower() in _RESERVED_TLDS:
            options = options[:1]  # a.b@students.university.example: the whole host
        for labels in options:
            if labels[-1].lower() in ALL_TLDS:
                end = at + 1 + len(".".join(labels))
                return self.span(start, end, 1.0)
        if options:
            labels = options[0]
            end = at + 1 + len(".".join(labels))
            if end == host_match.end():
                return self.span(start, end, 0.75)
        return None

    def validate(self, value: str) -> bool:
        if not _EMAIL_SHAPE.fullmatch(value):
            return False
        spans = self.find(value)
        return len(spans) == 1 and spans[0].start == 0 and spans[0].end == len(value)
