from __future__ import annotations

import pytest

from piimask.detect.logins import login_shaped


@pytest.mark.parametrize(
    "token",
    [
        "jmarsh",  # an initial and a surname
        "tkowalski",
        "mchen",
        "abenali",  # a vowel initial
        "a.lindgren",  # with a separator
        "priya_patel",  # a given name and a surname
        "tnguyen2",  # a short number after
        "hsuzuki",  # romanized surnames count
    ],
)
def test_an_initial_or_given_name_joined_to_a_surname_is_login_shaped(token: str) -> None:
    assert login_shaped(token)


@pytest.mark.parametrize(
    "token",
    [
        "spark",  # a word: "s" + "Park"
        "poller",  # an inflection of a word: "poll"
        "bloke",  # opens as English words do: "b" + "loke"
        "marsh",  # a surname alone is as often a word or a program
        "priya",  # a given name alone
        "maxconn",  # short given-name parts join too many program words
        "kubelet",  # no name in it
        "jdoe",  # too short to tell
        "Jmarsh",  # logins are written in lower case
        "j.marsh.x",  # one separator at most
        "jmarsh-dev",  # a host
    ],
)
def test_words_programs_and_lone_names_are_not_login_shaped(token: str) -> None:
    assert not login_shaped(token)


def test_a_missing_vocabulary_package_is_a_clear_error_not_a_silent_downgrade(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from piimask.detect import logins

    monkeypatch.setattr(logins, "_SPACY_PACKAGE", "no_such_spacy_package_xyz")
    logins._words.cache_clear()
    try:
        with pytest.raises(RuntimeError, match=r"no_such_spacy_package_xyz.*reinstall piimask"):
            logins.load_login_lexicons()
    finally:
        monkeypatch.undo()
        logins._words.cache_clear()
