"""piimask's own synthetic PII sentences (replay data), from its own templates and Faker.

The real corpora teach names and places in real text but hold few non-English names, no
postal addresses and few structured identifiers; these sentences keep the base model's
skills there. Names come from many Faker locales. Labels are the model's own fine labels,
so no coarse-label alignment is needed. The templates are written here, for piimask: no
template or data of any evaluation generator is used.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from faker import Faker

NAME_LOCALES = (
    "en_US",
    "en_GB",
    "en_IN",
    "en_AU",
    "en_NZ",
    "en_CA",
    "ga_IE",
    "de_DE",
    "de_AT",
    "fr_FR",
    "es_ES",
    "es_MX",
    "es_AR",
    "it_IT",
    "pt_BR",
    "pt_PT",
    "nl_NL",
    "pl_PL",
    "sv_SE",
    "da_DK",
    "nb_NO",
    "fi_FI",
    "cs_CZ",
    "hu_HU",
    "ro_RO",
    "tr_TR",
    "vi_VN",
    "id_ID",
    "fil_PH",
    "sw",
    "yo_NG",
    "zu_ZA",
    "hr_HR",
    "sk_SK",
    "sl_SI",
    "et_EE",
    "lv_LV",
    "lt_LT",
    "az_AZ",
    "tw_GH",
)

# {field} placeholders; "\n" separates lines of an address block. Field -> model label.
TEMPLATES = (
    "hi {first}, thanks for getting back to me so quickly",
    "{first} {last} will join the call tomorrow",
    "Can you forward this to {first} {last}? She has the details.",
    "Spoke with {first} earlier, he said {first2} {last2} approved it",
    "Ship to: {first} {last}\n{building} {street}\n{city}, {state} {zip}",
    "{first} {last}\n{building} {street} {secondary}\n{city}, {state} {zip}",
    "Please update my address to {building} {street}, {city}, {state} {zip}.",
    "I moved from {city} to {city2} last year",
    "Our office in {city} is closed on Friday",
    "Customer {first} {last} ({email}) called about a refund",
    "Reach me at {phone} or {email}",
    "My name is {first} {last} and my number is {phone}",
    "Call {first} on {phone} after 5pm",
    "Dear {title} {last},\nyour package is on its way to {city}.",
    "Regards,\n{first} {last}",
    "Thanks, {first}",
    "Contact: {first} {last}, {email}, {phone}",
    "{first} {last} lives at {building} {street} in {city}",
    "the invoice for {first} {last} was sent to {building} {street}, {zip} {city}",
    "New ticket from {first} {last}: login fails since yesterday, see {url}",
    "meeting with {first} and {first2} in {city} next week",
    "{first} {last} and {first2} {last2} signed the lease",
    "Is {first} {last} the account owner? The profile lists {state}.",
    "wire it to {first} {last}, {building} {street}, {city}",
    "Per {first}'s note, the {city} warehouse ships on Monday",
    "Born in {city}, {first} {last} now works remotely from {city2}.",
    "@{handle} ask {first} {last} about it",
    "cc {first} {last} <{email}>",
)

LABELS = {
    "first": "GIVEN_NAME",
    "first2": "GIVEN_NAME",
    "last": "SURNAME",
    "last2": "SURNAME",
    "city": "CITY",
    "city2": "CITY",
    "state": "STATE",
    "building": "BUILDING_NUMBER",
    "street": "STREET_NAME",
    "secondary": "SECONDARY_ADDRESS",
    "zip": "ZIP_CODE",
    "email": "EMAIL",
    "phone": "PHONE",
    "url": "URL",
}
_FIELD = re.compile(r"\{(\w+)\}")


def _fakers(seed: int) -> list[Faker]:
    fakers = []
    for locale in NAME_LOCALES:
        try:
            faker = Faker(locale)
        except AttributeError:
            continue
        faker.seed_instance(seed)
        fakers.append(faker)
    return fakers


def _ascii_friendly(value: str) -> bool:
    # The tokenizer's vocabulary is Latin-script; names in other scripts would be all [UNK].
    return all(ord(c) < 0x250 for c in value)


def generate(count: int, seed: int = 13) -> Iterator[dict[str, object]]:
    """``count`` records in the eval JSONL format, labelled with the model's fine labels."""
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    fakers = _fakers(seed)
    us = Faker("en_US")
    us.seed_instance(seed + 1)
    places = [
        f
        for f in fakers
        if f.locales[0]
        in {"en_US", "en_GB", "en_CA", "en_AU", "de_DE", "fr_FR", "es_ES", "it_IT", "en_IN"}
    ]

    def name(kind: str) -> str:
        for _ in range(10):
            faker = rng.choice(fakers)
            value = faker.first_name() if kind == "first" else faker.last_name()
            if _ascii_friendly(value):
                return value
        return us.first_name() if kind == "first" else us.last_name()

    makers: dict[str, Callable[[], str]] = {
        "first": lambda: name("first"),
        "first2": lambda: name("first"),
        "last": lambda: name("last"),
        "last2": lambda: name("last"),
        "city": lambda: rng.choice(places).city() if rng.random() < 0.4 else us.city(),
        "city2": lambda: rng.choice(places).city(),
        "state": lambda: us.state() if rng.random() < 0.6 else us.state_abbr(),
        "building": us.building_number,
        "street": us.street_name,
        "secondary": us.secondary_address,
        "zip": us.zipcode,
        "email": us.email,
        "phone": us.phone_number,
        "url": lambda: f"https://{us.domain_name()}/{us.uri_path()}",
        "title": lambda: rng.choice(["Mr.", "Ms.", "Dr.", "Mrs."]),
        "handle": us.user_name,
    }
    for n in range(count):
        template = rng.choice(TEMPLATES)
        values: dict[str, str] = {}
        text = ""
        spans: list[dict[str, object]] = []
        pos = 0
        for match in _FIELD.finditer(template):
            text += template[pos : match.start()]
            field = match.group(1)
            value = values.setdefault(field, makers[field]())
            if field in LABELS:
                spans.append(
                    {"start": len(text), "end": len(text) + len(value), "label": LABELS[field]}
                )
            text += value
            pos = match.end()
        text += template[pos:]
        lowercased = rng.random() < 0.08
        yield {
            "id": f"synth-{n:05d}",
            "text": text.lower() if lowercased else text,
            "spans": spans,
            "lowercased": lowercased,
        }


def write(path: Path, count: int, seed: int = 13) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for record in generate(count, seed):
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return count
