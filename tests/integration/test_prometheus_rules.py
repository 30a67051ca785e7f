"""deploy/prometheus/ rules checked and unit-tested by Debian's promtool (a real binary)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from tests.integration.prometheus_support import (
    RULE_TESTS,
    RULES,
    binary,
    shortened_rules,
)


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary("promtool"), *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_promtool_accepts_the_shipped_rules() -> None:
    result = promtool("check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_the_rules_pass_their_promtool_unit_tests() -> None:
    # drift against a 7-day baseline, an idle topic, dead letters, lag, a broker outage
    result = promtool("test", "rules", str(RULE_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_integration_tests_copy_differs_from_the_shipped_rules_in_durations_only(
    tmp_path: Path,
) -> None:
    short = shortened_rules(RULES.read_text(encoding="utf-8"))
    copy = tmp_path / "rules.yml"
    copy.write_text(short, encoding="utf-8")
    result = promtool("check", "rules", str(copy))
    assert result.returncode == 0, result.stdout + result.stderr

    def without_durations(text: str) -> list[object]:
        groups = yaml.safe_load(text)["groups"]
        rules = [rule for group in groups for rule in group["rules"]]
        for rule in rules:
            rule["expr"] = re.sub(r"\[[0-9]+[smhd]\]", "[D]", rule["expr"])
            rule.pop("for", None)
        return rules

    assert without_durations(short) == without_durations(RULES.read_text(encoding="utf-8"))
