"""A real Prometheus server for the monitoring tests, and the shipped rules with short windows."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "deploy" / "prometheus" / "piimask-rules.yml"
RULE_TESTS = REPO / "deploy" / "prometheus" / "piimask-rules.test.yml"
DASHBOARD = REPO / "deploy" / "grafana" / "piimask-dashboard.json"

# Range windows of the shipped rules -> the test's: 5 s rates, a 60 s "7-day" baseline.
SHORT_WINDOWS = {"5m": "5s", "15m": "15s", "7d": "60s"}
SHORT_FOR = "2s"


def binary(name: str) -> str:
    found = shutil.which(name)
    assert found is not None, (
        f"{name} not found: install Debian's prometheus package (run-tests.sh does: "
        "apt-get install -y prometheus)"
    )
    return found


def shortened_rules(text: str) -> str:
    """The shipped rule file with every range window and ``for`` shortened, nothing else."""

    def window(match: re.Match[str]) -> str:
        assert match.group(1) in SHORT_WINDOWS, f"no short form for window {match.group(0)}"
        return f"[{SHORT_WINDOWS[match.group(1)]}]"

    out = re.sub(r"\[([0-9]+[smhd])\]", window, text)
    out = re.sub(r"(?m)^(\s+for: )[0-9]+[smhd]$", rf"\g<1>{SHORT_FOR}", out)
    assert out != text
    return out


@dataclass
class PrometheusServer:
    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, **params: str) -> Any:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{self.url}{path}{query}", timeout=5) as resp:
            return json.loads(resp.read().decode())

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as resp:
                return int(resp.status) == 200
        except (urllib.error.URLError, OSError):
            return False

    def query(self, expr: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.get("/api/v1/query", query=expr)
        return answer

    def firing(self, alertname: str) -> list[Mapping[str, str]]:
        """Label sets of the alerts of that name now firing."""
        alerts = self.get("/api/v1/alerts")["data"]["alerts"]
        return [
            a["labels"]
            for a in alerts
            if a["labels"].get("alertname") == alertname and a["state"] == "firing"
        ]

    def log_tail(self, n: int = 30) -> str:
        lines = self.log_path.read_text(errors="replace").splitlines()[-n:]
        return "\n".join(lines)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def start_prometheus(
    directory: Path, *, port: int, targets: list[str], rules_text: str
) -> PrometheusServer:
    """Prometheus scraping ``targets`` every second and evaluating the rules every second."""
    directory.mkdir(parents=True, exist_ok=True)
    rules = directory / "rules.yml"
    rules.write_text(rules_text, encoding="utf-8")
    config = directory / "prometheus.yml"
    config.write_text(
        json.dumps(
            {
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "rule_files": [str(rules)],
                "scrape_configs": [
                    {"job_name": "piimask", "static_configs": [{"targets": targets}]}
                ],
            }
        ),
        encoding="utf-8",
    )
    log_path = directory / "prometheus.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                binary("prometheus"),
                f"--config.file={config}",
                f"--storage.tsdb.path={directory / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return PrometheusServer(proc, port, log_path)
