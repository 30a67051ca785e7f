"""Fixtures for tests on a real Kafka broker.

`kafka_bootstrap` is the PLAINTEXT address of a broker: the one named by
PIIMASK_KAFKA_BOOTSTRAP, or else the local single-node broker of deploy/kafka, which is
started when nothing answers. A broker that cannot be had fails the tests (never skips
them). Several pytest sessions may share the local broker: each holds a lease file in
deploy/kafka/run/leases/ while it runs, and the broker is stopped at the end only when
a test session started it and no other session still holds a lease (set
PIIMASK_KAFKA_KEEP=1 to keep it running for the next run).

`kafka_sasl_bootstrap` is the SASL_PLAINTEXT listener of the same broker with a SCRAM
user; `make_topic` / `new_topic` create uniquely named topics, deleted after the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import re
import subprocess
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

REPO = Path(__file__).resolve().parents[2]
KAFKA_DIR = REPO / "deploy" / "kafka"
RUN_DIR = Path(os.environ.get("PIIMASK_KAFKA_RUN", str(KAFKA_DIR / "run")))
STARTED_MARKER = RUN_DIR / "started-by-tests"
LOCAL_HOST = "127.0.0.1"
SCRAM_MECHANISMS = ("SCRAM-SHA-256", "SCRAM-SHA-512")
# Generous: on a loaded two-core machine a cold broker start takes 10 to 40 seconds.
START_TIMEOUT_S = int(os.environ.get("PIIMASK_KAFKA_WAIT_TIMEOUT", "180"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in item.path.resolve().parents:
            item.add_marker(pytest.mark.integration)


@dataclass(frozen=True)
class ScramBroker:
    """The SASL_PLAINTEXT listener and its test user (same password for both mechanisms)."""

    bootstrap: str
    username: str
    password: str
    mechanisms: tuple[str, ...] = SCRAM_MECHANISMS

    def client_config(self, mechanism: str = "SCRAM-SHA-256") -> dict[str, str]:
        """Keyword arguments for aiokafka producers, consumers and admin clients."""
        return {
            "bootstrap_servers": self.bootstrap,
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": mechanism,
            "sasl_plain_username": self.username,
            "sasl_plain_password": self.password,
        }

    def settings_env(self, mechanism: str = "SCRAM-SHA-256") -> dict[str, str]:
        """Environment for a piimask process (piimask.settings.Settings) using this listener."""
        return {
            "PIIMASK_KAFKA_BOOTSTRAP": self.bootstrap,
            "PIIMASK_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            "PIIMASK_SASL_MECHANISM": mechanism,
            "PIIMASK_SASL_USERNAME": self.username,
            "PIIMASK_SASL_PASSWORD": self.password,
        }


async def _list_topics(bootstrap: str, **security: Any) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000, **security)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


def broker_problem(bootstrap: str, *, timeout_s: float = 15.0, **security: Any) -> str | None:
    """None when the broker answers a metadata request, else what went wrong."""
    try:
        asyncio.run(asyncio.wait_for(_list_topics(bootstrap, **security), timeout_s))
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return None


def _log_tail(lines: int = 40) -> str:
    log = RUN_DIR / "kafka.log"
    if not log.exists():
        return f"(no broker log at {log})"
    tail = log.read_text(errors="replace").splitlines()[-lines:]
    return f"last lines of {log}:\n" + "\n".join(tail)


def _run_script(name: str, *args: str, timeout_s: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KAFKA_DIR / name), *args],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


class _Leases:
    """One file per pytest process using the local broker, so no session stops it under another."""

    def __init__(self, run_dir: Path) -> None:
        self.dir = run_dir / "leases"
        self.lock_path = run_dir / ".lease.lock"
        self.mine = self.dir / str(os.getpid())

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        with self.lock_path.open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def take(self) -> None:
        self.mine.touch()

    def drop(self) -> None:
        self.mine.unlink(missing_ok=True)


def _local_broker() -> Iterator[str]:
    port = os.environ.get("PIIMASK_KAFKA_PORT", "9092")
    bootstrap = f"{LOCAL_HOST}:{port}"
    leases = _Leases(RUN_DIR)
    with leases.locked():
        leases.take()
    try:
        if broker_problem(bootstrap, timeout_s=5.0) is not None:
            _start_local_broker()
        yield bootstrap
    finally:
        with leases.locked():
            leases.drop()
            # stop.sh itself leaves the broker running while other leases are alive.
            if STARTED_MARKER.exists() and os.environ.get("PIIMASK_KAFKA_KEEP") != "1":
                stopped = _run_script("stop.sh", timeout_s=120)
                if "leaving it running" not in stopped.stderr:
                    STARTED_MARKER.unlink(missing_ok=True)


def _start_local_broker() -> None:
    try:
        started = _run_script("start.sh", timeout_s=600)
    except subprocess.TimeoutExpired:
        pytest.fail(f"deploy/kafka/start.sh did not finish in 600 s\n{_log_tail()}")
    if started.returncode != 0:
        pytest.fail(
            f"deploy/kafka/start.sh failed (exit {started.returncode}):\n"
            f"{started.stderr.strip()}\n{_log_tail()}"
        )
    if started.stdout.strip() == "started":
        STARTED_MARKER.touch()
    try:
        waited = _run_script("wait.sh", str(START_TIMEOUT_S), timeout_s=START_TIMEOUT_S + 60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"deploy/kafka/wait.sh hung\n{_log_tail()}")
    if waited.returncode != 0:
        pytest.fail(f"the local Kafka broker did not come up:\n{waited.stderr.strip()}")


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """host:port of a real broker's PLAINTEXT listener."""
    external = os.environ.get("PIIMASK_KAFKA_BOOTSTRAP")
    if external:
        problem = broker_problem(external)
        if problem is not None:
            pytest.fail(
                f"PIIMASK_KAFKA_BOOTSTRAP={external} does not answer ({problem}); "
                "unset it to let the tests start the local broker from deploy/kafka"
            )
        yield external
        return
    yield from _local_broker()


