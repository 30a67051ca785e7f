"""Spans end at line breaks, list items and address lead-ins; bare titles are no names."""

from __future__ import annotations

import pytest

from piimask.detect.boundaries import cut_at_boundaries
from piimask.spans import Span


def _cut(text: str, value: str, entity_type: str) -> list[tuple[str, str]]:
    start = text.index(value)
    span = Span(start, start + len(value), entity_type, 0.9, "model")
    return [(s.entity_type, text[s.start : s.end]) for s in cut_at_boundaries(text, [span])]


@pytest.mark.parametrize(
    ("text", "value", "entity_type", "expected"),
    [
        # names and places never run over a line break; a lone function word is dropped
        (
            "directed by Mineko Kimura\nMy licence is c298",
            "Kimura\nMy",
            "PERSON",
            [("PERSON", "Kimura")],
        ),
        (
            "starring Mužinčič\nKusama is from Acme",
            "Mužinčič\nKusama",
            "PERSON",
            [("PERSON", "Mužinčič"), ("PERSON", "Kusama")],
        ),
        (
            "Treaty on European Union\nmerrivale bridge",
            "European Union\n",
            "LOCATION",
            [("LOCATION", "European Union\n")],  # blank edges stay where the model put them
        ),
        # people write their names in lower case: a lower-case line piece stays
        (
            "my name is torben kjeldsen.\nDaniel Fuerst",
            "torben kjeldsen.\nDaniel Fuerst",
            "PERSON",
            [("PERSON", "torben kjeldsen."), ("PERSON", "Daniel Fuerst")],
        ),
        # a list item's marker ends an address; an indented line does not
        (
            "at 8277 Hugo Reta 6961\n??? Suite 765\n??? Villa Rodriguez\n",
            "8277 Hugo Reta 6961\n??? Suite 765\n??? Villa Rodriguez",
            "STREET_ADDRESS",
            [
                ("STREET_ADDRESS", "8277 Hugo Reta 6961"),
                ("STREET_ADDRESS", "Suite 765"),
                ("STREET_ADDRESS", "Villa Rodriguez"),
            ],
        ),
        (
            "ship to:\n- 12 Oak St\n- Springfield\n",
            "12 Oak St\n- Springfield",
            "STREET_ADDRESS",
            [("STREET_ADDRESS", "12 Oak St"), ("STREET_ADDRESS", "Springfield")],
        ),
        (
            "to 057 Nieuwstraat 15 Suite 998\n Thermeia, KY 42162",
            "057 Nieuwstraat 15 Suite 998\n Thermeia, KY 42162",
            "STREET_ADDRESS",
            [("STREET_ADDRESS", "057 Nieuwstraat 15 Suite 998\n Thermeia, KY 42162")],
        ),
        # words that introduce an address are cut out; what stands before them stays
        (
            "Cordelia lives on 181 Heb Place street.",
            "Cordelia lives on 181 Heb Place street",
            "STREET_ADDRESS",
            [("STREET_ADDRESS", "Cordelia"), ("STREET_ADDRESS", "181 Heb Place street")],
        ),
        (
            "The title refers to Jakobstrasse 89 street in Oeschenbach.",
            "Jakobstrasse 89 street in Oeschenbach",
            "STREET_ADDRESS",
            [("STREET_ADDRESS", "Jakobstrasse 89 street"), ("LOCATION", "Oeschenbach")],
        ),
        # "in" after a comma does not split, nor "upon" (part of the town's name)
        (
            "Harbour Point 12, in Leeds",
            "Harbour Point 12, in Leeds",
            "STREET_ADDRESS",
            [("STREET_ADDRESS", "Harbour Point 12, in Leeds")],
        ),
        (
            "Burton upon Trent 12 High St",
            "Burton upon Trent 12 High St",
            "STREET_ADDRESS",
            [("STREET_ADDRESS", "Burton upon Trent 12 High St")],
        ),
        # an office or rank alone is not a person; one title word may be a surname
        ("The Princess Royal arrived", "Princess Royal", "PERSON", []),
        ("the Prime Minister said", "Prime Minister", "PERSON", []),
        ("early King?", "King", "PERSON", [("PERSON", "King")]),
        ("Princess Diana", "Princess Diana", "PERSON", [("PERSON", "Princess Diana")]),
        # a request or greeting word before a name is no part of it; stop words may be
        ("Call Jane Doe at 415-555-0132.", "Call Jane Doe", "PERSON", [("PERSON", "Jane Doe")]),
        ("Email Jane Doe today.", "Email Jane Doe", "PERSON", [("PERSON", "Jane Doe")]),
        ("Hi Priya, thanks", "Hi Priya", "PERSON", [("PERSON", "Priya")]),
        ("said Will Smith.", "Will Smith", "PERSON", [("PERSON", "Will Smith")]),
        ("Hey", "Hey", "PERSON", [("PERSON", "Hey")]),
        # a word of time after a name is no part of it; a company is no person
        (
            "I spoke with your agent Miguel yesterday and",
            "Miguel yesterday",
            "PERSON",
            [("PERSON", "Miguel")],
        ),
        ("support for Donald trump if", "Donald trump", "PERSON", [("PERSON", "Donald trump")]),
        ("The meeting with Acme Corp is", "Acme Corp", "PERSON", []),
        ("I work for BB BIOTECH AG", "BB BIOTECH AG", "PERSON", []),
        ("Sa", "Sa", "PERSON", [("PERSON", "Sa")]),
        # other types are left alone
        (
            "mail a@b.org\nnow",
            "a@b.org\nnow",
            "EMAIL_ADDRESS",
            [("EMAIL_ADDRESS", "a@b.org\nnow")],
        ),
    ],
)
def test_spans_are_cut_at_the_boundaries_of_their_value(
    text: str, value: str, entity_type: str, expected: list[tuple[str, str]]
) -> None:
    assert _cut(text, value, entity_type) == expected


def test_a_cut_never_widens_a_span() -> None:
    text = "Kimura\nMy card\n??? 12 Oak St\n??? Leeds"
    spans = [Span(0, 9, "PERSON", 0.9, "model"), Span(15, len(text), "STREET_ADDRESS", 0.9)]
    for piece in cut_at_boundaries(text, spans):
        assert any(s.start <= piece.start and piece.end <= s.end for s in spans)
