"""Start ``piimask worker`` processes for the demo, wait until they are ready, stop them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from piimask.ops.probe import probe


class DemoError(RuntimeError):
    """The demo cannot go on; the message says what failed and where to look."""


@dataclass
class WorkerProcess:
    name: str
    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_worker(name: str, env: Mapping[str, str], log_dir: Path) -> WorkerProcess:
    port = free_port()
    log_path = log_dir / f"worker-{name}.log"
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PIIMASK_")}
    full_env.update(env)
    full_env["PIIMASK_METRICS_PORT"] = str(port)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "piimask", "worker"],
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    return WorkerProcess(name, proc, port, log_path)


def wait_ready(
    workers: list[WorkerProcess],
    timeout: float,
    on_wait: Callable[[float], None] | None = None,
) -> None:
    """Poll each worker's ``/readyz`` until all answer 200; fail early if one exits."""
    start = time.monotonic()
    pending = list(workers)
    while pending:
        for w in list(pending):
            code = w.proc.poll()
            if code is not None:
                raise DemoError(
                    f"worker {w.name} exited with code {code} before it was ready; "
                    f"last lines of {w.log_path}:\n{w.log_tail()}"
                )
            if probe("/readyz", w.port, timeout=1.0):
                pending.remove(w)
        elapsed = time.monotonic() - start
        if pending and elapsed > timeout:
            names = ", ".join(w.name for w in pending)
            raise DemoError(
                f"worker(s) {names} not ready after {timeout:.0f} s; "
                f"see {pending[0].log_path}:\n{pending[0].log_tail()}"
            )
        if pending:
            if on_wait is not None:
                on_wait(elapsed)
            time.sleep(0.5)


def stop_workers(workers: list[WorkerProcess], timeout: float = 30.0) -> list[int | None]:
    """SIGTERM (the worker commits what is in flight), then SIGKILL after ``timeout``."""
    for w in workers:
        if w.proc.poll() is None:
            w.proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    codes: list[int | None] = []
    for w in workers:
        try:
            codes.append(w.proc.wait(timeout=max(0.1, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            w.proc.kill()
            codes.append(w.proc.wait())
    return codes
