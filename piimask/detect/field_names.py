"""What a field name says about its value: the key-name vocabulary of structured records.

JSON events and ``key=value`` log lines carry a name with every value, and the name is
better evidence than the value alone: ``"zip": "94107"`` is a ZIP code, ``"qty": 2`` is a
count, ``"ts": 1732700000`` is an event time. :func:`key_hint` reads one key (or the last
segments of a dotted / JSON path) in any common spelling (``userEmail``, ``e_mail``,
``contact.phone_number``, ``IPAddress``, ``billing-zip``) and says which of five kinds
it is:

- ``pii``: the key names a piimask entity type (``entity_type``). ``decides`` says how
  strongly: True when the key alone is enough to mask the value whole as that type
  (``email``, ``phone_number``, ``ssn``, ``first_name``, ``user.name``); False when it
  only suggests the type and detection decides, with the key as context (a bare ``name``,
  ``customer``, ``location``).
- ``free_text``: prose written by people (``note``, ``message``, ``comment``): full detection.
- ``non_pii``: counts, amounts, ids of orders/requests/jobs, ports, sizes, durations,
  status codes, versions, SKUs, regions, ...: a number or short code there is not PII.
- ``event_time``: machine event times (``ts``, ``timestamp``, ``created_at``, ``@timestamp``),
  as opposed to personal dates (``dob``, ``admission_date``: ``pii`` DATE_TIME).
- ``unknown``: nothing known; the caller's default applies.

How a key is read: split into words (camelCase, snake_case, kebab-case, dots, digits),
lower-cased, plural heads made singular; then the longest known tail of the words wins
(``user_email`` -> ``email``; ``email_count`` -> ``count``; ``phone_number`` ->
``phonenumber``), with a few heads whose meaning depends on the word before them
(``*_name``, ``*_id``, ``*_address``, ``*_at``, ``*_date``, ``*_time``) and, for a bare
``name``/``city``/``line1``, the parent segment (``user.name``, ``address.city``).

The vocabulary is written for piimask (English field names of common event schemas); it is
shared by the JSON masker and the ``key=value`` log-line reader, so both read keys alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

KeyKind = Literal["pii", "free_text", "non_pii", "event_time", "unknown"]


@dataclass(frozen=True, slots=True)
class KeyHint:
    """What a key says about its value (see the module docstring for the kinds)."""

    kind: KeyKind
    entity_type: str | None = None  # piimask entity type when kind == "pii"
    decides: bool = True  # kind "pii": the key alone decides the type (False: suggests it)

    def __post_init__(self) -> None:
        if (self.kind == "pii") != (self.entity_type is not None):
            raise ValueError("a KeyHint has an entity_type exactly when its kind is 'pii'")


UNKNOWN: Final = KeyHint("unknown")
FREE_TEXT: Final = KeyHint("free_text")
NON_PII: Final = KeyHint("non_pii")
EVENT_TIME: Final = KeyHint("event_time")


def _pii(entity_type: str, *, decides: bool = True) -> KeyHint:
    return KeyHint("pii", entity_type, decides)


# --- words -----------------------------------------------------------------------------

# camelCase humps, ALLCAPS runs before a hump (IPAddress -> IP Address), lower words with a
# digit tail kept together (ipv4, p95, line1), bare digit runs. An acronym's plural is one
# word (sourceIPs -> source IP, userIDs), not a letter and a hump ("I", "Ps").
_WORD_RE: Final = re.compile(
    r"[A-Z]{2,}s(?![a-z])|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+\d*|[A-Z]+\d*|\d+"
)
_ACRONYM_PLURAL_RE: Final = re.compile(r"[A-Z]{2,}s")
_SEGMENT_SPLIT_RE: Final = re.compile(r"[.\[\]/]+")
_DIGIT_TAIL_RE: Final = re.compile(r"([a-z]+?)(\d+)")
# words whose digits are part of the word, not a counter (phone2, line1 lose theirs)
# (card.last4, first6: the digits a card may show, no name part)
_KEEP_DIGITS: Final = frozenset(
    {"ipv4", "ipv6", "md5", "sha1", "sha256", "sha512", "utf8", "last4", "first6", "first4", "e164"}
)
_PERCENTILE_RE: Final = re.compile(r"p\d{2,3}")


def key_words(segment: str) -> tuple[str, ...]:
    """The lower-case words of one key: ``userEmail`` -> (user, email), ``line_1`` -> (line,)."""
    words: list[str] = []
    for raw in _WORD_RE.findall(segment):
        word = raw[:-1].lower() if _ACRONYM_PLURAL_RE.fullmatch(raw) else raw.lower()
        if word.isdigit():
            continue
        m = _DIGIT_TAIL_RE.fullmatch(word)
        if m and word not in _KEEP_DIGITS and not _PERCENTILE_RE.fullmatch(word):
            word = m.group(1)
        words.append(word)
    return tuple(words)


def path_segments(key: str) -> list[str]:
    """The named segments of a dotted or JSON path (``$.a.b[0].c`` -> [a, b, c])."""
    return [s for s in _SEGMENT_SPLIT_RE.split(key) if s and s != "$" and not s.isdigit()]


def context_words(key: str) -> str:
    """The key as plain words (``contact.phoneNumber`` -> ``phone number``), for a detector
    that reads the value after its name."""
    segments = path_segments(key)
    return " ".join(key_words(segments[-1])) if segments else ""


# --- vocabulary ------------------------------------------------------------------------

# Tails are matched on the words joined without separators, so `e_mail`, `eMail`, `E-Mail`
# and `email` are one entry.
_PII_DECIDES: Final[Mapping[str, Iterable[str]]] = {
    "EMAIL_ADDRESS": (
        "email",
        "emailaddress",
        "emailaddr",
        "mail",
        "mailaddress",
        "emailid",
        "mailto",
        "mbox",  # xAPI's actor.mbox: "mailto:..."
        # a directory account's sign-in name, written as an e-mail address (Entra ID's
        # userPrincipalName, a Kerberos/AD upn)
        "userprincipalname",
        "upn",
    ),
    "PHONE_NUMBER": (
        "phone",
        "telephone",
        "tel",
        "mobile",
        "cellphone",
        "fax",
        "msisdn",
        "landline",
        "mobilephone",
        "homephone",
        "workphone",
        "contactnumber",
        "whatsapp",
        "e164",  # a number in E.164 form is a phone number
    ),
    "US_SSN": ("ssn", "socialsecurity", "socialsecuritynumber", "socialsecurityno", "ssnumber"),
    "CREDIT_CARD": (
        "card",
        "creditcard",
        "debitcard",
        "ccnumber",
        "ccnum",
        "pan",
        "paymentcard",
        "cardnumber",
    ),
    "IBAN_CODE": ("iban", "ibancode", "ibannumber"),
    "US_BANK_NUMBER": ("bankaccount", "accountnumber", "acctnumber", "acctno", "bankaccountno"),
    "ROUTING_NUMBER": ("routing", "routingnumber", "aba", "abanumber", "routingno"),
    "IP_ADDRESS": (
        "ip",
        "ipaddress",
        "ipaddr",
        "ipv4",
        "ipv6",
        "remoteaddr",
        "remoteaddress",
        "clientaddr",
        "xforwardedfor",
        "forwardedfor",
        "xrealip",
    ),
    "MAC_ADDRESS": ("mac", "macaddress", "macaddr", "hwaddr", "hardwareaddress"),
    "CRYPTO": ("wallet", "walletaddress", "btcaddress", "bitcoinaddress", "ethaddress"),
    "PERSON": (
        "firstname",
        "lastname",
        "fullname",
        "givenname",
        "familyname",
        "surname",
        "middlename",
        "forename",
        "maidenname",
        "mothersmaidenname",
        "legalname",
        "realname",
        "displayname",
        "preferredname",
        "cardholder",
        "cardholdername",
        "accountholder",
        "accountholdername",
        "holdername",
        "nameoncard",
        "fname",
        "lname",
        "contactname",
        "personname",
    ),
    "USERNAME": (
        "username",
        "loginname",
        "userhandle",
        "nickname",
        "twitterhandle",
        "loginid",
        # a player's or a chat account's public handle (Xbox gamertag, Battle.net
        # BattleTag, Discord tag)
        "gamertag",
        "battletag",
        "discordtag",
        "discordhandle",
        # a profile's accounts on social networks, named by the network
        "twitter",
        "instagram",
        "tiktok",
        "mastodon",
        "telegram",
        "snapchat",
        "bluesky",
    ),
    "STREET_ADDRESS": (
        "address",
        "addr",
        "street",
        "streetaddress",
        "streetname",
        "addressline",
        "homeaddress",
        "mailingaddress",
        "postaladdress",
        "billingaddress",
        "shippingaddress",
        "deliveryaddress",
        "residentialaddress",
        "physicaladdress",
        "housenumber",
        "houseno",
        "buildingnumber",
        "streetline",  # streetLine1, street_line_2
        "pobox",
        "postofficebox",
    ),
    "LOCATION": (
        "city",
        "town",
        "village",
        "hometown",
        "birthplace",
        "placeofbirth",
        # parts of an address that name nothing but a place, whatever the parent (a bare
        # `state` or `region` is also a status or a cloud region: see _ADDRESS_PARTS)
        "province",
        "county",
        "prefecture",
        "locality",
        "sublocality",
        "dependentlocality",
        # the subdivisions of international address formats (PayPal's admin_area_1/2,
        # Square's administrative_district_level_1, Google's administrativeArea)
        "adminarea",
        "administrativearea",
        "administrativedistrict",
        "administrativedistrictlevel",
    ),
    "ZIP_CODE": (
        "zip",
        "zipcode",
        "postcode",
        "postalcode",
        "postal",
        "plz",
        "zip4",
        "zipplus4",
        # the national names of a postal code: India's PIN code, Brazil's CEP, Ireland's
        # Eircode
        "pincode",
        "cep",
        "eircode",
    ),
    "DATE_TIME": (
        "dob",
        "dateofbirth",
        "birthdate",
        "birthday",
        "birthdt",
        "born",
        "bday",
    ),
    "PASSPORT": (
        "passport",
        "passportnumber",
        "passportno",
        "passportid",
        "traveldocument",
        "traveldocumentnumber",
    ),
    "DRIVER_LICENSE": (
        "driverslicense",
        "driverlicense",
        "drivinglicense",
        "driverslicence",
        "driverlicence",
        "drivinglicence",
        "driverslicensenumber",
        "driverlicensenumber",
        "dlnumber",
    ),
    "TAX_ID": (
        "taxid",
        "tin",
        "ein",
        "vatid",
        "vatnumber",
        "taxnumber",
        "taxpayerid",
        "vatno",
        # national tax numbers by their own names: Spain's NIF, Brazil's CNPJ, Australia's TFN
        "nif",
        "cnpj",
        "tfn",
    ),
    "US_ITIN": ("itin",),
    "UK_NINO": ("nino", "nationalinsurance", "nationalinsurancenumber", "nationalinsuranceno"),
    "GOVERNMENT_ID": (
        "nationalid",
        "governmentid",
        "govid",
        "idcard",
        "idnumber",
        "personalid",
        # national identity numbers by their own names (Brazil's CPF, Mexico's CURP, Spain's
        # DNI and NIE, India's Aadhaar, Poland's PESEL, the Netherlands' BSN, Singapore's
        # NRIC, Sweden's personnummer, Italy's codice fiscale, Canada's SIN written out)
        "cpf",
        "curp",
        "dni",
        "nie",
        "aadhaar",
        "aadhar",
        "pesel",
        "bsn",
        "nric",
        "personnummer",
        "codicefiscale",
        "socialinsurancenumber",
    ),
}

# The key suggests the type; detection decides (values under these keys vary too much).
_PII_SUGGESTS: Final[Mapping[str, Iterable[str]]] = {
    "PERSON": (
        "name",
        "customer",
        "patient",
        "recipient",
        "sender",
        "author",
        "assignee",
        "reporter",
        "contact",
        "guest",
        "passenger",
        "beneficiary",
        "payee",
        "payer",
        "employee",
        "person",
        "attendee",
        "applicant",
        "signatory",
        "owner",
        "requester",
        "requestor",
        "consignee",
        "addressee",
        "supervisor",
        # people by what they do for the record: who booked, trained, reviewed, approved,
        # treated or inspected (a login or a name, as a directory prints it)
        "booker",
        "trainer",
        "reviewer",
        "approver",
        "instructor",
        "coach",
        "nurse",
        "doctor",
        "physician",
        "clinician",
        "therapist",
        "dentist",
        "surgeon",
        "pharmacist",
        "adjuster",
        "inspector",
        "underwriter",
        "orderingprovider",
        "referringprovider",
        "attendingphysician",
    ),
    # screen_name: also an app screen; uname: also the kernel's "uname -a"; actor: also a
    # service ("actor=scheduler")
    "USERNAME": ("handle", "login", "user", "screenname", "uname", "actor"),
    "PHONE_NUMBER": ("cell",),  # cell: also a grid cell (h3_cell)
    "LOCATION": ("location", "hometown", "residence", "neighborhood", "neighbourhood"),
    "STREET_ADDRESS": ("apartment", "apt", "suite"),
}

_FREE_TEXT_WORDS: Final = (
    "note",
    "notes",
    "message",
    "msg",
    "comment",
    "description",
    "desc",
    "body",
    "text",
    "content",
    "summary",
    "detail",
    "details",
    "remark",
    "feedback",
    "subject",
    "title",
    "reason",
    "query",
    "search",
    "searchterm",
    "bio",
    "about",
    "review",
    "transcript",
    "reply",
    "question",
    "answer",
    "instruction",
    "instructions",
    "memo",
    "narrative",
    "caption",
    "log",
    "logline",
    "error",
    "stacktrace",
    "input",
    "prompt",
    "utterance",
    "chat",
    "headline",
    "statement",
    "explanation",
    "complaint",
    "story",
    "annotation",
    "observation",
    "diagnosis",
    "symptom",
)

_NON_PII_WORDS: Final = (
    # identifiers of things (ids of people are "unknown": see _ID_OF_PERSON)
    "id",
    "uuid",
    "guid",
    "ulid",
    "key",
    "ref",
    "reference",
    "sku",
    "upc",
    "ean",
    "gtin",
    "asin",
    "isbn",
    "mpn",
    "hash",
    "checksum",
    "digest",
    "md5",
    "sha1",
    "sha256",
    "sha512",
    "etag",
    "fingerprint",
    "signature",
    "nonce",
    "seq",
    "seqno",
    "sequence",
    "serial",
    # counts, amounts, measures
    "count",
    "cnt",
    "counter",
    "total",
    "sum",
    "qty",
    "quantity",
    "amount",
    "amt",
    "price",
    "cost",
    "fee",
    "fees",
    "balance",
    "subtotal",
    "discount",
    "revenue",
    "tip",
    "tax",
    "vat",
    "score",
    "rating",
    "rank",
    "avg",
    "average",
    "mean",
    "median",
    "min",
    "max",
    "stddev",
    "std",
    "rate",
    "ratio",
    "percent",
    "pct",
    "percentage",
    "fraction",
    "size",
    "bytes",
    "byte",
    "kb",
    "mb",
    "gb",
    "bits",
    "length",
    "len",
    "width",
    "height",
    "depth",
    "weight",
    "volume",
    "area",
    "distance",
    "speed",
    "accuracy",
    "precision",
    "steps",
    "calories",
    "items",
    "item",
    "units",
    "unit",
    "capacity",
    "threshold",
    "delta",
    "diff",
    "change",
    "gauge",
    "histogram",
    "bucket",
    "buckets",
    "hits",
    "hit",
    "misses",
    "miss",
    "errors",
    "warnings",
    "failures",
    "successes",
    "requests",
    "responses",
    "connections",
    "sessions",
    "users",
    "visits",
    "views",
    "clicks",
    "impressions",
    "conversions",
    "samples",
    "events",
    "records",
    "rows",
    "messages",
    "lines",
    # durations, intervals
    "duration",
    "elapsed",
    "latency",
    "ms",
    "millis",
    "milliseconds",
    "sec",
    "secs",
    "seconds",
    "us",
    "ns",
    "micros",
    "nanos",
    "minutes",
    "mins",
    "hours",
    "days",
    "ttl",
    "timeout",
    "interval",
    "delay",
    "backoff",
    "uptime",
    "runtime",
    "wait",
    "period",
    "retries",
    "retry",
    "attempt",
    "attempts",
    "tries",
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "week",
    "quarter",
    "weekday",
    "yyyy",
    "epoch",
    # states, codes, levels
    "status",
    "statuscode",
    "state",
    "code",
    "errorcode",
    "reasoncode",
    "exitcode",
    "returncode",
    "responsecode",
    "level",
    "loglevel",
    "severity",
    "priority",
    "result",
    "outcome",
    "success",
    "ok",
    "failed",
    "enabled",
    "disabled",
    "active",
    "valid",
    "verified",
    "confirmed",
    "flag",
    "flags",
    "optin",
    "optout",
    "consent",
    "masked",
    "hashed",
    "present",
    "exists",
    "deleted",
    "visible",
    "type",
    "kind",
    "category",
    "class",
    "format",
    "encoding",
    "mime",
    "mimetype",
    "contenttype",
    "charset",
    "action",
    "op",
    "operation",
    "method",
    "verb",
    "protocol",
    "scheme",
    "event",
    "eventtype",
    "eventname",
    "step",
    "stage",
    "phase",
    "mode",
    # versions, software, infrastructure
    "version",
    "ver",
    "rev",
    "revision",
    "build",
    "release",
    "commit",
    "semver",
    "port",
    "pid",
    "ppid",
    "tid",
    "uid",
    "gid",
    "thread",
    "threads",
    "shard",
    "partition",
    "offset",
    "index",
    "idx",
    "position",
    "pos",
    "page",
    "pages",
    "pagesize",
    "limit",
    "batch",
    "chunk",
    "region",
    "zone",
    "az",
    "availabilityzone",
    "dc",
    "datacenter",
    "cluster",
    "env",
    "environment",
    "tier",
    "service",
    "svc",
    "app",
    "application",
    "component",
    "module",
    "namespace",
    "pod",
    "container",
    "node",
    "instance",
    "host",
    "hostname",
    "server",
    "mta",  # a mail transfer agent: a host (reportingMTA)
    # the parts of a proxy's or a load balancer's routing (Traefik's routerName, Envoy's
    # listener, an upstream): configuration objects, named by their operators
    "router",
    "middleware",
    "entrypoint",
    "gateway",
    "proxy",
    "listener",
    "backend",
    "frontend",
    "upstream",
    "worker",
    "queue",
    "topic",
    "channel",
    "stream",
    "table",
    "database",
    "db",
    "schema",
    "endpoint",
    "route",
    "handler",
    "function",
    "lambda",
    "job",
    "task",
    "pipeline",
    "workflow",
    "source",
    "target",
    "destination",
    "sink",
    "origin",
    "provider",
    "vendor",
    "carrier",
    "currency",
    "locale",
    "lang",
    "language",
    "timezone",
    "tz",
    "os",
    "browser",
    "platform",
    "device",
    "devicetype",
    "model",
    "manufacturer",
    "make",
    "vehicle",  # a vehicle's make and model ("Toyota Corolla Hybrid")
    "car",
    "sdk",
    "library",
    "runtime",
    "arch",
    "cpu",
    "gpu",
    "graphics",
    "chipset",
    # cards that hold no card number
    "graphicscard",
    "videocard",
    "soundcard",
    "networkcard",
    "simcard",
    "sdcard",
    "cpus",
    "cores",
    "mem",
    "memory",
    "heap",
    "disk",
    "load",
    "temperature",
    "temp",
    "voltage",
    "battery",
    "signal",
    "rssi",
    "snr",
    "bitrate",
    "fps",
    "frames",
    "resolution",
    "useragent",
    "ua",
    "tag",
    "tags",
    "label",
    "labels",
    "color",
    "colour",
    "segment",
    "cohort",
    "variant",
    "experiment",
    "bucketid",
    "plan",
    "product",
    "brand",
    "sku",
    "domain",
    "emaildomain",
    "addressfamily",
    "network",
    "subnet",
    "vlan",
    "mtu",
    "ssl",
    "tls",
    "cipher",
    "algorithm",
    "alg",
    "direction",
    "heading",
    "family",
    "screen",
    "file",
    "folder",
    "dir",
    "directory",
    "image",
    "metric",
    "column",
    "attribute",
    "attr",
    "param",
    "parameter",
    "variable",
    "var",
    "feature",
    "cookie",
    "header",
    "project",
    "repo",
    "repository",
    "package",
    "pkg",
    "store",
    "shop",
    "warehouse",
    # an organisation's sites and businesses: "facility": "DHL Hub Leipzig", "merchant":
    # "Padaria Estrela", "clinic": "Sorriso Dental Clinic"
    "merchant",
    "clinic",
    "hospital",
    "pharmacy",
    "employer",
    "schedule",
    "facility",
    "depot",
    "hub",
    "plant",
    "team",
    "group",
    # groups of players, and the game itself (a guild "Iron Wolves", a title "Skyforge
    # Tactics" are names of things)
    "guild",
    "clan",
    "faction",
    "squad",
    "alliance",
    "game",
    "role",
    "company",
    "org",
    "organization",
    "organisation",
    "campaign",
    "plugin",
    "extension",
    "font",
    "theme",
    "order",
    "request",
    "session",
    "transaction",
    "trace",
    "span",
    "build",
    "channelid",
)

_EVENT_TIME_WORDS: Final = (
    "ts",
    "timestamp",
    "time",
    "datetime",
    "date",
    "tstamp",
    "eventtime",
    "logtime",
    "unixtime",
    "epochtime",
    "epochms",
    "timeutc",
    "utc",
    "when",
    "expires",
    "expiry",
    "expiration",
    "lastseen",
    "firstseen",
    "lastlogin",
    "lastmodified",
    "since",
    "until",
)

# Event participles: a time when bare (`created`), a count after a measure (`bytes_sent`).
_EVENT_PARTICIPLES: Final = frozenset(
    {
        "occurred",
        "received",
        "sent",
        "created",
        "updated",
        "modified",
        "deleted",
        "started",
        "finished",
        "ended",
        "processed",
        "dropped",
        "written",
        "read",
        "published",
        "consumed",
        "committed",
        "acked",
        "skipped",
        "retried",
    }
)
# Words that qualify the thing before them without changing it: `phone_primary` is a phone.
_QUALIFIERS: Final = frozenset(
    {
        "primary",
        "secondary",
        "main",
        "alt",
        "alternate",
        "alternative",
        "other",
        "raw",
        "original",
        "orig",
        "normalized",
        "normalised",
        "value",
        "val",
        "current",
        "new",
        "old",
        "prev",
        "previous",
        "personal",
        "official",
        "default",
        "str",
        "string",
        "plain",
        "clear",
        "cleartext",
        "formatted",
        "e164",
        "verbatim",
        "input",
        "entered",
        "provided",
        "given",
        "confirmed",
    }
)

# Heads whose meaning depends on the word before them.
_NAME_HEADS: Final = frozenset({"name", "nm"})
_ID_HEADS: Final = frozenset({"id", "uuid", "guid", "key", "ref", "no", "num", "number", "nr"})
_ADDRESS_HEADS: Final = frozenset({"address", "addr"})
_TIME_HEADS: Final = frozenset({"at", "on", "ts", "time", "timestamp", "date", "datetime", "dt"})
_CALENDAR_HEADS: Final = frozenset({"date", "dt"})  # days, not instants (created_at, ts)
# Records of people whose dates are the person's (a hire, an enrolment, a stay); not users,
# accounts or customers, whose dates are mostly the account's (signup, last order).
_PEOPLE: Final = frozenset(
    {
        "employee",
        "patient",
        "member",
        "student",
        "person",
        "staff",
        "guest",
        "passenger",
        "traveler",
        "traveller",
        "applicant",
        "candidate",
        "resident",
        "insured",
        "policyholder",
        "claimant",
        "beneficiary",
        "spouse",
        "child",
        "guardian",
        "volunteer",
    }
)

# People: `<role>_name` and `<role>.name` are a person's name; `<role>_id` is an id of a
# person (kind unknown: not masked as a number, but not declared harmless either).
_PERSON_ROLES: Final = frozenset(
    {
        "user",
        "customer",
        "client",
        "patient",
        "contact",
        "recipient",
        "sender",
        "author",
        "assignee",
        "reporter",
        "owner",
        "employee",
        "member",
        "person",
        "people",
        "holder",
        "cardholder",
        "guest",
        "passenger",
        "driver",
        "rider",
        "applicant",
        "student",
        "teacher",
        "doctor",
        "physician",
        "nurse",
        "buyer",
        "seller",
        "beneficiary",
        "payee",
        "payer",
        "parent",
        "spouse",
        "father",
        "mother",
        "child",
        "guardian",
        "emergency",
        "billing",
        "shipping",
        "account",
        "profile",
        "subscriber",
        "caller",
        "callee",
        "agent",
        "attendee",
        "participant",
        "traveler",
        "traveller",
        "landlord",
        "signer",
        "witness",
        "victim",
        "suspect",
        "worker",
        "staff",
        "occupant",
        "resident",
        "insured",
        "policyholder",
        "claimant",
        "consignee",
        "consignor",
        "shipper",
        "addressee",
        "to",
        "first",
        "last",
        "full",
        "given",
        "family",
        "middle",
        "maiden",
        "legal",
        "real",
        "preferred",
        "display",
        "card",
        "payment",
        "personal",
        "kin",
        "referrer",
        "manager",
        "approver",
        "requester",
        "requestor",
        "consumer",
        "shopper",
        "visitor",
        "from",
        # a user, a passenger and a debtor written short or in payment messages (usr.name,
        # pax_name, ultimateDebtor.name)
        "usr",
        "pax",
        "debtor",
        "supervisor",
        # who submitted, committed or pushed a change; who organised or was invited
        "submitter",
        "committer",
        "pusher",
        "assistant",
        "organizer",
        "organiser",
        "inviter",
        "invitee",
        # who competes, borrows, gives or visits (athlete.first, patron.last, donor.email)
        "athlete",
        "competitor",
        "racer",
        "entrant",
        "patron",
        "donor",
        "borrower",
        "booker",
        "trainer",
        "reviewer",
        "instructor",
        "coach",
    }
)
# Words before `login` in one key that make it a person's login name (user_login).
_LOGIN_OWNERS: Final = frozenset(
    {"user", "customer", "member", "account", "employee", "client", "subscriber", "player"}
)
# Words before `account` that make it a machine's account (service_account_name).
_MACHINE_ACCOUNTS: Final = frozenset({"service", "system", "robot", "machine", "workload"})
_USERNAME_QUALIFIERS: Final = frozenset({"login", "screen", "account", "handle", "nick", "alias"})
# Things that have names of their own: `repository.full_name` ("acme/api"), `appDisplayName`,
# `tenant_name` (in event schemas a tenant is a customer organisation) name no person.
_NAMED_THINGS: Final = frozenset(
    {
        "repository",
        "repo",
        "project",
        "organization",
        "organisation",
        "org",
        "tenant",
        "workspace",
        "team",
        "app",
        "application",
        "service",
        "package",
        "cluster",
        "namespace",
        "bucket",
        "channel",
        # rooms, boards and pools, playlists and tracks, templates and dashboards: things
        # people name (a room "Ada Lovelace", a node pool "gpu-pool")
        "room",
        "board",
        "sprint",
        "milestone",
        "pool",
        "nodepool",
        "station",
        "widget",
        "dashboard",
        "template",
        "document",
        "playlist",
        "album",
        "track",
        "course",
        "collection",
        "catalog",
        "catalogue",
        "menu",
        "site",
        "gear",
    }
)
# Words before `name` that say how a name is written, whoever it belongs to.
_NAME_STYLES: Final = frozenset({"full", "display", "short", "friendly", "canonical"})
_ID_PII: Final[Mapping[str, str]] = {
    "national": "GOVERNMENT_ID",
    "government": "GOVERNMENT_ID",
    "gov": "GOVERNMENT_ID",
    "voter": "GOVERNMENT_ID",
    "tax": "TAX_ID",
    "taxpayer": "TAX_ID",
    "vat": "TAX_ID",
    "passport": "PASSPORT",
    "email": "EMAIL_ADDRESS",
    "mail": "EMAIL_ADDRESS",
    "phone": "PHONE_NUMBER",
    "mobile": "PHONE_NUMBER",
    "telephone": "PHONE_NUMBER",
    "card": "CREDIT_CARD",
    "ssn": "US_SSN",
    "license": "DRIVER_LICENSE",
    "licence": "DRIVER_LICENSE",
    "insurance": "UK_NINO",
}
_ADDRESS_OF: Final[Mapping[str, str]] = {
    "ip": "IP_ADDRESS",
    "remote": "IP_ADDRESS",
    "client": "IP_ADDRESS",
    "peer": "IP_ADDRESS",
    "src": "IP_ADDRESS",
    "source": "IP_ADDRESS",
    "origin": "IP_ADDRESS",
    "mac": "MAC_ADDRESS",
    "hardware": "MAC_ADDRESS",
    "ethernet": "MAC_ADDRESS",
    "email": "EMAIL_ADDRESS",
    "mail": "EMAIL_ADDRESS",
    "wallet": "CRYPTO",
    "btc": "CRYPTO",
    "bitcoin": "CRYPTO",
    "eth": "CRYPTO",
    "crypto": "CRYPTO",
}
# `<x>_address` that is not a place or a person's network address: leave it to detection.
_ADDRESS_NOT_PII: Final = frozenset(
    {
        "server",
        "bind",
        "listen",
        "host",
        "broker",
        "node",
        "proxy",
        "gateway",
        "memory",
        "base",
        "return",
        "start",
        "end",
        "dest",
        "dst",
        "destination",
        "local",
        "loopback",
        "network",
        "contract",
        "bus",
        "register",
        "virtual",
        "physical_memory",
        "advertised",
        "public",
        "private",
        "internal",
        "external",
        "service",
        "endpoint",
    }
)
# Dates and times of a person's life (HIPAA identifiers), not machine event times.
_PERSONAL_DATES: Final = frozenset(
    {
        "birth",
        "born",
        "admission",
        "admit",
        "admitted",
        "discharge",
        "discharged",
        "appointment",
        "visit",
        "death",
        "died",
        "deceased",
        "hire",
        "hired",
        "marriage",
        "wedding",
        "graduation",
        "enrollment",
        "enrolment",
        "surgery",
        "procedure",
        "treatment",
        "vaccination",
        "injury",
        "incident",
        "accident",
        "arrival",
        "departure",
        "travel",
        "checkin",
        "checkout",
    }
)
# Parents under which a place-part key (city, state, line1, number) is part of an address.
_ADDRESS_PARENTS: Final = frozenset(
    {
        "address",
        "addr",
        "billing",
        "shipping",
        "shipto",
        "billto",
        "delivery",
        "mailing",
        "postal",
        "home",
        "residence",
        "residential",
        "location",
        "place",
        "contact",
        "customer",
        "user",
        "patient",
        "person",
        "profile",
        "recipient",
        "sender",
        "employee",
        "member",
    }
)
# Abridged keys of a person's record (the short keys ad platforms use for customer data:
# fn, ln, em, ph, ct, st, zp), read as such only under a person's parent (user_data,
# customer): elsewhere ct is a count, st a status, ph a pH.
_PERSON_ABBREVIATIONS: Final[Mapping[str, str]] = {
    "fn": "PERSON",
    "ln": "PERSON",
    "em": "EMAIL_ADDRESS",
    "ph": "PHONE_NUMBER",
    "ct": "LOCATION",
    "st": "LOCATION",
    "zp": "ZIP_CODE",
}
# Parent words of a geographic context (geo, geoip, geographicalContext): its state, region,
# country, county are places (state alone is a status).
_GEO_WORDS: Final = frozenset(
    {"geo", "geoip", "geolocation", "geographical", "geographic", "geography"}
)
# Words before `by` that make a query clause, not an actor.
_CLAUSE_WORDS: Final = frozenset(
    {"group", "order", "sort", "partition", "split", "filter", "cluster", "distribute", "rank"}
)
_NAME_PARTS: Final = frozenset({"first", "last", "given", "family", "middle", "sur", "maiden"})
# Parts of a name object: name.family, name.given[0] (HL7 FHIR's HumanName), name.first.
_HUMAN_NAME_PARTS: Final = _NAME_PARTS | {"surname", "forename", "firstname", "lastname"}
_ADDRESS_PARTS: Final[Mapping[str, str]] = {
    "line": "STREET_ADDRESS",
    "street": "STREET_ADDRESS",
    "number": "STREET_ADDRESS",
    "house": "STREET_ADDRESS",
    "building": "STREET_ADDRESS",
    "unit": "STREET_ADDRESS",
    "state": "LOCATION",
    "province": "LOCATION",
    "county": "LOCATION",
    "country": "LOCATION",
    "region": "LOCATION",
    "district": "LOCATION",
    "locality": "LOCATION",
    "suburb": "LOCATION",
    "neighborhood": "LOCATION",
    "code": "ZIP_CODE",
    "postcode": "ZIP_CODE",
    "full": "STREET_ADDRESS",
    "formatted": "STREET_ADDRESS",
    "raw": "STREET_ADDRESS",
}


def _build_tails() -> dict[str, KeyHint]:
    tails: dict[str, KeyHint] = {}
    for word in _NON_PII_WORDS:
        tails[word] = NON_PII
    for word in _EVENT_TIME_WORDS:
        tails[word] = EVENT_TIME
    for word in _FREE_TEXT_WORDS:
        tails[word] = FREE_TEXT
    for entity, words in _PII_SUGGESTS.items():
        for word in words:
            tails[word] = _pii(entity, decides=False)
    for entity, words in _PII_DECIDES.items():
        for word in words:
            tails[word] = _pii(entity)
    # `<thing>number`, `<thing>no`, `<thing>num`: the number of a PII thing is that thing
    for base, entity in (
        ("phone", "PHONE_NUMBER"),
        ("telephone", "PHONE_NUMBER"),
        ("mobile", "PHONE_NUMBER"),
        ("cell", "PHONE_NUMBER"),
        ("fax", "PHONE_NUMBER"),
        ("tel", "PHONE_NUMBER"),
        ("contact", "PHONE_NUMBER"),
        ("card", "CREDIT_CARD"),
        ("creditcard", "CREDIT_CARD"),
        ("debitcard", "CREDIT_CARD"),
        ("account", "US_BANK_NUMBER"),
        ("bankaccount", "US_BANK_NUMBER"),
        ("acct", "US_BANK_NUMBER"),
        ("routing", "ROUTING_NUMBER"),
        ("passport", "PASSPORT"),
        ("license", "DRIVER_LICENSE"),
        ("licence", "DRIVER_LICENSE"),
        ("driverslicense", "DRIVER_LICENSE"),
        ("driverlicense", "DRIVER_LICENSE"),
        ("socialsecurity", "US_SSN"),
        ("ss", "US_SSN"),
        ("ssn", "US_SSN"),
        ("tax", "TAX_ID"),
        ("vat", "TAX_ID"),
        ("id", "GOVERNMENT_ID"),
        ("identity", "GOVERNMENT_ID"),
        ("aadhaar", "GOVERNMENT_ID"),
        ("nhs", "GOVERNMENT_ID"),  # a UK patient's NHS number
        ("medicare", "GOVERNMENT_ID"),
        ("socialinsurance", "GOVERNMENT_ID"),
        ("nationalinsurance", "UK_NINO"),
        ("iban", "IBAN_CODE"),
        ("house", "STREET_ADDRESS"),
        ("building", "STREET_ADDRESS"),
        ("street", "STREET_ADDRESS"),
        ("apartment", "STREET_ADDRESS"),
        ("apt", "STREET_ADDRESS"),
        ("flat", "STREET_ADDRESS"),
        ("suite", "STREET_ADDRESS"),
        ("sms", "PHONE_NUMBER"),
        ("whatsapp", "PHONE_NUMBER"),
    ):
        for suffix in ("number", "no", "num", "nr", "nbr"):
            tails[base + suffix] = _pii(entity)
    return tails


_TAILS: Final = _build_tails()


# Heads read by the word before them, plural too (phone_numbers, first_names).
_PLURAL_HEADS: Final = frozenset({"number", "name"})


def _known(word: str) -> str:
    """``word``, or its singular when only that is in the vocabulary (emails, addresses)."""
    if word in _TAILS or not word.endswith("s") or len(word) < 4:
        return word
    for singular in (word[:-3] + "y", word[:-2], word[:-1]):
        if singular in _TAILS or singular in _NAMED_THINGS or singular in _PLURAL_HEADS:
            return singular
    return word


def _modified_head(words: tuple[str, ...], parent: tuple[str, ...]) -> KeyHint | None:
    """Heads whose meaning depends on the word before (or, bare, on the parent segment)."""
    head = words[-1]
    before = words[-2] if len(words) > 1 else None
    owner = before if before is not None else (parent[-1] if parent else None)
    if head in _NAME_HEADS:
        if owner is None:
            return _pii("PERSON", decides=False)
        if before is not None:
            place = _TAILS.get(_known(before))
            if place is not None and place.entity_type == "LOCATION" and place.decides:
                return place  # city_name, town_name: the place's name
        if owner in _USERNAME_QUALIFIERS:
            if len(words) > 2 and words[-3] in _MACHINE_ACCOUNTS:
                return NON_PII  # serviceAccountName: a workload's identity, no person's
            return _pii("USERNAME")
        if owner in _NAMED_THINGS:
            return NON_PII
        if owner in _PERSON_ROLES:
            return _pii("PERSON")
        if _TAILS.get(_known(owner), UNKNOWN).kind in ("non_pii", "event_time"):
            return NON_PII  # service_name, event.name, host_name
        return _pii("PERSON", decides=False)  # worker.name, file_name: detection decides
    if head == "login" and (
        (before is None and parent and parent[-1] in _PERSON_ROLES) or before in _LOGIN_OWNERS
    ):
        # user.login, sender.login, user_login: the account's login name (first_login,
        # last_login are times)
        return _pii("USERNAME")
    if head in _ID_HEADS:
        if before is None:
            return None  # the bare word's own entry
        if before in _ID_PII:
            return _pii(_ID_PII[before])
        if before in _PERSON_ROLES:
            return UNKNOWN  # user_id: an id of a person, not declared harmless
        return NON_PII if head in {"id", "uuid", "guid", "key", "ref"} else UNKNOWN
    if head in _ADDRESS_HEADS:
        if owner is None:
            return _pii("STREET_ADDRESS")
        if owner in _ADDRESS_OF:
            return _pii(_ADDRESS_OF[owner])
        if owner in _ADDRESS_NOT_PII:
            return UNKNOWN
        if before is None and owner not in _ADDRESS_PARENTS and owner not in _PERSON_ROLES:
            return _pii("STREET_ADDRESS", decides=False)  # server.address? let detection say
        return _pii("STREET_ADDRESS")
    if head in _TIME_HEADS:
        if before is None:
            return None
        if before in _PERSONAL_DATES or "birth" in words:
            return _pii("DATE_TIME")
        if head in _CALENDAR_HEADS and (
            any(w in _PEOPLE for w in words[:-2]) or (parent and parent[-1] in _PEOPLE)
        ):
            # employee.start_date, member.end_date: a date of a person's record (written
            # as a calendar date it is the person's; with a time of day an event time)
            return _pii("DATE_TIME", decides=False)
        return EVENT_TIME
    return None


# A lone generic child takes its meaning from a PII parent: phone.number, email.value.
_GENERIC_CHILDREN: Final = frozenset(
    {"number", "no", "num", "nr", "value", "val", "raw", "full", "formatted", "e164", "digits"}
)
# Keys of the name a record is shown by, under a parent that is a thing.
_THING_NAME_HEADS: Final = frozenset({"nickname", "display", "displayname", "friendlyname"})
# Heads that may follow a word this vocabulary does not know, in a flat key (sessionid).
_OPEN_HEADS: Final = frozenset(
    {
        "id",
        "name",
        "email",
        "phone",
        "number",
        "address",
        "zip",
        "zipcode",
        "count",
        "ms",
        "total",
        "iban",
        "ssn",
    }
)


def _known_words() -> frozenset[str]:
    words = {w for w in _TAILS if len(w) >= 2}
    for group in (
        _PERSON_ROLES,
        _USERNAME_QUALIFIERS,
        _NAMED_THINGS,
        _ID_PII,
        _ADDRESS_OF,
        _ADDRESS_NOT_PII,
        _PERSONAL_DATES,
        _ADDRESS_PARENTS,
        _QUALIFIERS,
        _EVENT_PARTICIPLES,
    ):
        words.update(group)
    return frozenset(words)


_KNOWN_WORDS: Final = _known_words()


def _split_flat(word: str) -> tuple[str, ...]:
    """A key written without separators (billingzip, useremail, sessionid) as two words,
    when the tail is a known word and the head known too (or the tail an open head)."""
    if word in _TAILS or len(word) < 5:
        return (word,)
    for cut in range(1, len(word) - 1):  # the longest known tail first
        head, tail = word[:cut], _known(word[cut:])
        if len(tail) < 2 or (
            tail not in _TAILS and tail not in _NAME_HEADS | _ID_HEADS | _TIME_HEADS
        ):
            continue
        if head in _KNOWN_WORDS or (tail in _OPEN_HEADS and len(head) >= 3):
            return (head, tail)
    return (word,)


def _place_parent(parent: tuple[str, ...]) -> bool:
    """Is the parent an address or a person (whose city, state, first name are PII)?"""
    return (
        parent[-1] in _ADDRESS_PARENTS
        or parent[-1] in _PERSON_ROLES
        or _TAILS.get("".join(parent), UNKNOWN).entity_type == "STREET_ADDRESS"
    )


# Words of an address written before a part of it in one key (MailingState,
# addressRegion, home_county): the part is the address's. A billing, shipping or delivery
# state is also an invoice's or a parcel's status: there the key only suggests a place.
_ADDRESS_PREFIXES: Final = frozenset(
    {"address", "addr", "mailing", "postal", "home", "residence", "residential"}
)
_STATUS_PREFIXES: Final = frozenset({"billing", "shipping", "delivery", "shipto", "billto"})
_PREFIXED_PARTS: Final = frozenset(
    {"line", "state", "province", "county", "region", "district", "locality", "suburb"}
)
_STATUS_PARTS: Final = frozenset({"state", "region"})  # also a status, a cloud region
# A region's name is the region (state_name "Texas"); its code is coarse, like a country
# code (province_code "BC" stays as it is).
_PART_SPELLINGS: Final = frozenset({"name", "code"})  # address.state_name, state_code


def _place_part(words: tuple[str, ...], parent: tuple[str, ...]) -> KeyHint | None:
    """A part of an address written in more than one word: a region's name under an
    address (address.state_name, location.county_name), or a part after an address word
    (MailingState, billing_state, address_line). A country is too coarse to identify a
    person (country_name stays, as geo.country does)."""
    if len(words) < 2:
        return None
    if words[0] in _ADDRESS_PREFIXES or words[0] in _STATUS_PREFIXES:
        prefix, rest = words[0], words[1:]
    elif parent and (_place_parent(parent) or _GEO_WORDS.intersection(parent)):
        prefix, rest = None, words  # geoip.region_name too
    else:
        return None
    if len(rest) > 1 and rest[-1] in _PART_SPELLINGS:
        rest = rest[:-1]
    if prefix is None:
        # under an address only regions written short or long: a bare `number` or `line`
        # part is read by the single-word rule, `street_name` by the vocabulary
        if rest == words or not all(
            _ADDRESS_PARTS.get(w) == "LOCATION" and w != "country" for w in rest
        ):
            return None
        return _pii("LOCATION")
    if not rest or not all(w in _PREFIXED_PARTS for w in rest):
        return None
    entity = _ADDRESS_PARTS[rest[0]]
    ambiguous = prefix in _STATUS_PREFIXES and rest[0] in _STATUS_PARTS
    return _pii(entity, decides=not ambiguous)


def _either_hint(words: tuple[str, ...], parent: tuple[str, ...]) -> KeyHint | None:
    """A key that names two things, either or both of which the value is
    (houseNumberOrName, stateOrProvince, emailOrPhone, streetAndNumber): the first half
    that names PII says what it is."""
    joins = [i for i, w in enumerate(words) if w in ("or", "and") and 0 < i < len(words) - 1]
    if not joins:
        return None
    cut = joins[0]
    halves = (_segment_hint(words[:cut], parent), _segment_hint(words[cut + 1 :], parent))
    for half in halves:
        if half.kind == "pii":
            return half
    return None


# Types whose number a child object member holds: phone.national_number (PayPal's
# phone_number.national_number), passport.document_number.
_NUMBERED_TYPES: Final = frozenset({"PHONE_NUMBER", "PASSPORT", "DRIVER_LICENSE"})
_NUMBER_HEADS: Final = frozenset({"number", "no", "num", "nr", "nbr"})


def _number_of_parent(words: tuple[str, ...], parent: tuple[str, ...]) -> KeyHint | None:
    """``<x>_number`` under a parent naming a phone or a travel document is its number
    (a national or an e164 number is a phone's, not a national id)."""
    if len(words) < 2 or words[-1] not in _NUMBER_HEADS or not parent:
        return None
    if _segment_hint(words[:-1], ()) == NON_PII:
        return None  # phone.serial_number, phone.model_number: the handset's
    inherited = _segment_hint(parent, ())
    if inherited.kind == "pii" and inherited.decides and inherited.entity_type in _NUMBERED_TYPES:
        return inherited
    return None


# The ends of a text or a call, and the parents that make them phone numbers.
_CALL_ENDS: Final = frozenset({"to", "from", "caller", "callee", "called"})
_TELEPHONY: Final = frozenset({"sms", "mms", "call", "voice", "whatsapp", "telephony", "fax"})


# Sites of an organisation or of infrastructure: the city, street or postcode of a data
# centre, a CDN's edge, a store or a warehouse is where a business is, no person's.
_SITE_PARENTS: Final = frozenset(
    {
        "datacenter",
        "datacentre",
        "dc",
        "region",
        "zone",
        "cluster",
        "server",
        "host",
        "node",
        "pop",
        "edge",
        "cdn",
        "store",
        "shop",
        "warehouse",
        "facility",
        "depot",
        "hub",
        "plant",
        "merchant",
        "company",
        "organization",
        "organisation",
        "org",
        "office",
        "branch",
        "airport",
        "business",
        "supplier",
        "vendor",
        # venues and public places: where an event is held, a service is given or a
        # vehicle stops (a venue's, a clinic's, a school's, a station's city)
        "venue",
        "arena",
        "stadium",
        "restaurant",
        "hotel",
        "clinic",
        "hospital",
        "pharmacy",
        "school",
        "campus",
        "library",
        "station",
        "terminal",
        "agency",
        "team",
        "club",
        "charger",
        "chargepoint",
        "carrier",
        "manufacturer",
        "brand",
        "partner",
        "institution",
        "bank",
    }
)
PLACE_TYPES: Final = frozenset({"LOCATION", "STREET_ADDRESS", "ZIP_CODE"})
_PLACE_TYPES: Final = PLACE_TYPES
_ORGANISATIONS: Final = frozenset(
    {"organization", "organisation", "org", "enterprise", "company", "corporation", "group"}
)
# Ancestors that make a place part a person's (nearer than a site, they win:
# store.customers[0].address.city is a customer's city): people and their addresses.
_PERSONAL_PLACE_WORDS: Final = frozenset(
    {"home", "residence", "residential", "mailing", "personal", "private"}
)


def _names_site(words: tuple[str, ...]) -> bool:
    return bool(words) and (words[-1] in _SITE_PARENTS or "".join(words) in _SITE_PARENTS)


def names_site_kind(kind: str) -> bool:
    """A ``type`` value that names a site or an organisation (``"objectType": "company"``,
    ``"kind": "Venue"``): the object's places are no person's."""
    folded = re.sub(r"[\s_\-]", "", kind).casefold()
    return folded in _SITE_PARENTS or folded in _ORGANISATIONS


def names_person_key(key: str) -> bool:
    """A key naming a person or a person's address (``customer``, ``owners``,
    ``home_address``): below it, places are a person's again."""
    return _names_person(_parent_words(key_words(key)))


def _names_person(words: tuple[str, ...]) -> bool:
    return any(
        w in _PERSON_ROLES or w in _PERSONAL_PLACE_WORDS or _person_singular(w) is not None
        for w in words
    )


def site_context(
    hint: KeyHint, leaf: tuple[str, ...], ancestors: Sequence[tuple[str, ...]]
) -> KeyHint:
    """A place part whose object belongs to a site, read over the whole key path: the
    nearest ancestor that names a person or a site decides (``store.address.city``,
    ``event.venue.location.city``: a business's place; ``store.customer.address.city``: a
    customer's); a word of a site before the part in the key itself says so too
    (``office_city``, ``venue_zip``, ``warehouse_address``). ``ancestors``: nearest first."""
    if hint.entity_type == "PERSON" and leaf == ("name",):
        # a site's own name (restaurant.name, station.name, agency.name): a thing's
        for words in ancestors[:1]:
            if _names_site(words) and not _names_person(words):
                return NON_PII
        return hint
    if hint.entity_type not in _PLACE_TYPES:
        return hint
    if (
        len(leaf) > 1
        and leaf[0] in _SITE_PARENTS
        and leaf[0] not in _ADDRESS_PARTS
        and not _names_person(leaf)
    ):
        return NON_PII
    for words in ancestors:
        if _names_person(words):
            return hint
        if _names_site(words):
            return NON_PII
        if not _address_container(words):
            # The first object above the address that is not part of it decides: a site,
            # a person, or anything else ("claim.insured.address.city", "team.members[0]
            # .address"), which may be a person's the words do not tell; masked (fail
            # closed). A site farther up does not make a nearer object's place its own.
            return hint
    return hint


# Objects that hold an address's parts, not an owner of them: walked through, upwards.
_ADDRESS_CONTAINERS: Final = frozenset(
    {"address", "addresses", "addr", "location", "locations", "geo", "place", "postal", "position"}
)


def _address_container(words: tuple[str, ...]) -> bool:
    return not words or words[-1] in _ADDRESS_CONTAINERS or words[-1] in _ADDRESS_PARTS


def _site_part(hint: KeyHint, parent: tuple[str, ...]) -> KeyHint:
    """A place part read under a site (datacenter.city, store.address): no person's place."""
    if (
        hint.entity_type in _PLACE_TYPES
        and parent
        and (parent[-1] in _SITE_PARENTS or "".join(parent) in _SITE_PARENTS)
    ):
        return NON_PII
    return hint


def _thing_name(words: tuple[str, ...], parent: tuple[str, ...]) -> bool:
    """A styled name of a thing: app_display_name, repository.full_name."""
    if len(words) < 2 or words[-1] not in _NAME_HEADS or words[-2] not in _NAME_STYLES:
        return False
    thing = words[-3] if len(words) > 2 else (parent[-1] if parent else None)
    return thing in _NAMED_THINGS


def _segment_hint(words: tuple[str, ...], parent: tuple[str, ...]) -> KeyHint:
    return _site_part(_word_hint(words, parent), parent)


def _word_hint(words: tuple[str, ...], parent: tuple[str, ...]) -> KeyHint:
    if not words:
        return UNKNOWN
    if len(words) == 1:
        words = _split_flat(words[0])
    if len(words) == 1 and words[0] in _GENERIC_CHILDREN and parent:
        inherited = _segment_hint(parent, ())
        if inherited.kind == "pii":
            return inherited
    if len(words) == 1 and words[0] in _TIME_HEADS and parent:
        inherited = _segment_hint(parent, ())
        if inherited.entity_type == "DATE_TIME":
            return inherited  # birthday.date, dob.value: the date of birth itself
    if parent and "".join(words) in _THING_NAME_HEADS and _segment_hint(parent, ()) == NON_PII:
        # plan.nickname, device.displayName, serviceProvider.display (FHIR's reference
        # text): the name a thing is shown by
        return NON_PII
    while len(words) > 1 and words[-1] in _QUALIFIERS:
        words = words[:-1]
    words = (*words[:-1], _known(words[-1]))
    if _PERCENTILE_RE.fullmatch(words[-1]):
        return NON_PII  # p95, p99: latency percentiles
    if _thing_name(words, parent):
        return NON_PII
    if words[-1] in _EVENT_PARTICIPLES:
        if len(words) > 1 and _TAILS.get(_known(words[-2])) == NON_PII:
            return NON_PII
        return EVENT_TIME
    if len(words) == 1 and parent:
        abbreviated = _PERSON_ABBREVIATIONS.get(words[0])
        if abbreviated is not None and any(w in _PERSON_ROLES for w in parent):
            return _pii(abbreviated)  # user_data.fn, customer.ph: a person's record, abridged
    if len(words) == 1 and parent and _GEO_WORDS.intersection(parent):
        part = _ADDRESS_PARTS.get(words[0])
        if part is not None and part != "STREET_ADDRESS" and words[0] != "country":
            # geographicalContext.state, geo.region: where someone is (a country is too
            # coarse to identify a person: geo.country stays)
            return _pii(part)
    if len(words) == 1 and words[0] in _CALL_ENDS and parent and parent[-1] in _TELEPHONY:
        # sms.to, call.from, voice.caller: the numbers a text or a call goes between
        # (detection decides: a short code or a sender name is no person's number)
        return _pii("PHONE_NUMBER", decides=False)
    for compound in (_either_hint, _number_of_parent, _place_part):
        read = compound(words, parent)
        if read is not None:
            return read
    if len(words) > 1 and words[-1] == "by" and words[-2] not in _CLAUSE_WORDS:
        # approved_by, lastUnlockBy: who did it, a person (or a service: detection
        # decides; a login written as a person's is masked by the JSON masker); group_by,
        # sort_by are query clauses
        return _pii("PERSON", decides=False)
    if len(words) == 1 and parent and parent[-1] in _NAME_HEADS and words[0] in _HUMAN_NAME_PARTS:
        return _pii("PERSON")  # a name object's parts (FHIR HumanName: name.family, given)
    # a place part under an address-like parent: address.city, billing.line1, shipping.state;
    # a name part under a person: guest.first, passenger.last
    if len(words) == 1 and parent and _place_parent(parent):
        part = _ADDRESS_PARTS.get(words[0])
        if parent[-1] in _PERSON_ROLES and words[0] in _NAME_PARTS:
            part = "PERSON"
        if part is not None:
            return _pii(part)
    # the longest known tail
    for start in range(len(words)):
        tail = "".join(words[start:])
        if start == len(words) - 1:
            special = _modified_head(words, parent)
            if special is not None:
                return special
        hint = _TAILS.get(tail)
        if hint is not None:
            return hint
    # an unknown head (phone_primary, ssn_last4): an earlier word naming PII suggests it
    for end in range(len(words) - 1, 0, -1):
        for start in range(end):
            hint = _TAILS.get("".join(words[start:end]))
            if hint is not None and hint.kind == "pii":
                return _pii(hint.entity_type or "", decides=False)
    return UNKNOWN


def key_hint(key: str) -> KeyHint:
    """What ``key`` says about its value: one key, or a dotted / JSON path (the last named
    segment is read, with its parent as context: ``user.name``, ``address.city``)."""
    segments = path_segments(key)
    if not segments:
        return UNKNOWN
    parent = key_words(segments[-2]) if len(segments) > 1 else ()
    return _segment_hint(key_words(segments[-1]), _parent_words(parent))


def path_hint(path: Sequence[str | int]) -> KeyHint:
    """:func:`key_hint` for a JSON path given as its keys (array indexes are skipped, so
    ``phones[0]`` reads as ``phones``)."""
    named = [k for k in path if isinstance(k, str) and k]
    if not named:
        return UNKNOWN
    # a parent that is data (an e-mail address as a key) says nothing about its members,
    # nor does a document's wrapper (Elasticsearch's _source): its members are a document's
    parent = (
        key_words(named[-2])
        if len(named) > 1
        and _FIELD_NAME_RE.match(named[-2])
        and named[-2].casefold() not in _DOCUMENT_WRAPPERS
        else ()
    )
    hint = _segment_hint(key_words(named[-1]), _parent_words(parent))
    if hint.entity_type in _PLACE_TYPES or hint.entity_type == "PERSON":
        ancestors = [
            _parent_words(key_words(k))
            for k in reversed(named[:-1])
            if _FIELD_NAME_RE.match(k) and k.casefold() not in _DOCUMENT_WRAPPERS
        ]
        hint = site_context(hint, _parent_words(key_words(named[-1])), ancestors)
    return hint


# Members that hold a whole document (Elasticsearch's _source, _doc): no parent of meaning.
_DOCUMENT_WRAPPERS: Final = frozenset({"_source", "_doc", "_document"})


# Words that wrap a record without saying whose it is: billing_details, customer_info,
# user_properties, payer_data are the billing's, the customer's, the user's, the payer's.
# Only after a person or an address: a thing's data may be a person's (Firebase's
# providerData lists the user's profiles at each sign-in provider).
_WRAPPER_WORDS: Final = frozenset(
    {
        "detail",
        "details",
        "info",
        "information",
        "data",
        "record",
        "properties",
        "property",
        "props",
        "attributes",
        "attribute",
        "attrs",
        "traits",
        "fields",
        "object",
        "obj",
    }
)


def _parent_words(words: tuple[str, ...]) -> tuple[str, ...]:
    """A parent key's words as context: singular, a flat key split (mailingaddress), a
    wrapper word dropped after the word it wraps (billing_details as billing)."""
    if len(words) == 1 and _person_singular(words[0]) is None:
        words = _split_flat(words[0])  # not "claims" as "clai" + "ms"
    while (
        len(words) > 1
        and words[-1] in _WRAPPER_WORDS
        and (words[-2] in _PERSON_ROLES or words[-2] in _ADDRESS_PARENTS)
    ):
        words = words[:-1]
    return tuple(_person_singular(w) or _known(w) for w in words)


# Plural parents that hold people (``users`` alone, as a leaf, counts them); not
# ``drivers``, ``workers``, ``agents`` or ``children``: lists of programs and tree nodes too.
_PEOPLE_LISTS: Final = frozenset(
    {
        "users",
        "members",
        "participants",
        "attendees",
        "guests",
        "passengers",
        "employees",
        "patients",
        "contacts",
        "recipients",
        "authors",
        "assignees",
        "owners",
        "subscribers",
        "students",
        "travelers",
        "travellers",
        "applicants",
        "beneficiaries",
    }
)


def _person_singular(word: str) -> str | None:
    """A plural parent of people as its person (``users[].name`` is a user's name); an
    identity token's ``claims`` are its subject's (OpenID Connect's ``claims.name``)."""
    if word in _PEOPLE_LISTS:
        return "beneficiary" if word == "beneficiaries" else word[:-1]
    if word == "claims":
        return "user"
    return None


# Accounts no person holds, shared by JSON fields and log lines: the operating system's and
# the database's own, placeholders, and those named for the software that uses them (a
# dashboard posting as "grafana", a CI server as "jenkins", a monitor as "nagios").
SYSTEM_ACCOUNTS: Final = frozenset(
    {
        "root", "admin", "administrator", "guest", "nobody", "daemon", "system", "service",
        "anonymous", "www-data", "postgres", "mysql", "redis", "git", "ubuntu", "ec2-user",
        "deploy", "jenkins", "runner", "public", "default", "shared", "unknown", "invalid",
        "test", "user", "null", "none", "cron", "automation", "scheduler", "localsystem",
        "networkservice", "grafana", "prometheus", "alertmanager", "nagios", "zabbix",
        "icinga", "sentry", "gitlab", "github", "bitbucket", "gitea", "dependabot",
        "renovate", "jira", "confluence", "kibana", "logstash", "elastic", "nginx",
        "apache", "httpd", "tomcat", "nexus", "sonarqube", "artifactory", "ansible",
        "terraform", "puppet", "kubelet", "systemd", "postfix", "dovecot", "mailer-daemon",
        "postmaster", "pagerduty", "opsgenie", "datadog", "splunk", "newrelic",
        "healthcheck", "monitoring", "backup", "webhook", "integration", "noreply",
        # accounts named for a job: a reporting, an ETL, a replication user of a database
        "reporting", "analytics", "readonly", "readwrite", "replication", "replicator",
        "etl", "ingest", "batch", "metrics", "exporter", "migrations", "migrator", "dba",
        "superset", "metabase", "looker", "tableau", "airflow", "dbt", "couchdb", "rabbit",
        "rabbitmq", "ejabberd", "emqx",
        # the default accounts of operating system images (Raspberry Pi OS, cloud images)
        "pi", "vagrant", "centos", "debian", "fedora", "opc", "azureuser", "cloud-user",
    }
)  # fmt: skip


# Accounts named for the software that runs them: a service, robot or pipeline prefix or
# suffix ("svc-ledger", "jenkins-svc", "deploy-bot", "renovate[bot]"). Shared by JSON fields
# and log lines: no person's login, however the key names it.
SERVICE_ACCOUNT_RE: Final = re.compile(
    r"(?:svc|srv|sa|bot|robot|service|ci|cicd)[-_.][\w.-]+"
    r"|[\w.-]+[-_.](?:svc|srv|bot|robot|service|automation|deployer|publisher|builder)"
    r"|\S+\[bot\]",
    re.IGNORECASE,
)


_FIELD_NAME_RE: Final = re.compile(r"^[@$_]*[A-Za-z][A-Za-z0-9]*(?:[_\-][A-Za-z0-9]+)*_*$")
