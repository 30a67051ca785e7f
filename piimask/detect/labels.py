"""Model labels -> piimask entity types (Presidio's names where one exists)."""

from __future__ import annotations

from collections.abc import Mapping

# Fine model labels that belong to one entity are mapped to the same type, so
# adjacent ones (GIVEN_NAME SURNAME) join into one span.
RAMPART_LABEL_MAP: Mapping[str, str] = {
    "GIVEN_NAME": "PERSON",
    "SURNAME": "PERSON",
    "EMAIL": "EMAIL_ADDRESS",
    "PHONE": "PHONE_NUMBER",
    "URL": "URL",
    "TAX_ID": "TAX_ID",
    "BANK_ACCOUNT": "US_BANK_NUMBER",
    "ROUTING_NUMBER": "ROUTING_NUMBER",
    "GOVERNMENT_ID": "GOVERNMENT_ID",
    "PASSPORT": "PASSPORT",
    "DRIVERS_LICENSE": "DRIVER_LICENSE",
    "BUILDING_NUMBER": "STREET_ADDRESS",
    "STREET_NAME": "STREET_ADDRESS",
    "SECONDARY_ADDRESS": "STREET_ADDRESS",
    "CITY": "LOCATION",
    "STATE": "LOCATION",
    "ZIP_CODE": "ZIP_CODE",
}

# Names other models commonly use, so a different token-classification model
# works without a hand-written map for the usual labels.
COMMON_LABEL_ALIASES: Mapping[str, str] = {
    "PER": "PERSON",
    "PERSON": "PERSON",
    "NAME": "PERSON",
    "FIRSTNAME": "PERSON",
    "LASTNAME": "PERSON",
    "LOC": "LOCATION",
    "GPE": "LOCATION",
    "LOCATION": "LOCATION",
    "CITY": "LOCATION",
    "STATE": "LOCATION",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "TELEPHONENUM": "PHONE_NUMBER",
    "CREDIT_CARD": "CREDIT_CARD",
    "CREDITCARDNUMBER": "CREDIT_CARD",
    "SSN": "US_SSN",
    "SOCIALNUM": "US_SSN",
    "IBAN": "IBAN_CODE",
    "IP": "IP_ADDRESS",
    "IP_ADDRESS": "IP_ADDRESS",
    "STREET": "STREET_ADDRESS",
    "ADDRESS": "STREET_ADDRESS",
    "ZIPCODE": "ZIP_CODE",
    "DATE": "DATE_TIME",
    "DOB": "DATE_TIME",
}


def strip_bio(label: str) -> tuple[str, str]:
    """Split ``B-X`` into (``B``, ``X``); ``O`` gives (``O``, ``""``)."""
    if label == "O":
        return "O", ""
    prefix, sep, name = label.partition("-")
    if sep and prefix.upper() in {"B", "I", "E", "S", "L", "U"}:
        return prefix.upper(), name
    return "B", label


def build_label_map(model_labels: list[str], overrides: Mapping[str, str] | None) -> dict[str, str]:
    """Entity type for every non-O model label name; unknown names keep their own name."""
    mapping: dict[str, str] = {}
    for label in model_labels:
        _, name = strip_bio(label)
        if not name:
            continue
        if overrides and name in overrides:
            mapping[name] = overrides[name]
        elif name in RAMPART_LABEL_MAP:
            mapping[name] = RAMPART_LABEL_MAP[name]
        else:
            mapping[name] = COMMON_LABEL_ALIASES.get(name.upper(), name.upper())
    return mapping
