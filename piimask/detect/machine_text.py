"""Machine text (log lines, ``key=value`` events): mask the people, not the numbers.

The model and the NER pipeline learned from prose and forms, where a five-digit number
near a capitalised word is a ZIP code and ``883 Hillside`` a street. In a log line most
tokens are counters, ids, hosts, ports and timestamps, and those guesses are wrong. This
step runs after the merge, on the final spans of one text:

1. Key context (:mod:`piimask.detect.keyvalue`, :func:`~piimask.detect.field_names.key_hint`):
   a guess inside a key is dropped (``node=``, ``"logger":``); under a ``non_pii`` key only
   a validated structured identifier stays (an e-mail under ``order=`` is still masked);
   under an ``event_time`` key a date is an ``EVENT_TIME`` and an epoch value becomes one;
   under a ``pii`` key the whole value is masked as that type (``user=jane.doe``,
   ``email=...``); under an unknown key a guess on a machine-shaped value (a number with
   or without a unit, a hex id, a UUID, a host, a version) is dropped.
2. Machine-shaped guesses: a name, place or address guess holding ``=``, brackets, quotes
   or ``host:port``; an id-type guess on a UUID, a hex digest or a number with no id word
   before it; a phone guess with too few digits; a log level called a name ("TRACE").
   On a line that reads as machine output (a ``key=value``, an event timestamp, an IP, a
   ``pid[123]``, ``port 22``): a lower-case or one-code name or place guess that only one
   detector made ("cron", "kernel", "GC"), and a phone guess not written as a phone number.
   Validated matches that are protocol fields: the status and size of a common-log-format
   request; a URL to an internal host (``http://ledger-db:9200/api``, ``*.internal``) that
   holds no user info, query, or capital letter.
3. The user field of a common-log-format line ("192.0.2.44 - frank [03/Nov/...") is a
   ``USERNAME``, and so, on a machine line, is a login where such output writes one
   (``for user "jdoe"``, ``Accepted publickey for jdoe from``, cron's ``(jdoe) CMD``,
   sudo's ``jdoe : TTY=``, ``/home/jdoe/``), system accounts (``root``, ``postgres``) aside.
4. Address parts need address context (:func:`piimask.detect.address.gate_address_guesses`).

Validated pattern spans (checksums, context-gated recognizers) are never dropped by the
shape rules: only by a ``non_pii`` key, and structured identifiers not even there.
"""

from __future__ import annotations

import bisect
import ipaddress
import re
from collections.abc import Callable, Sequence
from itertools import pairwise

from piimask.detect.address import gate_address_guesses, line_bounds
from piimask.detect.field_names import SERVICE_ACCOUNT_RE, SYSTEM_ACCOUNTS, KeyHint, key_hint
from piimask.detect.keyvalue import Fragment, find_fragments
from piimask.detect.logins import login_shaped
from piimask.detect.merge import remove_overlaps
from piimask.detect.patterns._base import has_context
from piimask.detect.patterns.dates import CONTEXT as BIRTH_CONTEXT
from piimask.detect.patterns.dates import PERSONAL_CONTEXT
from piimask.detect.patterns.phone import phone_context
from piimask.detect.span_shapes import drop_misshapen
from piimask.detect.value_shapes import ID_CONTEXT as _ID_CONTEXT
from piimask.detect.value_shapes import fits_type
from piimask.spans import Span

KeyHints = Callable[[str], KeyHint]

EVENT_TIME = "EVENT_TIME"
KEY_DETECTOR = "context:KEY"
# Identifiers whose validation (checksum, structure) outweighs what a key says.
STRUCTURED_TYPES = frozenset(
    {
        "EMAIL_ADDRESS",
        "IP_ADDRESS",
        "CREDIT_CARD",
        "IBAN_CODE",
        "US_SSN",
        "US_ITIN",
        "UK_NINO",
        "CRYPTO",
        "MAC_ADDRESS",
    }
)
_ID_TYPES = frozenset(
    {
        "DRIVER_LICENSE",
        "GOVERNMENT_ID",
        "TAX_ID",
        "PASSPORT",
        "US_BANK_NUMBER",
        "ROUTING_NUMBER",
        "CREDIT_CARD",
        "US_SSN",
    }
)
_NAME_PLACE_TYPES = frozenset({"PERSON", "LOCATION", "STREET_ADDRESS", "ZIP_CODE"})
_DATE_TYPES = frozenset({"DATE_TIME", EVENT_TIME})
# Values that stand for "nothing": masking them hides nothing.
_PLACEHOLDERS = frozenset(
    {"-", "--", "null", "none", "nil", "n/a", "na", "unknown", "undefined", "true", "false", "?"}
)
# The outcome of an action, which keys named for the action hold ("ConsoleLogin": "Failure"):
# no login, no name.
_OUTCOMES = frozenset(
    {"success", "succeeded", "successful", "failure", "failed", "fail", "ok", "error", "denied",
     "allowed", "accepted", "rejected", "yes", "no", "pass", "passed", "pending", "timeout"}
)  # fmt: skip
_LOG_LEVELS = frozenset(
    {
        "TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "WARNING", "ERROR", "ERR", "CRIT",
        "CRITICAL", "ALERT", "EMERG", "FATAL", "SEVERE", "VERBOSE", "FINE", "FINER", "FINEST",
    }
)  # fmt: skip
_LEADING_LEVEL = re.compile(r"(?P<level>[A-Z]{3,8})[ \t]+")

# Machine shapes of one value or token.
_NUMBER = re.compile(
    r"[+-]?[0-9][0-9_,]*(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?"
    r"(?:%|[a-z]{1,3}|[KMGTP]i?B|[kKMG])?",
    re.IGNORECASE,
)
# A hash or hex id: hex digits with at least one letter and one digit.
_HEX = re.compile(
    r"(?:0x)?(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{8,}"
    r"|(?=[0-9A-F]*[A-F])(?=[0-9A-F]*[0-9])[0-9A-F]{12,}"
)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_VERSION = re.compile(r"v?[0-9]+(?:\.[0-9]+){1,3}(?:[-+][\w.]+)?")
# A host: labels with a digit or a hyphen ("cache-9", "web-29.internal"), or dotted names,
# with an optional port.
_HOST = re.compile(
    r"(?=[\w.-]*[0-9-])[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*(?::[0-9]{1,5})?|"
    r"[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)+(?::[0-9]{1,5})?"
)
_PATH = re.compile(r"(?:[\w.-]*/)+[\w.-]*")
# Tokens of code and configuration: dotted names ("payments.service"), identifiers with a
# digit or an underscore ("x86_64"), camel-case class names ("GatewayDb").
_DOTTED = re.compile(r"[a-z0-9_-]{2,}(?:\.[a-z0-9_-]+)*\.[a-z0-9_-]{2,}")
_IDENT = re.compile(r"_*[A-Za-z][A-Za-z0-9]*_\w+")  # "_SYSSMU14_3890175572" too
_CAMEL = re.compile(
    r"[A-Z][a-z]{3,}(?:[A-Z][a-z0-9]*)+|[A-Z]\w*(?:Error|Exception|Warning|Fault|Exit)"
)
# The end of a log line's header: what precedes the first word of its message, also the
# opening quote of a structured line's message field ('"msg":"Tomcat started').
_MESSAGE_START = re.compile(
    r"(?:^|\n|[\]:>)] |\||\s-\s|\b(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|FATAL|LOG)\b:?"
    r"|\b(?:msg|message)[\"']?[ \t]*[=:][ \t]*[\"'])\s*$"
)
_URL_GUESS = re.compile(r"://|\bwww\.|[A-Za-z0-9-]\.[A-Za-z]{2,}\b", re.IGNORECASE)
_DOTTED_NAME = re.compile(r"[\w-]+(?:\.[\w-]+)+(?::[0-9]+)?")
_TOKEN_PUNCTUATION = "()[]{}\"',;:"  # noqa: S105 - characters, not a secret
# Inside a name, place or address guess: characters no name or address holds.
_MACHINE_MARKS = re.compile(r"[=\[\]{}<>|\\]|://|[A-Za-z0-9]:[0-9]|HTTP/|\w+\(|[0-9]#[0-9]|\*[0-9]")


def machine_shaped(value: str) -> bool:
    """A counter, size, duration, id, hash, UUID, version, host or path: not a person."""
    value = value.strip()
    return any(regex.fullmatch(value) for regex in (_NUMBER, _HEX, _UUID, _VERSION, _HOST, _PATH))


def machine_token(word: str, *, numbers: bool = True, code: bool = True) -> bool:
    """A token no name or place is written as: a number (unless not ``numbers``: a house
    number sits in a place name), a hex id, a version, a dotted name, a host with a digit.

    ``code`` (machine output) adds what prose also uses for names and handles: class
    names ("GatewayDb"; "SharonDClarke" in a tweet), identifiers with an underscore
    ("x86_64"; "Marisha_D"), hyphenated lower-case words ("billing-consumer"; "le-mou").
    """
    word = word.strip(_TOKEN_PUNCTUATION).rstrip(".")
    if not word:
        return False
    if _DOTTED.fullmatch(word):
        return True
    if code and (_IDENT.fullmatch(word) or _CAMEL.fullmatch(word)):
        return True
    if _NUMBER.fullmatch(word):
        return numbers
    if not machine_shaped(word):
        return False
    return any(c.isdigit() for c in word) or (code and "-" in word)


def _guess(span: Span) -> bool:
    """A statistical or rule guess, not a validated pattern match nor a key's word."""
    return not span.detector.startswith(("pattern:", "context:"))


def _innermost(fragments: Sequence[Fragment], start: int, end: int) -> Fragment | None:
    best: Fragment | None = None
    for fragment in fragments:
        if fragment.holds(start, end) and (
            best is None
            or fragment.value_end - fragment.value_start < best.value_end - best.value_start
        ):
            best = fragment
    return best


def _in_key(text: str, fragments: Sequence[Fragment], span: Span, hints: KeyHints) -> bool:
    """Whether the span lies in a key that is a key and not PII itself.

    A key in the vocabulary ("@timestamp", "email") is a word, never PII. An unknown key
    drops guesses and @handle matches (Serilog's "@t", "@mt" name fields, no one), and in
    the "key: value" form neither: that form also reads prose ("Dear John: ..."). Other
    pattern matches in an unknown key stay ("jane@x.org": 1, a map keyed by phone numbers).
    """
    for fragment in fragments:
        if fragment.in_key(span.start, span.end):
            if hints(fragment.key(text)).kind != "unknown":
                return True
            handle = span.entity_type == "USERNAME" and span.detector == "pattern:USERNAME"
            return (_guess(span) or handle) and fragment.form != "colon"
    return False


def _trim_key(fragments: Sequence[Fragment], span: Span) -> Span:
    """A span that starts in a key and ends in its value ("email=jane@...") loses the key;
    one that runs from a bare value on into the next key ("jane@example.org queue" of
    "contact=jane@example.org queue_depth=3") ends with the value."""
    for fragment in fragments:
        if fragment.key_start <= span.start <= fragment.key_end < fragment.value_start < span.end:
            span = Span(fragment.value_start, span.end, span.entity_type, span.score, span.detector)
            break
    for fragment in fragments:
        if (
            fragment.form != "colon"
            and fragment.value_start <= span.start < fragment.value_end < span.end
            and any(f.key_start < span.end <= f.key_end + 1 for f in fragments)
        ):
            return Span(span.start, fragment.value_end, span.entity_type, span.score, span.detector)
    return span


