"""``piimask eval``: score detection against a labeled JSONL file (texts or JSON documents)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import TextIO

import click

from piimask.cli.options import (
    detector_options,
    engine_from_options,
    load_policy_option,
    policy_option,
)
from piimask.detect.evaluation import evaluate, format_report, read_gold_file, scheme_for


def _is_json_gold(path: str) -> bool:
    """Does the first line hold a JSON document ("value") with per-field labels?"""
    from piimask.evalsets.json_eval import is_json_gold_line

    with open(path, encoding="utf-8") as stream:
        for line in stream:
            if line.strip():
                try:
                    return is_json_gold_line(json.loads(line))
                except json.JSONDecodeError:
                    return False
    return False


@click.command("eval")
@click.argument("gold_path", metavar="GOLD.jsonl", type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--scheme",
    type=click.Choice(["auto", "synthetic", "real"]),
    default="auto",
    show_default=True,
    help="Gold label scheme. synthetic: presidio-evaluator labels (dates, organisations, ages, "
    "titles, NRP neutral). real: PERSON/LOCATION/ORG/OTHER or STREET_ADDRESS/LOCATION/ZIP_CODE "
    "(ORG and OTHER neutral; adds name/place precision). auto: real when every label is one "
    "of those.",
)
@click.option(
    "--label-map",
    "label_map_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="JSON object: gold label -> piimask entity type (merged over the scheme's defaults).",
)
@click.option(
    "--all-labels",
    is_flag=True,
    help="Score the neutral labels too (default: core PII only).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--format",
    "gold_format",
    type=click.Choice(["auto", "text", "json"]),
    default="auto",
    show_default=True,
    help="text: lines of text with spans. json: JSON documents scored per field through the "
    "JSON masker (lines {id, value, pii: {path: type}, spans: {path: [...]}}, as written by "
    "python -m piimask.evalsets.json_events). auto: json when the first line has 'value'.",
)
@policy_option
@click.option("--limit", type=int, default=None, help="Only the first N records.")
@click.option(
    "--batch-size",
    default=1024,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Texts per detection call; larger batches group windows of like length (less padding).",
)
@detector_options
def eval_command(
    gold_path: str,
    scheme: str,
    label_map_file: Path | None,
    all_labels: bool,
    as_json: bool,
    gold_format: str,
    policy_path: Path | None,
    limit: int | None,
    batch_size: int,
    **detector: object,
) -> None:
    """Run detection over GOLD.jsonl and score it.

    Text lines are {"id", "text", "spans": [{"start", "end", "label"}]}. JSON-document lines
    are masked with the policy (--policy) and scored per field: PII-free fields changed
    (false masks), PII fields not fully masked, free-text spans leaked.
    """
    if gold_format == "json" or (gold_format == "auto" and _is_json_gold(gold_path)):
        _eval_json(gold_path, policy_path, limit, batch_size, as_json, detector)
        return
    extra: dict[str, str] = {}
    if label_map_file:
        loaded = json.loads(label_map_file.read_text(encoding="utf-8"))
        if not isinstance(loaded, dict):
            raise click.BadParameter("must be a JSON object", param_hint="--label-map")
        extra = {str(k): str(v) for k, v in loaded.items()}
    try:
        records = read_gold_file(gold_path, limit)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    label_scheme = scheme_for(records, scheme)
    engine = engine_from_options(detector)

    show_progress = sys.stderr.isatty() and not as_json
    progress_file: TextIO = sys.stderr if show_progress else io.StringIO()
    with click.progressbar(length=len(records), label="detecting", file=progress_file) as bar:
        try:
            report = evaluate(
                engine.detect_batch,
                records,
                label_scheme,
                all_labels=all_labels,
                label_map=extra,
                batch_size=batch_size,
                progress=bar.update,
            )
        except (KeyError, ValueError) as exc:
            raise click.ClickException(f"bad gold span ({exc})") from None
    click.echo(json.dumps(report, indent=2) if as_json else format_report(report))


def _eval_json(
    gold_path: str,
    policy_path: Path | None,
    limit: int | None,
    batch_size: int,
    as_json: bool,
    detector: dict[str, object],
) -> None:
    from piimask.evalsets.json_eval import format_json_report, read_json_gold_file, score_json
    from piimask.keys import KeyRing

    try:
        records = read_json_gold_file(gold_path, limit)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    policy = load_policy_option(policy_path)
    engine = engine_from_options(detector)
    # a throwaway ring: scoring compares fields, it never keeps a masked value
    report = score_json(
        records, engine.detect_batch, policy, KeyRing.generate(), batch_size=batch_size
    )
    click.echo(json.dumps(report, indent=2) if as_json else format_json_report(report))
