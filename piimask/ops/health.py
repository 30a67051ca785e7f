"""Liveness and readiness flags, and the HTTP server for ``/healthz``, ``/readyz``, ``/metrics``."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

log = logging.getLogger(__name__)

HEALTHZ_PATH = "/healthz"
READYZ_PATH = "/readyz"
METRICS_PATH = "/metrics"


class Health:
    """Thread-safe flags the worker sets; the HTTP server reads them.

    Ready means: the model is loaded, the broker answered, and the consumer
    joined its group (has an assignment). Alive is true until the worker
    declares itself broken (:meth:`set_failed`), so an orchestrator restarts
    a process that is stuck rather than one that is merely waiting.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._model_loaded = False
        self._group_joined = False
        self._broker_reachable = False
        self._draining = False
        self._failure: str | None = None

    def set_model_loaded(self, ok: bool) -> None:
        with self._lock:
            self._model_loaded = ok

    def set_group_joined(self, ok: bool) -> None:
        with self._lock:
            self._group_joined = ok

    def set_broker_reachable(self, ok: bool) -> None:
        with self._lock:
            self._broker_reachable = ok

    def set_draining(self, ok: bool) -> None:
        """Shutting down: stop receiving traffic while in-flight records finish."""
        with self._lock:
            self._draining = ok

    def set_failed(self, reason: str) -> None:
        """Mark the process dead (liveness fails). ``reason`` must be content-free."""
        with self._lock:
            self._failure = reason

    @property
    def ready(self) -> bool:
        with self._lock:
            return (
                self._model_loaded
                and self._group_joined
                and self._broker_reachable
                and not self._draining
                and self._failure is None
            )

    @property
    def alive(self) -> bool:
        with self._lock:
            return self._failure is None

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            flags: dict[str, Any] = {
                "model_loaded": self._model_loaded,
                "group_joined": self._group_joined,
                "broker_reachable": self._broker_reachable,
                "draining": self._draining,
            }
            if self._failure is not None:
                flags["failure"] = self._failure
        flags["alive"] = flags.get("failure") is None
        flags["ready"] = (
            flags["alive"]
            and flags["model_loaded"]
            and flags["group_joined"]
            and flags["broker_reachable"]
            and not flags["draining"]
        )
        return flags


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == HEALTHZ_PATH:
            snap = self.server.health.snapshot()
            self._send_json(200 if snap["alive"] else 503, snap)
        elif path == READYZ_PATH:
            snap = self.server.health.snapshot()
            self._send_json(200 if snap["ready"] else 503, snap)
        elif path == METRICS_PATH:
            body = generate_latest(self.server.registry)
            self._send(200, CONTENT_TYPE_LATEST, body)
        else:
            self._send_json(
                404, {"error": "not found", "paths": [HEALTHZ_PATH, READYZ_PATH, METRICS_PATH]}
            )

    def do_HEAD(self) -> None:
        self.do_GET()

    def _send_json(self, status: int, body: dict[str, Any]) -> None:
        self._send(status, "application/json", json.dumps(body).encode())

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        # Probes hit these paths every few seconds; access lines would drown the worker's log.
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    health: Health
    registry: CollectorRegistry


class HealthServer:
    """``/healthz``, ``/readyz`` and ``/metrics`` on one port, served from a daemon thread.

    ``port=0`` binds a free port (see :attr:`port` after :meth:`start`), useful in tests.
    """

    def __init__(
        self,
        health: Health,
        port: int,
        registry: CollectorRegistry,
        *,
        host: str = "0.0.0.0",  # noqa: S104 - probes come from the orchestrator, not localhost
    ) -> None:
        self.health = health
        self.registry = registry
        self._host = host
        self._requested_port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            return self._requested_port
        return int(self._server.server_address[1])

    def start(self) -> None:
        if self._server is not None:
            return
        server = _Server((self._host, self._requested_port), _Handler)
        server.health = self.health
        server.registry = self.registry
        self._server = server
        # A short poll interval keeps stop() quick; the cost is a few wakeups per second.
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="piimask-health",
            daemon=True,
        )
        self._thread.start()
        log.info("health server listening", extra={"port": self.port})

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