def _cut_keys(text: str, fragments: Sequence[Fragment], span: Span) -> list[Span]:
    """A guess that runs over a key ("offset=923 " called a name) loses the key and its
    separator: what is left on either side is judged on its own."""
    pieces = [(span.start, span.end)]
    for fragment in fragments:
        lo, hi = fragment.key_start, fragment.value_start
        cut: list[tuple[int, int]] = []
        for start, end in pieces:
            if hi <= start or end <= lo or (lo <= start and end <= fragment.key_end):
                cut.append((start, end))  # apart, or wholly inside the key (judged there)
                continue
            cut += [(start, min(end, lo)), (max(start, hi), end)]
        pieces = cut
    out = []
    for start, end in pieces:
        while start < end and not text[start].isalnum():
            start += 1
        while end > start and not text[end - 1].isalnum():
            end -= 1
        if start < end:
            out.append(Span(start, end, span.entity_type, span.score, span.detector))
    return out


# The host of a URL written as an IP literal ("http://10.244.3.19:9102/metrics").
_URL_IP_HOST = re.compile(
    r"[a-z][a-z0-9+.-]*://(?:[^@/\s]*@)?\[?(?P<ip>[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:]+)\]?"
)


def _url_ip(text: str, span: Span) -> Span | None:
    """The IP address a URL match is addressed to, as its own span: under a key that keeps
    only structured identifiers ("target=http://10.244.3.19:9102/metrics"), it still is one."""
    match = _URL_IP_HOST.match(text, span.start, span.end)
    if span.entity_type != "URL" or match is None:
        return None
    try:
        ipaddress.ip_address(match.group("ip"))
    except ValueError:
        return None
    start, end = match.span("ip")
    return Span(start, end, "IP_ADDRESS", span.score, span.detector)


def _under_key(text: str, span: Span, fragment: Fragment, hint: KeyHint) -> Span | None:
    """The span as the key of the value holding it leaves it (None: dropped)."""
    if (
        hint.kind == "pii"
        and hint.entity_type == "USERNAME"
        and span.entity_type == "PERSON"
        and _guess(span)
        and (span.start, span.end) == (fragment.value_start, fragment.value_end)
        and _LOGIN_TOKEN.fullmatch(fragment.value(text))
        and not _system_account(fragment.value(text))
    ):
        # "user": "lbeaumont": a name guess on the whole of a login key's one-token value is
        # that login (a lone lower-case name guess would be dropped on a machine line).
        return Span(span.start, span.end, "USERNAME", span.score, KEY_DETECTOR)
    if hint.kind == "event_time":
        if span.entity_type in _DATE_TYPES:
            return Span(span.start, span.end, EVENT_TIME, span.score, span.detector)
        if _guess(span):
            return None
        return span if span.entity_type in STRUCTURED_TYPES else _url_ip(text, span)
    if hint.kind == "non_pii":
        if _guess(span):
            return None
        return span if span.entity_type in STRUCTURED_TYPES else _url_ip(text, span)
    if hint.kind == "pii":
        if hint.entity_type == "DATE_TIME" and span.entity_type == EVENT_TIME:
            return Span(span.start, span.end, "DATE_TIME", span.score, span.detector)
        if hint.entity_type == "IP_ADDRESS" and span.entity_type == "DOMAIN_NAME":
            # A host name where an address is expected is a server's or a service's name
            # (CloudTrail's "sourceIPAddress": "cloudformation.amazonaws.com"); a person's
            # device is written as its IP address.
            return None
        if (
            _guess(span)
            and hint.entity_type in _NAME_PLACE_TYPES - {"ZIP_CODE"}
            and _CODE_LITERAL.fullmatch(fragment.value(text))
        ):
            return None
        decided = hint.entity_type if hint.decides else None
        if decided == "IP_ADDRESS" and fragment.value(text).isdigit():
            return None  # "ipv4": 990112004: a count under an address-named key
        if decided is not None and not fits_type(decided, fragment.value(text)):
            decided = None  # "card=visa": the key's type cannot be this value
        if decided == "USERNAME" and _guess(span) and _system_account(fragment.value(text)):
            return None  # "override_username": "grafana": a program posting, no one's login
        if decided is not None and decided not in _NAME_PLACE_TYPES and _guess(span):
            # The key says what the value is ("userName": "a.lindgren"): the whole value,
            # as that type, not a guess that later steps may drop as machine-shaped.
            value_start, value_end = fragment.value_start, fragment.value_end
            return Span(value_start, value_end, decided, span.score, KEY_DETECTOR)
        return span
    if hint.kind == "unknown" and (_guess(span) or span.entity_type in {"ZIP_CODE"}):
        value = fragment.value(text)
        if machine_shaped(value) or machine_shaped(text[span.start : span.end]):
            return None
    return span


def _covered(spans: Sequence[Span], start: int, end: int) -> bool:
    mask = bytearray(end - start)
    for s in spans:
        if s.entity_type == EVENT_TIME:  # kept by the default policy: masks nothing
            continue
        lo, hi = max(s.start, start), min(s.end, end)
        if lo < hi:
            mask[lo - start : hi - start] = b"\x01" * (hi - lo)
    return all(mask)


_EPOCH = re.compile(r"1[0-9]{9}(?:[0-9]{3}(?:[0-9]{3})?)?(?:\.[0-9]{1,9})?")


# A hex literal, a hash or a UUID: what no name, place or street is written as.
_CODE_LITERAL = re.compile(rf"0x[0-9a-fA-F]+|{_HEX.pattern}|{_UUID.pattern}")


# A network address: an IP literal or a host with a port (":8080", "[::1]:53", "db-1:5432").
_NETWORK_ADDRESS = re.compile(
    r"(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|\[[0-9a-fA-F:.]+\]|[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}"
    r"|[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*)?(?::[0-9]{1,5})"
    r"|[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}"
)
# A host name with a letter in it (an IP address has none).
_HOST_NAME = re.compile(r"(?=[\w.-]*[A-Za-z])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\.?")


def _value_span(text: str, fragment: Fragment, hint: KeyHint, spans: Sequence[Span]) -> Span | None:
    """A span for the whole value where its key says what it is and detection fell short."""
    start, end = fragment.value_start, fragment.value_end
    if text[start : start + 1] == "[" and text[end : end + 1] == "]":
        start += 1  # "remote_addr=[::1]": the brackets of an IPv6 literal are no part of it
    value = text[start:end]
    if value.strip().lower() in _PLACEHOLDERS | _OUTCOMES:
        return None
    if hint.kind == "event_time":
        if _EPOCH.fullmatch(value) and not any(s.overlaps(Span(start, end, "")) for s in spans):
            return Span(start, end, EVENT_TIME, 0.8, KEY_DETECTOR)
        return None
    if hint.kind != "pii" or hint.entity_type is None:
        return None
    if hint.entity_type == "USERNAME" and _system_account(value.strip("\"'")):
        return None  # "user=admin", "user: jenkins-svc": the system's accounts, no one's
    # A key that decides the type masks its value even where a guess covers it: the guess
    # may still be dropped as machine-shaped ("lindgren" of "userName": "a.lindgren").
    if _covered([s for s in spans if not (hint.decides and _guess(s))], start, end):
        return None
    if hint.entity_type in _NAME_PLACE_TYPES - {"ZIP_CODE"} and (
        _CODE_LITERAL.fullmatch(value) or _NETWORK_ADDRESS.fullmatch(value)
    ):
        return None  # "addr=0x18" (a Go panic), "addr=0.0.0.0:9090": no street
    if hint.entity_type == "IP_ADDRESS" and (_HOST_NAME.fullmatch(value) or value.isdigit()):
        # "sourceIPAddress": "cloudformation.amazonaws.com": a service's name; "ipv4": 990112004
        # (Suricata's stats): a count of packets
        return None
    if not fits_type(hint.entity_type, value):
        return None  # "card=present", "ssn=verified": a flag under the key, no such value
    inside = [s for s in spans if s.start < end and start < s.end and s.entity_type != EVENT_TIME]
    if hint.decides:
        return Span(start, end, hint.entity_type, 0.9, KEY_DETECTOR)
    if inside:  # a partial find under a key that suggests a type: the value is that thing
        best = max(inside, key=len)
        return Span(start, end, best.entity_type, best.score, KEY_DETECTOR)
    # "user=jdoe", "user=jane.doe": a login; "user=deploy-bot-3" (machine-shaped): a service.
    handle = not machine_shaped(value) or "." in value or "_" in value
    if hint.entity_type == "USERNAME" and any(c.isalpha() for c in value) and handle:
        return Span(start, end, "USERNAME", 0.75, KEY_DETECTOR)
    return None


def _machine_fragments(
    text: str, fragments: Sequence[Fragment], spans: Sequence[Span], shape_lines: frozenset[int]
) -> list[Fragment]:
    """The fragments to read. ``key: value`` also reads prose ("United States: (415)...",
    "my domains: microsoft.com"), so that form counts only on a line that reads as machine
    output for another reason, and only with a lower-case key ("client: 203.0.113.7")."""
    strict = [f for f in fragments if f.form != "colon"]
    colon = [f for f in fragments if f.form == "colon" and _colon_key(f.key(text))]
    if not colon:
        return strict
    lines = _Lines(text, spans, strict, shape_lines)
    return strict + [f for f in colon if lines.machine(f.key_start)]


def _colon_key(key: str) -> bool:
    """A ``key: value`` key that reads as a field name: lower-case ("client"), or, as
    machine output writes them, capitalised with an underscore or a known field word
    ("Rows_examined", "Size" of "Memory Size: 1024 MB") or a login ("Username"); "Dear
    John:" is none of these."""
    hint = key_hint(key)
    # "Username: jsmith84": a login is one token, so the bare value is all of it; a name
    # ("Name: Jane Doe") is left to the models, which see all its words.
    login = hint.kind == "pii" and hint.entity_type == "USERNAME"
    camel = _CAMEL_KEY.fullmatch(key) is not None  # "ProcessId", "LogonType": field names
    return (
        key[0].islower() or "_" in key or hint.kind in {"non_pii", "event_time"} or login or camel
    )


def apply_key_context(
    text: str,
    spans: Sequence[Span],
    fragments: Sequence[Fragment],
    hints: KeyHints,
    shape_lines: frozenset[int],
) -> list[Span]:
    """Step 1 of the module docstring."""
    fragments = _machine_fragments(text, fragments, spans, shape_lines)
    if not fragments:
        return list(spans)
    out: list[Span] = []
    for whole in spans:
        if _in_key(text, fragments, whole, hints):
            continue
        pieces = _cut_keys(text, fragments, whole) if _guess(whole) else [whole]
        for piece in pieces:
            if _guess(piece) and _in_key(text, fragments, piece, hints):
                continue
            span = _trim_key(fragments, piece)
            fragment = _innermost(fragments, span.start, span.end)
            kept: Span | None = span
            if fragment is not None:
                kept = _under_key(text, span, fragment, hints(fragment.key(text)))
            if kept is not None:
                out.append(kept)
    added = []
    for fragment in fragments:
        extra = _value_span(text, fragment, hints(fragment.key(text)), out)
        if extra is not None:
            added.append(extra)
    if added or any(s.detector == KEY_DETECTOR for s in out):
        return remove_overlaps([*out, *added])
    return out


