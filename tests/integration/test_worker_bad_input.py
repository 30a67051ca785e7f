"""Bad input never stops the worker: each case gives the expected dead letter or pass-through."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from piimask.cli.dlq_cmd import dlq
from piimask.keys import KeyRing
from piimask.ops.metrics import WorkerMetrics
from piimask.settings import Settings
from piimask.stream.app import build_worker
from tests.integration.stream_support import (
    Topics,
    create_topics,
    delete_topics,
    produce,
    read_all,
    shared_engine,
)

pytestmark = pytest.mark.integration

TEN_MB = 10 * 1024 * 1024
HUGE = b'{"note": "' + b"a" * TEN_MB + b'"}'
DEEP = b"[" * 10_000 + b"]" * 10_000

# (key, value, expected): expected is ("dlq", reason) or ("out", outcome, value on output)
CASES: list[tuple[bytes, bytes | None, tuple[Any, ...]]] = [
    (b"utf8", b'{"name": "Ann \xff\xfe"}', ("dlq", "invalid_utf8")),
    (b"json", b'{"name": "Ann Lee", ', ("dlq", "invalid_json")),
    (b"empty", b"", ("out", "clean", b"")),
    (b"tombstone", None, ("out", "tombstone", None)),
    (b"huge", HUGE, ("dlq", "oversize")),
    (b"deep", DEEP, ("dlq", "too_deep")),
    (b"scalar", b'"ann@example.com"', ("dlq", "not_json_object")),
    (b"good", b'{"contact": "write to ann@example.com"}', ("out", "masked", None)),
]


async def run_bad_input(bootstrap: str, topics: Topics, keyring: KeyRing) -> dict[str, Any]:
    await create_topics(bootstrap, topics, input_config={"max.message.bytes": str(12 << 20)})
    settings = Settings(
        kafka_bootstrap=bootstrap,
        input_topics=[topics.input],
        audit_topic=topics.audit,
        dlq_topic=topics.dlq,
        group_id=f"{topics.input}-g",
        message_format="json",
        metrics_port=0,
    )
    worker = build_worker(
        settings, engine=shared_engine(), keyring=keyring, metrics=WorkerMetrics()
    )
    task = asyncio.create_task(worker.run())
    await produce(bootstrap, topics.input, [(k, v) for k, v, _ in CASES], max_request_size=12 << 20)
    try:
        n_out = sum(1 for *_, exp in CASES if exp[0] == "out")
        n_dlq = len(CASES) - n_out
        outputs = await read_all(bootstrap, topics.output, expect=n_out, timeout=90)
        letters = await read_all(bootstrap, topics.dlq, expect=n_dlq, timeout=30)
        audits = await read_all(bootstrap, topics.audit, expect=len(CASES), timeout=30)
        alive_after_bad_input = not task.done()
    finally:
        worker.stop()
        await asyncio.wait_for(task, 60)
    return {
        "topics": topics,
        "outputs": outputs,
        "letters": letters,
        "audits": audits,
        "alive": alive_after_bad_input,
    }


@pytest.fixture(scope="module")
def keyring() -> KeyRing:
    return KeyRing.generate()


@pytest.fixture(scope="module")
def bad_input_run(kafka_bootstrap: str, keyring: KeyRing) -> Iterator[dict[str, Any]]:
    topics = Topics.fresh("bad")
    try:
        yield asyncio.run(run_bad_input(kafka_bootstrap, topics, keyring))
    finally:
        asyncio.run(delete_topics(kafka_bootstrap, topics))


def test_worker_stays_up_through_bad_input(bad_input_run: dict[str, Any]) -> None:
    assert bad_input_run["alive"]


@pytest.mark.parametrize(("key", "value", "expected"), CASES, ids=[c[0].decode() for c in CASES])
def test_each_bad_input_gets_its_dead_letter_or_pass_through(
    bad_input_run: dict[str, Any], key: bytes, value: bytes | None, expected: tuple[Any, ...]
) -> None:
    outputs = {m.key: m for m in bad_input_run["outputs"]}
    letters = {m.key: json.loads(m.value) for m in bad_input_run["letters"]}
    events = {e["source_offset"]: e for e in (json.loads(a.value) for a in bad_input_run["audits"])}
    offset = [c[0] for c in CASES].index(key)
    event = events[offset]
    if expected[0] == "dlq":
        assert key not in {m.key for m in bad_input_run["outputs"]}
        coords = f"{bad_input_run['topics'].input}:0:{offset}".encode()
        letter = letters[coords]
        assert letter["reason"] == expected[1]
        assert event["outcome"] == "dead_lettered"
        assert event["reason"] == expected[1]
    else:
        out = outputs[key]
        assert event["outcome"] == expected[1]
        if expected[1] == "masked":
            assert b"ann@example.com" not in out.value
        else:
            assert out.value == expected[2]


ENCRYPTED_FIELDS = ("value_encrypted", "key_encrypted", "headers_encrypted")


def test_dead_letters_hold_no_readable_payload(bad_input_run: dict[str, Any]) -> None:
    # The ciphertext fields are base64 and, at 27 kB, contain any given three letters
    # ("Ann") by chance about one run in ten: look for the plain text in everything else,
    # and for whole plain values (7+ bytes, never by chance) inside the decoded ciphertext.
    for message in bad_input_run["letters"]:
        letter = json.loads(message.value)
        ciphertexts = [base64.b64decode(letter.pop(f, None) or "") for f in ENCRYPTED_FIELDS]
        readable = json.dumps(letter).encode()
        assert b"Ann" not in readable
        assert b"ann@example.com" not in readable
        for blob in ciphertexts:
            assert b"Ann Lee" not in blob
            assert b"ann@example.com" not in blob


def test_oversize_dead_letter_keeps_only_size_and_digest(bad_input_run: dict[str, Any]) -> None:
    (letter,) = [
        json.loads(m.value)
        for m in bad_input_run["letters"]
        if json.loads(m.value)["reason"] == "oversize"
    ]
    assert letter["omitted"] == "too_large"
    assert letter["value_encrypted"] is None
    assert letter["value_size"] == len(HUGE)
    assert letter["value_sha256"] == hashlib.sha256(HUGE).hexdigest()


def test_dlq_list_shows_reasons_and_coordinates_without_payloads(
    bad_input_run: dict[str, Any], kafka_bootstrap: str
) -> None:
    topics = bad_input_run["topics"]
    result = CliRunner().invoke(
        dlq, ["list", "--topic", topics.dlq], env={"PIIMASK_KAFKA_BOOTSTRAP": kafka_bootstrap}
    )
    assert result.exit_code == 0, result.output
    for reason in ("invalid_utf8", "invalid_json", "oversize", "too_deep", "not_json_object"):
        assert reason in result.output
    assert f"{topics.input}:0:1" in result.output
    assert "Ann" not in result.output


def test_dlq_replay_resends_the_chosen_original_to_its_input_topic(
    bad_input_run: dict[str, Any], kafka_bootstrap: str, keyring: KeyRing
) -> None:
    topics = bad_input_run["topics"]
    env = {"PIIMASK_KAFKA_BOOTSTRAP": kafka_bootstrap, "PIIMASK_KEYS": keyring.to_json()}
    source = f"{topics.input}:0:1"
    dry = CliRunner().invoke(
        dlq, ["replay", "--topic", topics.dlq, "--source", source, "--dry-run"], env=env
    )
    assert dry.exit_code == 0, dry.output
    assert f"would replay\t{source}" in dry.output

    result = CliRunner().invoke(
        dlq,
        ["replay", "--topic", topics.dlq, "--reason", "invalid_json", "--reason", "oversize"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert f"replayed\t{source}" in result.output
    assert f"skipped\t{topics.input}:0:4" in result.output

    inputs = asyncio.run(read_all(kafka_bootstrap, topics.input, expect=len(CASES) + 1))
    replayed = inputs[-1]
    assert replayed.offset == len(CASES)
    assert replayed.key == b"json"
    assert replayed.value == CASES[1][1]
    assert dict(replayed.headers)["piimask-replay-of"] == source.encode()
