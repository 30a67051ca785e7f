"""Records in, masked records with keys and headers out, one audit event per record."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

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

TEXTS = [
    "Please email ann.lee@example.com about the refund.",
    "My card 4111 1111 1111 1111 was charged twice.",
    "SSN 078-05-1120 belongs to the applicant.",
    "Server 192.168.12.7 rejected the login.",
    "Nothing personal in this one.",
    "Transfer to IBAN DE89 3704 0044 0532 0130 00 today.",
]
SECRETS = [
    "ann.lee@example.com",
    "4111 1111 1111 1111",
    "078-05-1120",
    "192.168.12.7",
    "DE89 3704 0044 0532 0130 00",
]


def payloads(fmt: str) -> list[bytes]:
    if fmt == "text":
        return [t.encode() for t in TEXTS]
    return [
        json.dumps({"id": i, "ticket": {"body": t, "tags": ["support"]}}).encode()
        for i, t in enumerate(TEXTS)
    ]


async def run_roundtrip(bootstrap: str, fmt: str, guarantee: str) -> dict[str, Any]:
    topics = Topics.fresh(f"rt-{fmt}", partitions=2)
    await create_topics(bootstrap, topics)
    try:
        return await roundtrip(bootstrap, topics, fmt, guarantee)
    finally:
        await delete_topics(bootstrap, topics)


async def roundtrip(bootstrap: str, topics: Topics, fmt: str, guarantee: str) -> dict[str, Any]:
    settings = Settings(
        kafka_bootstrap=bootstrap,
        input_topics=[topics.input],
        audit_topic=topics.audit,
        dlq_topic=topics.dlq,
        group_id=f"{topics.input}-g",
        transactional_id_prefix=topics.input,
        message_format=fmt,  # type: ignore[arg-type]
        processing_guarantee=guarantee,  # type: ignore[arg-type]
        metrics_port=0,
    )
    engine = shared_engine()
    worker = build_worker(
        settings, engine=engine, keyring=KeyRing.generate(), metrics=WorkerMetrics()
    )
    task = asyncio.create_task(worker.run())
    values = payloads(fmt)
    await produce(
        bootstrap,
        topics.input,
        [(f"key-{i}".encode(), v) for i, v in enumerate(values)],
        partition_of=lambda i: i % 2,
        headers=[("trace-id", b"abc")],
    )
    try:
        outputs = await read_all(bootstrap, topics.output, expect=len(values), timeout=90)
        audits = await read_all(bootstrap, topics.audit, expect=len(values), timeout=30)
        assert not task.done(), "worker stopped early"
    finally:
        worker.stop()
        await asyncio.wait_for(task, 60)
    return {
        "topics": topics,
        "outputs": outputs,
        "audits": audits,
        "engine": engine,
        "policy_version": worker.context.policy_version,
    }


@pytest.mark.parametrize(
    ("fmt", "guarantee"), [("text", "at-least-once"), ("json", "exactly-once")]
)
def test_worker_masks_records_and_keeps_keys_partitions_and_headers(
    kafka_bootstrap: str, fmt: str, guarantee: str
) -> None:
    result = asyncio.run(run_roundtrip(kafka_bootstrap, fmt, guarantee))
    outputs, audits = result["outputs"], result["audits"]

    assert len(outputs) == len(TEXTS)
    by_key = {m.key: m for m in outputs}
    assert set(by_key) == {f"key-{i}".encode() for i in range(len(TEXTS))}
    for i in range(len(TEXTS)):
        out = by_key[f"key-{i}".encode()]
        assert out.partition == i % 2
        headers = dict(out.headers)
        assert headers["trace-id"] == b"abc"
        assert headers["piimask-policy-version"] == result["policy_version"].encode()
        assert headers["piimask-model"] == result["engine"].model_name.encode()
        for secret in SECRETS:
            assert secret.encode() not in out.value
        if fmt == "json":
            doc = json.loads(out.value)
            assert set(doc) == {"id", "ticket"}
            assert set(doc["ticket"]) == {"body", "tags"}

    events = [json.loads(a.value) for a in audits]
    assert len(events) == len(TEXTS)
    assert {(e["source_partition"], e["source_offset"]) for e in events} == {
        (m.partition, m.offset) for m in outputs
    }
    coords = {(m.partition, m.offset) for m in outputs}
    for event in events:
        assert event["output_topic"] == result["topics"].output
        assert (event["output_partition"], event["output_offset"]) in coords
        assert event["outcome"] in ("masked", "clean")
        text = json.dumps(event)
        for secret in SECRETS:
            assert secret not in text
    assert sum(e["outcome"] == "masked" for e in events) >= len(SECRETS)
