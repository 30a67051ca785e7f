from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from prometheus_client import CollectorRegistry

from piimask.ops.health import Health, HealthServer
from piimask.ops.metrics import WorkerMetrics
from piimask.ops.probe import main as probe_main
from piimask.ops.probe import probe


def get(port: int, path: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
            return resp.status, resp.headers["Content-Type"], resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read().decode()


@pytest.fixture
def served() -> Iterator[tuple[Health, WorkerMetrics, int]]:
    health = Health()
    metrics = WorkerMetrics(CollectorRegistry())
    server = HealthServer(health, 0, metrics.registry, host="127.0.0.1")
    server.start()
    try:
        yield health, metrics, server.port
    finally:
        server.stop()


def make_ready(health: Health) -> None:
    health.set_model_loaded(True)
    health.set_broker_reachable(True)
    health.set_group_joined(True)


def test_new_health_is_alive_but_not_ready() -> None:
    health = Health()
    assert health.alive
    assert not health.ready


@pytest.mark.parametrize("missing", ["model", "broker", "group"])
def test_ready_needs_model_broker_and_group(missing: str) -> None:
    health = Health()
    health.set_model_loaded(missing != "model")
    health.set_broker_reachable(missing != "broker")
    health.set_group_joined(missing != "group")
    assert not health.ready


def test_draining_and_failure_make_not_ready_and_failure_makes_not_alive() -> None:
    health = Health()
    make_ready(health)
    assert health.ready
    health.set_draining(True)
    assert not health.ready
    assert health.alive
    health.set_draining(False)
    health.set_failed("consumer loop stopped")
    assert not health.ready
    assert not health.alive
    assert health.snapshot()["failure"] == "consumer loop stopped"


def test_readyz_is_503_until_ready_then_200(served: tuple[Health, WorkerMetrics, int]) -> None:
    health, _, port = served
    status, ctype, body = get(port, "/readyz")
    assert (status, ctype) == (503, "application/json")
    assert json.loads(body)["group_joined"] is False
    make_ready(health)
    status, _, body = get(port, "/readyz")
    assert status == 200
    assert json.loads(body)["ready"] is True


def test_healthz_is_200_while_alive_and_503_after_failure(
    served: tuple[Health, WorkerMetrics, int],
) -> None:
    health, _, port = served
    assert get(port, "/healthz")[0] == 200
    health.set_failed("stuck")
    assert get(port, "/healthz")[0] == 503


def test_metrics_path_serves_prometheus_exposition(
    served: tuple[Health, WorkerMetrics, int],
) -> None:
    _, metrics, port = served
    metrics.records_in("in", 9)
    status, ctype, body = get(port, "/metrics")
    assert status == 200
    assert ctype.startswith("text/plain")
    assert 'piimask_records_in_total{topic="in"} 9.0' in body


def test_unknown_path_is_404(served: tuple[Health, WorkerMetrics, int]) -> None:
    assert get(served[2], "/nope")[0] == 404


def test_stop_releases_the_port() -> None:
    health = Health()
    server = HealthServer(health, 0, CollectorRegistry(), host="127.0.0.1")
    server.start()
    port = server.port
    server.stop()
    again = HealthServer(health, port, CollectorRegistry(), host="127.0.0.1")
    again.start()
    again.stop()


def test_probe_succeeds_only_on_200(served: tuple[Health, WorkerMetrics, int]) -> None:
    health, _, port = served
    assert probe("/healthz", port)
    assert not probe("/readyz", port)
    make_ready(health)
    assert probe("/readyz", port)


def test_probe_fails_when_nothing_listens() -> None:
    server = HealthServer(Health(), 0, CollectorRegistry(), host="127.0.0.1")
    server.start()
    port = server.port
    server.stop()
    assert not probe("/healthz", port, timeout=0.5)


def test_probe_cli_reads_the_port_from_settings(
    served: tuple[Health, WorkerMetrics, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIIMASK_METRICS_PORT", str(served[2]))
    assert probe_main(["healthz"]) == 0
    assert probe_main(["readyz"]) == 1
    assert probe_main(["bogus"]) == 2
