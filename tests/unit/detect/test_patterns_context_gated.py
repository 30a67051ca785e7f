"""Context-gated recognizers: ROUTING_NUMBER, DRIVER_LICENSE, ZIP_CODE; and MAC_ADDRESS."""

from __future__ import annotations

import pytest

from piimask.detect.patterns import (
    DriverLicenseRecognizer,
    MacAddressRecognizer,
    PatternRecognizer,
    RoutingNumberRecognizer,
    ZipCodeRecognizer,
)
from piimask.detect.patterns.routing import aba_valid

ROUTING = RoutingNumberRecognizer()
LICENSE = DriverLicenseRecognizer()
ZIP = ZipCodeRecognizer()
MAC = MacAddressRecognizer()


def values(recognizer: PatternRecognizer, text: str) -> list[str]:
    return [text[s.start : s.end] for s in recognizer.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("routing number 011000015", ["011000015"]),
        ("ABA: 121000358.", ["121000358"]),
        ("RTN 021000021, account 12345678", ["021000021"]),
        ("021000021 (routing)", ["021000021"]),
        ("ｒｏｕｔｉｎｇ 021000021", []),  # full-width keyword is not the ASCII word
        ("order 021000021", []),  # checksum passes but no banking word
        ("routing number 021000022", []),  # checksum fails
        ("routing number 991000021", []),  # invalid leading digits
        ("routing number 0210000210", []),  # ten digits
    ],
)
def test_routing_numbers_need_checksum_and_context(text: str, expected: list[str]) -> None:
    assert values(ROUTING, text) == expected


def test_aba_checksum() -> None:
    assert aba_valid("011000015")
    assert not aba_valid("011000016")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My driver's license number is X6403845117518", ["X6403845117518"]),
        ("my driver's license number is yFtuRkuQD168", ["yFtuRkuQD168"]),
        ("my driver’s license number is m9M8M.", ["m9M8M"]),
        ("DL# D123-4567-8901", ["D123-4567-8901"]),
        ("Driving licence: 38781804\n", ["38781804"]),
        ("D1234567 is my driver's license", ["D1234567"]),
        ("LICENSE NUMBER: S378031954", ["S378031954"]),
        ("my license number is 12/25/2020 and X12345678", []),  # a date sits in between
        ("X6403845117518", []),  # no context
        ("driver's license: pending", []),
        ("DL: 1234", []),  # too short
    ],
)
def test_driver_licenses_need_context(text: str, expected: list[str]) -> None:
    assert values(LICENSE, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ZIP: 28379", ["28379"]),
        ("zip code 12345-6789", ["12345-6789"]),
        ("Springfield, IL 62704.", ["62704"]),
        ("Austin, Texas 78701", ["78701"]),
        ("austin, tx 78701-1234", ["78701-1234"]),
        ("NY 10001", ["10001"]),
        ("ZIP: 641 21", ["641 21"]),  # other countries' shapes after a keyword
        ("postal code: 80-822", ["80-822"]),
        ("Postcode SW1A 1AA", ["SW1A 1AA"]),
        ("ZIP: l4m 4s8", ["l4m 4s8"]),
        ("郵便番号 zip: 94200。", ["94200"]),
        ("I bought 12345 apples", []),
        ("I was in 90210", []),  # "in" is a word, not Indiana, without the comma
        ("ZIP: 1234 is", ["1234"]),
        ("Pago Pago, AS 96799", ["96799"]),
        ("San Juan, PR 00901", ["00901"]),
        ("Miami, FL 90210", ["90210"]),  # a state's wrong ZIP is still masked (fail closed)
        ("BGP peer AS64512-TRANSIT (External AS 64512) changed state", []),  # a peer's AS
        ("merged PR 12345 into main", []),  # a pull request
        # a quoted value after its keyword
        ("street='Rue de la Loi 41' zip='1040' city='Etterbeek'", ["1040"]),
        ('city "Beograd", postcode "11000" rejected', ["11000"]),
    ],
)
def test_zip_codes_need_state_or_keyword(text: str, expected: list[str]) -> None:
    assert values(ZIP, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("00:1A:2B:3C:4D:5E", ["00:1A:2B:3C:4D:5E"]),
        ("connect to F4:7B:09:3C:88:12: Connection refused", ["F4:7B:09:3C:88:12"]),
        ("mac 00-1a-2b-3c-4d-5e.", ["00-1a-2b-3c-4d-5e"]),
        ("cisco 001a.2b3c.4d5e", ["001a.2b3c.4d5e"]),
        ("(AA:BB:CC:DD:EE:FF)", ["AA:BB:CC:DD:EE:FF"]),
        ("00:1A:2B:3C:4D", []),  # five groups
        ("00:1A:2B:3C:4D:5E:6F", []),  # seven groups
        ("00:1A-2B:3C:4D:5E", []),  # mixed separators
        ("G0:1A:2B:3C:4D:5E", []),  # not hex
    ],
)
def test_mac_addresses(text: str, expected: list[str]) -> None:
    assert values(MAC, text) == expected
