"""``piimask detect``: spans for each line of a JSONL file."""

from __future__ import annotations

import json
from itertools import islice

import click

from piimask.cli.options import (
    detector_options,
    engine_from_options,
    input_argument,
    output_option,
)
from piimask.jsonl import JsonLine, open_input, read_json_lines


@click.command()
@input_argument()
@output_option()
@click.option("--strict", is_flag=True, help="Stop at the first bad line.")
@click.option("--batch-size", default=128, show_default=True, type=click.IntRange(1, 10_000))
@detector_options
def detect(
    input_path: str, output_path: str, strict: bool, batch_size: int, **detector: object
) -> None:
    """Detect PII in INPUT.jsonl lines ({"id", "text"}) and write {"id", "spans"} lines."""
    engine = engine_from_options(detector)
    bad = 0
    with (
        click.open_file(output_path, "w", encoding="utf-8") as out,
        open_input(input_path) as stream,
    ):
        lines = read_json_lines(stream)
        while chunk := list(islice(lines, batch_size)):
            good: list[JsonLine] = []
            for line in chunk:
                problem = line.error or _check(line)
                if problem:
                    bad += 1
                    click.echo(f"error: {problem}", err=True)
                    if strict:
                        raise SystemExit(2)
                else:
                    good.append(line)
            texts = [str(line.value["text"]) for line in good if line.value]
            for line, spans in zip(good, engine.detect_batch(texts), strict=True):
                assert line.value is not None
                out.write(
                    json.dumps({"id": line.value.get("id"), "spans": [s.to_dict() for s in spans]})
                    + "\n"
                )
    if bad:
        click.echo(f"{bad} bad line(s) skipped", err=True)
        raise SystemExit(1)


def _check(line: JsonLine) -> str | None:
    assert line.value is not None
    if "text" not in line.value:
        return f"line {line.number}: missing field 'text'"
    if not isinstance(line.value["text"], str):
        return f"line {line.number}: field 'text' must be a string"
    return None
