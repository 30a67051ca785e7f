"""``piimask calibrate``: per-type minimum scores for a recall target, from a labelled sample."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from piimask.cli.options import detector_options, engine_from_options
from piimask.detect.calibration import (
    Quality,
    Sample,
    ScoredSpan,
    choose_thresholds,
    ece_by_type,
    expected_calibration_error,
    fit_calibration,
    quality,
    recall_curve,
    reliability,
)
from piimask.detect.config import DetectorConfig
from piimask.detect.evaluation import GoldRecord, gold_spans, read_gold_file, scheme_for
from piimask.detect.thresholds import ScoreCalibration, ThresholdsFile, dump_thresholds
from piimask.spans import Span

if TYPE_CHECKING:
    from piimask.detect import DetectionEngine

_GRID = [i / 100 for i in range(101)]


def _with_config(engine: DetectionEngine, **update: object) -> DetectionEngine:
    """An engine of the same loaded models under other score settings."""
    from piimask.detect import DetectionEngine

    config = DetectorConfig.model_validate({**engine.config.model_dump(), **update})
    return DetectionEngine(engine.classifier, config, ner=engine.ner)


def _mapped(sample: Sample, calibration: ScoreCalibration | None) -> Sample:
    """``sample`` with each span's score mapped by ``calibration`` (none: as it is)."""
    if calibration is None:
        return sample

    def score(s: ScoredSpan) -> float:
        return calibration.score(s.detector, s.entity_type, s.score)

    return sample.rescored(score)


def _sample(
    records: Sequence[GoldRecord],
    predicted: Sequence[Sequence[Span]],
    labels: Mapping[str, str],
    neutral_types: frozenset[str],
) -> Sample:
    sample = Sample()
    for record, spans in zip(records, predicted, strict=True):
        gold = gold_spans(record.spans, labels)
        sample.add(
            len(record.text),
            [(g.start, g.end, g.entity_type) for g in gold if g.entity_type not in neutral_types],
            [(g.start, g.end) for g in gold if g.entity_type in neutral_types],
            spans,
        )
    return sample


def _pct(value: float | None) -> str:
    return "     -" if value is None else f"{value:6.3f}"


def _table(
    now: Quality,
    chosen: Quality,
    held_out: Quality,
    current: Mapping[str, float],
    thresholds: Mapping[str, float],
    ece_raw: Mapping[str, float],
    ece_cal: Mapping[str, float] | None,
) -> str:
    head = (
        f"{'entity type':<16}{'min score':>17}{'recall':>21}{'precision':>21}"
        f"{'ECE':>14}\n{'':<16}{'now':>8}{'chosen':>9}{'now':>7}{'chosen':>7}{'held':>7}"
        f"{'now':>7}{'chosen':>7}{'held':>7}{'raw':>7}{'calib':>7}"
    )
    lines = [head]
    types = sorted(set(now.recall) | set(thresholds) | set(now.precision))
    for t in types:
        lines.append(
            f"{t:<16}{_pct(current.get(t)):>8}{_pct(thresholds.get(t)):>9}"
            f"{_pct(now.recall.get(t)):>7}{_pct(chosen.recall.get(t)):>7}"
            f"{_pct(held_out.recall.get(t)):>7}"
            f"{_pct(now.precision.get(t)):>7}{_pct(chosen.precision.get(t)):>7}"
            f"{_pct(held_out.precision.get(t)):>7}"
            f"{_pct(ece_raw.get(t)):>7}{_pct(None if ece_cal is None else ece_cal.get(t)):>7}"
        )
    return "\n".join(lines)


@click.command("calibrate")
@click.argument("gold_path", metavar="GOLD.jsonl", type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--target-recall",
    type=click.FloatRange(0.0, 1.0),
    default=0.99,
    show_default=True,
    help="Character recall the thresholds must keep on the calibration half.",
)
@click.option(
    "--per-type",
    is_flag=True,
    help="Hold every gold entity type to the target (default: overall recall only).",
)
@click.option(
    "-o",
    "--output",
    "output_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Thresholds file to write (PIIMASK_THRESHOLDS_FILE, or --thresholds of detect/eval).",
)
@click.option(
    "--calibration",
    "method",
    type=click.Choice(["isotonic", "none"]),
    default="isotonic",
    show_default=True,
    help="isotonic: fit a score map per detector and type and choose thresholds on mapped "
    "scores; none: thresholds on raw scores.",
)
@click.option(
    "--plots/--no-plots",
    default=True,
    show_default=True,
    help="Write <output>.reliability.png and <output>.recall.png (needs piimask[plots]).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the half split.")
