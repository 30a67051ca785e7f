"""Operations of a faust-runtime worker: readiness, metrics that match the run, SIGHUP reload."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import pytest

from piimask.demo.workers import free_port
from piimask.keys import KeyRing
from tests.integration.ops_support import (
    http_status,
    scrape,
    series,
    total,
    wait_until,
    write_policy,
)
from tests.integration.stream_support import (
    Topics,
    WorkerProcess,
    create_topics,
    delete_topics,
    produce,
    read_all,
    worker_env,
)
from tests.integration.test_worker_ops import POLICY_HEADER, texts

pytestmark = pytest.mark.integration


def test_faust_worker_is_ready_counts_its_records_and_reloads_its_policy_on_sighup(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    topics = Topics.fresh("faust-ops", partitions=2)
    asyncio.run(create_topics(kafka_bootstrap, topics))
    policy = tmp_path / "policy.yaml"
    write_policy(policy, "faust-v1")
    port = free_port()
    worker = WorkerProcess(
        worker_env(
            kafka_bootstrap,
            topics,
            KeyRing.generate().to_json(),
            PIIMASK_RUNTIME="faust",
            PIIMASK_GROUP_ID=f"{topics.input}-g",
            PIIMASK_METRICS_PORT=str(port),
            PIIMASK_POLICY_FILE=str(policy),
            PIIMASK_POLICY_RELOAD="sighup",
        ),
        tmp_path / "worker.log",
    )
    try:
        worker.start()
        wait_until(lambda: http_status(port, "/readyz") == 200, 180, "faust worker ready")
        assert http_status(port, "/healthz") == 200

        n = 20
        asyncio.run(produce(kafka_bootstrap, topics.input, texts(n, seed=5)))
        outputs = asyncio.run(read_all(kafka_bootstrap, topics.output, expect=n, timeout=120))
        assert len(outputs) == n
        assert {dict(m.headers)[POLICY_HEADER] for m in outputs} == {b"faust-v1"}
        wait_until(lambda: total(scrape(port), "piimask_records_total") >= n, 30, "records")
        m = scrape(port)
        assert total(m, "piimask_records_in_total", topic=topics.input) == n
        assert total(m, "piimask_records_total") == n
        assert total(m, "piimask_batch_size_sum") == n
        (info,) = series(m, "piimask_policy_info")
        assert info["version"] == "faust-v1"

        write_policy(policy, "faust-v2")
        assert worker.proc is not None
        worker.proc.send_signal(signal.SIGHUP)
        wait_until(
            lambda: total(scrape(port), "piimask_policy_reloads_total", result="ok") == 1,
            30,
            "policy reload accepted",
        )
        asyncio.run(produce(kafka_bootstrap, topics.input, texts(5, seed=6)))
        outputs = asyncio.run(read_all(kafka_bootstrap, topics.output, expect=n + 5, timeout=120))
        versions = sorted(dict(m.headers)[POLICY_HEADER] for m in outputs)
        assert versions == [b"faust-v1"] * n + [b"faust-v2"] * 5
        audit = asyncio.run(read_all(kafka_bootstrap, topics.audit, expect=n + 5))
        assert sorted(json.loads(a.value)["policy_version"] for a in audit) == sorted(
            ["faust-v1"] * n + ["faust-v2"] * 5
        )
        assert worker.terminate() == 0
    except BaseException:
        print(worker.log_tail(60))
        raise
    finally:
        worker.ensure_stopped()
        asyncio.run(delete_topics(kafka_bootstrap, topics))
