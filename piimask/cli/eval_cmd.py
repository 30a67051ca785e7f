"""``piimask eval``: score detection against a labeled JSONL file."""

from __future__ import annotations

import io
import json
import sys
from itertools import islice
from pathlib import Path
from typing import TextIO

import click

from piimask.cli.options import detector_options, engine_from_options
from piimask.detect.evaluation import (
    NON_CORE_TYPES,
    PRESIDIO_GOLD_LABEL_MAP,
    EvalCounts,
    format_report,
    gold_spans,
)
from piimask.jsonl import open_input, read_json_lines


@click.command("eval")
@click.argument("gold_path", metavar="GOLD.jsonl", type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--label-map",
    "label_map_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="JSON object: gold label -> piimask entity type (merged over the Presidio defaults).",
)
@click.option(
    "--all-labels",
    is_flag=True,
    help="Score dates, organisations, ages, titles and NRP too (default: core PII only).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--limit", type=int, default=None, help="Only the first N records.")
@click.option("--batch-size", default=64, show_default=True, type=click.IntRange(1, 10_000))
@detector_options
def eval_command(
    gold_path: str,
    label_map_file: Path | None,
    all_labels: bool,
    as_json: bool,
    limit: int | None,
    batch_size: int,
    **detector: object,
) -> None:
    """Run detection over GOLD.jsonl and score it.

    Lines are {"id", "text", "spans": [{"start", "end", "label"}]}.
    """
    label_map = dict(PRESIDIO_GOLD_LABEL_MAP)
    if label_map_file:
        extra = json.loads(label_map_file.read_text(encoding="utf-8"))
        if not isinstance(extra, dict):
            raise click.BadParameter("must be a JSON object", param_hint="--label-map")
        label_map.update({str(k): str(v) for k, v in extra.items()})
    engine = engine_from_options(detector)
    counts = EvalCounts(ignored_types=frozenset() if all_labels else NON_CORE_TYPES)

    with open_input(gold_path) as stream:
        records = []
        for line in islice(read_json_lines(stream), limit):
            if line.error or line.value is None:
                raise click.ClickException(str(line.error))
            value = line.value
            if not isinstance(value.get("text"), str) or not isinstance(value.get("spans"), list):
                raise click.ClickException(
                    f"line {line.number}: needs 'text' (string) and 'spans' (list)"
                )
            try:
                records.append((value["text"], gold_spans(value["spans"], label_map)))
            except (KeyError, ValueError) as exc:
                raise click.ClickException(f"line {line.number}: bad gold span ({exc})") from None

    show_progress = sys.stderr.isatty() and not as_json
    progress_file: TextIO = sys.stderr if show_progress else io.StringIO()
    with click.progressbar(length=len(records), label="detecting", file=progress_file) as bar:
        for i in range(0, len(records), batch_size):
            chunk = records[i : i + batch_size]
            for (text, gold), predicted in zip(
                chunk, engine.detect_batch([t for t, _ in chunk]), strict=True
            ):
                counts.add(len(text), gold, predicted)
            bar.update(len(chunk))

    report = counts.report()
    click.echo(json.dumps(report, indent=2) if as_json else format_report(report))
