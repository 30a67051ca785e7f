"""Log lines through the real engine and the shipped policies: people masked, the rest kept.

The lines are the ones of the issue that asked for this (issue 17): PII-free log lines
the default policy used to change everywhere, and log lines whose e-mail, IP, phone
number and name must be masked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from piimask.detect import DetectionEngine, DetectorConfig
from piimask.keys import KeyRing
from piimask.mask import CompiledPolicy, default_policy, load_policy, mask_text

STRICT = Path(__file__).resolve().parents[2] / "deploy" / "policies" / "strict-redact.yaml"

PII_FREE = [
    "2026-11-03T14:07:12.512Z WARN payments retry=1 latency_ms=2461 order=48213 amount=777.55"
    " currency=USD",
    "cache hit ratio=0.45 size=10240 evictions=23 node=cache-9.internal:6379",
    "worker[52144] job 88123 finished in 3.2s",
    "deployed build 1.19.50 to pool web-29 (replicas=11, cpu=3126m)",
    "size=10240 evictions=17 node=cache-3.internal:6379",
    '{"ts": 1687142703355, "level": "trace", "logger": "exporter.server", "rows": 10}',
    '10.0.0.0 - - [04/Aug/2023:08:15:04 +0000] "GET /status/51562 HTTP/1.1" 304 2078',
    "Nov  3 14:07:12 host1 cron[2211]: job 4411 finished in 12ms",
    "[2025-11-01 16:49:10,426] INFO [Log partition=orders-3] Rolled segment at offset 48213 in 3ms",
    "\tat com.acme.orders.OrderService.process(OrderService.java:142)",
]
PII_FREE[6] = PII_FREE[6].replace("10.0.0.0", "lb-4")
# Lines of formats written by hand, with the words the models took for people, places and
# links there: a product, a program and a format name, a Go import path, an offset, a size
# with its unit, a row count.
PII_FREE += [
    "JVM version is 17.0.9+9-LTS; Java home /usr/lib/jvm/java-17-openjdk-amd64",
    "[2026-10-14 11:02:17,332: INFO/MainProcess] celery worker ready, JSON parse error",
    "go: github.com/acme/notify@v0.4.1: reading github.com/acme/notify/go.mod at revision v0.4.1",
    "[Consumer clientId=consumer-billing-1, groupId=billing] Seeking to offset 4411 for partition",
    "REPORT RequestId: 3f1c2a9e-7b4d-4e1a-9c55-2d7e8f0a1b3c\tDuration: 812.44 ms\tBilled"
    " Duration: 813 ms\tMemory Size: 1024 MB\tMax Memory Used: 211 MB",
    "# Query_time: 2.004871  Lock_time: 0.000091 Rows_sent: 1  Rows_examined: 1234",
]

WITH_PII = [
    (
        "login failed for user jane.doe@example.com from 203.0.113.7",
        ["jane.doe@example.com", "203.0.113.7"],
    ),
    (
        "Nov  3 14:07:12 host1 sshd[2211]: Failed password for invalid user admin from 203.0.113.7"
        " port 52144 ssh2",
        ["203.0.113.7"],
    ),
    (
        "ts=2026-11-03T14:07:12Z level=info user=jane.doe email=jane@example.com order=123",
        ["jane.doe", "jane@example.com"],
    ),
    (
        '{"ts": "2026-11-03T14:07:12Z", "msg": "SMS code sent to +1 415-555-2671"}',
        ["+1 415-555-2671"],
    ),
    ("2026-11-03 14:07:12,512 - billing - INFO - refund approved by Priya Raman", ["Priya Raman"]),
    (
        '192.0.2.44 - frank [03/Nov/2026:14:07:12 +0000] "GET /account HTTP/1.1" 200 2326',
        ["192.0.2.44", "frank"],
    ),
    (
        "A user account was changed. Account Name: pdevries Display Name: Pieter de Vries User"
        " Principal Name: pdevries@corp.example.nl",
        ["Pieter de Vries", "pdevries@corp.example.nl"],
    ),
    (
        "Oct 14 12:01:15 bastion sshd[20331]: Accepted publickey for lmoreau from 198.51.100.9",
        ["lmoreau", "198.51.100.9"],
    ),
    ("2026-10-14 15:00:01 INFO  [support] Ticket #4411 opened by Greta Halvorsen", ["Greta"]),
]


@pytest.fixture(scope="module")
def engine() -> DetectionEngine:
    return DetectionEngine.load(DetectorConfig())


@pytest.fixture(scope="module")
def keyring() -> KeyRing:
    return KeyRing({"k1": bytes(range(32))}, "k1")


def masked(engine: DetectionEngine, keyring: KeyRing, policy: CompiledPolicy, text: str) -> str:
    return mask_text(text, engine.detect(text), policy, keyring).text


def test_pii_free_log_lines_pass_the_default_policy_unchanged(
    engine: DetectionEngine, keyring: KeyRing
) -> None:
    policy = CompiledPolicy(default_policy())
    changed = [t for t in PII_FREE if masked(engine, keyring, policy, t) != t]
    assert changed == []


def test_the_strict_policy_still_removes_event_timestamps(
    engine: DetectionEngine, keyring: KeyRing
) -> None:
    policy = CompiledPolicy(load_policy(STRICT))
    out = masked(engine, keyring, policy, PII_FREE[0])
    assert "2026-11-03" not in out
    assert "order=48213" in out


@pytest.mark.parametrize(("text", "values"), WITH_PII)
def test_people_in_log_lines_are_masked(
    engine: DetectionEngine, keyring: KeyRing, text: str, values: list[str]
) -> None:
    out = masked(engine, keyring, CompiledPolicy(default_policy()), text)
    for value in values:
        assert value not in out
    assert "52144" not in text or "52144" in out  # the port stays


def test_a_personal_date_is_masked_and_an_event_time_kept(
    engine: DetectionEngine, keyring: KeyRing
) -> None:
    text = "2026-11-03T14:07:12Z INFO patient admitted 2026-10-30 14:30, born 1990-01-31"
    out = masked(engine, keyring, CompiledPolicy(default_policy()), text)
    assert out.startswith("2026-11-03T14:07:12Z")
    assert "2026-10-30" not in out
    assert "1990-01-31" not in out


@pytest.fixture(scope="module")
def machine_engine() -> DetectionEngine:
    return DetectionEngine.load(DetectorConfig(text_kind="machine"))


def test_with_text_kind_machine_every_line_is_read_as_machine_output(
    machine_engine: DetectionEngine, keyring: KeyRing
) -> None:
    policy = CompiledPolicy(default_policy())
    # no timestamp, key=value or level: the per-line test reads these as prose
    for text in [
        "Completed job 88123 in 41 s, next run 4471 of 5120",
        "Backup set 2214 verified, 88120441 blocks, 6 errors",
    ]:
        assert masked(machine_engine, keyring, policy, text) == text
    # the people in such lines are still masked
    for text, values in WITH_PII:
        out = masked(machine_engine, keyring, policy, text)
        assert all(value not in out for value in values), text
