"""URL (scheme, www. and domain/path forms) and DOMAIN_NAME (bare host names with a real TLD)."""

from __future__ import annotations

import re
import unicodedata

from piimask.detect.patterns._base import BaseRecognizer, IntervalSet
from piimask.detect.patterns.email import EmailRecognizer
from piimask.detect.patterns.tlds import (
    ALL_TLDS,
    AMBIGUOUS_TLDS,
    BARE_DOMAIN_TLDS,
    COMMON_TLDS,
)
from piimask.spans import Span

_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_PATH_BODY = r"[^\s<>\"`{}|\\^]{0,2048}"
_PATH = rf"(?:[/?#]{_PATH_BODY})?"
_PORT = r"(?::[0-9]{1,5})?"

_SCHEME_URL = re.compile(
    r"(?<![\w+.-])(?:https?|ftps?|sftp|wss?)://"
    r"(?:[^\s/?#@<>\"]{1,64}@)?"  # user info
    rf"(?:\[[0-9A-Fa-f:.]{{2,45}}\]|{_LABEL}(?:\.{_LABEL}){{0,8}})"
    rf"{_PORT}{_PATH}",
    re.IGNORECASE,
)
_WWW_URL = re.compile(
    rf"(?<![\w.@/:-])www[0-9]{{0,2}}(?:\.{_LABEL}){{2,8}}{_PORT}{_PATH}",
    re.IGNORECASE,
)
# A bare host followed by a path ("example.com/about").
_PATH_URL = re.compile(rf"(?<![\w.@/:-]){_LABEL}(?:\.{_LABEL}){{1,8}}{_PORT}/{_PATH_BODY}")
_BARE_HOST = re.compile(rf"(?<![\w.@/:+-]){_LABEL}(?:\.{_LABEL}){{1,8}}(?![\w@-]|\.[^\W_]|\()")

_TRAILING_PUNCTUATION = ".,;:!?'\"*"
_SECOND_LEVELS = frozenset(
    ["co", "com", "org", "net", "ac", "gov", "edu", "ltd", "plc", "nic", "or", "ne", "go"]
)
_PAIRS = {")": "(", "]": "[", "}": "{"}


# A comma and a key= after a link: the next field of a logfmt or CSV record
# ("trackingUrl=http://rm-1:8088/proxy/app_1/,appMasterHost=worker-41"), no part of the link.
_NEXT_FIELD = re.compile(r",[ \t]?[A-Za-z_][\w.-]*=")


def _trim_url(text: str, start: int, end: int) -> int:
    """Drop punctuation that ends the sentence rather than the URL, and the fields of a
    record after it."""
    field = _NEXT_FIELD.search(text, start, end)
    if field is not None and "?" not in text[start : field.start()]:
        end = field.start()  # (in a query string "a=1,b=2" may be the link's own)
    while end > start:
        last = text[end - 1]
        if last in _TRAILING_PUNCTUATION or (
            not last.isascii() and unicodedata.category(last).startswith("P")
        ):
            end -= 1
        elif last in _PAIRS:
            segment = text[start:end]
            if segment.count(last) > segment.count(_PAIRS[last]):
                end -= 1
            else:
                break
        else:
            break
    return end


def _tld_ok(host: str) -> bool:
    tld = host.rsplit(".", 1)[-1]
    return tld.lower() in ALL_TLDS and (tld == tld.lower() or tld == tld.upper())


def bare_domain_score(host: str) -> float:
    """How plausible ``host`` is as a domain name on its own (0 = not a domain)."""
    labels = host.split(".")
    tld = labels[-1]
    if tld.lower() not in BARE_DOMAIN_TLDS or not (tld == tld.lower() or tld == tld.upper()):
        return 0.0
    second = labels[-2]
    if not any(c.isalpha() for c in second):
        return 0.0
    has_www = labels[0].lower().startswith("www") and len(labels) > 2
    has_second_level = len(labels) > 2 and second.lower() in _SECOND_LEVELS
    if tld.lower() in AMBIGUOUS_TLDS and not (has_www or has_second_level):
        return 0.0
    if len(second) < 2 and tld.lower() not in COMMON_TLDS:
        return 0.0
    if tld.lower() in COMMON_TLDS or has_www or has_second_level:
        return 0.85
    return 0.7


class UrlRecognizer(BaseRecognizer):
    name = "URL"
    entity_type = "URL"

    def find(self, text: str) -> list[Span]:
        spans: list[Span] = []
        taken = IntervalSet()
        for pattern, score in ((_SCHEME_URL, 0.95), (_WWW_URL, 0.9), (_PATH_URL, 0.8)):
            for match in pattern.finditer(text):
                start = match.start()
                end = _trim_url(text, start, match.end())
                if taken.overlapping(start, end) is not None:
                    continue
                if pattern is not _SCHEME_URL:
                    host = re.split(r"[/:?#]", text[start:end], maxsplit=1)[0]
                    if not _tld_ok(host) or (pattern is _PATH_URL and bare_domain_score(host) == 0):
                        continue
                if end - start < 4:
                    continue
                taken.add(start, end)
                spans.append(self.span(start, end, score))
        spans.sort()
        return spans

    def validate(self, value: str) -> bool:
        spans = self.find(value)
        return len(spans) == 1 and spans[0].start == 0 and spans[0].end == len(value)


class DomainNameRecognizer(BaseRecognizer):
    """Bare host names ("smith.biz", "example.co.uk"); never inside an email address or URL."""

    name = "DOMAIN_NAME"
    entity_type = "DOMAIN_NAME"

    def __init__(self) -> None:
        self._url = UrlRecognizer()
        self._email = EmailRecognizer()

    def find(self, text: str) -> list[Span]:
        candidates = [
            (m.start(), m.end(), score)
            for m in _BARE_HOST.finditer(text)
            if (score := bare_domain_score(m.group())) > 0
        ]
        if not candidates:
            return []
        covered = IntervalSet()
        for span in self._url.find(text) + self._email.find(text):
            covered.add(span.start, span.end)
        return [
            self.span(start, end, score)
            for start, end, score in candidates
            if covered.overlapping(start, end) is None
        ]

    def validate(self, value: str) -> bool:
        return _BARE_HOST.fullmatch(value) is not None and bare_domain_score(value) > 0