_PHONE_SHAPE = re.compile(r"\+?[0-9 ().-]*[0-9]{3,4}[ .-][0-9]{3,4}|\+[1-9][0-9]{7,14}")
# The status and size fields after a request in the common log format ('"GET / HTTP/1.1"
# 200 5123'): numbers of the protocol, not of a person.
_CLF_STATUS = re.compile(r'HTTP/[0-9.]+" (?P<fields>[1-5][0-9]{2} (?:[0-9]+|-))')
# A field name written in CamelCase ("ProcessId", "LogonType"): a key, and a machine line
# where it opens one.
_CAMEL_KEY = re.compile(r"[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+")
# What makes a line machine output: a key=value fragment, an event timestamp, an IP, a pid
# in brackets ("sshd[2211]"), a port number, a log level starting it, a stack frame.
_MACHINE_LINE = re.compile(
    r"\w\[[0-9]+\]|\bport [0-9]{2,5}\b|\w=\S"
    r"|(?m:^)\W{0,2}(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|CRITICAL|FATAL)\b\W"
    # a log level in capitals anywhere ("... 4821 --- [main] INFO c.e.Shop"), or bracketed
    r"|\b(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL)\b"
    r"|\[(?:\w+:)?(?i:trace|debug|info|note|notice|warn|warning|error|crit|alert|emerg)\s*\]"
    # stack traces: a source file, a Java frame, a goroutine header
    r"|\w\.(?:py|java|go|js|ts|rb|kt|scala|cs|cpp|rs|php)\b|(?m:^)\s+at [\w$.<>]+\("
    r"|\bgoroutine [0-9]+ \["
    r"|\b[A-Z]\w*(?:Error|Exception|Fault)\b:"  # an exception line ("TimeoutError: ...")
    r"|(?m:^)\W{0,3}(?:Error|Warning|Caused by)\b:"  # "│ Error: creating IAM Role ..."
    r"|(?m:^)\W{0,3}(?:Error|ERROR|Fatal|FATAL)\b"  # "Error response from daemon: ..."
    # a program's own error line ("docker: Error response from daemon", "git: fatal: ...")
    r"|(?m:^)[a-z][\w-]{1,20}: (?:[Ee]rror|ERROR|[Ww]arning|[Ff]atal|FATAL|panic)\b"
    # an HTTP status with its reason phrase ("npm ERR! 404 Not Found")
    r"|\b[1-5][0-9]{2} (?:OK|Created|Accepted|No Content|Moved Permanently|Found|Not Modified"
    r"|Bad Request|Unauthorized|Forbidden|Not Found|Method Not Allowed|Conflict|Gone"
    r"|Too Many Requests|Internal Server Error|Bad Gateway|Service Unavailable"
    r"|Gateway Timeout)\b"
    # A UUID, a hex literal, a size or duration with its unit, a path under a system
    # directory, a qualified class name ("com.acme.billing.InvoiceService"), a tab between
    # fields (Lambda REPORT, Windows events), "Key: value" fields two spaces apart. None of
    # these occurs in the prose development sets (counted on every shared set).
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|\b0x[0-9a-fA-F]+\b"
    r"|\b[0-9]+(?:\.[0-9]+)? ?(?:ms|µs|ns|msecs|[KMGT]i?B|kB|bytes)\b"
    r"|(?<![\w.])/(?:usr|var|etc|opt|srv|home|tmp|proc|lib|bin|sbin|dev|run|app|build)/"
    r"|\b(?:[a-z]\w*\.){2,}[A-Z]\w+"
    r"|\t"
    r"|\S {2,}[A-Z]\w+(?: \w+)?:[ \t]+\S"
    r"|\bline [0-9]+,? col(?:umn)? [0-9]+\b"  # a parser's position
    r"|(?:\b[A-Z]\w*: \S+.*?){3,}"  # three "Key: value" fields on a line
    r"|(?m:^)(?:Normal|Warning) {2,}[A-Z]\w+ {2,}"  # a Kubernetes event table row
    # a Go module path with its version ("github.com/acme/notify@v0.4.1"), a method frame
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/[\w.-]+)+(?:@v[0-9]|\.\(\*?[A-Z])"
    # a node name: a program at a host with a number and no domain ("celery@worker-4",
    # "rabbit@mq-0"); an e-mail has a dotted domain
    r"|\b[a-z][\w-]*@[a-z][a-z0-9-]*[0-9](?![\w.@-])"
    # a typed id: a short prefix, an underscore, a hex run ("s_4f1a2b3c4d5e", "pi_3f9c2a1b")
    r"|\b[a-z]{1,8}_(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b"
    # a pid and thread in brackets ("unbound[1021:0]"), an epoch timestamp opening the line in
    # brackets (Nagios, unbound: "[1764634999] SERVICE ALERT"), a program's error code
    # opening it ("ORA-01555:", "TNS-12541:")
    r"|\w\[[0-9]+:[0-9]+\]|(?m:^)\[1[0-9]{9}(?:\.[0-9]+)?\]|(?m:^)\W{0,3}[A-Z]{2,5}-[0-9]{4,6}:"
    # a field of a record printed one per line under a CamelCase name ("ProcessGuid: {...}",
    # "ParentImage: C:\\...", "ZxidCount: 12"): no line of the shared prose sets opens so
    rf"|(?m:^)[ \t]*{_CAMEL_KEY.pattern}:[ \t]+\S"
)
_INTERNAL_HOST = re.compile(
    r"[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*?(?:\.(?:internal|local|lan|corp|svc|cluster\.local|localdomain))?"
)


class _Lines:
    """Which lines of one text read as machine output."""

    def __init__(
        self,
        text: str,
        spans: Sequence[Span],
        fragments: Sequence[Fragment],
        shape_lines: frozenset[int],
    ) -> None:
        """``shape_lines``: :func:`machine_line_starts` of ``text``, computed once per text."""
        self.text = text
        # "key: value" is also prose ("his address: 8432 ..."): it marks no machine line.
        marks = [f.key_start for f in fragments if f.form != "colon"]
        self.marked = {self._line(i) for i in marks} | shape_lines
        # Spans that mark a line (an event time, an IP address), by position
        self.span_marks = [s.start for s in spans if s.entity_type in {EVENT_TIME, "IP_ADDRESS"}]
        self.line_starts = self.marked | {self._line(i) for i in self.span_marks}

    def _line(self, position: int) -> int:
        return self.text.rfind("\n", 0, position) + 1

    def machine(self, position: int) -> bool:
        return self._line(position) in self.line_starts

    def shaped(self, position: int) -> bool:
        """Whether the line reads as machine output by its own shape or a ``key=value``, not
        only by a span found on it (a timestamp also heads an e-mail's quoted header)."""
        return self._line(position) in self.marked

    def machine_besides(self, span: Span) -> bool:
        """Whether the line reads as machine output for a reason other than ``span``."""
        line = self._line(span.start)
        return line in self.marked or any(
            i != span.start and self._line(i) == line for i in self.span_marks
        )


# Addresses of the machine itself: loopback and "any" (a listener's bind address). They are
# the same on every machine and name no device on a network, let alone a person.
_LOCAL_ADDRESS = re.compile(
    r"(?:::ffff:)?(?:127(?:\.[0-9]{1,3}){3}|0\.0\.0\.0)|::1?|localhost", re.IGNORECASE
)  # "::ffff:127.0.0.1": loopback written as an IPv4-mapped IPv6 address


def local_address(value: str) -> bool:
    """``127.0.0.1``, ``::1``, ``0.0.0.0``, ``::``, ``localhost`` (brackets aside)."""
    return _LOCAL_ADDRESS.fullmatch(value.strip().removeprefix("[").removesuffix("]")) is not None


# Tokens only machines write: a hash or hex id, a UUID, a path of three parts, a host with a
# digit ("web-29", "pg-replica-2a"), a size or duration with its unit, a release ("1.19.50",
# "v2.3.0-rc1"), a dotted name of three parts ("org.acme.billing"), an IP with its port.
# Prose holds one now and then (a version, a link's path); two on a line it does not: on
# every shared text set, no line without another machine mark holds two (counted token by
# token; a release needs a short first part, so dotted phone numbers, 3-3-4, are none).
_MACHINE_TOKEN = re.compile(
    rf"{_HEX.pattern}|{_UUID.pattern}|(?:[\w.-]+/){{2,}}[\w.-]*"
    r"|[a-z][a-z0-9]*-[a-z0-9-]*[0-9][a-z0-9-]*"
    r"|[0-9]+(?:\.[0-9]+)?(?:ms|µs|ns|KB|MB|GB|kB|KiB|MiB|GiB|%)"
    r"|(?:v[0-9]+|[0-9]{1,2})\.[0-9]+\.[0-9]+(?:[-+][\w.]+)?"
    r"|[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*){2,}"
    r"|[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?::[0-9]+)?"
    # a mainframe's, an ERP's or a PLC's code of capitals and three digits or more
    # ("STC00188", "IEF403I", "JOB04412"): a console message id, a job, a transaction
    r"|[$#@]?[A-Z]{2,}[0-9]{3,}[A-Z0-9]*"
    # a clock time to the fraction of a second ("06:52:40.77"): a recorder's, not a speaker's
    r"|[0-9]{1,2}:[0-9]{2}:[0-9]{2}[.,][0-9]+"
)


def _dense_machine_tokens(line: str) -> bool:
    found = 0
    for token in line.split():
        core = token.strip(_TOKEN_PUNCTUATION + ".")
        if core and _MACHINE_TOKEN.fullmatch(core):
            found += 1
            if found == 2:
                return True
    return False


def machine_line_starts(text: str) -> frozenset[int]:
    """Offsets of the lines of ``text`` whose own shape reads as machine output.

    The shape alone (``_MACHINE_LINE``, or two tokens only machines write), before any
    detector ran: what the model's decoder can ask.
    """
    marked = {text.rfind("\n", 0, m.start()) + 1 for m in _MACHINE_LINE.finditer(text)}
    start = 0
    run: list[int] = []  # the starts of consecutive "Label: value" lines
    for line in text.split("\n"):
        if start not in marked and (_dense_machine_tokens(line) or _COMPACT_STAMP.search(line)):
            marked.add(start)
        if _PADDED_REPORT_LINE.match(line):
            marked.add(start)
        if _REPORT_LINE.match(line):
            run.append(start)
        else:
            if len(run) >= _REPORT_RUN:
                marked.update(run)
            run = []
        start += len(line) + 1
    if len(run) >= _REPORT_RUN:
        marked.update(run)
    return frozenset(marked)


# A date and a clock written as digits only ("20261203 065030": SAP's security audit log,
# mainframe and ERP records); people do not write times so.
_COMPACT_STAMP = re.compile(
    r"(?<![\w.-])(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[ T]?"
    r"(?:[01][0-9]|2[0-3])[0-5][0-9][0-5][0-9](?![\w.-])"
)
# A program's report: four lines or more in a row of "Label: value" with a number or a
# code in the value ("Scanned directories: 412", "Engine version: 1.4.1", a backup job's
# summary). A letter's or a form's header ("From: Jane", "Subject: ...") holds words.
_REPORT_LINE = re.compile(r"[ \t]*[A-Z][A-Za-z0-9 ()/_.-]{0,40}:[ \t]+(?=\S*[0-9])\S")
_REPORT_RUN = 4
# One such line with its value padded into a column ("Files:         412 new", "JobId:
# 4412"): a program aligned it; people do not pad what they write with runs of spaces.
_PADDED_REPORT_LINE = re.compile(
    r"[ \t]*[A-Z][A-Za-z0-9 ()/_.-]{0,40}:(?:[ ]{3,}|\t+)(?=\S*[0-9])\S"
)


