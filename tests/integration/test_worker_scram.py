"""The worker on the broker's SCRAM listener: masks records; fails fast on a bad password."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from piimask.keys import KeyRing
from tests.integration.stream_support import (
    REPO,
    Topics,
    WorkerProcess,
    create_topics,
    produce,
    read_all,
    worker_env,
)

pytestmark = pytest.mark.integration

RECORD = b"Please refund Jane Porter, card 4111 1111 1111 1111, email jane.porter@example.com"


def sasl_env(
    kafka_bootstrap: str, sasl: Any, topics: Topics, mechanism: str, **extra: str
) -> dict[str, str]:
    return worker_env(
        kafka_bootstrap,
        topics,
        KeyRing.generate().to_json(),
        PIIMASK_KAFKA_BOOTSTRAP=sasl.bootstrap,
        PIIMASK_SECURITY_PROTOCOL="SASL_PLAINTEXT",
        PIIMASK_SASL_MECHANISM=mechanism,
        PIIMASK_SASL_USERNAME=sasl.username,
        PIIMASK_GROUP_ID=f"{topics.input}-g",
        **extra,
    )


@pytest.mark.parametrize(
    ("mechanism", "password_from"),
    [("SCRAM-SHA-256", "env"), ("SCRAM-SHA-512", "file")],
)
def test_worker_masks_a_record_over_scram(
    kafka_bootstrap: str,
    kafka_sasl_bootstrap: Any,
    tmp_path: Path,
    mechanism: str,
    password_from: str,
) -> None:
    password = kafka_sasl_bootstrap.password
    topics = Topics.fresh("scram")
    asyncio.run(create_topics(kafka_bootstrap, topics))
    if password_from == "file":
        secret = tmp_path / "kafka-password"
        secret.write_text(password + "\n")
        extra = {"PIIMASK_SASL_PASSWORD_FILE": str(secret)}
    else:
        extra = {"PIIMASK_SASL_PASSWORD": password}
    worker = WorkerProcess(
        sasl_env(kafka_bootstrap, kafka_sasl_bootstrap, topics, mechanism, **extra),
        tmp_path / "worker.log",
    )
    worker.start()
    try:
        asyncio.run(produce(kafka_bootstrap, topics.input, [(b"k1", RECORD)]))
        out = asyncio.run(read_all(kafka_bootstrap, topics.output, expect=1, timeout=120))
        assert len(out) == 1, worker.log_tail()
        masked = out[0].value.decode()
        assert "4111 1111 1111 1111" not in masked
        assert "jane.porter@example.com" not in masked
        audit = asyncio.run(read_all(kafka_bootstrap, topics.audit, expect=1, timeout=60))
        assert json.loads(audit[0].value)["outcome"] == "masked"
        assert worker.terminate() == 0
    finally:
        worker.ensure_stopped()
    assert password not in worker.log_path.read_text()


def test_wrong_password_fails_fast_with_an_authentication_error(
    kafka_bootstrap: str, kafka_sasl_bootstrap: Any
) -> None:
    topics = Topics.fresh("scram-bad")
    wrong = "not-the-password-7f3a9c"
    env = sasl_env(
        kafka_bootstrap,
        kafka_sasl_bootstrap,
        topics,
        "SCRAM-SHA-512",
        PIIMASK_SASL_PASSWORD=wrong,
        PIIMASK_LOG_FORMAT="text",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "piimask", "worker"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "authentication" in output.lower(), output
    assert wrong not in output


def test_sasl_protocol_without_mechanism_is_a_configuration_error_naming_the_setting(
    kafka_bootstrap: str,
) -> None:
    topics = Topics.fresh("scram-config")
    env = worker_env(
        kafka_bootstrap,
        topics,
        KeyRing.generate().to_json(),
        PIIMASK_SECURITY_PROTOCOL="SASL_PLAINTEXT",
        PIIMASK_SASL_USERNAME="piimask",
        PIIMASK_SASL_PASSWORD="whatever-secret-123",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "piimask", "worker"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "PIIMASK_SASL_MECHANISM" in proc.stderr
    assert "whatever-secret-123" not in proc.stdout + proc.stderr
