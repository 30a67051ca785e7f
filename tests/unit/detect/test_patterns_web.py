"""URL (scheme, www., path forms) and DOMAIN_NAME (bare, real TLD, never inside URLs/emails)."""

from __future__ import annotations

import pytest

from piimask.detect.patterns import DomainNameRecognizer, UrlRecognizer

URL = UrlRecognizer()
DOMAIN = DomainNameRecognizer()


def urls(text: str) -> list[str]:
    return [text[s.start : s.end] for s in URL.find(text)]


def domains(text: str) -> list[str]:
    return [text[s.start : s.end] for s in DOMAIN.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://www.BlackjackCoupons.com.br/", ["https://www.BlackjackCoupons.com.br/"]),
        ("Just posted a photo http://ThisPath.fi/", ["http://ThisPath.fi/"]),
        ("see https://example.com/a?b=c#d.", ["https://example.com/a?b=c#d"]),
        ("(https://en.wikipedia.org/wiki/Foo_(bar))", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ("go to www.example.org, then", ["www.example.org"]),
        ("docs at example.com/docs/intro!", ["example.com/docs/intro"]),
        ("ftp://user@files.example.net:2121/pub", ["ftp://user@files.example.net:2121/pub"]),
        ("http://[2001:db8::1]:8080/x", ["http://[2001:db8::1]:8080/x"]),
        ("HTTPS://EXAMPLE.COM", ["HTTPS://EXAMPLE.COM"]),
        ("链接：https://例子.中国/路径。", ["https://例子.中国/路径"]),
        # the next field of a logfmt or CSV record ends the link; a query keeps its own
        (
            "trackingUrl=https://rm.example.com/proxy/app_1/,appMasterHost=w-41,state=OK",
            ["https://rm.example.com/proxy/app_1/"],
        ),
        ("see https://example.com/a?x=1,y=2 ok", ["https://example.com/a?x=1,y=2"]),
    ],
)
def test_finds_urls(text: str, expected: list[str]) -> None:
    assert urls(text) == expected


@pytest.mark.parametrize(
    "text",
    ["www.example", "setup.py/build", "hello world", "1.2.3/4", "http:/broken", ""],
)
def test_rejects_non_urls(text: str) -> None:
    assert urls(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("smith.biz", ["smith.biz"]),
        ("visit example.co.uk today", ["example.co.uk"]),
        ("(Example.COM).", ["Example.COM"]),
        ("see mail.google.com, or", ["mail.google.com"]),
        ("sites: a-b.de and x.com", ["a-b.de", "x.com"]),
        ("例えば example.jp。", ["example.jp"]),
        ("run it on python.co.in", ["python.co.in"]),
        ("www.example.com is a URL", []),
    ],
)
def test_finds_bare_domains(text: str, expected: list[str]) -> None:
    assert domains(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "john.smith@example.com",  # inside an email
        "https://www.example.com/",  # inside a URL
        "example.com/path",  # a URL, not a bare domain
        "python setup.py install",  # file extension that is also a ccTLD
        "read README.md",
        "I went home.It was late",  # missing space after a full stop
        "e.g. and i.e. and U.S.",
        "version 1.2.3",
        "os.path.join(a, b)",
        "the end.life goes on",  # word TLDs are not taken bare
        "",
    ],
)
def test_rejects_non_domains(text: str) -> None:
    assert domains(text) == []


@pytest.mark.parametrize(
    ("value", "valid"), [("smith.biz", True), ("setup.py", False), ("nodots", False)]
)
def test_domain_validate(value: str, valid: bool) -> None:
    assert DOMAIN.validate(value) is valid