def all_line_starts(text: str) -> frozenset[int]:
    """Offsets of every line of ``text``: where the deployment says all of it is machine
    output (``text_kind: machine``)."""
    return frozenset([0, *(m.end() for m in re.finditer("\n", text))])


def free_text_values(
    text: str, fragments: Sequence[Fragment], hints: KeyHints = key_hint
) -> tuple[tuple[int, int], ...]:
    """Offsets of the quoted values of free-text keys (``msg="account locked for ..."``,
    ``"message": "..."``) among the ``fragments`` of ``text``: a message written for people
    inside machine output, where the habits of prose hold (a capitalised word may be a name)
    as they do not in the rest."""
    return tuple(
        (f.value_start, f.value_end)
        for f in fragments
        if text[f.value_start - 1 : f.value_start] in ('"', "'")
        and hints(f.key(text)).kind == "free_text"
    )


def _internal_url(value: str) -> bool:
    """A URL to an internal host (no public name) or to the machine itself
    (``http://[::]:8080``, ``http://localhost:3000``) with nothing of a person in it."""
    if any(c in value for c in "@?=") or any(c.isupper() for c in value):
        return False
    m = re.match(r"[a-z][a-z0-9+.-]*://(\[[0-9a-f:.]*\]|[^/:]+)", value)
    if m is not None and local_address(m.group(1)):
        return True
    if m is None or not re.fullmatch(r"[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*", m.group(1)):
        return False  # an IP literal ("http://[2001:db8::1]/") is no internal name
    host = m.group(1)
    return "." not in host or (
        _INTERNAL_HOST.fullmatch(host) is not None
        and host.endswith((".internal", ".local", ".lan", ".corp", ".svc", ".localdomain"))
    )


def _machine_guess(text: str, span: Span, lines: _Lines) -> bool:
    value = text[span.start : span.end]
    machine = lines.machine(span.start)
    if span.entity_type in {"STREET_ADDRESS", "ZIP_CODE"}:
        if _MACHINE_MARKS.search(value):
            return True
        tokens = [w for w in value.split() if w.strip(_TOKEN_PUNCTUATION)]
        if tokens and all(machine_token(w, numbers=False, code=machine) for w in tokens):
            return True  # "dev.internal.gateway.": a package name, not a street
    if span.entity_type in {"PERSON", "LOCATION"}:
        words = value.split()
        tokens = [w for w in words if w.strip(_TOKEN_PUNCTUATION)]
        every = tokens and all(machine_token(w, code=machine) for w in tokens)
        if value.strip(" .:") in _LOG_LEVELS or every:
            return True
        if any(machine_token(w, numbers=False, code=machine) for w in words):
            return True
        if machine and any(w.strip(_TOKEN_PUNCTUATION) in _LOG_LEVELS for w in words):
            return True
        # A command line's flag ("Bypass -File C"), a word with capitals inside it
        # ("SELinux", "BACnet"; a name has one at most: "McAllister", "DeShawn")
        if any(_FLAG.fullmatch(w) for w in words):
            return True
        if machine and any(_INNER_CAPITALS.fullmatch(w.strip(_TOKEN_PUNCTUATION)) for w in words):
            return True
        # In machine output a piece of a dotted name ("asyncio" of "asyncio.CancelledError",
        # "lan" of "ingest-25.lan") is code, not a name.
        # A namespace's first part ("Symfony" of "Symfony\\Component\\Mailer") is code.
        if machine and _NAMESPACE_AFTER.match(text, span.end):
            return True
        if machine and _DOTTED_NAME.fullmatch(_token_around(text, span.start, span.end)):
            return True
        # In machine output a lower-case word or a short capital code is a program, a field
        # or an acronym far more often than a name ("cron", "kernel", "GC").
        lone = machine and "+" not in span.detector
        if lone and (not any(c.isupper() for c in value) or (len(words) == 1 and value.isupper())):
            return True
        # Nor are capitals and lower case without one capitalised word ("JSON parse",
        # "NULL SID"): an acronym and a word of the message. An acronym beside a lower-case
        # word is one anywhere ("parse JSON body").
        cores = [w.strip(_TOKEN_PUNCTUATION) for w in words]
        if "+" not in span.detector and not any(w[:1].isupper() and not w.isupper() for w in cores):
            # an acronym: two to four capitals ("JSON", "SQL"; not "D." nor "BRUSH")
            acronym = any(2 <= len(w) <= 4 and w.isalpha() and w.isupper() for w in cores)
            mixed = acronym and any(w.islower() for w in cores)
            if lone or (mixed and span.entity_type == "PERSON"):
                return True
        # One detector alone on the word that opens a log message ("Background saving
        # started", "Tomcat started on port(s)"), or on an opening verb and an acronym
        # ("Shrinking ISR from 1,2,3"): a message opens with its subject or its verb, and
        # a person in it comes after a word that says so ("for user", "by").
        if (
            machine
            and "+" not in span.detector
            and (
                len(words) == 1
                or _ACRONYM_BESIDE_WORD.fullmatch(value.strip())
                # its subject and a word of the message ("Cron run completed", "Outgoing
                # runner started"): a name's later words are capitalised too
                or all(w.islower() for w in words[1:])
            )
            and _MESSAGE_START.search(text, 0, span.start)
        ):
            return True
        # A single detector's name followed by a dotted version ("ruby 3.2.2", "Python
        # 3.12"): a product and its release, not a person.
        if "+" not in span.detector and _VERSION_AFTER.match(text, span.end):
            return True
        # spaCy alone, one word (a version beside it aside: "Java 17"), and nothing before it
        # that says a person or place follows: in machine output that is a product, a
        # program or a field ("Java", "Trojan", "Celery"), not a name.
        if (
            machine
            and span.detector.startswith("ner:")
            and len([w for w in words if not _NUMBER.fullmatch(w.strip(_TOKEN_PUNCTUATION))]) == 1
            and not _context_before(text, span)
        ):
            return True
        # Even both models agreeing: a lower-case place in machine output is a program name.
        if machine and span.entity_type == "LOCATION" and not any(c.isupper() for c in value):
            return True
    if span.entity_type in _ID_TYPES:
        token = _token_around(text, span.start, span.end)
        if text[span.start - 1 : span.start] == "_" or text[span.end : span.end + 1] == "_":
            return True  # a piece of an identifier ("s_4f1a2b3c4d5e")
        if (
            _UUID.search(token)
            or _HEX.fullmatch(token)
            or _VERSION.fullmatch(token)
            or ("/" in token and _PATH.fullmatch(token))
        ):
            return True  # an id guess on a UUID, hash, version or path ("/dev/nvme0n1p2")
        before = text[max(0, span.start - 40) : span.start]
        if lines.machine(span.start) and not _ID_CONTEXT.search(before):
            # In machine output codes of every shape are ids of builds, events, hosts and
            # pods ("AH01909", "MY-010068", "KB5031364", "web-6b7c9d-4hx2p"); a person's
            # document number there comes with a word that names the document.
            return True
    if (
        span.entity_type == "PHONE_NUMBER"
        and lines.machine(span.start)
        and (sum(c.isdigit() for c in value) < 6 or not _PHONE_SHAPE.fullmatch(value.strip()))
    ):
        return True
    if span.entity_type == "URL":
        # A URL guess needs a scheme, "www." or a dotted host name ("HTTP/1.1", "/go/src/",
        # "http-client/2.0" are protocol, path and agent tokens); one that starts inside a
        # file path ("/usr/share/nginx/html/wp-login.php") is that path.
        if text[span.start - 1 : span.start] == "/" or value.startswith("/"):
            return "://" not in value
        return _URL_GUESS.search(value) is None
    return False


_FLAG = re.compile(r"--?[A-Za-z][\w-]*")
_INNER_CAPITALS = re.compile(r"(?=[A-Za-z]*[a-z])[A-Za-z](?:[a-z]*[A-Z]){2,}[A-Za-z]*")
# A capitalised word and an acronym of two to four capitals, either way round.
_ACRONYM_BESIDE_WORD = re.compile(r"[A-Z][a-z]+[ \t]+[A-Z]{2,4}|[A-Z]{2,4}[ \t]+[A-Z][a-z]+")
_VERSION_AFTER = re.compile(r"[ \t]+v?[0-9]+\.[0-9]+")
# Words right before a name or place that say one follows ("by", "for user", "to", "name=",
# "@"): with them a lone spaCy guess in machine output stays.
_NAME_CONTEXT = re.compile(
    r"(?:\b(?:by|for|user|users|to|from|with|in|at|near|contact|customer|client|owner|author"
    r"|name|dear|hi|hello|mr|mrs|ms|dr|called|paged|invited|notified|assigned|approved"
    r"|signed|emailed|recipient|holder|agent|employee|patient|member|account|and)"
    r"|[=@])[\s:\"'<(]*$",
    re.IGNORECASE,
)


def _context_before(text: str, span: Span) -> bool:
    return _NAME_CONTEXT.search(text, max(0, span.start - 24), span.start) is not None


def _in_clf_status(text: str, span: Span) -> bool:
    for m in _CLF_STATUS.finditer(text):
        if m.start("fields") <= span.start and span.end <= m.end("fields"):
            return True
    return False


_TOKEN_EDGE = re.compile(r"[\s\"'(),;\[\]{}=<>]")


def _token_around(text: str, start: int, end: int) -> str:
    """The whitespace/punctuation-delimited token that holds ``text[start:end]``."""
    while start > 0 and not _TOKEN_EDGE.match(text[start - 1]):
        start -= 1
    while end < len(text) and not _TOKEN_EDGE.match(text[end]):
        end += 1
    return text[start:end].strip(".:")


def _drop_leading_level(text: str, span: Span) -> Span | None:
    """ "FATAL OTP" -> "OTP": a log level before a guess is no part of it."""
    m = _LEADING_LEVEL.match(text, span.start, span.end)
    if m is None or m.group("level") not in _LOG_LEVELS:
        return span
    start = m.end()
    # and the separator after the level ("INFO  - Purge")
    while start < span.end and text[start] in "-|:>* \t":
        start += 1
    rest = text[start : span.end]
    if not rest or rest.isupper():
        return None
    return Span(start, span.end, span.entity_type, span.score, span.detector)


# In a name or place guess: characters no name holds. A URL is no mark here: merged into a
# name it must stay masked.
_NAME_MARKS = re.compile(r"[=\[\]{}<>|\\]|[A-Za-z0-9]:[0-9]|\w+\(")


# A guess may have been joined with a validated span it overlapped (an address, an IP):
# where its text holds an e-mail or IP shape, nothing of it is dropped.
_IDENTIFIER_INSIDE = re.compile(
    r"[\w.+-]@[\w-]+\.\w|\b[0-9]{1,3}(?:\.[0-9]{1,3}){3}\b|[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{0,4}){3,}"
)  # an e-mail shape ("User@Host" of a MySQL slow log is none)


def _holds_identifier(value: str) -> bool:
    return _IDENTIFIER_INSIDE.search(value) is not None


def _trim_at_marks(text: str, span: Span) -> Span | None:
    """ "Awkward George | Probably" -> "Awkward George": a name guess ends at a machine mark;
    None when nothing with a letter is left before the first one."""
    m = _NAME_MARKS.search(text, span.start, span.end)
    if m is None:
        return span
    end = m.start()
    while end > span.start and not text[end - 1].isalnum():
        end -= 1
    if not any(c.isalpha() for c in text[span.start : end]):
        return None
    return Span(span.start, end, span.entity_type, span.score, span.detector)


