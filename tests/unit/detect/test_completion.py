import pytest

from piimask.detect.address import complete_addresses, find_military_addresses
from piimask.detect.gazetteer import find_countries
from piimask.detect.names import complete_names, propagate_mentions
from piimask.spans import Span


def covered(text: str, spans: list[Span]) -> list[str]:
    return [text[s.start : s.end] for s in spans]


@pytest.mark.parametrize(
    ("text", "parts", "expected"),
    [
        (
            "at 2972 Hillside Street Apt. 427 now",
            [(3, 23, "STREET_ADDRESS")],
            "2972 Hillside Street Apt. 427",
        ),
        ("to 883 2972 Hillside Street.", [(7, 27, "STREET_ADDRESS")], "883 2972 Hillside Street"),
        (
            "to 55 Diakou Street\n Apt. 794\n Synchari\n Cyprus 29181?",
            [(3, 19, "STREET_ADDRESS"), (31, 39, "LOCATION"), (41, 53, "STREET_ADDRESS")],
            "55 Diakou Street\n Apt. 794\n Synchari\n Cyprus 29181",
        ),
        (
            "at 328 Eichendorffstr. 31 Apt. 090 Emmingen BW",
            [(3, 25, "STREET_ADDRESS"), (35, 43, "LOCATION")],
            "328 Eichendorffstr. 31 Apt. 090 Emmingen BW",
        ),
    ],
)
def test_street_addresses_grow_over_units_numbers_and_places(
    text: str, parts: list[tuple[int, int, str]], expected: str
) -> None:
    spans = complete_addresses(text, [Span(s, e, t) for s, e, t in parts])
    assert expected in covered(text, spans)


def test_a_street_that_grows_into_a_span_of_another_kind_gives_way_to_it() -> None:
    text = "elapsed 733 10.4.0.9 TCP_MISS/200"  # a proxy log: the model called "733 " a street
    spans = complete_addresses(
        text, [Span(8, 12, "STREET_ADDRESS"), Span(12, 20, "IP_ADDRESS", 0.95, "pattern:IP")]
    )
    assert ("10.4.0.9", "IP_ADDRESS") in [(text[s.start : s.end], s.entity_type) for s in spans]


def test_addresses_do_not_join_across_sentences() -> None:
    text = "I live at 12 Main Road. Paris is nice."
    spans = complete_addresses(text, [Span(10, 22, "STREET_ADDRESS"), Span(24, 29, "LOCATION")])
    assert "Paris" in covered(text, spans)


@pytest.mark.parametrize(
    "address",
    [
        "PSC 5843, Box 5751\nAPO AE 74255",
        "Unit 9085 Box 1211\nDPO AA 50746",
        "USNV Thomas\nFPO AP 72494",
    ],
)
def test_military_addresses_are_found(address: str) -> None:
    text = f"send it to {address}, thanks"
    assert covered(text, find_military_addresses(text)) == [address]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I moved here from Portugal.", ["Portugal"]),
        ("In United Kingdom they have", ["United Kingdom"]),
        ("i live in south africa now", ["south africa"]),
        ("Fine china and a turkey", []),
    ],
)
def test_country_names_are_found_case_sensitively_except_in_lowercase_text(
    text: str, found: list[str]
) -> None:
    assert covered(text, find_countries(text)) == found


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("sung by Santino Rentería in 1998", 8, 15, "Santino Rentería"),
        ("Maybe it's under Freddie F. Bolton", 28, 34, "Freddie F. Bolton"),
        ("assistant to Johannes Lintilä, and", 22, 29, "Johannes Lintilä"),
        ("Hello Anna. The rest", 6, 10, "Anna"),
    ],
)
def test_names_grow_over_adjoining_capitalised_parts(
    text: str, start: int, end: int, expected: str
) -> None:
    (span,) = complete_names(text, [Span(start, end, "PERSON")])
    assert text[span.start : span.end] == expected


def test_other_mentions_of_a_detected_name_are_reported() -> None:
    text = "Koyama was great, starring Koyama"
    spans = propagate_mentions(text, [Span(0, 6, "PERSON", 0.8)], frozenset({"PERSON"}))
    assert covered(text, spans) == ["Koyama", "Koyama"]


def test_an_abbreviation_full_stop_does_not_split_an_address() -> None:
    text = "Meet me at 824 Männi 23 Apt. 690 Apt. 308, Roodepoort now"
    first = text.index("824")
    second = text.index("308")
    spans = complete_addresses(
        text,
        [
            Span(first, text.index("690 Apt") + 7, "STREET_ADDRESS"),
            Span(second, second + 15, "STREET_ADDRESS"),
        ],
    )
    assert covered(text, spans) == ["824 Männi 23 Apt. 690 Apt. 308, Roodepoort"]


@pytest.mark.parametrize(
    ("text", "street", "expected"),
    [
        (
            "586 Im Wingert 103\n- Apt. 695\n- Lengnau\n- Switzerland",
            (0, 18),
            "586 Im Wingert 103\n- Apt. 695\n- Lengnau",
        ),
        (
            "09985 19 Delan Road\n Suite 645\n KOLONGA\n",
            (0, 19),
            "09985 19 Delan Road\n Suite 645\n KOLONGA",
        ),
        (
            "at 9334 Rua Deputado 136 Suite 733 Jataí GO today",
            (3, 24),
            "9334 Rua Deputado 136 Suite 733 Jataí GO",
        ),
        ("at 5117 Haukeliveien 111, DRAMMEN", (3, 24), "5117 Haukeliveien 111, DRAMMEN"),
        ("I live at 12 Oak St, Springfield. Then we met", (10, 19), "12 Oak St, Springfield"),
        (
            "I live at 12 Oak St, Springfield, IL 62704 now",
            (10, 19),
            "12 Oak St, Springfield, IL 62704",
        ),
        ("Apt. 441 is mine", (5, 8), "Apt. 441"),
    ],
)
def test_an_address_grows_over_its_unit_line_and_town(
    text: str, street: tuple[int, int], expected: str
) -> None:
    spans = complete_addresses(text, [Span(*street, "STREET_ADDRESS")])
    assert covered(text, spans) == [expected]


@pytest.mark.parametrize(
    ("text", "street"),
    [
        ("at 12 Oak St, and then we left", (3, 12)),
        ("I live at 12 Oak St Then we met", (10, 19)),
        ("at 12 Oak St, near the park. Fine", (3, 12)),
    ],
)
def test_an_address_does_not_grow_into_the_sentence_that_follows(
    text: str, street: tuple[int, int]
) -> None:
    assert covered(text, complete_addresses(text, [Span(*street, "STREET_ADDRESS")])) == [
        text[street[0] : street[1]]
    ]
