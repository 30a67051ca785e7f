from __future__ import annotations

import pytest

from piimask.detect.span_shapes import drop_misshapen
from piimask.spans import Span


def _kept(
    text: str, value: str, entity_type: str, detector: str = "model", *, machine: bool = True
) -> list[str]:
    start = text.index(value)
    span = Span(start, start + len(value), entity_type, 0.9, detector)
    return [text[s.start : s.end] for s in drop_misshapen(text, [span], lambda _: machine)]


@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        ("source ip: 'any' (name 'unknown')", "any", "IP_ADDRESS"),
        ('addr=":8086" component=endpoints-watcher', ":8086", "STREET_ADDRESS"),
        ("SAP return code 665 (partner sapgw-prd:sapgw00)", "665", "STREET_ADDRESS"),
        ("SAP return code 665 (partner sapgw-prd:sapgw00)", "sapgw00", "DRIVER_LICENSE"),
        ("[junos@2636.1.1.1.2.123 peer-name=x]", "junos", "EMAIL_ADDRESS"),
        ("error in /var/www/html/index.php on line 3", "in /var/www/html/index.php", "URL"),
        ("signatures couldn't be verified: NO_PUBKEY 4F1C2A9E", "NO_PUBKEY", "PERSON"),
        ("event -- ", "-- ", "PERSON"),
    ],
)
def test_a_guess_its_own_text_rules_out_is_dropped_on_a_machine_line(
    text: str, value: str, entity_type: str
) -> None:
    assert _kept(text, value, entity_type) == []


@pytest.mark.parametrize(
    ("text", "value", "entity_type", "detector"),
    [
        ("shipping to 12 Oak Street today", "12 Oak Street", "STREET_ADDRESS", "model"),
        ("login from 203.0.113.7 failed", "203.0.113.7", "IP_ADDRESS", "model"),
        ("write to jane.doe@example.com", "jane.doe@example.com", "EMAIL_ADDRESS", "model"),
        ("mail jdoe at example dot com", "jdoe at example dot com", "EMAIL_ADDRESS", "model"),
        ("email=jdoe order=5", "jdoe", "EMAIL_ADDRESS", "context:KEY"),
        ("see https://example.org/u/jane", "https://example.org/u/jane", "URL", "model"),
        ("ticket from Maria Lopez", "Maria Lopez", "PERSON", "model"),
        ("by JEAN_PAUL", "JEAN_PAUL", "USERNAME", "model"),  # only names: no constant login
    ],
)
def test_a_guess_written_as_its_type_stays(
    text: str, value: str, entity_type: str, detector: str
) -> None:
    assert _kept(text, value, entity_type, detector) == [value]


@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        ("She lives at 36 on the corner", "36", "STREET_ADDRESS"),  # cut off its street
        ("Ms Wiśniewska called", "Wiśniewska", "GOVERNMENT_ID"),  # a surname, mistyped
    ],
)
def test_in_prose_a_mistyped_guess_stays_masked(text: str, value: str, entity_type: str) -> None:
    assert _kept(text, value, entity_type, machine=False) == [value]


@pytest.mark.parametrize("machine", [True, False])
def test_a_name_guess_loses_a_leading_dash(machine: bool) -> None:
    text = "2026-12-03 INFO  - Purge storage"
    assert _kept(text, "- Purge", "PERSON", machine=machine) == ["Purge"]


@pytest.mark.parametrize("machine", [True, False])
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("public key is not available: NO_PUBKEY 4F1C2A9E", "NO_PUBKEY"),
        ("%Member{__meta__: #Ecto.Schema.Metadata<:loaded>}", "Ecto.Schema.Metadata"),
    ],
)
def test_a_constant_or_a_namespace_is_no_name_anywhere(
    text: str, value: str, machine: bool
) -> None:
    assert _kept(text, value, "PERSON", machine=machine) == []


def test_initials_joined_by_dots_stay_a_name() -> None:
    assert _kept("signed J.R.Smith", "J.R.Smith", "PERSON", machine=False) == ["J.R.Smith"]


def test_a_handle_keeps_its_at_sign() -> None:
    assert _kept("thanks @jane_doe", "@jane_doe", "PERSON") == ["@jane_doe"]


def test_validated_pattern_matches_are_left_alone() -> None:
    text = "port :8086"
    assert _kept(text, ":8086", "STREET_ADDRESS", "pattern:CUSTOM") == [":8086"]


@pytest.mark.parametrize("machine", [True, False])
def test_an_error_type_is_no_finding_anywhere(machine: bool) -> None:
    text = "called `Result::unwrap()` on an `Err` value: Utf8Error { valid_up_to: 4411 }"
    assert _kept(text, "Utf8Error", "DRIVER_LICENSE", machine=machine) == []


def test_on_a_machine_line_a_guess_ends_at_the_line_break_and_is_checked_there() -> None:
    text = "Scanned directories: 412\nScanned files: 18820"
    assert _kept(text, "412\nScanned", "STREET_ADDRESS") == []
    text = "to 12 Oak Street\nnext"
    assert _kept(text, "12 Oak Street\nnext", "STREET_ADDRESS") == ["12 Oak Street"]


@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        ("purge: Purging messages from Trash: 118 items", "Trash: 118", "STREET_ADDRESS"),
        ("Number of transactions batched in Syncs: 1204", "Syncs", "LOCATION"),
        ('{"controller":"git","GitRepository":{"name":"fleet"}}', "GitRepository", "PERSON"),
        ("EVT=CALL_ANSWERED BED=4W-12B BY=nurse", "4W-12B", "PERSON"),
        ("WHAT: TGT-88-kq1Xz0r1fVbN-cas-node2", "kq1Xz0r1fVbN", "DRIVER_LICENSE"),
    ],
)
def test_on_a_machine_line_labels_keys_codes_and_bare_document_guesses_are_no_findings(
    text: str, value: str, entity_type: str
) -> None:
    assert _kept(text, value, entity_type) == []


@pytest.mark.parametrize("machine", [True, False])
@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        ("(1763656802.118412) can0 18FEF100", "1763656802.118412", "PHONE_NUMBER"),
        ("can0 18FEF100 [8] FF 41 2C 00 C3 FF", "2C 00 C3 FF", "LOCATION"),
    ],
)
def test_a_decimal_phone_or_a_wordless_name_is_no_finding_anywhere(
    text: str, value: str, entity_type: str, machine: bool
) -> None:
    assert _kept(text, value, entity_type, machine=machine) == []


@pytest.mark.parametrize(
    ("text", "value", "entity_type", "machine"),
    [
        ("INFO passport X1234567 scanned at the desk", "X1234567", "PASSPORT", True),
        ("kernel[12]: peer=10.0.0.7:443 up", "peer=10.0.0.7:443", "PERSON", True),
        ("A warm welcome to GeorgeDobell1 today", "GeorgeDobell1", "PERSON", False),
        ("Portland, OR is lovely", "OR", "LOCATION", False),
        ("Contact: Maria Lopez", "Maria Lopez", "PERSON", True),
    ],
)
def test_guesses_with_a_document_word_an_address_or_a_name_shape_stay(
    text: str, value: str, entity_type: str, machine: bool
) -> None:
    assert _kept(text, value, entity_type, machine=machine) == [value]
