"""A broker of one test's own: deploy/kafka's scripts with their own ports and data directory.

Fault tests kill and freeze this broker; the shared broker of ``conftest.py`` (used by
every other test session) is never touched. Its process is found through the pid file in
its own run directory, so only the broker this helper started is ever signalled.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from piimask.demo.workers import free_port

KAFKA_DIR = Path(__file__).resolve().parents[2] / "deploy" / "kafka"


@dataclass
class PrivateBroker:
    run_dir: Path
    port: int = field(default_factory=free_port)
    controller_port: int = field(default_factory=free_port)
    sasl_port: int = field(default_factory=free_port)
    frozen: bool = False

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIIMASK_KAFKA")}
        env.update(
            {
                "PIIMASK_KAFKA_RUN": str(self.run_dir),
                "PIIMASK_KAFKA_PORT": str(self.port),
                "PIIMASK_KAFKA_CONTROLLER_PORT": str(self.controller_port),
                "PIIMASK_KAFKA_SASL_PORT": str(self.sasl_port),
                "PIIMASK_KAFKA_HEAP_OPTS": "-Xms128m -Xmx512m",
            }
        )
        if "PIIMASK_KAFKA_CACHE" in os.environ:
            env["PIIMASK_KAFKA_CACHE"] = os.environ["PIIMASK_KAFKA_CACHE"]
        if "PIIMASK_KAFKA_HOME" in os.environ:
            env["PIIMASK_KAFKA_HOME"] = os.environ["PIIMASK_KAFKA_HOME"]
        return env

    def _script(self, name: str, *args: str, timeout: float) -> str:
        done = subprocess.run(
            [str(KAFKA_DIR / name), *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(
                f"{name} failed (exit {done.returncode}): {done.stderr.strip()}\n{self.log_tail()}"
            )
        return done.stdout.strip()

    def start(self, timeout: float = 240) -> float:
        """Start (or restart on the same data) and wait until it answers; seconds taken."""
        started = time.monotonic()
        # The last word: fetch.sh may print Maven's output (with colour codes) before it.
        said = re.sub(r"\x1b\[[0-9;]*m", "", self._script("start.sh", timeout=120)).split()
        word = said[-1] if said else ""
        if word != "started":
            raise AssertionError(f"start.sh said {word!r}: the private broker's ports are taken")
        self._script("wait.sh", str(int(timeout)), timeout=timeout + 30)
        return time.monotonic() - started

    def pid(self) -> int:
        pid = int((self.run_dir / "kafka.pid").read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        assert str(self.run_dir).encode() in cmdline, "pid file names another process"
        return pid

    def kill(self) -> None:
        """SIGKILL, and wait until the process is gone."""
        pid = self.pid()
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            if _is_zombie(pid):
                break
            time.sleep(0.1)

    def freeze(self) -> None:
        os.kill(self.pid(), signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        os.kill(self.pid(), signal.SIGCONT)
        self.frozen = False

    def stop(self) -> None:
        if self.frozen:
            self.thaw()
        subprocess.run(
            [str(KAFKA_DIR / "stop.sh"), "--force", "--wipe"],
            env=self.env(),
            capture_output=True,
            timeout=120,
            check=False,
        )

    def log_tail(self, n: int = 30) -> str:
        log = self.run_dir / "kafka.log"
        if not log.exists():
            return "(no broker log)"
        return "\n".join(log.read_text(errors="replace").splitlines()[-n:])


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except (OSError, IndexError):
        return True
