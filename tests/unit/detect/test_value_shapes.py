from __future__ import annotations

import pytest

from piimask.detect.value_shapes import fits_type


@pytest.mark.parametrize(
    ("entity_type", "value"),
    [
        ("CREDIT_CARD", "4111 1111 1111 1111"),
        ("CREDIT_CARD", "411111******1111"),  # partly masked: the BIN and the last four
        ("US_SSN", "078-05-1120"),
        ("DRIVER_LICENSE", "D1234567"),
        ("PASSPORT", '"K12345678"'),
        ("PHONE_NUMBER", "+1 415 555 0100"),
        ("ZIP_CODE", "SW1A 1AA"),
        ("IP_ADDRESS", "203.0.113.7"),
        ("IP_ADDRESS", "2001:db8::1"),
        ("STREET_ADDRESS", "12 Oak Street"),
        ("STREET_ADDRESS", "Kirkeveien 41B"),
        ("URL", "https://example.org/u/jane.doe"),
        ("US_BANK_NUMBER", "000123456789"),
        ("PERSON", "anything"),  # types with no shape test
    ],
)
def test_values_written_as_the_type_fit_it(entity_type: str, value: str) -> None:
    assert fits_type(entity_type, value)


@pytest.mark.parametrize(
    ("entity_type", "value"),
    [
        ("CREDIT_CARD", "visa"),
        ("CREDIT_CARD", "4242"),  # a last four alone identifies no card
        ("CREDIT_CARD", "****4242"),
        ("GOVERNMENT_ID", "verified"),
        ("DRIVER_LICENSE", "payments-api-5c8d7f9b6-qm4tr"),  # a pod, words in it
        ("PHONE_NUMBER", "42"),
        ("ZIP_CODE", "unknown"),
        ("IP_ADDRESS", "any"),
        ("IP_ADDRESS", "'unknown'"),
        ("STREET_ADDRESS", ":8086"),  # a listener's port
        ("STREET_ADDRESS", "665"),  # a return code
        ("URL", "in /var/www/html/wp-includes/class-wpdb.php"),
        ("DRIVER_LICENSE", "sapgw00"),  # a gateway's name
        ("US_BANK_NUMBER", "CONTRACTOR-0118"),  # a vendor's code
    ],
)
def test_flags_brands_and_identifiers_of_machines_do_not_fit_the_keys_type(
    entity_type: str, value: str
) -> None:
    assert not fits_type(entity_type, value)
