"""EMAIL_ADDRESS: dot-atom local part, host with a real TLD, sentence punctuation left out."""

from __future__ import annotations

import pytest

from piimask.detect.patterns import EmailRecognizer

RECOGNIZER = EmailRecognizer()


def values(text: str) -> list[str]:
    return [text[s.start : s.end] for s in RECOGNIZER.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("john.doe@example.com", ["john.doe@example.com"]),
        ("Mail AnnemetteHIversen@dayrep.com.", ["AnnemetteHIversen@dayrep.com"]),
        ("(o'brien+tag@mail.example.co.uk)", ["o'brien+tag@mail.example.co.uk"]),
        ("<JOHN_DOE@EXAMPLE.ORG>", ["JOHN_DOE@EXAMPLE.ORG"]),
        ("email me at 'jane@example.de'", ["jane@example.de"]),
        ("contact: josé.garcía@correo.es, thanks", ["josé.garcía@correo.es"]),
        ("メール：taro@example.jp。", ["taro@example.jp"]),
        ("a@b.io and c@d.fr", ["a@b.io", "c@d.fr"]),
        ("you said your email is user@mail.example.com.Next", ["user@mail.example.com"]),
        ("lower case e-mail:\nsylejmanstiglic@einrot.com\n", ["sylejmanstiglic@einrot.com"]),
    ],
)
def test_finds_email_addresses(text: str, expected: list[str]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "john@localhost",  # no TLD
        "john..doe@example.com",  # empty atom
        "john.@example.com",  # local part ends with a dot
        "@example.com",
        "john@",
        "john@example.c",  # one-letter TLD
        "user@example.Com1",
        "a@b@c",
        "",
        "==> Pouring libpq@16--16.4.arm64_ventura.bottle.tar.gz",  # no host has an underscore
        "x@mail_server.example.com",
    ],
)
def test_rejects_malformed_addresses(text: str) -> None:
    assert values(text) == []


def test_unknown_tld_is_weaker_than_known() -> None:
    [known] = RECOGNIZER.find("x@example.com")
    [unknown] = RECOGNIZER.find("x@example.zzqq")
    assert unknown.score < known.score == 1.0


@pytest.mark.parametrize(
    ("value", "valid"),
    [("john.doe@example.com", True), ("john doe@example.com", False), ("john@localhost", False)],
)
def test_validate(value: str, valid: bool) -> None:
    assert RECOGNIZER.validate(value) is valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # scp-like remotes: a login on a host with a path, no mailbox
        ("cloning deploy@git.internal.example:platform/charts.git", []),
        ("remote = hg@code.example.org:team/tools", []),
        ("rsync backup@nas.example.net:~/snapshots/2026", []),
        # an address followed by a colon in prose, or by a password in a dump, stays
        ("reply to lina.ortiz@example.org: she owns it", ["lina.ortiz@example.org"]),
        ("lina.ortiz@example.org:Winter2026!", ["lina.ortiz@example.org"]),
    ],
)
def test_an_scp_like_remote_is_no_address(text: str, expected: list[str]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mailto:noor.haddad@clinic.example", ["noor.haddad@clinic.example"]),
        ('<a href="MAILTO:ops@acme.io">', ["ops@acme.io"]),
        # a URL's credentials stay no address
        ("https://deploy:s3cret@repo.example.com/simple", []),
        # a reserved TLD ends the host, even after a label that is a TLD of its own
        ("r.silva@alumni.college.example", ["r.silva@alumni.college.example"]),
    ],
)
def test_a_mailto_link_and_a_reserved_tld_are_read_whole(text: str, expected: list[str]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # after a label: a mailbox
        ("Login successful for db:prod_db login:f.dubois@example.fr from", ["f.dubois@example.fr"]),
        # a path's last segment: an AWS role session named for its person
        (
            "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin/noa.ben-david@example.com",
            ["noa.ben-david@example.com"],
        ),
        ("GET /users/jane@example.com/profile", ["jane@example.com"]),
        # a link's user info: no mailbox
        ("https://user:secret@example.com/x", []),
        ("ssh://git@example.com/acme/repo", []),
    ],
)
def test_a_mailbox_after_a_label_or_in_a_path_is_found_a_links_user_info_is_not(
    text: str, expected: list[str]
) -> None:
    assert [text[s.start : s.end] for s in RECOGNIZER.find(text)] == expected
