"""Field-aware scanning of JSON values: each value is judged together with its key path.

A scalar seen alone is a guess for the model (``2``, ``1732700000``, ``SKU-1234``); its key
says what it is (``qty``, ``ts``, ``sku``; ``zip``, ``email``). :func:`plan_field` decides,
from the key's :class:`~piimask.detect.field_names.KeyHint` and the value's shape, how a
value is scanned:

- ``whole``: masked whole as the type its key names (``"email": ...``, ``"zip": 94107``);
- ``skip``: not scanned (a number under a count, amount, id, time key);
- ``validated``: only validated pattern recognizers may mask it (card numbers with their
  Luhn check, IBAN, SSN ranges, e-mail, IP and MAC addresses, ...; phone numbers only when
  the key or the value's shape says phone): a bare number or a short code the model alone
  would guess at;
- ``full``: full detection: free text and long strings as plain text; a short phrase under
  a key not known to be harmless, or a short string under a key that suggests a type
  (``name``, ``customer``), where the model alone may only mask words (names, places,
  dates) or the suggested type, never an id-shaped code as a licence or tax number.

Pure: the plan says how a value is scanned, :func:`filter_spans` keeps the detector's spans
of the value that the plan allows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import unquote_plus

from piimask.detect.address import gate_address_guesses, street_words
from piimask.detect.field_names import (
    PLACE_TYPES,
    SERVICE_ACCOUNT_RE,
    SYSTEM_ACCOUNTS,
    KeyHint,
    key_hint,
    key_words,
    names_person_key,
    names_site_kind,
)
from piimask.detect.logins import login_shaped
from piimask.detect.machine_text import machine_token
from piimask.detect.names import is_given_name
from piimask.detect.patterns.email import EmailRecognizer
from piimask.detect.value_shapes import fits_type
from piimask.spans import Span

FieldMode = Literal["whole", "skip", "validated", "full"]
FIELD_NAME: Final = "field_name"  # the detector of a value masked whole for its key
ValueShape = Literal["number", "code", "token", "phrase", "text"]

# Types whose recognizers validate what they match (a checksum, a structure with ranges),
# so a match in a lone code is evidence enough.
VALIDATED_TYPES: Final = frozenset(
    {
        "CREDIT_CARD",
        "IBAN_CODE",
        "US_SSN",
        "EMAIL_ADDRESS",
        "IP_ADDRESS",
        "MAC_ADDRESS",
        "CRYPTO",
        "US_ITIN",
        "UK_NINO",
    }
)
# Recognizers whose match needs no key to say what it is: a name in HL7's carets
# ("VILLANUEVA^ROSALINDA^M" under an HL7 segment's "PID.name", whatever the key reads as).
_SELF_EVIDENT_DETECTORS: Final = frozenset({"pattern:HL7_PERSON_NAME"})
# What the model may still find, alone, in a short string under a key that is not known to
# be harmless: words (names, places, dates), not identifiers; an id-shaped code (a hex
# token, a uuid) read as a driver's licence or a tax id is the guess field names prevent.
MODEL_WORD_TYPES: Final = frozenset({"PERSON", "LOCATION", "STREET_ADDRESS", "DATE_TIME"})
# Values that say "no value": never masked whole (they hold nothing).
_PLACEHOLDERS: Final = frozenset(
    {"-", "--", "n/a", "na", "none", "null", "nil", "unknown", "redacted", "***", "?"}
    # a flag written as a string ("twitter": "true": share on it)
    | {"true", "false", "yes", "no", "on", "off", "enabled", "disabled"}
)
_LETTER_RE: Final = re.compile(r"[^\W\d_]")
_PHONE_SHAPE_RE: Final = re.compile(r"\+?[\d\s().\-]{7,24}(?:\s*(?:x|ext\.?)\s*\d{1,6})?", re.I)
_EXTENSION_RE: Final = re.compile(r"\s*(?:x|ext\.?)\s*\d{1,6}$", re.I)
_PHONE_SEPARATED_RE: Final = re.compile(r"^\+|[\s().\-]")
# Two digit groups joined by one dot: a decimal or a build (Windows 22631.4460), no phone
# (phones written with dots have three groups: 415.555.0100).
_DECIMAL_RE: Final = re.compile(r"\d+\.\d+")
# A phrase: a few words; longer strings are text and keep full detection whatever the key.
_PHRASE_MAX_WORDS: Final = 3
_PHRASE_MAX_CHARS: Final = 40
_TOKEN_MAX_CHARS: Final = 100
_UPPER_RE: Final = re.compile(r"[^\W\d_a-z]")  # a letter that is not lower case


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """How one JSON value is scanned (see the module docstring)."""

    mode: FieldMode
    entity_type: str | None = None  # whole: the type; validated/full: the key's suggested type
    phone: bool = False  # validated: phone-number spans are kept
    model_types: frozenset[str] | None = None  # full: types the model alone may mask
    detector: str = FIELD_NAME  # whole: recorded as the mask's detector
    free_text: bool = False  # full: the key names prose (note, message); else machine output
    message_id: bool = False  # validated: the key names a Message-ID, never a mailbox
    user_agent: bool = False  # validated: a product/version list (Chrome/131.0.0.0 no IP)
    personal: bool = True  # full: a key of the path names a person (see gate_model_guesses)


SKIP: Final = FieldPlan("skip")
VALIDATED: Final = FieldPlan("validated")


def value_shape(text: str, *, is_number: bool) -> ValueShape:
    """number (a JSON number), code (no letters: ``94107``, ``2026-01-05``, ``+1 415 555``),
    token (letters, no whitespace, up to 100 characters), phrase (up to 3 words, 40
    characters), text (longer)."""
    if is_number:
        return "number"
    if _LETTER_RE.search(text) is None:
        return "code"
    words = text.split()
    if len(words) <= 1:
        # one token, however long (a digest, a uuid, a path): not prose
        return "token" if len(text) <= _TOKEN_MAX_CHARS else "text"
    if len(words) <= _PHRASE_MAX_WORDS and len(text) <= _PHRASE_MAX_CHARS:
        return "phrase"
    return "text"


def phone_shaped(text: str) -> bool:
    """A value written like a phone number: digits with a leading + or separators."""
    stripped = text.strip()
    if _PHONE_SHAPE_RE.fullmatch(stripped) is None:
        return False
    number = _EXTENSION_RE.sub("", stripped)  # the extension's digits are not counted
    digits = sum(c.isdigit() for c in number)
    if _DECIMAL_RE.fullmatch(number):
        return False  # 22631.4460, 1732700000.123: a decimal or a build number
    return 7 <= digits <= 15 and _PHONE_SEPARATED_RE.search(stripped) is not None


# Keys of a message's own id (message_id, Message-ID, smtp-id): an RFC 5322 Message-ID is
# written like an e-mail address ("<20261129.4f3a@mail.example>") and names no mailbox.
_MESSAGE_ID_WORDS: Final = frozenset({"message", "msg", "smtp"})
_COUNTRY_CODE_RE: Final = re.compile(r"[A-Za-z]{2,3}")
# Dotted quads or hex groups with colons: an IPv4 or IPv6 address, written in full or not.
_IP_SHAPE_RE: Final = re.compile(
    r"\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,}"
)
# Keys of a browser's user agent: a list of product tokens, machine text whatever its length.
_USER_AGENT_KEYS: Final = frozenset({"useragent", "rawuseragent", "httpuseragent", "ua"})
# A browser's or a client library's agent string under any key ("comment_agent"):
# "Mozilla/5.0 (Windows NT 10.0; ...", "okhttp/4.12.0", "curl/8.5.0 (x86_64-pc-linux-gnu)"
_USER_AGENT_VALUE: Final = re.compile(
    r"Mozilla/[0-9]\.[0-9] \(|[A-Za-z][\w.-]*/v?[0-9]+(?:\.[0-9]+)+(?: \(| [A-Za-z][\w.-]*/[0-9]|$)"
)
_PRODUCT_VERSION_RE: Final = re.compile(r"[A-Za-z]/\Z")
# GitHub's mark of an app's account, and accounts named for the software they run
_BOT_ACCOUNT_RE: Final = SERVICE_ACCOUNT_RE
# A slug: lower-case words and numbers joined by hyphens or underscores, three parts or more
# ("incident-2026-12-02-checkout"): a thing's handle, never how a person's name is written.
_SLUG_RE: Final = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+){2,}")


# Keys of a house's, a building's or a flat's number, and how such a number is written
# (42, 12A, 221B, B2, 17-19, 5/2): one short token, where a street address is words.
_HOUSE_NUMBER_WORDS: Final = frozenset(
    {"number", "no", "num", "nr", "nbr", "house", "building", "unit", "apartment", "apt", "suite"}
)
_HOUSE_NUMBER_RE: Final = re.compile(r"[A-Za-z]?\d{1,6}[A-Za-z]?(?:[-/]\d{1,5}[A-Za-z]?)?")
# A word of digits alone: a person's name has none ("Trail Runner 3", "Room 101" are names
# of things).
_NUMBER_WORD_RE: Final = re.compile(r"(?<!\S)\d+(?!\S)")


# A URL with its scheme, or a file path (absolute, home or relative, or a drive's).
_URL_OR_PATH_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://|~?/|\.\.?/|[A-Za-z]:\\")
_MASKED_DIGITS_RE: Final = re.compile(r"[*xX\u2022#]{2,}")


def _written_as_card(text: str) -> bool:
    """12 to 19 digits (separated or not); a number shown masked (``476173******0119``,
    ``**** 4242``) has been masked by its writer and shows what a card may show."""
    digits = sum(c.isdigit() for c in text)
    return 12 <= digits <= 19 and _MASKED_DIGITS_RE.search(text) is None


# How many digits a value of a digit-written type holds (a ZIP code's 3 to 10: US, UK,
# Eircode, Brazil's CEP; a phone's 7 to 15 and an extension; a bank account's 4 to 34; an
# ABA routing number's 9).
_DIGIT_COUNTS: Final[Mapping[str, tuple[int, int]]] = {
    "ZIP_CODE": (2, 10),
    "PHONE_NUMBER": (7, 21),
    "US_BANK_NUMBER": (4, 34),
    "ROUTING_NUMBER": (8, 9),
}


# Words of software: names with them name applications, tokens and integrations.
_SOFTWARE_WORDS: Final = frozenset(
    {
        "app",
        "apps",
        "api",
        "web",
        "portal",
        "service",
        "server",
        "bot",
        "cli",
        "sdk",
        "dashboard",
        "console",
        "integration",
        "automation",
        "connector",
        "plugin",
        "backend",
        "frontend",
        "gateway",
        "pipeline",
        "provisioning",
        "scheduler",
        "webhook",
        "token",
        # what an integration does: "Inventory Sync", "Uptime Monitor", "CSV Importer"
        "sync",
        "monitor",
        "monitoring",
        "crawler",
        "scanner",
        "importer",
        "exporter",
        "updater",
    }
)
_WORD_RE: Final = re.compile(r"[^\W\d_]+")
# A company's name: a few capitalised words and a legal form at the end (in the forms'
# own spelling: "LLC", "GmbH", "S.A.", "Pty Ltd", "AS" of Norway, "AB" of Sweden).
_LEGAL_FORMS: Final = (
    r"LLC|L\.L\.C\.|LLP|Inc\.?|Incorporated|Corp\.?|Corporation|Co\.|Ltd\.?|Limited|PLC|plc"
    r"|GmbH|AG|KG|KGaA|UG|e\.V\.|SE|S\.?A\.?|S\.?A\.?S\.?|SARL|S\.?r\.?l\.?|S\.?p\.?A\.?|B\.?V\.?"
    r"|N\.?V\.?|AS|ASA|A/S|ApS|AB|Oy|Oyj|Pty(?: Ltd\.?)?|Sp\. z o\.o\.|s\.r\.o\.|Kft\.?"
    r"|K\.K\.|Ltda\.?|S\. ?de R\.L\.|LP|L\.P\."
)
# An institution's name: capitalised words, one of them a kind of institution ("St Mary's
# Hospital ED", "Island Diagnostics Honolulu", "Riverside Primary School").
_INSTITUTIONS: Final = (
    r"Hospital|Clinic|Klinik|Diagnostics|Laboratories|Laboratory|Labs|Pharmacy|Medical Center"
    r"|Medical Centre|Health|Healthcare|University|College|School|Academy|Institute|Museum"
    r"|Library|Church|Cathedral|Bank|Insurance|Airlines|Airways|Railways|Logistics|Holdings"
    r"|Group|Partners|Associates|Foundation|Trust|Council|Ministry|Department|Agency"
)
_INSTITUTION_RE: Final = re.compile(
    rf"(?:[A-Z][\w&'’.-]*,? ){{0,5}}(?:{_INSTITUTIONS})(?: [A-Z][\w&'’.-]*){{0,3}}"
)
# A value already pseudonymised or a call in code: "hmac-sha256:2a3b...", "materialize(12:...)"
_DIGEST_RE: Final = re.compile(
    r"(?:hmac-)?(?:sha(?:1|224|256|384|512)|md5|blake2b?)[:=-][0-9a-f]{16,}"
)
_CODE_CALL_RE: Final = re.compile(r"\w\([^)]*[:=][^)]*\)")
_ORGANISATION_RE: Final = re.compile(rf"(?:[A-Z0-9&][\w&'’.-]*,? ){{1,6}}(?:{_LEGAL_FORMS})")


def _names_software(text: str) -> bool:
    return any(w.casefold() in _SOFTWARE_WORDS for w in _WORD_RE.findall(text))


# A cloud region's code, one lower-case token with a compass word (westeurope, eastus2,
# uksouth, europe-west4, us-central1, ap-southeast-2).
_COMPASS: Final = r"(?:north|south|east|west|central)"
_CLOUD_REGION_RE: Final = re.compile(
    rf"[a-z]{{2,}}(?:-[a-z]+)?-{_COMPASS}+[a-z]*-?[0-9]{{1,2}}"  # eu-west-1, europe-west4
    rf"|{_COMPASS}+(?:us|europe|asia|india)[0-9]?"  # westeurope, southcentralus
    rf"|[a-z]{{2,}}{_COMPASS}+[0-9]?"  # uksouth, germanywestcentral, japaneast
)

# Unix time in seconds (from 2001) or milliseconds: what machines write for "when".
_EPOCH_RE: Final = re.compile(r"[1-9][0-9]{9}(?:[0-9]{3})?(?:\.[0-9]+)?")
# Key words of the dates of a life (HIPAA's birth, death, admission and discharge dates):
# personal however written, an epoch number too.
_LIFE_DATES: Final = frozenset(
    {
        "birth",
        "born",
        "dob",
        "bday",
        "birthday",
        "birthdate",
        "death",
        "died",
        "deceased",
        "admission",
        "admit",
        "admitted",
        "discharge",
        "discharged",
    }
)

# A login written as a person's initials and surname: m.okonkwo, j_smith, jd.lee.
_PERSONAL_LOGIN: Final = re.compile(r"[a-z]{1,3}[._][a-z][a-z'-]{1,30}")


def _last_key_words(path: Sequence[str | int]) -> tuple[str, ...]:
    named = [k for k in path if isinstance(k, str)]
    return key_words(named[-1]) if named else ()


def not_written_as(
    entity_type: str | None, text: str, *, is_number: bool, words: Sequence[str]
) -> bool:
    """A value its key names as PII that is not written as that PII at all, so the key
    alone does not mask it (it is scanned as under an unknown key):

    - a name or a login is never a JSON number ("logins": 5 counts them), nor an app's bot
      account ("renovate[bot]"), nor a system's account ("username": "System", "root"); a
      person's name holds no word of software ("client_name": "Storefront Web",
      "displayName": "scim-provisioning (expires 2027-03-01)", "Automation for Jira");
    - a place is no cloud region's code ("location": "westeurope", "eastus2",
      "europe-west4": where a resource runs);
    - a street address is words: one token with no space or comma ("dev_addr": "260B1C2D",
      a memory address) is a device's or a program's address;
    - an IP address is written as one ("edge_ip": "edge-lhr-4" is a host's name,
      "sourceIPAddress": "codebuild.amazonaws.com" a service calling for itself);
    - a country code ("country": "IN") under a country key: a country is too coarse to
      identify a person (a country *name* under an address stays a place);
    - a place or a street is never written as a URL or a file path (``page_location``:
      ``https://...``, ``"location": "s3://bucket/key"``, ``"address": "/var/run/app.sock"``);
    - a card number is written with 12 to 19 digits: ``"graphicsCard": "RTX 4070"``,
      ``"card": "tok_visa"``, ``"pan": -12.5`` (an audio pan) name no card number, and a
      number shown masked (``476173******0119``) is masked already;
    - a date of a person's doings is not written as an epoch number: under ``arrival_date``
      or ``visit_date`` a 10- or 13-digit Unix time is the time an event happened (a payout
      arrives, a page is visited); dates of birth, death, admission and discharge are
      personal however they are written.
    """
    if entity_type in ("LOCATION", "STREET_ADDRESS") and _URL_OR_PATH_RE.match(text.strip()):
        return True
    if entity_type is not None and entity_type in _DIGIT_COUNTS:
        # a ZIP code, a phone, a bank account or routing number is written with its
        # digits: "zip": "gzip", "phone": "iPhone 15 Pro", "account_number": "ACCT-PROD"
        # and a number shown masked ("****0148") are none
        low, high = _DIGIT_COUNTS[entity_type]
        digits = sum(c.isdigit() for c in text)
        if not low <= digits <= high or _MASKED_DIGITS_RE.search(text) is not None:
            return True
        if entity_type in ("US_BANK_NUMBER", "ROUTING_NUMBER") and not fits_type(entity_type, text):
            return True  # "AcctNum": "CONTRACTOR-0118": a vendor's code, a word in it
    if entity_type == "CREDIT_CARD":
        return not _written_as_card(text)
    if entity_type == "DATE_TIME":
        return _EPOCH_RE.fullmatch(text.strip()) is not None and not _LIFE_DATES.intersection(words)
    if entity_type in ("EMAIL_ADDRESS", "URL"):
        return is_number  # "recovered_by_email": 9 counts recoveries by e-mail
    if entity_type in ("PERSON", "USERNAME"):
        stripped = text.strip()
        return (
            is_number
            or _BOT_ACCOUNT_RE.fullmatch(stripped) is not None
            or stripped.casefold() in SYSTEM_ACCOUNTS
            or _DIGEST_RE.fullmatch(stripped) is not None
            or (
                entity_type == "PERSON"
                and (
                    _names_software(stripped)
                    or _ORGANISATION_RE.fullmatch(stripped) is not None
                    or _INSTITUTION_RE.fullmatch(stripped) is not None
                    or _CODE_CALL_RE.search(stripped) is not None
                    or _SLUG_RE.fullmatch(stripped) is not None
                    or _NUMBER_WORD_RE.search(stripped) is not None
                )
            )
        )
    if entity_type == "LOCATION" and _CLOUD_REGION_RE.fullmatch(text.strip()):
        return True
    if entity_type == "STREET_ADDRESS":
        if _HOUSE_NUMBER_WORDS.intersection(words) and _HOUSE_NUMBER_RE.fullmatch(text.strip()):
            return False  # house_number: 12A, unit: 4B: the number of a house or a flat
        return is_number or not any(c.isspace() or c == "," for c in text.strip())
    if entity_type == "IP_ADDRESS":
        return _IP_SHAPE_RE.search(text) is None
    if entity_type == "LOCATION" and "country" in words:
        return _COUNTRY_CODE_RE.fullmatch(text.strip()) is not None
    return False


# What an account object's `type` says when the account is no person's: GitHub's
# `owner.type: Organization` or `Bot`, CloudTrail's `sessionIssuer.type: Role`, a service
# principal.
_NON_PERSON_ACCOUNTS: Final = frozenset(
    {
        "organization",
        "organisation",
        "org",
        "enterprise",
        "bot",
        "app",
        "application",
        "integration",
        "appinstance",  # Okta's target of an app sign-in
        "role",
        "service",
        "serviceaccount",
        "serviceprincipal",
        "system",
        "machine",
        "robot",
        "workload",
        "group",
        "team",
        # things that are given names too: an API token, a key, a certificate, a device
        "token",
        "apitoken",
        "apikey",
        "key",
        "credential",
        "certificate",
        "device",
    }
)
_ACCOUNT_TYPE_KEYS: Final = frozenset(
    {"type", "kind", "accounttype", "usertype", "principaltype", "actortype", "typename"}
)
# A mailbox nobody reads: the address of a system's account (noreply@github.com).
_NO_REPLY_MAILBOX: Final = re.compile(
    r"(?:no-?reply|do-?not-?reply|mailer-daemon)@\S+", re.IGNORECASE
)


# Keys of an object's own type (HubSpot's objectType, a record's entity type).
_OBJECT_TYPE_KEYS: Final = _ACCOUNT_TYPE_KEYS | {"objecttype", "entitytype", "recordtype"}


def names_site(members: Mapping[str, object]) -> bool:
    """An object whose type says it is a site or an organisation (``{"objectType":
    "company", "properties": {"city": ...}}``, ``{"type": "venue", ...}``): the places
    in it, at any depth, are no person's (down to a member that names a person:
    ``company.contacts[0].city`` is a contact's)."""
    return any(
        isinstance(value, str)
        and "".join(key_words(key)) in _OBJECT_TYPE_KEYS
        and names_site_kind(value)
        for key, value in members.items()
    )


def names_no_person(members: Mapping[str, object]) -> bool:
    """An account object that says it is no person's: its ``type`` (or ``kind``) names an
    organisation, a bot, a role or a service (``{"login": "github", "type":
    "Organization"}``), or its e-mail address is a no-reply mailbox (``{"username":
    "web-flow", "email": "noreply@github.com"}``). Its name and login are then not masked
    whole as a person's (detection decides); its e-mail address still is."""
    for key, value in members.items():
        if not isinstance(value, str):
            continue
        folded = "".join(key_words(key))
        if folded in _ACCOUNT_TYPE_KEYS:
            kind = re.sub(r"[\s_\-]", "", value).casefold()
            if kind in _NON_PERSON_ACCOUNTS:
                return True
        elif key_hint(key).entity_type == "EMAIL_ADDRESS" and _NO_REPLY_MAILBOX.fullmatch(
            value.strip()
        ):
            return True
    return False


# Keys of a product's or a hardware model's name (not `device` or `name`: "Maria's
# MacBook Pro" names its owner).
_PRODUCT_KEYS: Final = frozenset(
    {
        "model",
        "devicemodel",
        "hardwaremodel",
        "make",
        "manufacturer",
        "brand",
        "vehicle",
        "car",
        "gpu",
        "cpu",
        "chipset",
        "os",
        "osname",
        "browser",
        "firmware",
        "product",
        "productname",
        "sku",
    }
)
# Parents of an item sold or listed: its title or name is a product's name.
_ITEM_PARENTS: Final = frozenset({"item", "items", "lineitem", "lineitems", "product", "variant"})


def _item_title(path: Sequence[str | int]) -> bool:
    named = [k for k in path if isinstance(k, str)]
    return (
        len(named) >= 2
        and "".join(key_words(named[-1])) in ("title", "name")
        and "".join(key_words(named[-2])) in _ITEM_PARENTS
    )


_POSSESSIVE: Final = re.compile(r"[^\W\d_]['\u2019]s\b")
_PRODUCT_MAX_WORDS: Final = 6
_PRODUCT_MAX_CHARS: Final = 60
_SENTENCE_MARK: Final = re.compile(r"[.!?;:]\s|['\u2019]s\b|@")


# A name word: a capital, then lower-case letters (O'Neill, McKay, Jean-Luc); name
# particles between (de, van, da, bin).
_UPPER: Final = r"[^\W\d_a-z\u00df-\u00ff]"
_LOWER: Final = r"[^\W\d_A-Z\u00c0-\u00de]"
_NAME_WORD_RE: Final = re.compile(
    rf"(?:{_UPPER}['\u2019])?{_UPPER}{_LOWER}+(?:{_UPPER}{_LOWER}+)?(?:-{_UPPER}{_LOWER}+)?"
)
_NAME_PARTICLES: Final = frozenset(
    {
        "de",
        "da",
        "do",
        "dos",
        "das",
        "di",
        "del",
        "della",
        "van",
        "von",
        "der",
        "den",
        "le",
        "la",
        "bin",
        "ibn",
        "al",
    }
)
# Last words of the names of places and things called after people ("Victoria Park",
# "Grace Hopper Hall", "Ada Lovelace Room").
_NAMESAKE_WORDS: Final = frozenset(
    {
        "park",
        "hall",
        "room",
        "station",
        "centre",
        "center",
        "house",
        "tower",
        "building",
        "school",
        "college",
        "university",
        "academy",
        "hospital",
        "clinic",
        "hotel",
        "cafe",
        "bar",
        "restaurant",
        "shop",
        "store",
        "market",
        "church",
        "airport",
        "bridge",
        "lake",
        "river",
        "garden",
        "gardens",
        "farm",
        "team",
        "group",
        "lab",
        "labs",
        "studio",
        "studios",
        "court",
        "plaza",
        "square",
        "theatre",
        "theater",
        "library",
        "museum",
        "stadium",
        "arena",
        "bay",
        "beach",
        "island",
        "mountain",
        "valley",
        "wing",
        "suite",
        "sale",
        "day",
        "week",
        "fund",
        "foundation",
        "trust",
        "award",
        "prize",
        "memorial",
        "press",
        "office",
        "bank",
        "branch",
    }
)


def written_as_full_name(text: str) -> bool:
    """Two or three words written as a person's name, the first a known given name
    (``Pilar Tavares``, ``Ana de Souza``, ``Levi Dries``); not a place or a thing named
    after someone (``Victoria Park``, ``Grace Hopper Hall``), nor a name with a word of
    software or of digits."""
    words = text.split()
    names = [w for w in words if w not in _NAME_PARTICLES]
    if not 2 <= len(names) <= 3 or len(words) > 4 or not is_given_name(names[0].split("-")[0]):
        return False
    if not all(_NAME_WORD_RE.fullmatch(w) for w in names):
        return False
    last = names[-1].casefold()
    return last not in _NAMESAKE_WORDS and not _names_software(text) and not street_words(text)


_HONORIFIC_NAME_RE: Final = re.compile(
    r"(?:Dr|Mr|Mrs|Ms|Mx|Miss|Prof|Sr|Sra|Herr|Frau|Mme|Mlle)\.?"
    rf"(?: {_UPPER}{_LOWER}+(?:-{_UPPER}{_LOWER}+)?){{1,3}}"
)


def _unwritten_hint(entity_type: str | None, text: str) -> KeyHint:
    """How a value not written as its key's type is read: a system's or a bot's account as
    a thing's name (validated patterns only); others, an application's name among them
    (a person may be named beside a word of software), as under an unknown key."""
    stripped = text.strip()
    if entity_type in ("PERSON", "USERNAME") and (
        stripped.casefold() in SYSTEM_ACCOUNTS or _BOT_ACCOUNT_RE.fullmatch(stripped)
    ):
        return KeyHint("non_pii")
    return KeyHint("unknown")


def plan_field(
    path: Sequence[str | int],
    text: str,
    *,
    is_number: bool,
    hint: KeyHint,
    non_person: bool = False,
    site: bool = False,
) -> FieldPlan:
    """How the value ``text`` at ``path`` is scanned, given what its key says.
    ``non_person``: the value is a member of an account object that says it is no
    person's (:func:`names_no_person`); ``site``: it lies in an object that says it is a
    site or an organisation (:func:`names_site`), so a place its key names is no person's."""
    shape = value_shape(text, is_number=is_number)
    words = _last_key_words(path)
    if (site or non_person) and hint.entity_type in PLACE_TYPES:
        hint = KeyHint("non_pii")
    if non_person and hint.entity_type in ("PERSON", "USERNAME"):
        # an organisation's login, an app's display name, a role's or a token's name: the
        # name of a thing (validated patterns still apply)
        hint = KeyHint("non_pii")
    if hint.kind == "pii" and hint.decides:
        if text.strip().casefold() in _PLACEHOLDERS or not text.strip():
            return SKIP
        if not not_written_as(hint.entity_type, text, is_number=is_number, words=words):
            return FieldPlan("whole", hint.entity_type)
        hint = _unwritten_hint(hint.entity_type, text)
    suggested = hint.entity_type if hint.kind == "pii" else None
    if suggested in ("LOCATION", "STREET_ADDRESS", "PERSON", "USERNAME") and not_written_as(
        suggested, text, is_number=is_number, words=words
    ):
        # page_location: a web page's location; location: westeurope, a cloud region;
        # client_name: "Storefront Web", an application: no place, no person
        suggested, hint = None, _unwritten_hint(suggested, text)
    if (
        shape == "phrase"
        and hint.kind in ("pii", "unknown", "non_pii")
        and (hint.kind != "pii" or hint.entity_type == "PERSON")
        and not non_person
        and not site
        and "name" in words
        and _HONORIFIC_NAME_RE.fullmatch(text.strip())
        and not _item_title(path)
    ):
        # "provider": {"name": "Dr. Amara Nwosu"}: a title and a capitalised name are a
        # person's name under any name key (a provider, a clinic's doctor)
        return FieldPlan("whole", "PERSON")
    if suggested in ("USERNAME", "PERSON") and login_shaped(text.strip()):
        # "adjuster": {"login": "kpatel"}, "owner": "tkowalski": under a key that says a
        # person or a login, a value built as directories build logins is that login
        return FieldPlan("whole", "USERNAME")
    if words and words[-1] == "by" and _PERSONAL_LOGIN.fullmatch(text.strip()):
        # approved_by: "m.okonkwo" is an account written as its person's initials and name
        return FieldPlan("whole", "USERNAME")
    if (
        hint.kind == "non_pii"
        and len(words) >= 2
        and words[-1] == "id"
        and words[-2] in _MESSAGE_ID_WORDS
        and shape in ("token", "text")
    ):
        return FieldPlan("validated", message_id=True)
    if shape == "text" and (
        "".join(words) in _USER_AGENT_KEYS or _USER_AGENT_VALUE.match(text.strip())
    ):
        # Mozilla/5.0 (Macintosh; ...) AppleWebKit/605.1.15: versions and platforms, no
        # prose; validated patterns only (an e-mail address in a bot's agent is still found)
        return FieldPlan("validated", user_agent=True)
    if (
        (
            (shape == "text" and hint.kind == "non_pii" and "".join(words) in _PRODUCT_KEYS)
            or (shape != "number" and hint.kind in ("non_pii", "free_text") and _item_title(path))
        )
        and len(text.split()) <= _PRODUCT_MAX_WORDS
        and len(text) <= _PRODUCT_MAX_CHARS
        and not _SENTENCE_MARK.search(text)
    ):
        # a product's or a model's name ("model": "Redmi Note 13 Pro", "vehicle": "Toyota
        # Corolla Hybrid", "gpu": "NVIDIA GeForce RTX 4070 Laptop GPU"): a name of a thing
        # in a few words, no prose; validated patterns only
        return VALIDATED
    if (
        hint.kind != "free_text"
        and hint.entity_type not in PLACE_TYPES
        and (_ORGANISATION_RE.fullmatch(text.strip()) or _INSTITUTION_RE.fullmatch(text.strip()))
    ):
        # "Kona Reef Charters LLC", "Vestfold Ship Services AS": a registered company's
        # name, whole, under any key but a place's; no person, and its words no place
        return VALIDATED
    if hint.kind in ("non_pii", "event_time") and shape == "text" and len(text.split()) == 1:
        # one long token under an id, version or image key (a container image with its
        # digest, a base64 blob): machine output, not prose; validated patterns only
        return VALIDATED
    if shape in ("number", "code"):
        if shape == "number" and hint.kind in ("non_pii", "event_time"):
            return SKIP
        phone = suggested == "PHONE_NUMBER" or (
            hint.kind in ("unknown", "free_text") and shape == "code" and phone_shaped(text)
        )
        return FieldPlan("validated", suggested, phone=phone)
    personal = any(isinstance(k, str) and names_person_key(k) for k in path)
    if shape == "text" or hint.kind == "free_text":
        # read as plain text
        return FieldPlan("full", suggested, free_text=hint.kind == "free_text", personal=personal)
    if (
        hint.kind in ("non_pii", "event_time") or (shape == "token" and suggested is None)
    ) and not (shape == "phrase" and _POSSESSIVE.search(text)):
        # SKU-1234, eu-west-1, 2026-01-05T10:00:00Z, a session uuid: validated patterns
        # only (an e-mail address or IBAN there is still found); a phrase naming its owner
        # ("Maria's iPhone", a device's name) is detected as a phrase
        return FieldPlan("validated")
    if suggested == "PERSON" and shape == "phrase" and written_as_full_name(text):
        # "name": "Pilar Tavares" under a key that suggests a person: a known given name
        # and a surname are a person's name, which the model alone, with no context, misses
        # or calls a place ("Rui Costa")
        return FieldPlan("whole", "PERSON")
    # a phrase under an unknown key, a token or phrase under a key that suggests a type:
    # full detection, where the model alone masks the type the key suggests, or else words
    # only (names, places, dates). The value is detected alone: a context prefix ("name:
    # Home") makes the model call any word under a name key a person.
    return FieldPlan(
        "full",
        suggested,
        model_types=frozenset({suggested}) if suggested else MODEL_WORD_TYPES,
        personal=personal,
    )


def _is_validated(span: Span) -> bool:
    return any(part.startswith("pattern:") for part in span.detector.split("+"))


def filter_spans(plan: FieldPlan, value: str, spans: Sequence[Span]) -> list[Span]:
    """The detector's spans of ``value`` that may mask it under ``plan``."""
    kept = _allowed_spans(plan, value, spans)
    if plan.mode == "full" and kept:
        kept = gate_model_guesses(
            value,
            kept,
            free_text=plan.free_text,
            key_type=plan.entity_type,
            personal=plan.personal,
        )
    params = query_parameter_spans(value)
    if params:
        kept = sorted([*kept, *params], key=lambda s: (s.start, s.end))
    return kept


# A URL's query parameter: ?address=10+Downing+St&key=...
_QUERY_PARAM_RE: Final = re.compile(r"[?&]([A-Za-z_][A-Za-z0-9_.\-]*)=([^&#\s\"'<>]+)")


def query_parameter_spans(value: str) -> list[Span]:
    """The values of a URL's query parameters whose name decides a PII type (``?email=``,
    ``&address=``, ``&phone=``): a query string is key=value fields, read as JSON keys are
    (a URL is not masked whole in machine output, so what its keys name is masked here).
    The value is read decoded (``10+Downing+St`` is written with spaces)."""
    if "=" not in value:
        return []
    out: list[Span] = []
    for match in _QUERY_PARAM_RE.finditer(value):
        hint = key_hint(match.group(1))
        raw = match.group(2)
        text = unquote_plus(raw)
        if hint.kind != "pii" or not hint.decides or text.strip().casefold() in _PLACEHOLDERS:
            continue
        if not_written_as(hint.entity_type, text, is_number=False, words=key_words(match.group(1))):
            continue
        out.append(Span(match.start(2), match.end(2), hint.entity_type or "", detector=FIELD_NAME))
    return out


def _second_reader_only(span: Span) -> bool:
    """A guess only the second NER reader makes (spaCy's small English model), not the
    model: on a short value with no context, title-case names of things ("Liga Portugal",
    "Iron Wolves", "In Progress") are what it calls people and places."""
    parts = span.detector.split("+")
    return all(part.startswith("ner:") for part in parts)


def _allowed_spans(plan: FieldPlan, value: str, spans: Sequence[Span]) -> list[Span]:
    out: list[Span] = []
    for span in spans:
        if plan.mode == "validated":
            if not _is_validated(span):
                continue
            if plan.message_id and span.entity_type == "EMAIL_ADDRESS":
                continue
            if plan.user_agent and _PRODUCT_VERSION_RE.search(value, 0, span.start):
                continue  # Chrome/131.0.0.0: a product's version written like an IPv4
            if span.entity_type == "PHONE_NUMBER":
                # a number written in international form ("+234 809 555 0144") is a phone
                # under any key: no id, count or code is written with a "+" country code
                if not (plan.phone or value.startswith("+", span.start)):
                    continue
            elif (
                span.entity_type not in VALIDATED_TYPES
                and span.entity_type != plan.entity_type
                and span.detector not in _SELF_EVIDENT_DETECTORS
            ):
                continue
        elif (
            plan.model_types is not None
            and not _is_validated(span)
            and span.entity_type != plan.entity_type
            and (
                span.entity_type not in plan.model_types
                or _LETTER_RE.search(value, span.start, span.end) is None
                # names and places in a field value are written with capitals; the model
                # reads lower-case tool names (trivy 0.50.1) as names
                or _UPPER_RE.search(value, span.start, span.end) is None
                or _second_reader_only(span)
            )
        ):
            continue  # the model alone never masks a bare number or code
        out.append(span)
    return out


# --- model guesses in machine values ---------------------------------------------------

# Types of documents and accounts: in machine output a guess of one needs a word naming it
# before (the same words as for key=value log lines; a bare "id" or "number" names ids of
# orders and rows there).
ID_TYPES: Final = frozenset(
    {
        "DRIVER_LICENSE",
        "GOVERNMENT_ID",
        "PASSPORT",
        "TAX_ID",
        "US_BANK_NUMBER",
        "ROUTING_NUMBER",
        "US_SSN",
        "US_ITIN",
        "UK_NINO",
        "CREDIT_CARD",
        "IBAN_CODE",
    }
)
_ID_WORDS: Final = re.compile(
    r"\b(?:licen[cs]e|dl|passport|ssn|social|security|tax|tin|ein|itin|vat|account|acct"
    r"|routing|aba|iban|identification|identity|national|government|gov|card|nino)\b",
    re.IGNORECASE,
)
_ID_WORDS_BEFORE: Final = 40
# A house number, then words: "42 Oak", "221B baker street"; no other number after it
# ("35 BAY 27" is a storage place). In machine output the first word has a capital
# ("3 retries left" is a count).
_HOUSE_NUMBER_FIRST: Final = re.compile(
    r"[0-9]{1,6}[A-Za-z]?(?:\s+[^\W\d_][^\W\d]*){1,5}"
    # and a unit after the street: "Apt. 103", "Suite 648", "#4"
    r"(?:,?\s+(?:apt|apartment|suite|ste|unit|flat|room|rm|floor|fl|no|#)\.?\s*#?\s*[0-9A-Za-z-]{1,6})?"
    r"\.?",
    re.IGNORECASE,
)
# ... written as a name ("42 Oak"), not as an acronym ("6338 CPU")
_TITLE_AFTER_NUMBER: Final = re.compile(r"[0-9]{1,6}[A-Za-z]?\s+[^\W\d_a-z][^\W\d_A-Z]")
_ACRONYM_BEFORE: Final = re.compile(r"(?:^|\s)[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*\s+\Z")
_HOUSE_NUMBER_START: Final = re.compile(r"[0-9]{1,6}[A-Z]?\s+[^\W\d_]")
# Dates as a person's dates are written: 03/12/1985, 1985-03-12, 12 MAR 1985 (with a
# four-digit year); a METAR day-time group (261956Z) or a TAF period (0118/2324) is none.
_CALENDAR_DATE: Final = re.compile(
    r"\b(?:[0-9]{1,2}[/.-][0-9]{1,2}[/.-](?:19|20)[0-9]{2}|(?:19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}"
    r"|[0-9]{1,2}[ -]?(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*[ -]?"
    r"(?:19|20)?[0-9]{2})\b",
    re.IGNORECASE,
)
_LETTER_WORD: Final = re.compile(r"[^\W\d_]+(?:['.][^\W\d_]+)*\.?")
_NAME_WORD_MIN: Final = 5  # one word in a code line names a person or place from 5 letters


def is_code_text(value: str) -> bool:
    """A value written as a machine code: no lower-case letter, and a digit
    (``KSFO 261956Z 00922KT 10SM``, ``HUB 12``, ``AISLE 4 BAY 27``, ``AAXX 26124 72494``):
    weather reports, routing and storage codes, product codes, alarms of a controller."""
    return any(c.isdigit() for c in value) and not any(c.islower() for c in value)


def _words_of(text: str) -> list[str]:
    return [t for t in re.split(r"[\s/,;-]+", text.strip()) if t]


def _name_words(text: str) -> bool:
    """Letter words as names and places are written in capitals: two of them ("JOHN
    SMITH", "SMITH/JOHN") or one long one ("SPRINGFIELD"); not a code (KSFO, P6SM)."""
    tokens = _words_of(text)
    if not tokens or not all(_LETTER_WORD.fullmatch(t) for t in tokens):
        return False
    return len(tokens) >= 2 or len(tokens[0].rstrip(".")) >= _NAME_WORD_MIN


# Street names written as one word with the street type at the end (Hauptstraße, Kerkstraat).
_COMPOUND_STREET: Final = re.compile(
    r"[^\W\d_]{3,}(?:straße|strasse|str\.|straat|gasse|weg|laan|plein|vej|gatan|gata|veien|utca"
    r"|vägen|väg|gränd|gade|katu|platz|allee|gracht|kade)\b",
    re.IGNORECASE,
)
_NEIGHBOUR_CHARS: Final = 48
AddressLevel = Literal["prose", "machine", "code"]


def _street_evidence(value: str, span: Span, spans: Sequence[Span], level: AddressLevel) -> bool:
    """Does anything in the value make the street guess ``span`` part of an address?"""
    text = value[span.start : span.end].strip()
    after = " ".join(value[span.end : span.end + 32].split()[:3])
    window = f"{text} {after}"
    if level == "code":
        # "42 OAK ST", not "HUB 12" or "MEZZ 2 ROW 30"
        return _HOUSE_NUMBER_START.match(text) is not None and bool(
            street_words(window, units=False)
        )
    number_first = _HOUSE_NUMBER_FIRST.fullmatch(text) is not None
    compound = _COMPOUND_STREET.search(text)
    if level == "machine":
        # capitals: a lower-case "loop", "view" or "route" is an English word there, and a
        # unit word alone ("Unit 4471", "Floor 2", "Room 3") is "WORD number"
        capital = _TITLE_AFTER_NUMBER.match(text) is not None
        # a number after a word in capitals is a model's number ("RTX 4070 Laptop GPU",
        # "GTX 1080 Ti"), no house number: a street word must say street then
        designation = _ACRONYM_BEFORE.search(value, 0, span.start) is not None
        evidence = (
            (number_first and capital and not designation)
            or _named_street(window)
            or (compound is not None and not compound.group(0).islower())
        )
    else:
        evidence = number_first or bool(street_words(window)) or compound is not None
    return evidence or _place_nearby(value, span, spans)


def _named_street(window: str) -> bool:
    """A street word with a capital next to a name word: "Oak St", "Via Roma", "Savile Row";
    not "Row 12" or "Route 66" ("WORD number": a seat, a rack, a road of a map)."""
    tokens = [t.strip(",.;:()") for t in window.split()]
    for i, token in enumerate(tokens):
        if not token or token.islower() or street_words(token, units=False) != [token]:
            continue
        for j in (i - 1, i + 1):
            name = tokens[j] if 0 <= j < len(tokens) else ""
            if len(name) >= 2 and name.isalpha() and street_words(name) != [name]:
                return True
    return False


def _place_nearby(value: str, span: Span, spans: Sequence[Span], *, street: bool = False) -> bool:
    """A town or a ZIP code on the same line next to the street (a city/state line)."""
    line_start = value.rfind("\n", 0, span.start) + 1
    line_end = value.find("\n", span.end)
    lo = max(line_start, span.start - _NEIGHBOUR_CHARS)
    hi = min(len(value) if line_end == -1 else line_end, span.end + _NEIGHBOUR_CHARS)
    types = ("LOCATION", "ZIP_CODE", "STREET_ADDRESS") if street else ("LOCATION", "ZIP_CODE")
    return any(
        o is not span and o.entity_type in types and o.start < hi and lo < o.end for o in spans
    )


def _token_with_digits(value: str, span: Span) -> bool:
    """A token of the span holds a digit (``bert-base-ft-7``, ``Zebra ZT410``): names of
    people and places are written without digits; models, hosts and runs are not."""
    start = max(value.rfind(c, 0, span.start) for c in " \t\n") + 1
    ends = [i for i in (value.find(c, span.end) for c in " \t\n") if i != -1]
    return any(c.isdigit() for c in value[start : min(ends) if ends else len(value)])


_DIGIT_GROUP_BEFORE: Final = re.compile(r"(?:^|\s)[0-9]+\s$")
_DIGIT_GROUP_AFTER: Final = re.compile(r"^\s[0-9]+(?:\s|$)")


# Words that say a phone number follows, in a sentence under a key the vocabulary reads as
# machine output ("special_requests": "call me at 4155550132").
_PHONE_WORDS: Final = re.compile(
    r"\b(?:call\w*|phone\w*|tel|telephone|mobile|cell|fax|reach\w*|contact\w*|dial\w*"
    r"|ring|sms|text|whatsapp|number)\b",
    re.IGNORECASE,
)


def _in_digit_run(value: str, span: Span) -> bool:
    """The span is cut out of a longer run of digit groups ("AAXX 09124 40388 49440")."""
    before = value[max(0, span.start - 12) : span.start]
    after = value[span.end : span.end + 12]
    return bool(_DIGIT_GROUP_BEFORE.search(before) or _DIGIT_GROUP_AFTER.match(after))


def _written_as_phone(value: str, span: Span) -> bool:
    """Written like a phone number (a leading + or separators) and not cut out of a longer
    run of digit groups (a SYNOP report, a table of counters: "AAXX 09124 40388 49440"), or
    after a word that says phone ("call me at 4155550132")."""
    if _PHONE_WORDS.search(value, max(0, span.start - 32), span.start):
        return True
    return phone_shaped(value[span.start : span.end]) and not _in_digit_run(value, span)


def _acronym(value: str, text: str) -> bool:
    """A guess written all in capitals in a value written in both cases (``AMD EPYC``,
    ``GC``): there capitals are acronyms; names are written "Ann Lee"."""
    return any(c.islower() for c in value) and not any(c.islower() for c in text)


# A lower-case identifier with a capital inside: xmlSchemaIDCFill, iPhone, getUserById.
_LOWER_CAMEL: Final = re.compile(r"[a-z]+[A-Z][A-Za-z0-9]*")
_ACRONYM: Final = re.compile(r"[A-Z]{2,4}")
# A hash as code writes it: lower-case hex digits, letters and digits (a short commit id).
_HEX_DIGEST: Final = re.compile(r"(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{6,}")


# A handle with its discriminator (Discord, Battle.net): shadowblade#4471.
_TAGGED_HANDLE: Final = re.compile(r"(?<![\w#])[A-Za-z][\w.]{1,31}#[0-9]{4,5}(?![\w#])")


# A path of named segments (objects/exports/part-00017.parquet, C:\\logs\\app.log) or a
# file name with its extension (part-00017.parquet, backup-2026-01-05.tar.gz).
_PATH_TOKEN: Final = re.compile(r"(?=\S*[A-Za-z])\S*[/\\]\S*")
_FILE_NAME: Final = re.compile(r"[\w.\-]*[\w\-]\.(?:[a-z][a-z0-9]{1,7})(?:\.(?:gz|bz2|xz|zst))?")
# The digits and dates the model reads in such tokens: no ZIP code, street or date of a
# person's life there (a file's date is when it was written). Validated matches stay (a phone
# number in a voicemail's file name), and so do ids (passport_X1234567.pdf, a scan).
_PATH_PART_TYPES: Final = frozenset({"ZIP_CODE", "PHONE_NUMBER", "STREET_ADDRESS", "DATE_TIME"})
# An IANA time-zone name (Europe/Lisbon, America/Argentina/Buenos_Aires): a clock setting
# that names its zone by a city, not a place where someone is.
_TIME_ZONE: Final = re.compile(
    r"\b(?:Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)"
    r"(?:/[A-Z][A-Za-z_+\-]*[A-Za-z0-9]){1,2}\b"
)
# What one signs in to, logs out of, signs in with, is an application ("User login to
# Okta", "signed into Jira", "sign in with Google"); a person one logs in *as*.
_SIGN_IN_BEFORE: Final = re.compile(
    r"\b(?:log|sign)(?:s|ed|ged|ging|ing)?(?:[\s-]?(?:in|on|out|off))?"
    r"\s+(?:to|into|onto|from|of|via|with|at)\s+\Z",
    re.IGNORECASE,
)
_EMAIL_PATTERN: Final = EmailRecognizer()
_TOKEN_EDGE: Final = "\"'()[]{}<>,;"  # noqa: S105 - punctuation, no password


def _token_around(value: str, span: Span) -> str | None:
    """The whitespace-delimited token the span lies in (quotes and brackets around it
    stripped), or None when the span crosses a space."""
    if any(c.isspace() for c in value[span.start : span.end]):
        return None
    start = span.start
    while start > 0 and not value[start - 1].isspace():
        start -= 1
    end = span.end
    while end < len(value) and not value[end].isspace():
        end += 1
    return value[start:end].strip(_TOKEN_EDGE).rstrip(".:")


def _path_part(value: str, span: Span) -> bool:
    """A guess on a part of a file path or file name (``part-00017.parquet`` read as a ZIP
    code): a file's name, not an address, a phone number or a document."""
    token = _token_around(value, span)
    if token is None or token == value[span.start : span.end].strip(_TOKEN_EDGE):
        return False  # the guess is the whole token: judged as it is
    return _PATH_TOKEN.fullmatch(token) is not None or _FILE_NAME.fullmatch(token) is not None


def _cut_from_identifier(value: str, span: Span) -> bool:
    """The guess is cut out of an identifier joined by underscores (``parse`` of
    ``parse_large``, ``Order`` of ``Order_Service``): a function's or a table's name."""
    before = value[span.start - 1] if span.start > 0 else ""
    after = value[span.end] if span.end < len(value) else ""
    return (before == "_" and value[span.start - 2 : span.start - 1].isalnum()) or (
        after == "_" and value[span.end + 1 : span.end + 2].isalnum()
    )


def _code_guess(value: str, span: Span) -> bool:
    """A model guess, in any JSON string value (free text too), that is written as code:

    - a name or place that is one token of code: a class or identifier
      (``KubeletReady``, ``xmlSchemaIDCFillNodeTables``, ``x86_64``, ``payments.service``);
    - a person written as an acronym of 2 to 4 capitals in a value written in both cases
      (``GC (Allocation Failure)``): people are written "Ann Lee" there (places keep their
      acronyms: "NY", "UK");
    - a person written in lower case whose first word is no known given name ("kubelet has
      disk pressure"; "thanks lars" stays): in prose a lower-case name is a writer's habit,
      in events the lower-case words are mostly names of programs;
    - an id type (licence, passport, tax id, account) with no word naming it before it
      (``E11000`` is a MongoDB error code), or written as a lower-case hex digest
      (``6a7b8c9``, a commit): documents are written in capitals.
    """
    text = value[span.start : span.end]
    kind = span.entity_type
    if kind == "EMAIL_ADDRESS":
        # tsv @@ plainto_tsquery (SQL), 19:a1b2c3@thread.tacv2 (a chat thread's id): no
        # mailbox unless the address pattern finds one in the guess
        return not _EMAIL_PATTERN.find(text)
    if kind in _PATH_PART_TYPES and _path_part(value, span):
        return True
    if kind in ("PERSON", "LOCATION") and (
        any(m.start() <= span.start and span.end <= m.end() for m in _TIME_ZONE.finditer(value))
        or _SIGN_IN_BEFORE.search(value, max(0, span.start - 40), span.start) is not None
    ):
        return True
    if kind in ("PERSON", "LOCATION") and _cut_from_identifier(value, span):
        return True
    if kind in ("PERSON", "LOCATION"):
        token = text.strip()
        if len(token.split()) == 1 and (
            machine_token(token) or _LOWER_CAMEL.fullmatch(token.strip(".,;:()[]\"'"))
        ):
            return True
        if kind == "PERSON" and _ACRONYM.fullmatch(token) and _acronym(value, token):
            return True
        words = _LETTER_WORD.findall(text)
        return kind == "PERSON" and text.islower() and bool(words) and not is_given_name(words[0])
    if kind in ID_TYPES:
        before = value[max(0, span.start - _ID_WORDS_BEFORE) : span.start]
        return _ID_WORDS.search(before) is None or _HEX_DIGEST.fullmatch(text.strip()) is not None
    return False


def gate_model_guesses(
    value: str,
    spans: Sequence[Span],
    *,
    free_text: bool,
    key_type: str | None = None,
    personal: bool = True,
) -> list[Span]:
    """Drop the model's guesses that nothing in a JSON string value supports.

    The model learned from prose, where "Pool 8" may be a street and a seven-character
    code a licence. A JSON value under a key that does not name prose is machine output,
    and a value in capitals with digits is a code line whatever its key (a METAR, a bin
    location, an alarm): there a guess alone is not enough. Validated matches and guesses
    of the type the key suggests stay; of the others:

    - a street address needs address evidence, not "WORD number" ("HUB 12", "node pool-8"):
      in free text a street or unit word, a word written as a place name, a neighbouring
      place, or a house number first ("42 oak"); in machine output a house number first or
      a street or unit word written with a capital ("Gecko" in a user agent is no street);
      in a code line a house number first *and* a street word ("42 OAK ST", not "MEZZ 2
      ROW 3");
    - in machine output and code lines: an id type (licence, passport, tax id, account)
      needs a word naming it before it; a phone guess, or in machine output a phone match
      too, must be written as a phone number and not be cut out of a run of digit groups; a
      ZIP code a ZIP word or a state or town before it; a name or place that is part of a
      token with digits (``bert-base-ft-7``) is an identifier;
    - in a code line: a name must be two letter words (``JOHN SMITH``), a place too or one
      long word beside a kept ZIP code, town or street (``SPRINGFIELD IL 62704``), a date a
      calendar date (``03/12/1985``), and other guesses are dropped; a ZIP guess must be one
      token, not cut out of a run of digit groups.

    Free-text fields (``note``, ``message``) not written as a code line keep plain-text
    detection but for the street evidence.

    A place the model guesses is kept only when it is somebody's (``personal``: a key of
    the path names a person, ``user.profile.status_text``; or the value names somebody: a
    kept name, contact, address, account or document, or a personal pronoun, "my order to
    Hamburg"): a town in a flight's delay reason, a data centre's maintenance notice or a
    weather summary belongs to no person, and a place alone identifies nobody.
    """
    code = is_code_text(value)
    machine = code or not free_text
    out: list[Span] = []
    deferred: list[Span] = []  # judged by what else of the value stays
    for span in spans:
        text = value[span.start : span.end]
        kind = span.entity_type
        if _is_validated(span):
            # a phone match is dialable digits, no more: in machine output it must be written
            # as a phone number, as for short codes ("B) 2607241200" is a NOTAM time)
            ok = (
                kind != "PHONE_NUMBER"
                or free_text
                or key_type == "PHONE_NUMBER"
                or _written_as_phone(value, span)
            )
            if kind in _WEB_TYPES and kind != key_type:
                # a URL or host name in machine output addresses a resource or a host, as
                # in a lone token (what its query parameters name is masked below); in any
                # string, a package path with its version or a label's key is none
                ok = free_text and not _package_or_key(value, span)
        elif kind == key_type:
            # a name key over a slug or a model name: "run_name": "bert-base-ft-7" names no
            # person
            ok = kind not in ("PERSON", "LOCATION") or not _token_with_digits(value, span)
        elif kind == "STREET_ADDRESS":
            level: AddressLevel = "code" if code else "machine" if machine else "prose"
            ok = _street_evidence(value, span, spans, level)
        elif not machine:
            ok = True
        elif kind in ID_TYPES:
            before = value[max(0, span.start - _ID_WORDS_BEFORE) : span.start]
            ok = _ID_WORDS.search(before) is not None
        elif kind == "PHONE_NUMBER":
            ok = _written_as_phone(value, span)
        elif kind == "ZIP_CODE":
            # one postal code, not digit groups of a report ("AAXX 17184 68302 96501")
            ok = False
            if len(text.split()) == 1 and not _in_digit_run(value, span):
                deferred.append(span)
        elif kind in ("PERSON", "LOCATION"):
            ok = not _token_with_digits(value, span) and (
                _name_words(text) if code else not _acronym(value, text)
            )
            if ok and _STATUS_LABEL.fullmatch(value.strip()):
                ok = False  # "In Progress", "On Hold", "Out for Delivery": a state
            if ok and code and len(_words_of(text)) == 1:
                # one word in a code line: a place beside a ZIP code or a state
                # ("SPRINGFIELD IL 62704"), never a person alone ("AISLE", "AAXX")
                ok = False
                if kind == "LOCATION":
                    deferred.append(span)
        elif code:
            ok = kind == "DATE_TIME" and _CALENDAR_DATE.search(text) is not None
        else:
            ok = True
        if ok and not _is_validated(span) and kind != key_type and _code_guess(value, span):
            ok = False
        if ok:
            out.append(span)
        elif not _is_validated(span):
            # a guess of the wrong kind over a chat handle ("discord shadowblade#4471" read
            # as a street): the handle is an account whatever the guess said
            out.extend(
                Span(
                    span.start + m.start(),
                    span.start + m.end(),
                    "USERNAME",
                    span.score,
                    span.detector,
                )
                for m in _TAGGED_HANDLE.finditer(text)
            )
    if deferred:
        out = _judge_address_parts(value, out, deferred)
    if not personal and not _names_somebody(value, out):
        out = [
            s
            for s in out
            if s.entity_type != "LOCATION"
            or _is_validated(s)
            or s.entity_type == key_type
            # after a house number: a street's name ("left at 3338 Dominguez Pines")
            or _HOUSE_NUMBER_BEFORE.search(value, 0, s.start) is not None
            or _HOUSE_NUMBER_START.match(value, s.start) is not None
        ]
    return out


# Types of a kept span that make a value somebody's: who, how to reach them, where they
# live, their accounts and documents (a place or a date alone names nobody).
_SOMEBODY_TYPES: Final = frozenset(
    {
        "PERSON",
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "STREET_ADDRESS",
        "ZIP_CODE",
        "USERNAME",
        "CREDIT_CARD",
        "IBAN_CODE",
        "CRYPTO",
    }
    | ID_TYPES
)
# Pronouns of a person (first and third): "I'm moving to Denver", "her flat in Leeds".
_PERSONAL_PRONOUN: Final = re.compile(
    r"\b(?:I|I'm|I've|I'll|I'd|me|my|mine|myself|he|she|him|his|her|hers|himself|herself)\b"
)


_HOUSE_NUMBER_BEFORE: Final = re.compile(r"(?:^|\s)[0-9]{1,6}[A-Za-z]?\s+\Z")


def _names_somebody(value: str, kept: Sequence[Span]) -> bool:
    return (
        any(s.entity_type in _SOMEBODY_TYPES for s in kept)
        or _PERSONAL_PRONOUN.search(value) is not None
    )


# A state written as a short title-case phrase opening with a preposition, the way
# trackers name their columns and shipments their stages.
_STATUS_LABEL: Final = re.compile(r"(?:In|On|Out|Off|Under|At|To)(?: [A-Za-z][a-z]+){1,2}")
_WEB_TYPES: Final = frozenset({"URL", "DOMAIN_NAME"})
# After a module or package path (no scheme): its version ("golang.org/x/net from 0.23.0",
# "example.com/lib@v1.4.2", "k8s.io/api v0.31.2"); or the path is a key
# ("node-role.kubernetes.io/control-plane:", "app.kubernetes.io/name=web").
_VERSION_AFTER: Final = re.compile(
    r"@v?[0-9]|\s+(?:from\s+|to\s+|==\s*|>=\s*|<=\s*|~>\s*)?v?[0-9]+\.[0-9]+|:(?:\s|$|[}\],])|=\S"
)


def _package_or_key(value: str, span: Span) -> bool:
    """A URL match without a scheme that names a package with its version or is the key of
    a label (see ``_VERSION_AFTER``)."""
    text = value[span.start : span.end]
    if "://" in text or text.lower().startswith("www."):
        return False
    return _VERSION_AFTER.match(value, span.end) is not None


def _judge_address_parts(value: str, kept: list[Span], deferred: list[Span]) -> list[Span]:
    """ZIP guesses with a ZIP word, a state or a town before them (against what stays),
    then lone places in a code line beside a kept ZIP code, town or street."""
    zips = [s for s in deferred if s.entity_type == "ZIP_CODE"]
    if zips:
        gated = gate_address_guesses(value, [*kept, *zips], lambda _: True)
        kept = [*kept, *(s for s in gated if any(s is z for z in zips))]
    places = [s for s in deferred if s.entity_type != "ZIP_CODE"]
    kept += [s for s in places if _place_nearby(value, s, kept, street=True)]
    return sorted(kept, key=lambda s: (s.start, s.end))
