"""USERNAME: @handles are accounts (people), not e-mail addresses."""

from __future__ import annotations

import pytest

from piimask.detect.patterns import EmailRecognizer, UsernameRecognizer, find_pattern_spans

RECOGNIZER = UsernameRecognizer()


def values(text: str) -> list[str]:
    return [text[s.start : s.end] for s in RECOGNIZER.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RT @jane_doe: great talk", ["@jane_doe"]),
        ("@Harry_Styles Hi Harry", ["@Harry_Styles"]),
        ("(via @LindaNguyenTO)", ["@LindaNguyenTO"]),
        ("thanks @bob.", ["@bob"]),
        ("cc @jane.doe and @dev-lead", ["@jane.doe", "@dev-lead"]),
        ("@a1 @b2", ["@a1", "@b2"]),
        # Tokenised text splits the "@" off: taken for handle-like names or a mention frame.
        ("RT @ Yuri_Smith : hi", ["@ Yuri_Smith"]),
        ("Me and @ BethAnne17 went", ["@ BethAnne17"]),
        ("via @ guardian", ["@ guardian"]),
        ("@ Benhallmunn : yes", ["@ Benhallmunn"]),
        # Matrix user ids, whole; a room id ("!abc:server") names no one
        (
            "@dana.whitfield:matrix.acme.example joined !r1:matrix.acme.example",
            ["@dana.whitfield:matrix.acme.example"],
        ),
        ("invite from @k-osei:chat.example.org:8448 accepted", ["@k-osei:chat.example.org:8448"]),
    ],
)
def test_handles_are_found(text: str, expected: list[str]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "mail jane@example.org",  # an e-mail address
        "@user@mastodon.social",  # a fediverse address: the e-mail recognizer's
        "meet @3pm",  # a time
        "@2x retina",
        "@here deploy done",  # a group mention
        "@media screen",  # CSS
        "@Override",  # a Java annotation
        "price @ 3.10",  # "at"
        "dinner @ Nobu tonight",  # "at" a place
        "I am @ home",
        "a@b",
        "npm i @babel/core @types/node",  # package scopes
        "review requested from @acme/backend",  # a team
        "@app.route('/health')",  # a decorator called
        "@pytest.mark.parametrize(",  # and its dotted name, not a shorter handle
        "@Retry(maxAttempts = 3)",  # an annotation with arguments
        "<0.521.0>@mod_mam:delete_old_messages/3:412",  # an Erlang process at its module
    ],
)
def test_not_handles(text: str) -> None:
    assert values(text) == []


def test_a_handle_is_a_username_and_never_an_email() -> None:
    text = "RT @jane_doe: write to jane.doe@example.org"
    found = {(s.entity_type, text[s.start : s.end]) for s in find_pattern_spans(text)}
    assert ("USERNAME", "@jane_doe") in found
    assert ("EMAIL_ADDRESS", "jane.doe@example.org") in found
    assert not [s for s in EmailRecognizer().find("RT @jane_doe:")]
