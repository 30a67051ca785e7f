"""deploy/prometheus and deploy/grafana name only series that the worker and the rules make."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from prometheus_client import CollectorRegistry, generate_latest

from piimask.ops.metrics import WorkerMetrics

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "piimask-rules.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "piimask-dashboard.json"
SERIES = re.compile(r"\b(piimask(?::[a-z0-9_]+)+|piimask_[a-z0-9_]+)\b")


@dataclass(frozen=True)
class Mask:
    entity_type: str = "PERSON"
    operator: str = "replace"
    masked: bool = True
    score: float = 0.9
    detector: str = "model"


def exported_names() -> set[str]:
    """Every sample name a worker exports once each kind of series has a value."""
    metrics = WorkerMetrics(CollectorRegistry())
    metrics.records_in("orders", 1)
    metrics.outcome("dead_lettered", reason="invalid_json")
    metrics.findings([Mask()])
    metrics.set_lag("orders", 0, 1)
    metrics.set_broker_up(True)
    metrics.observe_end_to_end(0.1)
    metrics.observe_cache(hits=1, misses=1, evicted=1, entries=1)
    metrics.observe_shadow(compared=1, failed=1, spans={("PERSON", "both"): 1}, seconds=0.1)
    text = generate_latest(metrics.registry).decode()
    return {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line[:1].isalpha()}


def rules() -> list[dict[str, Any]]:
    doc = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return [rule for group in doc["groups"] for rule in group["rules"]]


def dashboard_exprs() -> list[str]:
    doc = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [t["expr"] for p in doc["panels"] for t in p.get("targets", [])]


def test_every_series_the_rules_read_is_exported_or_recorded() -> None:
    known = exported_names() | {r["record"] for r in rules() if "record" in r}
    for rule in rules():
        for name in SERIES.findall(rule["expr"]):
            assert name in known, f"{rule.get('record') or rule.get('alert')}: {name}"


def test_every_series_the_dashboard_reads_is_exported_or_recorded() -> None:
    known = exported_names() | {r["record"] for r in rules() if "record" in r}
    exprs = dashboard_exprs()
    assert len(exprs) >= 12
    for expr in exprs:
        for name in SERIES.findall(expr):
            assert name in known, f"{expr}: {name}"


def test_recorded_series_follow_the_level_metric_operations_convention() -> None:
    for rule in rules():
        if "record" in rule:
            assert re.fullmatch(r"piimask:[a-z0-9_]+:[a-z0-9_]+", rule["record"]), rule["record"]


def test_every_alert_has_a_severity_a_summary_and_a_for_clause() -> None:
    alerts = [r for r in rules() if "alert" in r]
    assert {a["alert"] for a in alerts} >= {
        "PiimaskFindingRateDrift",
        "PiimaskDeadLetterRate",
        "PiimaskConsumerLagHigh",
    }
    for alert in alerts:
        assert alert["labels"]["severity"] in {"info", "warning", "critical"}
        assert alert["annotations"]["summary"]
        assert re.fullmatch(r"[0-9]+[smhd]", alert["for"])


def test_the_dashboard_covers_what_operators_watch() -> None:
    doc = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    titles = " ".join(p["title"].lower() for p in doc["panels"])
    for topic in (
        "records",
        "lag",
        "dead",
        "findings per 1,000",
        "score",
        "agreement",
        "cache hit ratio",
        "shadow",
    ):
        assert topic in titles, topic
    ids = [p["id"] for p in doc["panels"]]
    assert len(ids) == len(set(ids))
    variables = {v["name"] for v in doc["templating"]["list"]}
    assert variables == {"datasource", "job", "entity_type"}
    for panel in doc["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
