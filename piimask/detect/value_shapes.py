"""Whether a value a key names can be of the type the key says.

A key decides the type of its value ("card=", "ssn:", "phone="), but keys also hold flags,
brands, states and pieces of the thing: "card=visa", "card=present", "ssn=verified",
"license=payments-api-5c8d7f9b6-qm4tr" (a pod of a licence service). A value no person's
card, document or phone is written as is no such PII, whatever its key.
The tests are loose on purpose: a value that could be the type is masked (fail closed).
"""

from __future__ import annotations

import re

_DOCUMENT_TYPES = frozenset(
    {
        "US_SSN", "US_ITIN", "TAX_ID", "GOVERNMENT_ID", "PASSPORT", "DRIVER_LICENSE",
        "US_BANK_NUMBER", "IBAN_CODE", "UK_NINO", "ROUTING_NUMBER",
    }
)  # fmt: skip
# Words that make a number an identifier of a person's document or account (in machine
# output a bare "id" or "number" names ids of orders and rows).
ID_CONTEXT = re.compile(
    r"(?<![a-z])(?:licen[cs]e|dl|passport|ssn|social|security|tax|tin|ein|itin|vat|account"
    r"|acct|routing|aba|iban|identification|identity|national|government|gov)(?![a-z])",
    re.IGNORECASE,
)  # letters only around it: "driver_license=" names a licence, "ntdll" does not
# A word of four lower-case letters or more: documents and cards are codes, not words.
_WORD = re.compile(r"[a-z]{4,}")
_ANY_CASE_WORD = re.compile(r"[A-Za-z]{4,}")
# Characters a card number is masked with ("411111******1111", "XXXX-XXXX-XXXX-1111").
_CARD_MASK = re.compile(r"[*xX•#]")


def _digits(value: str) -> int:
    return sum(c.isdigit() for c in value)


def fits_type(entity_type: str, value: str) -> bool:
    """Whether ``value`` can be a ``entity_type`` at all (True for types with no test)."""
    value = value.strip().strip("\"'")
    if entity_type == "CREDIT_CARD":
        # a full or partly masked number; a last four alone ("4242") identifies no card
        shown = _digits(value)
        return shown >= 12 or (shown >= 4 and shown + len(_CARD_MASK.findall(value)) >= 12)
    if entity_type in ("US_BANK_NUMBER", "ROUTING_NUMBER"):
        # digits (a bank's account number may carry a letter or two); "CONTRACTOR-0118" is
        # a vendor's code under an account key
        return _digits(value) >= 4 and _ANY_CASE_WORD.search(value) is None
    if entity_type in _DOCUMENT_TYPES:
        return _digits(value) > 0 and _WORD.search(value) is None
    if entity_type == "PHONE_NUMBER":
        return _digits(value) >= 7
    if entity_type == "ZIP_CODE":
        return _digits(value) > 0
    if entity_type == "IP_ADDRESS":
        # "ip: 'any'", "ip=unknown": a word where an address was expected
        return _digits(value) > 0
    if entity_type == "STREET_ADDRESS":
        # ":8086", "665": a port or a count; an address written anywhere names its street
        return _LETTERS.search(value) is not None
    if entity_type == "URL":
        # "in /var/www/html/wp-includes/class-wpdb.php": words and a path, no link
        return not any(c.isspace() for c in value)
    return True


_LETTERS = re.compile(r"[^\W\d_]{2}")
