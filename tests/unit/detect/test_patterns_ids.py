"""US_ITIN, UK_NINO and CRYPTO: issuing rules and checksums, not just shapes."""

from __future__ import annotations

import pytest

from piimask.detect.patterns import CryptoRecognizer, UkNinoRecognizer, UsItinRecognizer
from piimask.detect.patterns._base import BaseRecognizer

ITIN = UsItinRecognizer()
NINO = UkNinoRecognizer()
CRYPTO = CryptoRecognizer()


def values(recognizer: BaseRecognizer, text: str) -> list[str]:
    return [text[s.start : s.end] for s in recognizer.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("911-70-1234", ["911-70-1234"]),
        ("ITIN 911-53-1234.", ["911-53-1234"]),
        ("my itin is 911701234", ["911701234"]),  # no dashes: only with a tax word
        ("taxpayer id 911-701234", ["911-701234"]),
    ],
)
def test_itin_found(text: str, expected: list[str]) -> None:
    assert values(ITIN, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "911-89-1234",  # group 89 is never issued
        "my tax id 911-93-1234",  # nor 93
        "911701234",  # nine bare digits without a tax word
        "811-70-1234",  # an ITIN starts with 9
        "order 911-70-12345",
    ],
)
def test_itin_rejected(text: str) -> None:
    assert values(ITIN, text) == []


def test_itin_context_raises_score() -> None:
    [plain] = ITIN.find("911-70-1234")
    [tax] = ITIN.find("ITIN: 911-70-1234")
    assert plain.score < tax.score


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AA 12 34 56 B", ["AA 12 34 56 B"]),
        ("nino: PR 123612C", ["PR 123612C"]),
        ("hh 01 02 03 d", ["hh 01 02 03 d"]),
        ("tw987654a", ["tw987654a"]),
        ("National Insurance Number YZ 61 48 68 B.", ["YZ 61 48 68 B"]),
    ],
)
def test_nino_found(text: str, expected: list[str]) -> None:
    assert values(NINO, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "AA 12 34 56 H",  # suffix is A-D
        "FQ 00 00 00 C",  # F and Q never lead
        "UV 98 76 54 B",  # nor U; V never second
        "BG123612A",  # unallocated prefix
        "nino: nt 99 88 77 a",  # NT is not allocated
        "Ab 12 34 56 c",  # mixed case is prose
        "XAB123456C",  # glued to a letter
    ],
)
def test_nino_rejected(text: str) -> None:
    assert values(NINO, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ",  # P2PKH, Base58Check
        "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",  # P2SH
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",  # SegWit v0, bech32
        "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297",  # Taproot, bech32m
        "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ",  # bech32 may be upper case
    ],
)
def test_bitcoin_addresses_found(text: str) -> None:
    assert values(CRYPTO, f"send to {text}.") == [text]


@pytest.mark.parametrize(
    "text",
    [
        "16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ2",  # one character more: checksum fails
        "16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyY",  # last character changed
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr",
        "bc1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ",  # mixed case is invalid bech32
        "8f953371d3e85eddb89b05ed6b9e680791055315c73e1025ab5dba7bb2aee189",  # a hash
        "1BoatSLRHtKNngkdXEeobR76b53LETtpyT" + "x",
        "",
    ],
)
def test_non_addresses_rejected(text: str) -> None:
    assert values(CRYPTO, text) == []


@pytest.mark.parametrize("recognizer", [ITIN, NINO, CRYPTO])
def test_validate_accepts_what_find_returns(recognizer: BaseRecognizer) -> None:
    text = (
        "ITIN 911-70-1234, NINO AB 12 34 56 C, wallet 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy "
        "and bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    )
    spans = recognizer.find(text)
    assert spans
    assert all(recognizer.validate(text[s.start : s.end]) for s in spans)