# cron's schedule macros, written like @handles.
_CRON_MACROS = frozenset(
    {"@reboot", "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)


def _no_mention(text: str, span: Span) -> bool:
    """An @handle match that is no mention: the host after a URL's user info
    ("amqp://guest:**@rabbitmq:5672"), where "@" follows a letter, digit, "*" or "/", or a
    cron macro ("@reboot")."""
    if span.detector != "pattern:USERNAME":
        return False
    value = text[span.start : span.end]
    at = span.start + value.find("@") if "@" in value else span.start - 1
    before = text[at - 1 : at] if at > 0 else ""
    if _HEX_POINTER.fullmatch(value.lstrip("@")):
        return True  # BIND's "client @0x7f3a1c0d2e10": an object's address in memory
    return value.lower() in _CRON_MACROS or (before != "" and (before.isalnum() or before in "*/:"))


_HEX_POINTER = re.compile(r"0x[0-9a-fA-F]+")
_NAMESPACE_AFTER = re.compile(r"\\{1,2}[A-Z][a-z]")


# A bare run of digits after a word naming an identifier is that identifier.
_ID_WORD_BEFORE = re.compile(
    r"\b(?:id|pid|tid|uid|gid|jid|opid|seq|offset|event|request|trace|build|job|invoice)"
    r"[\s:=#]*$",
    re.IGNORECASE,
)


# A noun that counts the number before it.
_COUNTED_AFTER = re.compile(
    r"[ \t]+(?:attempts?|retries|times|bytes|records|rows|items|messages|entries|events"
    r"|requests|ms|seconds|files|pages|blocks|keys|left)\b"
)


def _bare_digits_phone(text: str, span: Span, lines: _Lines) -> bool:
    """On a machine line, a phone match written as a bare run of digits (no "+", no
    separators) with no phone word around it: logs print tokens, offsets and ids that way,
    phone numbers hardly ever ("sms to +1 415-555-0148", "phone=4155550148" has its key)."""
    value = text[span.start : span.end]
    if span.detector == KEY_DETECTOR or not value.isdigit() or not lines.machine(span.start):
        return False
    return not phone_context(text, span.start, span.end)


def _id_number(text: str, span: Span) -> bool:
    value = text[span.start : span.end]
    if not value.isdigit():
        return False
    return _ID_WORD_BEFORE.search(text, max(0, span.start - 16), span.start) is not None


# A scheme-less host/path token: the name of code, not a link a person follows.
_CODE_PATH = re.compile(
    r"[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::[0-9]{1,5})?(?P<path>(?:/[\w.@*()$-]+)*)/?"
    r"(?::[0-9]+)*(?::[\w][\w.-]*)?"  # a file's line numbers, an image's tag
)
# What makes a two-segment host/path code: a module version, a call, a source file and line.
_CODE_SYNTAX = re.compile(r"@v[0-9]|\.\(|\(|\.(?:go|mod|sum|py|java|js|ts|proto)\b|:[0-9]+$")
_STRONG_CODE_SYNTAX = re.compile(r"@v[0-9]|\.\(\*?[A-Z]|/go\.(?:mod|sum)\b")
_CODE_BEFORE = re.compile(
    r"\b(?:import|imports|package|module|require|requires|get|install|downloading|vendor"
    r"|provider|source|image)"
    r"[ \t]+[\"'`]?$",
    re.IGNORECASE,
)
_CODE_AFTER = re.compile(r'[ \t]+v[0-9]+\.[0-9]|["\']?[ \t]*:(?![0-9/])')


def _code_path(text: str, span: Span, *, machine: bool) -> bool:
    """A URL match that is a Go import or module path, a package or a label key, on a
    machine line unless code syntax says so ("github.com/acme/ledger/store.(*Store).Get",
    "go: downloading github.com/prometheus/client_golang v1.19.0",
    "node-role.kubernetes.io/control-plane:").

    Never one with a scheme, user info, a query or a fragment, nor a "www." page: those are
    links and may carry a person's data. A host with one path segment ("github.com/jdoe")
    names an account, and stays masked unless code syntax follows it; a host and port alone
    ("www.example.com:443") is a server endpoint.
    """
    value = text[span.start : span.end]
    if "://" in value or any(c in value for c in "?#=&"):
        return False
    tokens = [t for t in value.split() if "/" in t or ":" in t.rstrip(":")]
    if len(tokens) != 1:
        return False
    token = tokens[0].rstrip(".,;:")
    m = _CODE_PATH.fullmatch(token)
    if m is None or "@" in token.replace("@v", ""):
        return False
    if token.lower().startswith("www.") and "/" in token:
        return False
    segments = [p for p in m.group("path").split("/") if p]
    token_end = span.start + value.find(token) + len(token)
    token_start = token_end - len(token)
    # Code syntax says it anywhere: a module version, a method frame, "import"/"go get".
    if segments and (
        _STRONG_CODE_SYNTAX.search(token)
        or _CODE_BEFORE.search(text, max(0, token_start - 16), token_start)
    ):
        return True
    if not machine:
        return False
    if not segments:  # "www.example.com:443": a server endpoint, no page of anyone's
        return ":" in token and "/" not in token
    after = text[token_end : token_end + 12]
    return len(segments) >= 3 or bool(_CODE_SYNTAX.search(token) or _CODE_AFTER.match(after))


# The port of an IP address ("10.244.3.17:41220 - 88213"): what follows the colon is a port.
_IP_PORT_BEFORE = re.compile(r"(?:\b[0-9]{1,3}(?:\.[0-9]{1,3}){3}|\]):$")
# Three short dotted numbers with a two-digit last part: "14.2.15" reads as a day, month and
# year, but machine output writes dates with a four-digit year or a time of day, and
# versions this way ("Next.js 14.2.15", "1.19.50").
_SHORT_DOTTED = re.compile(r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{2}")
# Object stores and distributed file systems: where data lies, as a file path says, not a
# page a person follows ("s3a://lake-curated/rollups/", "gs://", "hdfs://").
_STORAGE_URI = re.compile(
    r"(?:s3[an]?|gs|hdfs|webhdfs|abfss?|wasbs?|adl|oss|cos|file)://[^\s@?#]*", re.IGNORECASE
)


# A Hive-style partition segment of a path ("/dt=2026-11-01/", "/ds=2026-10-30/hour=07/"):
# how a data set is laid out by the time its rows were written.
_PARTITION_KEY = re.compile(r"/[a-z_]{1,16}=$")
_PARTITION_END = re.compile(r"/|\s|$|[\"',;)]")


def _partition_date(text: str, span: Span) -> bool:
    return (
        span.entity_type == "DATE_TIME"
        and _PARTITION_KEY.search(text, max(0, span.start - 18), span.start) is not None
        and _PARTITION_END.match(text, span.end) is not None
    )


# A Windows update's Knowledge Base number ("(KB5031364)") beside an update word: the name
# of a patch, not a passport or licence number.
_KB_NUMBER = re.compile(r"KB[0-9]{6,7}")
_UPDATE_WORDS = re.compile(r"\b(?:[Uu]pdates?|UPDATE|[Hh]otfix|[Pp]atch(?:es)?|Rollup|Windows)\b")
# A greeting ("Happy Helming!", "Merry Christmas!", "Good Morning!"): a wish, no one's name.
_GREETING = re.compile(r"(?P<wish>(?:Happy|Merry|Good)[ \t]+[A-Z][a-z]+)[ \t]*!")


def _kb_number(text: str, span: Span) -> bool:
    if span.entity_type not in _ID_TYPES or not _KB_NUMBER.fullmatch(text[span.start : span.end]):
        return False
    line_start, line_end = line_bounds(text, span.start, span.end)
    return _UPDATE_WORDS.search(text, line_start, line_end) is not None


def _greeting(text: str, span: Span) -> bool:
    """A name guess on a greeting's words and no more."""
    if span.entity_type != "PERSON":
        return False
    match = _GREETING.match(text, span.start)
    return match is not None and span.end <= match.end("wish")


# An epoch timestamp in brackets opening a line ("[1764634999] SERVICE ALERT: ..."), as
# Nagios and unbound print it.
_EPOCH_HEADER = re.compile(r"(?m:^)\[(1[0-9]{9})(?:\.[0-9]+)?\]")


def _epoch_header(text: str, span: Span) -> bool:
    start = text.rfind("\n", 0, span.start) + 1
    match = _EPOCH_HEADER.match(text, start)
    return match is not None and match.span(1) == (span.start, span.end)


# A SIP address of a phone extension ("sip:4412@pbx.example.net", FreeSWITCH's channel
# "sofia/internal/4412@pbx..."): a short number at a phone system, not a mailbox.
_EXTENSION_BEFORE = re.compile(r"(?:sips?:|/)$")
_EXTENSION = re.compile(r"[0-9]{2,6}@[\w.-]+")


def _email_path(text: str, span: Span) -> Span | None:
    """An e-mail match whose local part holds a path ("sofia/external/+4416...@sip...") is
    the address after the path's last "/"; None when that is a phone extension."""
    value = text[span.start : span.end]
    at = value.find("@")
    start = span.start
    if "/" in value[:at]:
        start = span.start + value.rfind("/", 0, at) + 1
    if _EXTENSION.fullmatch(text, start, span.end) and _EXTENSION_BEFORE.search(
        text, max(0, start - 5), start
    ):
        return None
    if start == span.start:
        return span
    return Span(start, span.end, span.entity_type, span.score, span.detector)


# A Kerberos realm: a domain written in capitals ("gdelacroix@CORP.EXAMPLE").
_REALM = re.compile(r"(?=[A-Z0-9.-]*[A-Z])[A-Z0-9-]+(?:\.[A-Z0-9-]+)*")


def _kerberos_principal(text: str, span: Span, lines: _Lines) -> list[Span] | None:
    """On a machine line, an address at a realm in capitals is a Kerberos principal, not a
    mailbox: a user's ("gdelacroix@CORP.EXAMPLE") is a login, a service's
    ("krbtgt/CORP.EXAMPLE@CORP.EXAMPLE", "HTTP/web-1.corp@CORP") no one's. None: no principal."""
    value = text[span.start : span.end]
    local, _, realm = value.rpartition("@")
    if not local or not _REALM.fullmatch(realm) or not lines.machine(span.start):
        return None
    if "/" in local or text[max(0, span.start - 1) : span.start] == "/":
        return []  # a service's ("host/ipa-2.corp@CORP"; the mailbox match starts after "/")
    if not any(c.islower() for c in local):
        return None  # "JDOE@ACME.COM": an address written in capitals, masked as one
    if _system_account(local):
        return []
    return [Span(span.start, span.start + len(local), "USERNAME", span.score, "context:LOGIN")]


def _machine_host(text: str, span: Span, lines: _Lines) -> bool:
    """A host name in machine output: on a line whose shape says so, or, on a line that only
    a timestamp marks, one with a digit in it ("acme-assets.s3.eu-west-1.amazonaws.com";
    '"paulhastings.com" made the following annotations on 04/25/01 12:42:55' is a mail's)."""
    if lines.shaped(span.start):
        return True
    return lines.machine(span.start) and any(c.isdigit() for c in text[span.start : span.end])


def _personal_date_words(text: str, span: Span) -> bool:
    """A word before the date that makes it a person's ("born", "dob", "passport
    expires"). In machine output an expiry or issue date is a person's only beside a
    document of theirs: certificates, tokens, leases and caches expire too ("Cert not yet
    due for renewal (expires 2027-05-30)")."""
    if has_context(text, span.start, span.end, BIRTH_CONTEXT, before=40, digit_free_gap=True):
        return True
    found = [
        m
        for m in PERSONAL_CONTEXT.finditer(text, max(0, span.start - 40), span.start)
        if not re.search(r"[0-9]", text[m.end() : span.start])
    ]
    if not found:
        return False
    if not all(_DOCUMENT_DATE_WORD.fullmatch(m.group().strip()) for m in found):
        return True
    line_start = text.rfind("\n", 0, span.start) + 1
    return _PERSONAL_DOCUMENT.search(text, max(line_start, span.start - 80), span.start) is not None


# Dates any document has, and the documents that make them a person's.
_DOCUMENT_DATE_WORD = re.compile(
    r"expiry|expires|expiration|expiry date|valid until|valid thru|issued|date of issue",
    re.IGNORECASE,
)
_PERSONAL_DOCUMENT = re.compile(
    r"\b(?:passport|licen[cs]e|driver|visa|id card|identity|card|permit|residence|member"
    r"|membership|patient|insurance|policy)\b",
    re.IGNORECASE,
)


def _machine_date(text: str, span: Span, lines: _Lines) -> bool:
    """A calendar date on a machine line with no personal word before it ("creation
    date(time): 2024/03/11(09:41:22)", a CSV's "2026-12-02<TAB>01:39:30"): when something
    happened to the system. A person's date says so ("dob=", "born", "expires")."""
    if span.entity_type != "DATE_TIME" or _guess(span) or not lines.machine(span.start):
        return False
    return not _personal_date_words(text, span)


def _version_not_date(text: str, span: Span, lines: _Lines) -> bool:
    """On a machine line, a date written as three short dotted numbers with no personal
    context is a version (see ``_SHORT_DOTTED``)."""
    if span.entity_type != "DATE_TIME" or not lines.machine(span.start):
        return False
    if not _SHORT_DOTTED.fullmatch(text[span.start : span.end]):
        return False
    return not _personal_date_words(text, span)


# What the model alone may not decide on a machine line when the text holds no letter: a
# number there is a counter, a pid, a clock's fraction or an id ("2211  2240" of logcat,
# "58.004", "013811.004" of Zabbix) far more often than a phone, a tax id or a ZIP code, and
# the PII ones are written as a pattern finds them or under a key that says so.
_NUMBER_TYPES = _ID_TYPES | {"PHONE_NUMBER", "ZIP_CODE", "STREET_ADDRESS", "US_SSN", "US_ITIN"}
_LETTER = re.compile(r"[^\W\d_]")


# A decimal ("58.004", "013811.004") or two numbers a column apart ("2211  2240"): the model
# alone reads these as phones or tax ids, but no phone or id is written so, in any text.
_NOT_A_NUMBER_ID = re.compile(r"[0-9]+[.,][0-9]{1,3}|[0-9]+(?: {2,}|\t)[0-9]+")


def _model_alone_number(text: str, span: Span, lines: _Lines) -> bool:
    if span.detector != "model" or span.entity_type not in _NUMBER_TYPES:
        return False
    if _NOT_A_NUMBER_ID.fullmatch(text, span.start, span.end):
        return True
    if _LETTER.search(text, span.start, span.end) or not lines.machine(span.start):
        return False
    if span.entity_type != "PHONE_NUMBER":
        return True
    # "+447700900456": an international prefix is written for phones only
    international = text.startswith("+", span.start)
    return not (international or phone_context(text, span.start, span.end))


# Three capitalised words or more joined by dots: a namespace or a class path. A name is
# written with spaces, and initials ("J.R.R.") are single letters.
_DOTTED_CAPITALS = re.compile(r"[A-Z][A-Za-z0-9]{2,}(?:\.[A-Z][A-Za-z0-9]{2,}){2,}")
# Words joined by two hyphens or more into one token.
_JOINED_WORDS = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+){2,}")


# A number joined to letters by a hyphen is a piece of an identifier: "SHP-2026-881204",
# "INV-415-555-0100", "build-4412-3391".
_JOINED_BEFORE = re.compile(r"[A-Za-z][A-Za-z0-9]*-$")
_JOINED_AFTER = re.compile(r"-[A-Za-z]")


def _identifier_piece(text: str, span: Span, lines: _Lines) -> bool:
    if span.entity_type not in _NUMBER_TYPES or not lines.machine(span.start):
        return False
    if _LETTER.search(text, span.start, span.end):
        return False
    before = _JOINED_BEFORE.search(text, max(0, span.start - 24), span.start) is not None
    return before or _JOINED_AFTER.match(text, span.end) is not None


def _letters_only_zip(text: str, span: Span) -> bool:
    """A ZIP guess without a digit ("LR" of "LR-7712"): every postal code system writes
    digits (US, UK, Canada, the Netherlands...)."""
    return span.entity_type == "ZIP_CODE" and not any(
        c.isdigit() for c in text[span.start : span.end]
    )


def _spaced_handle(text: str, span: Span) -> bool:
    """ "@ txId": in machine output a spaced "@" is "at" (an address, a transaction), never a
    mention; tokenised corpora split handles that way, logs do not."""
    return span.entity_type == "USERNAME" and text.startswith("@ ", span.start)


# A mailbox's local part that is a session, call or message id: hex of 8 or more with
# digits and letters ("a8b2c1d4e5f6@pbx.example.net" of a SIP call), or a UUID.
_ID_LOCAL = re.compile(
    r"(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{8,}|[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}",
    re.IGNORECASE,
)


def _id_mailbox(text: str, span: Span) -> bool:
    if span.entity_type != "EMAIL_ADDRESS":
        return False
    local = text[span.start : span.end].split("@", 1)[0]
    return _ID_LOCAL.fullmatch(local) is not None


def _node_name(text: str, span: Span) -> bool:
    """A program's node name written as a mailbox at an internal host ("couchdb@couch-2.
    internal", an Erlang node; "rabbit@mq-1.local"): a system account at a host no mail is
    sent to."""
    if span.entity_type != "EMAIL_ADDRESS":
        return False
    local, _, host = text[span.start : span.end].partition("@")
    return _system_account(local) and _INTERNAL_DOMAIN.search(host) is not None


_INTERNAL_DOMAIN = re.compile(r"\.(?:internal|local|lan|svc|cluster\.local|localdomain)$")


def _message_id(text: str, span: Span) -> bool:
    """A Message-ID in its angle brackets ("<CAH4f1c2a9e3b7d@mail.example.org>"): a local
    part of ten characters or more where letters and digits alternate four times or more is
    a generator's random string; a person's address has a name in it, a year at most
    ("<jsmith1987@example.com>")."""
    if span.entity_type != "EMAIL_ADDRESS" or not (
        text[span.start - 1 : span.start] == "<" and text[span.end : span.end + 1] == ">"
    ):
        return False
    local = text[span.start : span.end].split("@", 1)[0]
    if len(local) < 10 or not local.isalnum():
        return False
    changes = sum(a.isdigit() != b.isdigit() for a, b in pairwise(local))
    return changes >= 4


# Unix time in seconds or milliseconds between 2001-09 and 2038-01 (the 32-bit range every
# logger writes): "1764637882", "1764637882118". No phone plan starts a ten-digit national
# number with 1 (NANP area codes cannot; elsewhere a trunk 0 or a "+" comes first).
_EPOCH = re.compile(r"(?:1[0-9]{9}|20[0-9]{8}|2[01][0-9]{11}|1[0-9]{12})")


def _epoch_number(text: str, span: Span) -> bool:
    """A guess of an id or phone on a bare Unix timestamp with no word before it that names
    a document or a phone: an event time, in prose as in logs."""
    if not _guess(span) or span.entity_type not in _NUMBER_TYPES:
        return False
    value = text[span.start : span.end]
    if _EPOCH.fullmatch(value) is None or int(value[:10]) > 2147483647:
        return False
    before = text[max(0, span.start - 40) : span.start]
    return not (_ID_CONTEXT.search(before) or phone_context(text, span.start, span.end))


# A token of three or more capitalised humps, twelve letters or more ("ProfileViewController",
# "NoSuchBucketPolicy"): an identifier of code or a hashtag. Names have at most two
# ("McDonald"); handles may have more, so prose lines keep them.
_CAMEL_IDENTIFIER = re.compile(r"(?:[A-Z][a-z0-9]+){3,}[A-Z]?")


def _code_identifier(text: str, span: Span, lines: _Lines) -> bool:
    """On a machine line, or as a hashtag ("#PatOnTheBack"); in prose such a token is as
    often a person's handle ("LaurenEllisHall")."""
    if span.entity_type not in {"PERSON", "LOCATION"} or "+" in span.detector:
        return False
    value = text[span.start : span.end].strip(_TOKEN_PUNCTUATION)
    if len(value) < 12 or _CAMEL_IDENTIFIER.fullmatch(value) is None:
        return False
    return lines.machine(span.start) or text[max(0, span.start - 2) : span.start].strip() == "#"


# The words around a document number that name it, after it ("1234567 (passport)").
_ID_CONTEXT_AFTER = re.compile(
    r"^[\s\])\"',:;-]{0,3}\(?(?:licen[cs]e|driv(?:er|ing)|dl|passport|ssn|tin|ein|itin|vat"
    r"|tax|account|acct|routing|iban|id)(?![a-z])",
    re.IGNORECASE,
)


def _unnamed_document(text: str, span: Span) -> bool:
    """The model alone on a document number (licence, passport, tax id, account) that no
    word around it names: a person's document number is written with its name ("DL
    D1234567", "passport no. 912803456"); a code alone is an order, a build, a serial."""
    if span.detector != "model" or span.entity_type not in _UNNAMED_ID_TYPES:
        return False
    value = text[span.start : span.end]
    if sum(c.isdigit() for c in value) <= sum(c.isalpha() for c in value):
        # more letters than digits ("Wiśniewska", a handle "jclark95"): the model's type is
        # wrong, not its find
        return False
    before = text[max(0, span.start - 48) : span.start]
    after = text[span.end : span.end + 24]
    return not (
        _ID_CONTEXT.search(before)
        or _DOCUMENT_WORD.search(before)
        or _ID_CONTEXT_AFTER.search(after)
        or phone_context(text, span.start, span.end)
    )


# Nouns a person's number is written after, besides the documents' names of _ID_CONTEXT
_DOCUMENT_WORD = re.compile(r"(?<![a-z])(?:card|bank|number|no|nr|num|#)(?![a-z])", re.I)


_ADDRESS_TYPES = frozenset({"STREET_ADDRESS", "ZIP_CODE", "LOCATION"})
_ZIP_DIGITS = re.compile(r"[0-9]{5}(?:-?[0-9]{4})?")


def _address_part(text: str, span: Span, near: _Near, depth: int = 2) -> Span | None:
    """An unnamed code right beside an address ("233 S Wacker Dr 606066306", "W148 N9748 Tree
    Tops Dr"): the model read a ZIP+4 or a grid house number as a document; it is part of the
    address."""
    for other in near.around(span):
        gap = other.start - span.end if other.start >= span.end else span.start - other.end
        between = text[min(span.end, other.end) : max(span.start, other.start)]
        if not 0 <= gap <= 3 or between.strip(" ,"):
            continue  # not right beside it (the span itself never is)
        # a run of such codes before a street ("W210 N16570 Glencoe Ln"): through the next
        beside_code = (
            depth > 1
            and other.entity_type in _UNNAMED_ID_TYPES
            and _address_part(text, other, near, depth - 1) is not None
        )
        if other.entity_type in _ADDRESS_TYPES or beside_code:
            value = text[span.start : span.end]
            kind = "ZIP_CODE" if _ZIP_DIGITS.fullmatch(value) else "STREET_ADDRESS"
            return Span(span.start, span.end, kind, span.score, span.detector)
    return None


class _Near:
    """The spans of one text by start, to find a span's neighbours in O(log n): a record of
    thousands of findings must not cost their square."""

    _REACH = 256  # longer than any address span; a neighbour is 3 characters away

    def __init__(self, spans: Sequence[Span]) -> None:
        self.spans = sorted(spans, key=lambda s: s.start)
        self.starts = [s.start for s in self.spans]

    def around(self, span: Span) -> Sequence[Span]:
        low = bisect.bisect_left(self.starts, span.start - self._REACH)
        high = bisect.bisect_right(self.starts, span.end + 3)
        return self.spans[low:high]


# A national phone number: a trunk 0 and 9 to 11 more digits ("087796888831", "07700900456").
_TRUNK_PHONE = re.compile(r"\+?0[1-9][0-9]{8,10}")


def _national_phone(text: str, span: Span) -> Span | None:
    """An unnamed 'document' number written as a national phone number is one: the model
    confuses the two types, not the find."""
    if _TRUNK_PHONE.fullmatch(text, span.start, span.end) is None:
        return None
    return Span(span.start, span.end, "PHONE_NUMBER", span.score, span.detector)


_UNNAMED_ID_TYPES = frozenset(
    {"DRIVER_LICENSE", "GOVERNMENT_ID", "TAX_ID", "PASSPORT", "US_BANK_NUMBER"}
)


def drop_machine_guesses(text: str, spans: Sequence[Span], lines: _Lines) -> list[Span]:
    """Step 2 of the module docstring."""
    out: list[Span] = []
    near = _Near(spans)
    for span in spans:
        if _model_alone_number(text, span, lines) or _identifier_piece(text, span, lines):
            continue
        if (
            _guess(span)
            and span.entity_type in _NAME_PLACE_TYPES
            and _DOTTED_CAPITALS.fullmatch(text, span.start, span.end)
        ):
            continue  # "Microsoft.AspNetCore.Hosting": a namespace, no name or place
        if _epoch_number(text, span) or _code_identifier(text, span, lines):
            continue
        if _unnamed_document(text, span):
            part = _address_part(text, span, near) or _national_phone(text, span)
            if part is None:
                continue
            span = part
        if lines.machine(span.start) and (
            _letters_only_zip(text, span) or _spaced_handle(text, span) or _id_mailbox(text, span)
        ):
            continue
        if _message_id(text, span) or (lines.machine(span.start) and _node_name(text, span)):
            continue
        if span.entity_type == "PHONE_NUMBER" and _IP_PORT_BEFORE.search(
            text, max(0, span.start - 48), span.start
        ):
            continue  # "10.244.3.17:41220 - 88213": a port and a query id
        if _version_not_date(text, span, lines) or _kb_number(text, span) or _greeting(text, span):
            continue
        if _partition_date(text, span) or _machine_date(text, span, lines):
            span = Span(span.start, span.end, EVENT_TIME, span.score, span.detector)
        if span.entity_type == "URL" and _STORAGE_URI.fullmatch(text[span.start : span.end]):
            continue  # a bucket's path, as a file path: no link of anyone's
        if span.entity_type == "DOMAIN_NAME" and _machine_host(text, span, lines):
            continue  # "production.INFO", "bucket.s3.eu-west-1.amazonaws.com": hosts, no one
        if span.entity_type == "DOMAIN_NAME" and "_" in text[span.start : span.end]:
            continue  # no host name holds "_" (RFC 1123): a file, a key or a service record
        if (
            span.entity_type == "STREET_ADDRESS"
            and _guess(span)
            and _JOINED_WORDS.fullmatch(text, span.start, span.end)
        ):
            continue  # "B2-North-Wing-East": one token of joined words names a zone, no street
        if span.entity_type != EVENT_TIME and _epoch_header(text, span):
            span = Span(span.start, span.end, EVENT_TIME, span.score, span.detector)
        if span.entity_type == "EMAIL_ADDRESS":
            principal = _kerberos_principal(text, span, lines)
            if principal is not None:
                out.extend(principal)
                continue
            trimmed = _email_path(text, span)
            if trimmed is None:
                continue
            span = trimmed
        if span.entity_type == "PHONE_NUMBER" and (
            _in_clf_status(text, span)
            or (not _guess(span) and text[span.start : span.start + 1].isspace())
        ):
            continue  # a protocol field, or the rest of a number another span took
        if span.entity_type in {"PHONE_NUMBER", "ZIP_CODE"} and _id_number(text, span):
            continue  # "Event ID: 2147735503", "(ID 88213)": an identifier, not a phone or ZIP
        if (
            span.entity_type == "PHONE_NUMBER"
            and text[span.start : span.end].isdigit()
            and lines.machine(span.start)
            and _COUNTED_AFTER.match(text, span.end)
        ):
            continue  # "(2147483646 attempts left)": a count
        if span.entity_type == "USERNAME" and _no_mention(text, span):
            continue
        if (
            span.entity_type == "IP_ADDRESS"
            and local_address(text[span.start : span.end])
            and lines.machine_besides(span)
        ):
            continue  # "connect ECONNREFUSED 127.0.0.1:6379", "listening on 0.0.0.0:8080"
        if span.entity_type == "PHONE_NUMBER" and _bare_digits_phone(text, span, lines):
            continue  # "token 4417224118": a counter or an id, not a phone number
        if not _guess(span):
            if span.entity_type == "URL" and (
                _internal_url(text[span.start : span.end])
                or _code_path(text, span, machine=lines.machine(span.start))
            ):
                continue
            out.append(span)
            continue
        if _holds_identifier(text[span.start : span.end]):
            out.append(span)
            continue
        if span.entity_type in {"PERSON", "LOCATION"}:
            trimmed = _drop_leading_level(text, span)
            trimmed = trimmed and _trim_at_marks(text, trimmed)
            if trimmed is None:
                continue
            span = trimmed
            if lines.machine(span.start):
                for piece in _split_fields(text, span):
                    rest = _trim_field_label(text, piece)
                    if rest is not None and not _machine_guess(text, rest, lines):
                        out.append(_whole_handle(text, rest, machine=True))
                continue
        if not _machine_guess(text, span, lines):
            out.append(_whole_handle(text, span, machine=False))
    return out


_HANDLE_TAIL = re.compile(r"(?:[._-][A-Za-z0-9]+)+")
_HANDLE_HEAD = re.compile(r"(?:[A-Za-z0-9]+[._-])+\Z")  # \Z: "wife.\nMarco" is two lines


def _whole_handle(text: str, span: Span, *, machine: bool) -> Span:
    """A one-word name guess that stops inside a handle ("jlarsen" of "jlarsen-dev",
    "petrov" of "ivan.petrov") covers the handle: the rest of it still names the person.
    Not across "@", "/" or "(": an e-mail, a path and a call are other things. Outside
    machine output only a token written as a login is (lower case, or with a digit, a dot
    or an underscore): "Gates-funded" is a name and a word."""
    if span.entity_type != "PERSON" or any(c.isspace() for c in text[span.start : span.end]):
        return span
    start, end = span.start, span.end
    if (tail := _HANDLE_TAIL.match(text, end)) is not None:
        end = tail.end()
    if (head := _HANDLE_HEAD.search(text, max(0, start - 32), start)) is not None:
        start = head.start()
    if text[end : end + 1] in ("@", "(", "/") or text[start - 1 : start] in ("@", "/", "\\"):
        return span
    token = text[start:end]
    if not machine and not (token.islower() or any(c.isdigit() or c in "._" for c in token)):
        return span
    return Span(start, end, span.entity_type, span.score, span.detector)


# The last word of a field label in machine output ("Log Name:", "Category: Trojan Path:",
# "Account Domain:"); no name ends with one of these right before a colon.
_FIELD_NOUNS = frozenset(
    {
        "name", "path", "domain", "id", "type", "address", "source", "level", "category",
        "status", "code", "size", "time", "date", "version", "mode", "port", "host", "file",
        "key", "value", "reason", "description", "severity", "action", "result", "count",
    }
)  # fmt: skip
_FIELD_COLON = re.compile(r"[ \t]*:(?:[ \t]|$)")


def _split_fields(text: str, span: Span) -> list[Span]:
    """A guess running over "Key: value" ("Log Name: System") is judged piece by piece: a
    name holds no colon."""
    pieces: list[Span] = []
    start = span.start
    for m in re.finditer(r":[ \t]+", text[span.start : span.end]):
        end = span.start + m.start()
        if end > start:
            pieces.append(Span(start, end, span.entity_type, span.score, span.detector))
        start = span.start + m.end()
    if start < span.end:
        pieces.append(Span(start, span.end, span.entity_type, span.score, span.detector))
    return pieces if len(pieces) > 1 else [span]


def _trim_field_label(text: str, span: Span) -> Span | None:
    """ "Pieter de Vries Account Name" before ":" -> "Pieter de Vries Account"; "Log Name"
    -> "Log" (then judged as any one-word guess). None when nothing is left."""
    value = text[span.start : span.end]
    words = value.split()
    if not words or words[-1].lower() not in _FIELD_NOUNS:
        return span
    if _FIELD_COLON.match(text, span.end) is None:
        return span
    end = span.start + value.rstrip().rfind(words[-1])
    while end > span.start and text[end - 1].isspace():
        end -= 1
    if end <= span.start:
        return None
    return Span(span.start, end, span.entity_type, span.score, span.detector)


# The common log format's third field is the authenticated user ('192.0.2.44 - frank
# [03/Nov/2026:14:07:12 +0000] "GET ...'): a login name, masked like one.
_CLF_USER = re.compile(
    r"(?m)^\S+ \S+ (?P<user>[^\s\[\]\-][^\s\[\]]*) \[[0-9]{2}/[A-Za-z]{3}/[0-9]{4}:"
)


def _clf_users(text: str, spans: Sequence[Span]) -> list[Span]:
    found = []
    for m in _CLF_USER.finditer(text):
        start, end = m.span("user")
        if not any(s.start < end and start < s.end for s in spans):
            found.append(Span(start, end, "USERNAME", 0.8, "context:CLF_USER"))
    return found


# Logins that machine output writes in set places: after "user" (quoted, or bare before
# "from", "not", "(", ...), in sshd's "Accepted publickey for X", cron's "(X) CMD", sudo's
# "X : TTY=", a home directory ("/home/X/"). A login is a person's handle: a USERNAME.
_HANDLE_REST = r"[\w.-]{0,30}[A-Za-z0-9]"
_HANDLE = rf"[A-Za-z]{_HANDLE_REST}"
# A login as machine output writes one: one token of letters, digits, ".", "_" or "-".
_LOGIN_TOKEN = re.compile(_HANDLE)
_LOGIN_PLACES = re.compile(
    # "user 'jdoe'", "username 'jdoe'", "User name: jdoe" (the key's own "name" is no login)
    rf"\b(?:[Uu]ser(?:[ \t_]?[Nn]ame)?|login[ \t]+for)[:=]?[ \t]+"
    rf"(?:[\"'<`](?P<quoted>{_HANDLE})[\"'>`]"
    rf"|(?!name\b)(?P<bare>[a-z]{_HANDLE_REST})"
    r"(?=[ \t]+(?:(?:not|from|on|at|failed|logged|authenticated)\b"
    r"|[0-9]{1,3}\.[0-9])|[(.,;:]|$))"
    rf"|\b(?:Accepted|Failed)[ \t]\w+[ \t]for[ \t](?:invalid[ \t]user[ \t])?(?P<sshd>{_HANDLE})"
    rf"[ \t]from\b"
    rf"|\bCRON\[[0-9]+\]:[ \t]\((?P<cron>{_HANDLE})\)[ \t]"
    rf"|\bUser:(?P<principal>{_HANDLE})\b"  # a Kafka ACL principal
    rf"|\bsudo(?:\[[0-9]+\])?:[ \t]+(?P<sudo>{_HANDLE})[ \t]:[ \t]"
    rf"|(?<![\w.])/(?:home|Users)/(?P<home>{_HANDLE})(?=/|[ \t;]|$)"
    # Windows: a down-level logon name ("CORP\\hsuzuki", escaped "CORP\\\\hsuzuki" in JSON),
    # the "Account Name:" field of security events
    rf"|(?<![\w\\/:.$-])(?P<netbios>[A-Z][A-Z0-9-]{{1,14}})\\{{1,2}}(?P<down_level>{_HANDLE})(?![\w$\\])"
    rf"|\bAccount[ \t]Name:[ \t]+(?P<account>{_HANDLE})(?![\w$@\\])"
    # MySQL's slow log "# User@Host: jdoe[jdoe] @ ...": the login and the authenticated one
    rf"|\bUser@Host:[ \t]+(?P<mysql>{_HANDLE})\[(?P<mysql_auth>{_HANDLE})?\]"
    # a login at an address: "jdoe@203.0.113.5" (ssh, PgBouncer's "db/user@ip:port");
    # OpenVPN's "jdoe/203.0.113.5:50211"
    rf"|(?<![\w.@-])(?P<at_ip>{_HANDLE})@(?=[0-9]{{1,3}}(?:\.[0-9]{{1,3}}){{3}}\b)"
    rf"|(?<![\w./-])(?P<vpn>{_HANDLE})/(?=[0-9]{{1,3}}(?:\.[0-9]{{1,3}}){{3}}(?::[0-9]|[.,;)\]]?(?:\s|$)))"
    # a name before a Java socket address ("PixelBadger77[/198.51.100.19:55102] logged in")
    rf"|(?<![\w./-])(?P<socket>{_HANDLE})\[/(?=[0-9]{{1,3}}(?:\.[0-9]{{1,3}}){{3}}:[0-9])"
    rf"|\bacct=\"(?P<audit>{_HANDLE})\""  # auditd's account field
    # a quoted name an authentication is for ("login query for 'jbaek'", Jellyfin's
    # "Authentication request for \"kwame_fam\""); vsftpd's "[jdoe] OK LOGIN"; Slurm's
    # "UserId=jdoe(41208)"
    rf"|\b(?i:log[io]n|authentication|auth)\b[^\n'\"]{{0,40}}?\bfor[ \t]+"
    rf"[\"'](?P<auth_for>{_HANDLE})[\"']"
    rf"|\[(?P<ftp>{_HANDLE})\][ \t]+(?:OK|FAIL)[ \t]+(?:LOGIN|UPLOAD|DOWNLOAD|MKDIR|RMDIR|DELETE)\b"
    rf"|\bUserId=(?P<slurm>{_HANDLE})\([0-9]+\)"
    # RACF and other mainframe messages: "ICH408I USER(TCHENG01) GROUP(FINAUD)"
    r"|\bUSER\((?P<racf>[A-Z#$@][A-Z0-9#$@]{0,7})[ ]*\)"
    # an AWS IAM user's ARN ("arn:aws:iam::123456789012:user/ops/jdoe")
    rf"|\barn:aws[\w-]*:iam::[0-9]{{12}}:user/(?:[\w+=,.@-]+/)*(?P<iam>{_HANDLE})(?![\w+=,.@-])"
    # FreeRADIUS: "Login incorrect (...): [jdoe/<via Auth-Type = eap>]", "Login OK: [jdoe]"
    rf"|\bLogin[ \t](?:OK|incorrect)\b[^\[\n]{{0,120}}\[(?P<radius>{_HANDLE})[/\]]"
    # an LDAP distinguished name's user id ("uid=wmarsh,ou=people,dc=acme,dc=example"): a
    # DN is the uid RDN followed by more RDNs
    rf"|(?<![\w-])uid=(?P<ldap>{_HANDLE}),[ \t]?(?:ou|dc|cn|o|l|c|st)="
    # git hosting: the account a push was refused to ("remote: Permission to acme/app.git
    # denied to jdoe."). Not a merged branch's owner ("from acme/fix-x"): often an org.
    rf"|\bPermission[ \t]to[ \t]\S+[ \t]denied[ \t]to[ \t](?P<denied>{_HANDLE})(?![\w-])"
    # a device named for its owner, as setup tools name them ("aheinz-laptop", "Johns-iPhone",
    # "mtanaka-mbp"): the whole name points to one person
    rf"|(?<![\w.@/-])(?P<device>[A-Za-z][A-Za-z0-9._]{{1,30}}-(?i:laptop|desktop|notebook|pc|mbp"
    r"|mba|macbook(?:-pro|-air)?|imac|iphone|ipad|android|pixel|galaxy|phone|tablet"
    r"|workstation))(?:\.(?:local|lan|home|localdomain))?(?![\w-]|\.\w)",
    re.MULTILINE,
)
_LOGIN_GROUPS = (
    "quoted", "bare", "sshd", "cron", "principal", "sudo", "home", "down_level", "account",
    "mysql", "mysql_auth", "at_ip", "vpn", "audit", "radius", "iam", "ldap", "socket",
    "denied", "device", "auth_for", "ftp", "slurm", "racf",
)  # fmt: skip
# Places that are machine syntax wherever they stand ("CORP\\jdoe", "Login incorrect ...:
# [jdoe/", an IAM ARN); the others are words that prose also writes ("for user Jane").
_LOGIN_SYNTAX = frozenset(
    {"down_level", "radius", "iam", "ldap", "denied", "device", "ftp", "slurm", "racf"}
)
# Windows domains of built-in accounts ("NT AUTHORITY\\SYSTEM", "BUILTIN\\Administrators").
_SYSTEM_DOMAINS = frozenset({"AUTHORITY", "BUILTIN", "SERVICE", "NT"})


# Accounts of a device's privilege levels (Cisco's "enable_15"), not of a person.
_PRIVILEGE_ACCOUNT = re.compile(r"enable_[0-9]{1,2}", re.IGNORECASE)


# Words that name a pool or a room, not an owner, before a device kind ("kiosk-ipad",
# "lab-workstation", "loaner-laptop", "win11-pc").
_DEVICE_POOLS = frozenset(
    {
        "kiosk", "lab", "shared", "test", "demo", "conf", "conference", "room", "meeting",
        "front", "desk", "reception", "loaner", "spare", "office", "build", "ci", "dev", "qa",
        "staging", "prod", "win", "win10", "win11", "windows", "mac", "linux", "default",
        "new", "old", "home", "work", "corp", "team", "training", "classroom", "student",
        "pos", "till", "warehouse", "factory", "floor", "hotdesk", "exam", "library",
    }
)  # fmt: skip


def _pool_device(name: str) -> bool:
    owner = name.rsplit("-", 1)[0]
    if owner.lower().endswith("-macbook"):
        owner = owner[: -len("-macbook")]
    parts = re.split(r"[-._]", owner.lower())
    return any(p in _DEVICE_POOLS or p in SYSTEM_ACCOUNTS for p in parts)


def _system_account(login: str) -> bool:
    return (
        login.lower() in SYSTEM_ACCOUNTS
        # "_api", "_www", "_postgres": the BSD and macOS way of naming a daemon's account
        or (login.startswith("_") and len(login) > 1)
        or _PRIVILEGE_ACCOUNT.fullmatch(login) is not None
        or SERVICE_ACCOUNT_RE.fullmatch(login) is not None
    )


def _logins(text: str, spans: Sequence[Span], lines: _Lines) -> list[Span]:
    found: list[Span] = []
    for m in _LOGIN_PLACES.finditer(text):
        if m.group("netbios") in _SYSTEM_DOMAINS:
            continue
        for group in _LOGIN_GROUPS:
            if not m.group(group):
                continue
            start, end = m.span(group)
            machine = group in _LOGIN_SYNTAX or lines.machine(start)
            if _system_account(m.group(group)) or not machine:
                continue
            if group == "device" and _pool_device(m.group(group)):
                continue
            if not any(s.start < end and start < s.end for s in [*spans, *found]):
                found.append(Span(start, end, "USERNAME", 0.8, "context:LOGIN"))
    for m in _BARE_TOKEN.finditer(text):
        start, end = m.span()
        if not lines.machine(start) or not login_shaped(m.group()):
            continue
        if _system_account(m.group()):
            continue
        if not any(s.start < end and start < s.end for s in [*spans, *found]):
            found.append(Span(start, end, "USERNAME", 0.7, "context:LOGIN_SHAPE"))
    return found


# A token standing alone on a machine line: not a piece of a path, host, address, key or
# identifier ("/srv/jmarsh-dev", "jmarsh.example", "jmarsh=").
_BARE_TOKEN = re.compile(
    r"(?<![\w./@\\#$%&*+~-])[a-z][a-z0-9._]{3,23}(?<![._])(?![\w@/\\(\[=+-]|\.\w|:[0-9])"
)


def apply_machine_context(
    text: str,
    spans: Sequence[Span],
    hints: KeyHints = key_hint,
    shape_lines: frozenset[int] | None = None,
    fragments: Sequence[Fragment] | None = None,
) -> list[Span]:
    """Spans of one text with key context and machine shapes applied (see module docstring).

    ``shape_lines`` (:func:`machine_line_starts`) and ``fragments``
    (:func:`~piimask.detect.keyvalue.find_fragments`) of ``text`` where the caller has them
    already (the engine computes them once for the decoder and this step); computed here
    otherwise.
    """
    if shape_lines is None:
        shape_lines = machine_line_starts(text)
    if fragments is None:
        fragments = find_fragments(text)
    keyed = apply_key_context(text, spans, fragments, hints, shape_lines)
    lines = _Lines(text, keyed, fragments, shape_lines)
    # before the guess rules, which read a guess's words ("- Purge" is "Purge")
    keyed = drop_misshapen(text, keyed, lines.machine)
    spans = gate_address_guesses(text, drop_machine_guesses(text, keyed, lines), lines.machine)
    users = _clf_users(text, spans)
    users += _logins(text, [*spans, *users], lines)
    users += _other_mentions(text, [*spans, *users])
    return sorted([*spans, *users]) if users else spans


def _other_mentions(text: str, spans: Sequence[Span]) -> list[Span]:
    """A login found once names its person wherever else the text writes it: in a path
    ("/dav/files/lbeaumont/"), a message ("Login failed: lbeaumont"), under a key that did
    not say so. Whole tokens only, and only where nothing else was found."""
    logins = {
        text[s.start : s.end]
        for s in spans
        if s.entity_type == "USERNAME" and s.detector.startswith("context:")
    }
    found: list[Span] = []
    for login in sorted(logins):
        if len(login) < 3 or not _LOGIN_TOKEN.fullmatch(login):
            continue
        if _system_account(login):
            continue
        for m in re.finditer(rf"(?<![\w.@-]){re.escape(login)}(?![\w@-]|\.\w)", text):
            start, end = m.span()
            if not any(s.start < end and start < s.end for s in [*spans, *found]):
                found.append(Span(start, end, "USERNAME", 0.75, "context:LOGIN"))
    return found
