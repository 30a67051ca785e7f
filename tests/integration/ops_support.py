"""Helpers for the ops integration tests: HTTP probes, metrics scraping, a policy file."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

REPO = Path(__file__).resolve().parents[2]
DEFAULT_POLICY = REPO / "deploy" / "policies" / "default.yaml"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def http_status(port: int, path: str, timeout: float = 2.0) -> int | None:
    """HTTP status of ``path`` on the worker's port; None while nothing listens."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)
    except (urllib.error.URLError, OSError):
        return None


def scrape(port: int) -> Samples:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        text = resp.read().decode()
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = float(s.value)
    return samples


def total(samples: Samples, name: str, **labels: str) -> float:
    """Sum of ``name`` over every series whose labels include ``labels``."""
    want = set(labels.items())
    return sum(v for (n, lbls), v in samples.items() if n == name and want <= lbls)


def series(samples: Samples, name: str) -> list[dict[str, str]]:
    return [dict(lbls) for (n, lbls) in samples if n == name]


def wait_until(cond: Callable[[], bool], timeout: float, what: str, step: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def write_policy(path: Path, version: str) -> None:
    """The shipped default policy under another version string."""
    lines = DEFAULT_POLICY.read_text(encoding="utf-8").splitlines(keepends=True)
    out = [f'version: "{version}"\n' if ln.startswith("version:") else ln for ln in lines]
    assert out != lines, "default policy has no top-level version line"
    path.write_text("".join(out), encoding="utf-8")