@pytest.fixture(scope="session")
def kafka_sasl_bootstrap(kafka_bootstrap: str) -> ScramBroker:
    """The broker's SASL_PLAINTEXT listener with a SCRAM-SHA-256/512 user."""
    if os.environ.get("PIIMASK_KAFKA_BOOTSTRAP"):
        address = os.environ.get("PIIMASK_KAFKA_SASL_BOOTSTRAP")
        if not address:
            pytest.fail(
                "PIIMASK_KAFKA_BOOTSTRAP names an external broker; set "
                "PIIMASK_KAFKA_SASL_BOOTSTRAP (and PIIMASK_KAFKA_SASL_USER / "
                "PIIMASK_KAFKA_SASL_PASSWORD) to its SCRAM listener"
            )
    else:
        address = f"{LOCAL_HOST}:{os.environ.get('PIIMASK_KAFKA_SASL_PORT', '9094')}"
    broker = ScramBroker(
        bootstrap=address,
        username=os.environ.get("PIIMASK_KAFKA_SASL_USER", "piimask"),
        password=os.environ.get("PIIMASK_KAFKA_SASL_PASSWORD", "piimask-secret"),
    )
    security: dict[str, Any] = broker.client_config()
    del security["bootstrap_servers"]
    problem = broker_problem(broker.bootstrap, **security)
    if problem is not None:
        pytest.fail(f"SCRAM listener {broker.bootstrap} does not accept the test user: {problem}")
    return broker


_TOPIC_UNSAFE = re.compile(r"[^a-zA-Z0-9._-]+")


def _topic_prefix(test_name: str) -> str:
    return _TOPIC_UNSAFE.sub("-", test_name).strip("-._")[:80] or "topic"


async def _create_topic(
    bootstrap: str, name: str, partitions: int, config: Mapping[str, str]
) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30_000)
    await admin.start()
    try:
        response = await admin.create_topics(
            [NewTopic(name, partitions, 1, topic_configs=dict(config))]
        )
        for topic, code, message in response.topic_errors:
            if code != 0:
                raise RuntimeError(f"creating topic {topic} failed: error {code} {message}")
        # The controller answers once the topic is committed; producers want leaders too.
        for _ in range(100):
            described = await admin.describe_topics([name])
            parts = described[0]["partitions"] if described else []
            if len(parts) == partitions and all(p["leader"] >= 0 for p in parts):
                return
            await asyncio.sleep(0.1)
        raise RuntimeError(f"topic {name} has no leader for every partition after 10 s")
    finally:
        await admin.close()


async def _delete_topics(bootstrap: str, names: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        await admin.delete_topics(names)
    finally:
        await admin.close()


MakeTopic = Callable[..., str]


@pytest.fixture
def make_topic(kafka_bootstrap: str, request: pytest.FixtureRequest) -> Iterator[MakeTopic]:
    """Factory: make_topic(partitions=1, *, config=None, prefix=None) -> new topic name.

    Names are "<prefix or test name>-<random>", so parallel sessions never collide. The
    topics are deleted after the test (PIIMASK_KAFKA_KEEP_TOPICS=1 keeps them).
    """
    created: list[str] = []

    def make(
        partitions: int = 1,
        *,
        config: Mapping[str, str] | None = None,
        prefix: str | None = None,
    ) -> str:
        name = f"{_topic_prefix(prefix or request.node.name)}-{uuid.uuid4().hex[:8]}"
        asyncio.run(_create_topic(kafka_bootstrap, name, partitions, config or {}))
        created.append(name)
        return name

    yield make
    if created and os.environ.get("PIIMASK_KAFKA_KEEP_TOPICS") != "1":
        # Clean-up is best effort: a failure here must not mask the test's own result.
        with contextlib.suppress(Exception):
            asyncio.run(asyncio.wait_for(_delete_topics(kafka_bootstrap, created), 15))


@pytest.fixture
def new_topic(make_topic: MakeTopic) -> str:
    """A fresh single-partition topic."""
    return make_topic()
