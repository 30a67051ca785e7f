"""The faust runtime on the real broker: the same bytes out as the aiokafka worker.

Both runtimes read the same input topic (the same records, offsets and timestamps) in
their own consumer groups with the same key ring and policy, each into its own output,
audit and dead-letter topics. Masked records must be byte-identical (key, value,
headers, partition, offset, timestamp); audit events and dead letters identical but
for what names the run (event id and time, output topic, chain links, group).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from piimask.keys import KeyRing
from tests.integration.stream_support import (
    REPO,
    Topics,
    WorkerProcess,
    produce,
    read_all,
    unique,
    worker_env,
)

pytestmark = pytest.mark.integration

TEN_MB = 10 * 1024 * 1024
TEXTS = [
    "Please email ann.lee@example.com about the refund.",
    "My card 4111 1111 1111 1111 was charged twice.",
    "SSN 078-05-1120 belongs to the applicant.",
    "Server 192.168.12.7 rejected the login.",
    "Nothing personal in this one.",
    "Transfer to IBAN DE89 3704 0044 0532 0130 00 today.",
]
SECRETS = [b"ann.lee@example.com", b"4111 1111 1111 1111", b"078-05-1120", b"192.168.12.7"]
# (key, value, expected): ("dlq", reason) or ("out", outcome)
CASES: list[tuple[bytes, bytes | None, tuple[str, str]]] = [
    (b"utf8", b'{"name": "Ann \xff\xfe"}', ("dlq", "invalid_utf8")),
    (b"json", b'{"name": "Ann Lee", ', ("dlq", "invalid_json")),
    (b"empty", b"", ("out", "clean")),
    (b"tombstone", None, ("out", "tombstone")),
    (b"huge", b'{"note": "' + b"a" * TEN_MB + b'"}', ("dlq", "oversize")),
    (b"deep", b"[" * 10_000 + b"]" * 10_000, ("dlq", "too_deep")),
    (b"scalar", b'"ann@example.com"', ("dlq", "not_json_object")),
    (b"pii-key ann.lee@example.com", b'{"note": "call me"}', ("out", "masked")),
    *[
        (f"key-{i}".encode(), json.dumps({"id": i, "ticket": {"body": t}}).encode(), ("out", ""))
        for i, t in enumerate(TEXTS)
    ],
]
RUN_FIELDS = {"event_id", "time", "output_topic", "prev_hash", "hash"}
LETTER_RUN_FIELDS = {"dead_lettered_at", "group_id"}


class Family:
    """One input topic and, per runtime, its output, audit and dead-letter topics."""

    def __init__(self, runtime: str, base: str) -> None:
        self.runtime = runtime
        self.input = base
        self.output = f"{base}.{runtime}"
        self.audit = f"{base}.{runtime}.audit"
        self.dlq = f"{base}.{runtime}.dlq"

    def env(self) -> dict[str, str]:
        return {
            "PIIMASK_RUNTIME": self.runtime,
            "PIIMASK_OUTPUT_TOPIC_TEMPLATE": "{topic}." + self.runtime,
            "PIIMASK_AUDIT_TOPIC": self.audit,
            "PIIMASK_DLQ_TOPIC": self.dlq,
            "PIIMASK_GROUP_ID": f"{self.input}-{self.runtime}",
            "PIIMASK_MESSAGE_FORMAT": "json",
        }


async def _admin(bootstrap: str, create: list[NewTopic] | None, delete: list[str] | None) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30_000)
    await admin.start()
    try:
        if create:
            await admin.create_topics(create)
        if delete:
            await admin.delete_topics(delete)
    finally:
        await admin.close()


async def parity_scenario(bootstrap: str, tmp_path: Path) -> dict[str, Any]:
    base = unique("faust-parity")
    families = [Family("aiokafka", base), Family("faust", base)]
    topics = [
        NewTopic(base, 2, 1, topic_configs={"max.message.bytes": str(12 << 20)}),
        *(
            NewTopic(name, n, 1)
            for f in families
            for name, n in ((f.output, 2), (f.audit, 1), (f.dlq, 1))
        ),
    ]
    await _admin(bootstrap, topics, None)
    try:
        return await run_parity(bootstrap, base, families, tmp_path)
    finally:
        await _admin(bootstrap, None, [t.name for t in topics])


async def run_parity(
    bootstrap: str, base: str, families: list[Family], tmp_path: Path
) -> dict[str, Any]:
    await produce(
        bootstrap,
        base,
        [(k, v) for k, v, _ in CASES],
        partition_of=lambda i: i % 2,
        headers=[("trace-id", b"abc")],
        max_request_size=12 << 20,
    )
    keys = KeyRing.generate().to_json()
    topics = Topics(base, "unused", "unused", 2)
    workers = {
        f.runtime: WorkerProcess(
            worker_env(bootstrap, topics, keys, **f.env()), tmp_path / f"{f.runtime}.log"
        )
        for f in families
    }
    n_out = sum(1 for *_, exp in CASES if exp[0] == "out")
    result: dict[str, Any] = {"base": base}
    try:
        for w in workers.values():
            w.start()
        for f in families:
            result[f.runtime] = {
                "outputs": await read_all(bootstrap, f.output, expect=n_out, timeout=150),
                "letters": await read_all(bootstrap, f.dlq, expect=len(CASES) - n_out),
                "audits": await read_all(bootstrap, f.audit, expect=len(CASES)),
                "alive": workers[f.runtime].alive(),
            }
        for f in families:
            result[f.runtime]["exit_code"] = workers[f.runtime].terminate()
    except BaseException:
        for name, w in workers.items():
            print(f"--- {name} worker log\n{w.log_tail(60)}")
        raise
    finally:
        for w in workers.values():
            w.ensure_stopped()
    return result


@pytest.fixture(scope="module")
def parity(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return asyncio.run(parity_scenario(kafka_bootstrap, tmp_path_factory.mktemp("parity")))


def _output_view(m: Any) -> tuple[Any, ...]:
    return (m.partition, m.offset, m.key, m.value, tuple(m.headers), m.timestamp)


def _without(document: bytes, fields: set[str]) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(document)
    return {k: v for k, v in parsed.items() if k not in fields}


def test_faust_worker_stays_up_and_exits_0_on_sigterm(parity: dict[str, Any]) -> None:
    assert parity["faust"]["alive"]
    assert parity["faust"]["exit_code"] == 0
    assert parity["aiokafka"]["exit_code"] == 0


def test_masked_records_are_byte_identical_to_the_aiokafka_workers(
    parity: dict[str, Any],
) -> None:
    aio = sorted(map(_output_view, parity["aiokafka"]["outputs"]))
    fst = sorted(map(_output_view, parity["faust"]["outputs"]))
    assert len(fst) == sum(1 for *_, exp in CASES if exp[0] == "out")
    assert fst == aio
    for _, _, key, value, _, _ in fst:
        for secret in SECRETS:
            assert secret not in (value or b"")
            assert secret not in (key or b"")


def test_audit_events_and_dead_letters_match_but_for_what_names_the_run(
    parity: dict[str, Any],
) -> None:
    def events(runtime: str) -> list[dict[str, Any]]:
        docs = [_without(a.value, RUN_FIELDS) for a in parity[runtime]["audits"]]
        for doc in docs:
            if doc["outcome"] == "dead_lettered":
                # One dead-letter partition: its offsets follow the order in which the
                # input partitions' batches happened to arrive (checked below instead).
                doc.pop("output_offset")
        return sorted(docs, key=lambda e: (e["source_partition"], e["source_offset"]))

    def letters(runtime: str) -> dict[bytes, dict[str, Any]]:
        return {m.key: _without(m.value, LETTER_RUN_FIELDS) for m in parity[runtime]["letters"]}

    assert events("faust") == events("aiokafka")
    assert len(events("faust")) == len(CASES)
    assert letters("faust") == letters("aiokafka")
    headers = {m.key: tuple(m.headers) for m in parity["faust"]["letters"]}
    assert headers == {m.key: tuple(m.headers) for m in parity["aiokafka"]["letters"]}
    letter_at = {m.offset: m.key for m in parity["faust"]["letters"]}
    for a in parity["faust"]["audits"]:
        event = json.loads(a.value)
        source = f"{event['source_topic']}:{event['source_partition']}"
        assert a.key.decode() == source
        if event["outcome"] == "dead_lettered":
            assert event["output_topic"] == f"{parity['base']}.faust.dlq"
            assert (
                letter_at[event["output_offset"]] == f"{source}:{event['source_offset']}".encode()
            )
        else:
            assert event["output_topic"] == f"{parity['base']}.faust"


@pytest.mark.parametrize(
    ("index", "expected"),
    [(i, exp) for i, (_, _, exp) in enumerate(CASES) if exp[1]],
    ids=[c[0].decode()[:12] for c in CASES if c[2][1]],
)
def test_each_bad_input_gets_its_dead_letter_or_pass_through_on_faust(
    parity: dict[str, Any], index: int, expected: tuple[str, str]
) -> None:
    partition, offset = index % 2, index // 2
    events = {
        (e["source_partition"], e["source_offset"]): e
        for e in (json.loads(a.value) for a in parity["faust"]["audits"])
    }
    event = events[(partition, offset)]
    letters = {m.key: json.loads(m.value) for m in parity["faust"]["letters"]}
    if expected[0] == "dlq":
        assert event["outcome"] == "dead_lettered"
        assert event["reason"] == expected[1]
        assert letters[f"{parity['base']}:{partition}:{offset}".encode()]["reason"] == expected[1]
    else:
        assert event["outcome"] == expected[1]


def test_exactly_once_on_faust_is_refused_at_start_pointing_to_aiokafka(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    import subprocess

    topics = Topics(unique("faust-eos"), "a", "d")
    env = worker_env(
        kafka_bootstrap,
        topics,
        KeyRing.generate().to_json(),
        PIIMASK_RUNTIME="faust",
        PIIMASK_PROCESSING_GUARANTEE="exactly-once",
    )
    done = subprocess.run(
        [sys.executable, "-m", "piimask", "worker"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "exactly-once is not available with PIIMASK_RUNTIME=faust" in done.stderr
    assert "PIIMASK_RUNTIME=aiokafka" in done.stderr
