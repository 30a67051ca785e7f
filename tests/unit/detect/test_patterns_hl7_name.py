from __future__ import annotations

import pytest

from piimask.detect.patterns import Hl7NameRecognizer

RECOGNIZER = Hl7NameRecognizer()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "patient KOWALSKA^MARIA^ANNA conflicts with existing patient KOWALSKA^MARYA",
            ["KOWALSKA^MARIA^ANNA", "KOWALSKA^MARYA"],
        ),
        ("PID-5 NAKAMURA^HIROSHI missing PID-3", ["NAKAMURA^HIROSHI"]),
        ("ordered by O'BRIEN^SEAN^^^DR", ["O'BRIEN^SEAN^^^DR"]),
        ("Smith^John^A^^", ["Smith^John^A"]),  # empty trailing parts stay outside
        ("HL7 ORM^O01 from RIS", []),  # a message type
        ("ADT^A08 rejected", []),
        ("sex F^Female^HL70001", []),  # a coded value
        ("X^Y", []),  # one letter each: a code
        ("2^3 = 8", []),
    ],
)
def test_finds_names_written_as_hl7_does(text: str, expected: list[str]) -> None:
    assert [text[s.start : s.end] for s in RECOGNIZER.find(text)] == expected


@pytest.mark.parametrize(
    ("value", "valid"),
    [("KOWALSKA^MARIA", True), ("ADT^A08", False), ("A^Bob", False), ("Smith^John^", False)],
)
def test_validate(value: str, valid: bool) -> None:
    assert RECOGNIZER.validate(value) is valid
