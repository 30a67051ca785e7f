"""IP_ADDRESS: IPv4 dotted quads and IPv6 addresses, validated with :mod:`ipaddress`."""

from __future__ import annotations

import ipaddress
import re

from piimask.detect.patterns._base import VERSION_WORDS, BaseRecognizer
from piimask.spans import Span

# Not inside a longer dotted number ("1.2.3.4.5"), but after an ellipsis or a range's ".."
# ("192.0.2.1[gw]...198.51.100.2[peer]").
_IPV4 = re.compile(r"(?:(?<![\w.])|(?<=\.\.))(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![\w]|\.[0-9])")
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{1,4}:|::)[0-9A-Fa-f:.]{1,43}(?![\w])")
# The unspecified address "::" only as a network ("::/0", "::/128"): alone it is punctuation.
_UNSPECIFIED_NETWORK = re.compile(r"(?<![\w:.])::(?=/[0-9])")
# A zone index after a link-local address ("fe80::1%eth0") names the host's interface.
_ZONE = re.compile(r"%[A-Za-z0-9_.-]{1,32}")
_PREFIX = re.compile(r"/([0-9]{1,3})(?![\w/]|\.[0-9])")
_HEX_LETTER = re.compile(r"[A-Fa-f]")


def _ipv4_ok(value: str) -> bool:
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


def _ipv6_plausible(value: str) -> bool:
    try:
        address = ipaddress.IPv6Address(value)
    except ValueError:
        return False
    if address == ipaddress.IPv6Address("::1"):
        return True
    groups = [g for g in value.replace("::", ":").split(":") if g]
    if "." in value:  # IPv4-mapped or -embedded tail
        return True
    if len(groups) < 2:
        return any(len(g) >= 3 for g in groups)
    # Clock times and ratios are colon-separated numbers too: demand a group that
    # only an address would have (a hex letter or at least three digits).
    return any(len(g) >= 3 or _HEX_LETTER.search(g) for g in groups)


def _network_end(text: str, end: int, max_prefix: int) -> int:
    """End of a CIDR prefix length ("/24") right after an address, if a valid one follows."""
    match = _PREFIX.match(text, end)
    if match is not None and int(match.group(1)) <= max_prefix:
        return match.end()
    return end


class IpAddressRecognizer(BaseRecognizer):
    """Addresses with their network prefix ("10.0.0.0/8") and IPv6 zone ("fe80::1%eth0")."""

    name = "IP_ADDRESS"
    entity_type = "IP_ADDRESS"

    def find(self, text: str) -> list[Span]:
        spans: list[Span] = []
        for match in _IPV6.finditer(text):
            start, end = match.start(), match.end()
            value = text[start:end]
            # A sentence may end right after the address ("... at fe80::1.").
            while value and value[-1] in ".:" and not value.endswith("::"):
                value = value[:-1]
            if value.count(":") < 2 or not _ipv6_plausible(value):
                continue
            full = "::" not in value and "." not in value
            end = start + len(value)
            zone = _ZONE.match(text, end)
            if zone is not None:
                end = zone.end()
            end = _network_end(text, end, 128)
            spans.append(self.span(start, end, 0.95 if full else 0.85))
        for match in _UNSPECIFIED_NETWORK.finditer(text):
            end = _network_end(text, match.end(), 128)
            if end > match.end():
                spans.append(self.span(match.start(), end, 0.85))
        ipv6 = list(spans)
        for match in _IPV4.finditer(text):
            start, end = match.start(), match.end()
            if not _ipv4_ok(match.group()) or any(s.start <= start and end <= s.end for s in ipv6):
                continue
            if VERSION_WORDS.search(text, max(0, start - 12), start):
                continue
            # "3.4.5.6" is as likely a version as a host: keep it, but weakly.
            single_digits = all(len(part) == 1 for part in match.group().split("."))
            end = _network_end(text, end, 32)
            spans.append(self.span(start, end, 0.6 if single_digits else 0.95))
        spans.sort()
        return spans

    def validate(self, value: str) -> bool:
        address, _, prefix = value.partition("/")
        if prefix:
            limit = 128 if ":" in address else 32
            if not prefix.isdigit() or int(prefix) > limit:
                return False
            if address == "::":
                return True
            value = address
        value = value.partition("%")[0] if value.count(":") >= 2 else value
        if _IPV4.fullmatch(value):
            return _ipv4_ok(value)
        return value.count(":") >= 2 and _ipv6_plausible(value)
