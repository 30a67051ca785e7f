"""Detection quality on every development set at once: one table, one engine configuration.

    python benchmarks/eval_all_sets.py                       # all sets, today's settings
    python benchmarks/eval_all_sets.py --limit 300           # quick: an even sample per set
    python benchmarks/eval_all_sets.py --sets uner,wnut --set min_score=0.5 --json
    python benchmarks/eval_all_sets.py --no-ner              # when the engine has a NER switch

The engine is built from ``DetectorConfig.from_settings`` (PIIMASK_* settings)
with ``--set key=value`` overrides of any ``DetectorConfig`` field (values are
read as JSON where they parse, else as strings), so new detector settings are
reachable without changing this script.

Columns: recall = share of gold core characters masked; leaked = share of gold
core spans with any character left unmasked; precision = character precision
on the synthetic sets (masked characters that are gold PII; neutral labels
excluded), name/place precision on the real-text sets (predicted PERSON,
LOCATION and STREET_ADDRESS characters inside any gold span). The Presidio
recognizer cases (global, US and UK files, types piimask covers) report the
share of positive cases fully masked and of negative cases with any mask. The JSON events
set (made up by ``piimask.evalsets.json_events``, masked with the shipped policy) reports
PII fields fully masked (recall), free-text PII spans leaked, and the share of PII-free
fields changed (false mask). The log-line sets (made up by ``piimask.evalsets.log_lines``:
JSON logs, logfmt, syslog, access and error logs, stack traces, ...; its dev, held-out and
unseen seeds) report recall = share of gold e-mails, IPs, phone numbers and names fully
masked, leaked = the rest, and the PII-free lines the shipped default policy would change
(its ``keep`` types, the event timestamps, change nothing). The hand-written JSON events
(``piimask/evalsets/data/json_events_handwritten.jsonl``) are scored like the made-up ones,
per half: ``tune`` (rules were fixed on it) and ``final`` (scored once, never tuned on).
``--limit N`` takes N records spread evenly over each file (the Broad Twitter
Corpus has 9,339 tweets, in sections: the first N would all come from one).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from piimask.detect import DetectionEngine, DetectorConfig
from piimask.detect.evaluation import SCHEMES, evaluate, read_gold_file
from piimask.detect.recognizer_cases import CaseReport, load_cases, scoped_cases
from piimask.evalsets.json_events import HANDWRITTEN as JSON_HANDWRITTEN
from piimask.evalsets.json_events import HANDWRITTEN_BLIND as JSON_BLIND
from piimask.evalsets.json_events import HANDWRITTEN_BLIND2 as JSON_BLIND2
from piimask.evalsets.json_events import HANDWRITTEN_BLIND3 as JSON_BLIND3
from piimask.evalsets.json_events import HANDWRITTEN_BLIND4 as JSON_BLIND4
from piimask.evalsets.json_events import HANDWRITTEN_BLIND5 as JSON_BLIND5
from piimask.evalsets.json_events import HANDWRITTEN_BLIND6 as JSON_BLIND6
from piimask.evalsets.json_events import HANDWRITTEN_BLIND7 as JSON_BLIND7
from piimask.evalsets.json_events import HANDWRITTEN_BLIND_FINAL as JSON_BLIND_FINAL
from piimask.evalsets.log_lines import (
    AFTER_R4,
    BLIND,
    BLIND2,
    BLIND3,
    BLIND4,
    BLIND5,
    BLIND6,
    BLIND7,
    BLIND_FINAL,
    DEV_SEED,
    FRESH,
    HANDWRITTEN,
    HELD_OUT_SEED,
    UNSEEN_SEED,
    Split,
)
from piimask.settings import Settings

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class DevSet:
    key: str
    title: str
    path: Path
    kind: Literal["synthetic", "real", "cases", "json", "logs"]
    seed: int = 0  # the generated log-line sets
    split: Split | None = None  # the hand-written log lines: which half


LOG_LINES_SOURCE = Path("piimask.evalsets.log_lines")
JSON_EVENTS_SOURCE = Path("piimask.evalsets.json_events")
SETS = [
    DevSet("short", "synthetic short (1,500)", SHARED / "presidio_synth_dev.jsonl", "synthetic"),
    DevSet("long", "synthetic long (150)", SHARED / "presidio_synth_long_dev.jsonl", "synthetic"),
    DevSet("uner", "UNER EWT dev (2,001)", SHARED / "real" / "uner_ewt_dev.jsonl", "real"),
    DevSet("wnut", "WNUT-17 dev (1,009)", SHARED / "real" / "wnut17_dev.jsonl", "real"),
    DevSet("btc", "Broad Twitter Corpus (9,339)", SHARED / "real" / "btc.jsonl", "real"),
    DevSet("usaddress", "usaddress (1,513)", SHARED / "real" / "usaddress_labeled.jsonl", "real"),
    DevSet(
        "probablepeople",
        "probablepeople (2,898)",
        SHARED / "real" / "probablepeople_names.jsonl",
        "real",
    ),
    DevSet(
        "presidio",
        "Presidio recognizer cases",
        SHARED / "real" / "presidio_recognizer_cases.jsonl",
        "cases",
    ),
    # made up by piimask.evalsets.json_events (fixed seed, in memory): not a shared file
    DevSet("json", "JSON events (2,800)", JSON_EVENTS_SOURCE, "json"),
    # written by hand (piimask/evalsets/data): the half tuned on, the half scored once
    DevSet("json_hand", "JSON events, hand-written tune", JSON_HANDWRITTEN, "json", split="tune"),
    DevSet(
        "json_hand_final",
        "JSON events, hand-written final",
        JSON_HANDWRITTEN,
        "json",
        split="final",
    ),
    # written by hand later, blind: never scored while rules were written (the _final twin
    # file is not registered: it stays unread until it is scored once, at the end)
    DevSet("json_blind", "JSON events, blind (read)", JSON_BLIND, "json", split="blind"),
    # the lead's sets: scored by counts only, their lines never read by whoever writes rules
    DevSet(
        "json_blind_final",
        "JSON events, blind final (read in round 5)",
        JSON_BLIND_FINAL,
        "json",
        split="blind_final",
    ),
    DevSet(
        "json_blind2", "JSON events, blind 2 (scored once)", JSON_BLIND2, "json", split="blind2"
    ),
    DevSet(
        "json_blind3", "JSON events, blind 3 (scored once)", JSON_BLIND3, "json", split="blind3"
    ),
    DevSet(
        "json_blind4", "JSON events, blind 4 (scored once)", JSON_BLIND4, "json", split="blind4"
    ),
    DevSet(
        "json_blind5", "JSON events, blind 5 (scored once)", JSON_BLIND5, "json", split="blind5"
    ),
    # blind 6: written by a helper without running the detector; nobody reads it until the
    # lead scores it once
    DevSet(
        "json_blind6", "JSON events, blind 6 (scored once)", JSON_BLIND6, "json", split="blind6"
    ),
    # blind 7: written by a helper without running the detector; nobody reads it until the
    # lead scores it once
    DevSet(
        "json_blind7", "JSON events, blind 7 (scored once)", JSON_BLIND7, "json", split="blind7"
    ),
    # made up by piimask.evalsets.log_lines (fixed seeds, in memory)
    DevSet("logs", "log lines, dev seed (1,000)", LOG_LINES_SOURCE, "logs", DEV_SEED),
    DevSet("logs_heldout", "log lines, held-out (1,000)", LOG_LINES_SOURCE, "logs", HELD_OUT_SEED),
    DevSet("logs_unseen", "log lines, unseen (1,000)", LOG_LINES_SOURCE, "logs", UNSEEN_SEED),
    # written by hand (piimask/evalsets/data): the half tuned on, the half held out (and
    # read after its first score), and the lines written after that, scored once at the end
    DevSet("logs_hand", "log lines, hand-written tune", HANDWRITTEN, "logs", split="tune"),
    DevSet(
        "logs_hand_holdout", "log lines, hand-written holdout", HANDWRITTEN, "logs", split="holdout"
    ),
    DevSet("logs_hand_final", "log lines, hand-written final", HANDWRITTEN, "logs", split="final"),
    # written by hand later, from other software: the half fixed from, and the half left unread
    # until the round after (read since, a tuned set too)
    DevSet("logs_hand_fresh", "log lines, fresh (read)", FRESH, "logs", split="fresh"),
    DevSet(
        "logs_hand_fresh_final",
        "log lines, fresh final (read)",
        FRESH,
        "logs",
        split="fresh_final",
    ),
    # written by hand later still, blind (see piimask.evalsets.log_lines.BLIND)
    DevSet("logs_blind", "log lines, blind (read)", BLIND, "logs", split="blind"),
    # written after the fourth round's last rule, scored once: never tuned on
    DevSet("logs_after_r4", "log lines, after r4 (unread)", AFTER_R4, "logs", split="after_r4"),
    DevSet(
        "logs_blind_final",
        "log lines, blind final (read in round 5)",
        BLIND_FINAL,
        "logs",
        split="blind_final",
    ),
    DevSet("logs_blind2", "log lines, blind 2 (scored once)", BLIND2, "logs", split="blind2"),
    DevSet("logs_blind3", "log lines, blind 3 (scored once)", BLIND3, "logs", split="blind3"),
    DevSet("logs_blind4", "log lines, blind 4 (scored once)", BLIND4, "logs", split="blind4"),
    DevSet("logs_blind5", "log lines, blind 5 (scored once)", BLIND5, "logs", split="blind5"),
    # blind 6: written by a helper without running the detector; nobody reads it until the
    # lead scores it once
    DevSet("logs_blind6", "log lines, blind 6 (scored once)", BLIND6, "logs", split="blind6"),
    # blind 7: written by a helper without running the detector; nobody reads it until the
    # lead scores it once
    DevSet("logs_blind7", "log lines, blind 7 (scored once)", BLIND7, "logs", split="blind7"),
]
LOG_LINES = 1000
JSON_EVENTS_PER_SPLIT = 600  # dev, unseen, holdout and final splits, plus 200 demo events


def spread_sample(items: Sequence[T], limit: int | None) -> list[T]:
    """``limit`` items evenly spread over ``items`` (all when ``limit`` is None or larger)."""
    if limit is None or limit >= len(items):
        return list(items)
    return [items[i * len(items) // limit] for i in range(limit)]


def parse_overrides(pairs: Sequence[str]) -> dict[str, object]:
    overrides: dict[str, object] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"--set wants key=value, got {pair!r}")
        try:
            overrides[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            overrides[key.strip()] = raw
    return overrides


def ner_switch() -> str:
    """The DetectorConfig field that turns the second NER model on or off."""
    candidates = [
        name
        for name, info in DetectorConfig.model_fields.items()
        if name.startswith("ner") and info.annotation is bool
    ]
    if len(candidates) != 1:
        raise SystemExit(
            "--ner/--no-ner: DetectorConfig has no single boolean ner* field "
            f"(found {candidates or 'none'}); use --set FIELD=false"
        )
    return candidates[0]


def build_engine(overrides: dict[str, object]) -> tuple[DetectionEngine, dict[str, object]]:
    base = DetectorConfig.from_settings(Settings()).model_dump()
    unknown = sorted(set(overrides) - set(DetectorConfig.model_fields))
    if unknown:
        raise SystemExit(
            f"unknown DetectorConfig field(s): {', '.join(unknown)}; "
            f"known: {', '.join(DetectorConfig.model_fields)}"
        )
    config = DetectorConfig(**{**base, **overrides})
    return DetectionEngine.load(config), overrides


def run_json_set(engine: DetectionEngine, dev: DevSet, limit: int | None) -> dict[str, object]:
    """Generated or hand-written JSON events through the JSON masker with the shipped
    default policy."""
    from piimask.evalsets.json_eval import parse_json_gold, read_json_gold_file, score_json
    from piimask.evalsets.json_events import demo_events, generate
    from piimask.keys import KeyRing
    from piimask.mask import default_policy

    if dev.path == JSON_EVENTS_SOURCE:
        events = [*generate(JSON_EVENTS_PER_SPLIT), *demo_events(200)]
        gold = [parse_json_gold(e.to_json(), e.id) for e in spread_sample(events, limit)]
    else:
        wanted = [g for g in read_json_gold_file(dev.path) if g.group.split("/")[0] == dev.split]
        gold = spread_sample(wanted, limit)
    report = score_json(gold, engine.detect_batch, default_policy(), KeyRing.generate())
    groups = report["groups"]
    assert isinstance(groups, dict)
    row = groups["all"]
    return {
        "records": report["records"],
        "recall": row["pii_field_recall"],
        "leaked": row["free_text_spans_leaked"] / max(row["free_text_spans"], 1),
        "false_mask_rate": row["false_mask_rate"],
        "groups": groups,
    }


def run_log_set(engine: DetectionEngine, dev: DevSet, limit: int | None) -> dict[str, object]:
    """Generated or hand-written log lines, scored as the shipped default policy would
    change them."""
    from piimask.evalsets.log_lines import generate, read_log_lines, score_log_lines
    from piimask.mask import KNOWN_ENTITY_TYPES, default_policy

    policy = default_policy()
    kept = {t for t in KNOWN_ENTITY_TYPES if policy.rule_for(t).operator == "keep"}
    if dev.path == LOG_LINES_SOURCE:
        lines = generate(min(limit or LOG_LINES, LOG_LINES), seed=dev.seed)
    else:
        lines = spread_sample(read_log_lines(dev.path, dev.split), limit)
    predicted = engine.detect_batch([line.text for line in lines])
    return {"records": len(lines), **score_log_lines(lines, predicted, kept)}


def run_set(engine: DetectionEngine, dev: DevSet, limit: int | None) -> dict[str, object]:
    began = time.perf_counter()
    if dev.kind == "logs":
        result = run_log_set(engine, dev, limit)
        result["seconds"] = round(time.perf_counter() - began, 1)
        return result
    if dev.kind == "json":
        result = run_json_set(engine, dev, limit)
        result["seconds"] = round(time.perf_counter() - began, 1)
        return result
    if dev.kind == "cases":
        cases = spread_sample(scoped_cases(load_cases(dev.path)), limit)
        report = CaseReport()
        for case, predicted in zip(
            cases, engine.detect_batch([c.text for c in cases]), strict=True
        ):
            report.add(case, predicted)
        result = {"records": len(cases), **report.summary()}
    else:
        records = spread_sample(read_gold_file(dev.path), limit)
        full = evaluate(engine.detect_batch, records, SCHEMES[dev.kind])
        per_type = full["per_type"]
        assert isinstance(per_type, dict)
        result = {
            "records": full["records"],
            "recall": full["char_recall"],
            "leaked": full["leaked_spans"],
            "precision": full.get("name_place_precision", full["char_precision"]),
            "precision_kind": "name/place" if dev.kind == "real" else "char",
            "char_precision": full["char_precision"],
            "name_place_precision_by_type": full.get("name_place_precision_by_type", {}),
            "leak_rate_by_type": {t: row["leak_rate"] for t, row in per_type.items()},
        }
    result["seconds"] = round(time.perf_counter() - began, 1)
    return result


def num(value: object) -> float:
    if not isinstance(value, (int, float)):
        raise TypeError(f"not a number: {value!r}")
    return float(value)


def format_table(results: dict[str, dict[str, object]]) -> str:
    lines = [
        f"{'set':<30}{'records':>8}{'recall':>8}{'leaked':>8}  {'precision':<18}{'seconds':>8}",
    ]
    for dev in SETS:
        if dev.key not in results:
            continue
        r = results[dev.key]
        if dev.kind == "logs":
            # recall: gold PII spans fully masked; precision: PII-free lines changed
            rate = num(r["pii_masked_rate"])
            changed = f"changed {r['pii_free_changed']}/{r['pii_free_lines']} free"
            lines.append(
                f"{dev.title:<30}{r['records']:>8}{rate:>8.3f}{100 * (1 - rate):>7.1f}%"
                f"  {changed:<18}{r['seconds']:>8}"
            )
            continue
        if dev.kind == "json":
            # recall: PII fields fully masked; leaked: free-text PII spans; precision: share
            # of PII-free fields changed
            lines.append(
                f"{dev.title:<30}{r['records']:>8}{num(r['recall']):>8.3f}"
                f"{100 * num(r['leaked']):>7.1f}%  "
                f"{'false mask ' + format(100 * num(r['false_mask_rate']), '.2f') + '%':<18}"
                f"{r['seconds']:>8}"
            )
            continue
        if dev.kind == "cases":
            lines.append(
                f"{'Presidio cases: positives':<30}{r['positives']:>8}"
                f"{'':>8}{'':>8}  masked {r['positives_masked']}/{r['positives']}"
                f" = {100 * num(r['positive_masked_rate']):.1f}%"
            )
            lines.append(
                f"{'Presidio cases: negatives':<30}{r['negatives']:>8}"
                f"{'':>8}{'':>8}  false mask {r['negatives_flagged']}/{r['negatives']}"
                f" = {100 * num(r['negative_false_mask_rate']):.1f}%"
                f"{r['seconds']:>8}"
            )
            continue
        precision = f"{num(r['precision']):.3f} {r['precision_kind']}"
        lines.append(
            f"{dev.title:<30}{r['records']:>8}{num(r['recall']):>8.3f}"
            f"{100 * num(r['leaked']):>7.1f}%  {precision:<18}"
            f"{r['seconds']:>8}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sets",
        default=",".join(d.key for d in SETS),
        help=f"comma-separated, of: {', '.join(d.key for d in SETS)}",
    )
    parser.add_argument("--limit", type=int, default=None, help="N records per set, spread evenly")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a DetectorConfig field (JSON value or string)",
    )
    parser.add_argument("--no-patterns", action="store_true", help="model only")
    ner = parser.add_mutually_exclusive_group()
    ner.add_argument("--ner", dest="ner", action="store_const", const=True, default=None)
    ner.add_argument("--no-ner", dest="ner", action="store_const", const=False)
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--show-misses", action="store_true", help="list missed Presidio cases")
    args = parser.parse_args()

    chosen = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = sorted(set(chosen) - {d.key for d in SETS})
    if unknown:
        raise SystemExit(f"unknown set(s): {', '.join(unknown)}")
    overrides = parse_overrides(args.overrides)
    if args.no_patterns:
        overrides["patterns"] = False
    if args.ner is not None:
        overrides[ner_switch()] = args.ner
    engine, applied = build_engine(overrides)

    results: dict[str, dict[str, object]] = {}
    for dev in SETS:
        if dev.key not in chosen:
            continue
        if dev.kind not in ("json", "logs") and not dev.path.exists():
            raise SystemExit(f"{dev.path}: missing (the shared data sets live in ../shared)")
        print(f"{dev.key} ...", file=sys.stderr, flush=True)
        results[dev.key] = run_set(engine, dev, args.limit)

    if args.json:
        print(json.dumps({"overrides": applied, "limit": args.limit, "sets": results}, indent=2))
        return
    print(f"engine: {engine.model_name}; overrides: {applied or 'none'}; limit: {args.limit}")
    print(format_table(results))
    if args.show_misses and "presidio" in results:
        for key in ("missed", "false_masks"):
            print(f"\n{key}:")
            listed = results["presidio"][key]
            for case_id in listed if isinstance(listed, list) else []:
                print(f"  {case_id}")


if __name__ == "__main__":
    main()
