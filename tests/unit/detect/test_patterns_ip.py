"""IP_ADDRESS: IPv4 and IPv6 checked by ipaddress; versions, clock times and ratios rejected."""

from __future__ import annotations

import pytest

from piimask.detect.patterns import IpAddressRecognizer

RECOGNIZER = IpAddressRecognizer()


def values(text: str) -> list[str]:
    return [text[s.start : s.end] for s in RECOGNIZER.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("192.168.1.1", ["192.168.1.1"]),
        ("keep getting address 150.62.52.223 blocked error", ["150.62.52.223"]),
        ("(10.0.0.254).", ["10.0.0.254"]),
        ("ip=8.8.8.8,", ["8.8.8.8"]),
        ("d64f:d024:d8dc:baf7:42e6:9e10:e07b:628f", ["d64f:d024:d8dc:baf7:42e6:9e10:e07b:628f"]),
        ("FE80::1FF:FE23:4567:890A", ["FE80::1FF:FE23:4567:890A"]),
        ("loopback ::1.", ["::1"]),
        ("addr 2001:db8::1: blocked", ["2001:db8::1"]),
        ("mapped ::ffff:192.0.2.1", ["::ffff:192.0.2.1"]),
        ("地址：203.0.113.7。", ["203.0.113.7"]),
        # Networks keep their prefix length; an impossible one is left out.
        ("Subnet: 192.168.1.0/24", ["192.168.1.0/24"]),
        ("Route is 10.0.0.0/8.", ["10.0.0.0/8"]),
        ("10.0.0.0/123", ["10.0.0.0"]),
        ("Prefix: 2001:db8::/32", ["2001:db8::/32"]),
        ("2001:db8::/9999", ["2001:db8::"]),
        ("::/0 and ::/128", ["::/0", "::/128"]),
        ("64:ff9b::192.0.2.0/96", ["64:ff9b::192.0.2.0/96"]),
        # A zone index names the host's interface.
        ("fe80::1%eth0/64", ["fe80::1%eth0/64"]),
        # After an ellipsis or a range's "..", an address starts afresh.
        ("tunnel 203.0.113.9[left]...192.0.2.77[right] up", ["203.0.113.9", "192.0.2.77"]),
        ("allow 10.1.0.1..10.1.0.9", ["10.1.0.1", "10.1.0.9"]),
    ],
)
def test_finds_ip_addresses(text: str, expected: list[str]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "999.1.1.1",  # octet out of range
        "1.2.3",  # version string
        "version 1.2.3.4",
        "v1.2.3.4",
        "1.2.3.4.5",
        "01.02.03.04",  # leading zeros
        "12:30:45",  # clock time
        "10:00-11:30",
        "12::30",  # compressed but only small numbers
        "00:1A:2B:3C:4D:5E",  # MAC address
        "::",
        "",
    ],
)
def test_rejects_non_addresses(text: str) -> None:
    assert values(text) == []


def test_version_like_quads_score_low() -> None:
    [span] = RECOGNIZER.find("3.4.5.6")
    assert span.score < 0.85


@pytest.mark.parametrize(
    ("value", "valid"),
    [("10.0.0.1", True), ("::1", True), ("12:30:45", False), ("256.0.0.1", False)],
)
def test_validate(value: str, valid: bool) -> None:
    assert RECOGNIZER.validate(value) is valid