@click.option("--limit", type=int, default=None, help="Only the first N records.")
@click.option(
    "--scheme",
    type=click.Choice(["auto", "synthetic", "real"]),
    default="auto",
    show_default=True,
    help="Gold label scheme (as for piimask eval).",
)
@detector_options
def calibrate(
    gold_path: str,
    target_recall: float,
    per_type: bool,
    output_path: Path,
    method: str,
    plots: bool,
    seed: int,
    limit: int | None,
    scheme: str,
    **detector: object,
) -> None:
    """Choose per-entity-type minimum scores from GOLD.jsonl that keep recall at a target.

    The records are split in two halves: thresholds (and score maps) are fitted on one and
    checked on the other by detecting it again with the written file. Recall is character
    recall per gold type; precision is per detected type. "now" is the configured minimum
    scores (PIIMASK_MIN_SCORE / PIIMASK_MIN_SCORES) judged on the calibration half.
    """
    if plots:
        from piimask.detect.calibration_plots import PlotsUnavailable, ensure_available

        try:
            ensure_available()
        except PlotsUnavailable as exc:
            raise click.ClickException(str(exc)) from None
    try:
        records = read_gold_file(gold_path, limit)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if len(records) < 2:
        raise click.ClickException("calibration needs at least 2 records")
    label_scheme = scheme_for(records, scheme)
    labels = dict(label_scheme.label_map)
    neutral = label_scheme.neutral_types

    order = list(range(len(records)))
    random.Random(seed).shuffle(order)  # noqa: S311 (a reproducible split, not a secret)
    half = len(order) // 2
    fit_records = [records[i] for i in order[:half]]
    check_records = [records[i] for i in order[half:]]

    # Everything the detectors find, whatever its score: thresholds are chosen afterwards.
    engine = engine_from_options(detector)
    configured = engine.score_gate
    open_engine = _with_config(engine, min_score=0.0, min_scores={}, thresholds_file=None)
    click.echo(
        f"records: {len(fit_records)} to calibrate, {len(check_records)} held out (seed {seed})",
        err=True,
    )
    fit_raw = _sample(
        fit_records, open_engine.detect_batch([r.text for r in fit_records]), labels, neutral
    )
    check_raw = _sample(
        check_records, open_engine.detect_batch([r.text for r in check_records]), labels, neutral
    )

    calibration = fit_calibration(fit_raw.spans) if method == "isotonic" else None
    fit, check = _mapped(fit_raw, calibration), _mapped(check_raw, calibration)

    types = {s.entity_type for s in fit.spans} | set(fit.gold_chars)
    current = {t: configured.minimum(t) for t in sorted(types)}
    thresholds = choose_thresholds(fit, target_recall, per_type=per_type, unmoved=current)
    thresholds_file = ThresholdsFile(
        min_score=configured.min_score,
        min_scores=thresholds,
        calibration=calibration,
        fitted={
            "target_recall": target_recall,
            "per_type": per_type,
            "records": len(fit_records),
            "held_out": len(check_records),
            "seed": seed,
            "calibration": method,
            "model": engine.model_name,
        },
    )
    header = (
        f"piimask calibrate --target-recall {target_recall:g}{' --per-type' if per_type else ''}\n"
        "Load with PIIMASK_THRESHOLDS_FILE=<this file> (or --thresholds on detect/eval/mask)."
    )
    output_path.write_text(dump_thresholds(thresholds_file, header), encoding="utf-8")

    # The check: detect the held-out half again with the file just written.
    checked_engine = _with_config(
        engine,
        min_score=engine.config.min_score,
        min_scores=dict(engine.config.min_scores),
        thresholds_file=output_path,
    )
    check_real = _sample(
        check_records,
        checked_engine.detect_batch([r.text for r in check_records]),
        labels,
        neutral,
    )
    held = quality(check_real, {})
    # "now": the configured gate, with its own score maps when a thresholds file is set.
    now = quality(_mapped(fit_raw, configured.calibration), current, configured.min_score)
    chosen = quality(fit, thresholds)
    ece_raw = ece_by_type(check_raw.spans)
    ece_cal = ece_by_type(check.spans) if calibration is not None else None

    scope = "every gold type" if per_type else "overall"
    click.echo(f"target character recall {target_recall:g} ({scope}); model {engine.model_name}")
    click.echo(_table(now, chosen, held, current, thresholds, ece_raw, ece_cal))
    click.echo("")
    click.echo(
        f"calibration half: recall {chosen.overall_recall:.4f}  precision "
        f"{chosen.overall_precision:.4f}   (now: recall {now.overall_recall:.4f}  precision "
        f"{now.overall_precision:.4f})"
    )
    click.echo(
        f"held-out half:    recall {held.overall_recall:.4f}  precision "
        f"{held.overall_precision:.4f}   (detected again with {output_path})"
    )
    ceiling = quality(check_raw, {})
    before = quality(_mapped(check_raw, configured.calibration), current, configured.min_score)
    click.echo(
        f"held-out half, for comparison: every span kept: recall {ceiling.overall_recall:.4f}"
        f"  precision {ceiling.overall_precision:.4f}; configured minimum scores: recall "
        f"{before.overall_recall:.4f}  precision {before.overall_precision:.4f}"
    )
    ece_line = f"ECE (held-out, all types): raw {expected_calibration_error(check_raw.spans):.4f}"
    if calibration is not None:
        ece_line += f", calibrated {expected_calibration_error(check.spans):.4f}"
    click.echo(ece_line)
    click.echo(f"wrote {output_path}")

    if plots:
        from piimask.detect.calibration_plots import recall_curves, reliability_diagram

        stem = output_path.with_suffix("")
        reliability_path = stem.with_name(stem.name + ".reliability.png")
        recall_path = stem.with_name(stem.name + ".recall.png")
        curves = {"raw scores (held-out)": reliability(check_raw.spans)}
        if calibration is not None:
            curves["calibrated (held-out)"] = reliability(check.spans)
        reliability_diagram(curves, reliability_path, "Reliability of span scores")
        recall = {
            t: recall_curve(fit, t, _GRID, thresholds)
            for t in sorted(fit.gold_chars)
            if fit.gold_chars[t]
        }
        recall_curves(
            recall,
            thresholds,
            target_recall,
            recall_path,
            "Recall against minimum score" + (" (calibrated scores)" if calibration else ""),
        )
        click.echo(f"wrote {reliability_path}")
        click.echo(f"wrote {recall_path}")
