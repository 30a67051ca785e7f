"""Plain-text tables and CSV for the auditor's commands."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(value))
    numeric = [
        bool(cells) and all(_is_number(row[i]) for row in cells if row[i])
        for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        out = [
            v.rjust(widths[i]) if numeric[i] else v.ljust(widths[i]) for i, v in enumerate(values)
        ]
        return "  ".join(out).rstrip()

    parts = [line(list(headers)), line(["-" * w for w in widths])]
    parts.extend(line(row) for row in cells)
    return "\n".join(parts)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def report_table(report: Mapping[str, Any]) -> str:
    rng = report["range"]
    lines = [
        f"Audit report: {rng['first_event'] or '-'} .. {rng['last_event'] or '-'}"
        + (f"  (since {rng['since']})" if rng["since"] else "")
        + (f"  (until {rng['until']})" if rng["until"] else ""),
        f"records {report['records']}  events {report['events']}"
        f"  (re-processed: {report['events'] - report['records']})",
        "",
        table(["outcome", "records"], report["outcomes"].items()),
    ]
    if report["dead_lettered_by_reason"]:
        lines += [
            "",
            table(["dead-letter reason", "records"], report["dead_lettered_by_reason"].items()),
        ]
    findings = report["findings"]
    head = f"findings {findings['total']}  masked {findings['masked']}"
    if findings.get("summarised"):
        # Counted by summarised events only: no score, no detector.
        head += f"  summarised {findings['summarised']}"
    lines += ["", head]
    for title, key in (
        ("entity type", "by_entity_type"),
        ("operator", "by_operator"),
        ("detector", "by_detector"),
        ("not masked because", "not_masked_by_reason"),
    ):
        if findings[key]:
            lines += ["", table([title, "findings"], findings[key].items())]
    if report["scores"]:
        metrics = ["count", "min", "p10", "p50", "p90", "mean"]
        lines += [
            "",
            table(
                ["scores by entity type", *metrics],
                [[e, *(s[m] for m in metrics)] for e, s in report["scores"].items()],
            ),
        ]
    if report["policies"]:
        lines += [
            "",
            table(
                ["policy version", "policy sha256", "records"],
                [
                    [p["policy_version"], p["policy_sha256"][:16], p["records"]]
                    for p in report["policies"]
                ],
            ),
        ]
    if report["models"]:
        lines += [
            "",
            table(
                ["model", "model sha256", "records"],
                [[m["model_name"], m["model_sha256"][:16], m["records"]] for m in report["models"]],
            ),
        ]
    for shadow in report.get("shadow", ()):
        lines += ["", *shadow_table(shadow)]
    return "\n".join(lines)


_AGREEMENT_COLUMNS = ("both", "live_only", "shadow_only", "agreement")


def shadow_table(shadow: Mapping[str, Any]) -> list[str]:
    """One shadow model's agreement with the live detectors, per entity type and in total."""
    head = (
        f"shadow model {shadow['model_name']} ({shadow['model_sha256'][:16]}):"
        f" records compared {shadow['records']}  failed {shadow['failed']}"
    )
    rows = [[e, *(r[c] for c in _AGREEMENT_COLUMNS)] for e, r in shadow["by_entity_type"].items()]
    rows.append(["(all)", *(shadow["total"][c] for c in _AGREEMENT_COLUMNS)])
    return [
        head,
        table(["entity type", "both", "live only", "shadow only", "agreement"], rows),
    ]


def report_rows(report: Mapping[str, Any]) -> list[tuple[str, str, str, Any]]:
    """Long format for CSV: (section, name, metric, value)."""
    rows: list[tuple[str, str, str, Any]] = [
        ("totals", "events", "count", report["events"]),
        ("totals", "records", "count", report["records"]),
    ]
    rows += [("outcomes", k, "records", v) for k, v in report["outcomes"].items()]
    rows += [
        ("dead_lettered", k, "records", v) for k, v in report["dead_lettered_by_reason"].items()
    ]
    findings = report["findings"]
    rows += [
        ("findings", "all", "total", findings["total"]),
        ("findings", "all", "masked", findings["masked"]),
        ("findings", "all", "summarised", findings.get("summarised", 0)),
    ]
    for section in ("by_entity_type", "by_operator", "by_detector", "not_masked_by_reason"):
        rows += [(section, k, "findings", v) for k, v in findings[section].items()]
    for entity, summary in report["scores"].items():
        rows += [("scores", entity, metric, value) for metric, value in summary.items()]
    for p in report["policies"]:
        rows.append(
            ("policies", f"{p['policy_version']}@{p['policy_sha256']}", "records", p["records"])
        )
    for m in report["models"]:
        rows.append(("models", f"{m['model_name']}@{m['model_sha256']}", "records", m["records"]))
    for shadow in report.get("shadow", ()):
        model = f"{shadow['model_name']}@{shadow['model_sha256']}"
        rows += [
            ("shadow", model, "records", shadow["records"]),
            ("shadow", model, "failed", shadow["failed"]),
        ]
        for entity, row in [*shadow["by_entity_type"].items(), ("(all)", shadow["total"])]:
            rows += [(f"shadow:{model}", entity, c, row[c]) for c in _AGREEMENT_COLUMNS]
    return rows


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().rstrip("\n")
