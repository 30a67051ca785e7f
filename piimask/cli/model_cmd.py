"""``piimask model train|eval|quantize``: the model lifecycle (train needs ``piimask[train]``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from piimask.detect import DetectionEngine


@click.group()
def model() -> None:
    """Fine-tune, evaluate (with release gates) and quantize token-classification models."""


@model.command("train")
@click.option(
    "--train",
    "train_files",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Labelled JSONL (text + character spans); repeat for several files.",
)
@click.option(
    "--dev",
    "dev_files",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Dev JSONL scored after every epoch (early stopping); repeatable.",
)
@click.option(
    "--base",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Base model directory; default: the bundled Rampart model.",
)
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Run directory (model, adapter, metrics, model card).",
)
@click.option("--mode", type=click.Choice(["lora", "full"]), default="lora", show_default=True)
@click.option("--rank", type=click.IntRange(1, 256), default=16, show_default=True)
@click.option("--alpha", type=float, default=32.0, show_default=True)
@click.option("--lr", type=float, default=5e-4, show_default=True)
@click.option("--epochs", type=click.IntRange(1, 100), default=3, show_default=True)
@click.option("--batch-size", type=click.IntRange(1, 1024), default=32, show_default=True)
@click.option("--window", type=click.IntRange(8, 510), default=40, show_default=True)
@click.option("--overlap", type=click.IntRange(0, 255), default=12, show_default=True)
@click.option(
    "--subwords",
    type=click.Choice(["all", "first"]),
    default="all",
    show_default=True,
    help="Later subwords of a word: labelled I-X (all) or left out of the loss.",
)
@click.option(
    "--entity-weight",
    type=float,
    default=2.0,
    show_default=True,
    help="Loss weight of entity labels relative to O (rare-label weighting).",
)
@click.option(
    "--synthetic",
    type=click.IntRange(0, 10**6),
    default=0,
    show_default=True,
    help="Add N of piimask's own synthetic PII sentences (replay data).",
)
@click.option("--seed", type=int, default=13, show_default=True)
@click.option("--patience", type=click.IntRange(0, 100), default=1, show_default=True)
@click.option("--max-steps", type=click.IntRange(1, 10**9), default=None)
@click.option(
    "--dev-limit",
    type=click.IntRange(1, 10**9),
    default=None,
    help="Score N records per dev file, spread evenly.",
)
@click.option("--threads", type=click.IntRange(1, 256), default=2, show_default=True)
@click.option(
    "--label-map",
    "label_map",
    multiple=True,
    metavar="DATA=TARGET",
    help="Data label -> model label, @person, @place, O or IGNORE; repeatable.",
)
def train_command(
    train_files: tuple[Path, ...],
    dev_files: tuple[Path, ...],
    base: Path | None,
    out: Path,
    mode: str,
    rank: int,
    alpha: float,
    lr: float,
    epochs: int,
    batch_size: int,
    window: int,
    overlap: int,
    subwords: str,
    entity_weight: float,
    synthetic: int,
    seed: int,
    patience: int,
    max_steps: int | None,
    dev_limit: int | None,
    threads: int,
    label_map: tuple[str, ...],
) -> None:
    """Fine-tune a token classifier from labelled JSONL (needs pip install 'piimask[train]')."""
    from piimask.train import TrainingUnavailableError, require_torch

    try:
        require_torch()
    except TrainingUnavailableError as exc:
        raise click.ClickException(str(exc)) from exc
    from piimask.train.data import DataError
    from piimask.train.trainer import TrainConfig, train

    pairs = {}
    for item in label_map:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise click.BadParameter(f"want DATA=TARGET, got {item!r}", param_hint="--label-map")
        pairs[key] = value
    if window <= 2 * overlap:
        raise click.BadParameter("--overlap must be less than half of --window")
    config = TrainConfig(
        train=[str(p) for p in train_files],
        dev=[str(p) for p in dev_files],
        out=str(out),
        base=str(base) if base else None,
        mode=mode,  # type: ignore[arg-type]
        rank=rank,
        alpha=alpha,
        lr=lr,
        epochs=epochs,
        batch_size=batch_size,
        window=window,
        overlap=overlap,
        subwords=subwords,  # type: ignore[arg-type]
        entity_weight=entity_weight,
        synthetic=synthetic,
        seed=seed,
        patience=patience,
        max_steps=max_steps,
        dev_limit=dev_limit,
        threads=threads,
        label_map=pairs,
    )
    try:
        summary = train(config, log=lambda line: click.echo(line, err=True))
    except DataError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps({k: v for k, v in summary.items() if k != "epochs"}, indent=2))
    click.echo(f"run directory: {out}", err=True)


def _load_engine(
    model_dir: Path | None, adapter: str | None, ner: bool, onnx_bytes: bytes | None = None
) -> DetectionEngine:
    from piimask.detect import DetectionEngine, DetectorConfig
    from piimask.detect.adapter import bundled_adapter_path
    from piimask.detect.model import ModelLoadError, TokenClassifier

    adapter_path = None
    if adapter is not None:
        adapter_path = bundled_adapter_path() if adapter == "bundled" else Path(adapter)
    try:
        classifier = TokenClassifier(
            model_dir,
            adapter=adapter_path,
            onnx_model=onnx_bytes,
        )
    except ModelLoadError as exc:
        raise click.ClickException(str(exc)) from exc
    return DetectionEngine(classifier, DetectorConfig(model_dir=model_dir, ner_enabled=ner))


def _evaluate(
    engine: DetectionEngine, files: tuple[Path, ...], limit: int | None
) -> dict[str, dict[str, float]]:
    import time

    from piimask.detect.evaluation import evaluate, read_gold_file, scheme_for

    results: dict[str, dict[str, float]] = {}
    for path in files:
        try:
            records = read_gold_file(path)
        except ValueError as exc:
            raise click.ClickException(f"{path}: {exc}") from exc
        if limit is not None and limit < len(records):
            records = [records[i * len(records) // limit] for i in range(limit)]
        tokens_before = engine.stats.tokens
        began = time.perf_counter()
        report = evaluate(engine.detect_batch, records, scheme_for(records))
        seconds = time.perf_counter() - began
        span = report["span"]
        assert isinstance(span, dict)
        results[path.name.removesuffix(".jsonl")] = {
            "records": float(len(records)),
            "recall_core": _number(report["char_recall"]),
            "leak_core": _number(report["leaked_spans"]),
            "precision": _number(report["char_precision"]),
            "span_f1": _number(span["f1"]),
            "tokens_per_second": (engine.stats.tokens - tokens_before) / seconds
            if seconds
            else 0.0,
        }
    return results


def _number(value: object) -> float:
    if not isinstance(value, (int, float)):
        raise TypeError(f"not a number: {value!r}")
    return float(value)


def _table(rows: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = [
        f"{'model':<12}{'set':<28}{'records':>8}{'recall':>8}{'leaked':>8}{'prec':>7}"
        f"{'spanF1':>8}{'tok/s':>9}"
    ]
    for model_name, results in rows.items():
        for name, r in results.items():
            lines.append(
                f"{model_name:<12}{name:<28}{int(r['records']):>8}{r['recall_core']:>8.3f}"
                f"{100 * r['leak_core']:>7.1f}%{r['precision']:>7.3f}{r['span_f1']:>8.3f}"
                f"{r['tokens_per_second']:>9.0f}"
            )
    return "\n".join(lines)


_DATA = click.option(
    "--data",
    "data_files",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Gold JSONL to evaluate on (eval format); repeatable.",
)


@model.command("eval")
@click.argument(
    "model_dir", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@_DATA
@click.option("--adapter", default=None, help="Adapter .npz to merge in, or 'bundled'.")
@click.option(
    "--gate",
    "gates",
    multiple=True,
    metavar="[SET.]METRIC>=VALUE",
    help="Release gate; exit status 1 when any fails. Repeatable.",
)
@click.option(
    "--ner/--no-ner",
    default=False,
    show_default=True,
    help="Run the second NER model too (default: the ONNX model alone).",
)
@click.option("--limit", type=click.IntRange(1, 10**9), default=None, help="N records per file.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def eval_model(
    model_dir: Path | None,
    data_files: tuple[Path, ...],
    adapter: str | None,
    gates: tuple[str, ...],
    ner: bool,
    limit: int | None,
    as_json: bool,
) -> None:
    """Evaluate MODEL_DIR (default: the bundled model) and check release gates."""
    from piimask.detect.gates import Gate, GateError

    try:
        parsed = [Gate.parse(g) for g in gates]
    except GateError as exc:
        raise click.BadParameter(str(exc), param_hint="--gate") from exc
    engine = _load_engine(model_dir, adapter, ner)
    results = _evaluate(engine, data_files, limit)
    click.echo(json.dumps(results, indent=2) if as_json else _table({"model": results}))
    failures: list[str] = []
    for gate in parsed:
        try:
            failures.extend(gate.check(results))
        except GateError as exc:
            raise click.BadParameter(str(exc), param_hint="--gate") from exc
    for failure in failures:
        click.echo(f"GATE FAILED {failure}", err=True)
    if parsed and not failures:
        click.echo(f"all {len(parsed)} gate(s) passed", err=True)
    if failures:
        sys.exit(1)


@model.command("quantize")
@click.argument(
    "model_dir", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--calibration",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSONL whose texts calibrate activation ranges (int8).",
)
@click.option("-o", "--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--method", type=click.Choice(["int8", "q4"]), default="int8", show_default=True)
@click.option("--adapter", default=None, help="Adapter .npz to merge in first, or 'bundled'.")
@click.option(
    "--data",
    "data_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Gold JSONL for the speed/recall comparison (default: the calibration file).",
)
@click.option("--calibration-limit", type=click.IntRange(1, 10**6), default=300, show_default=True)
@click.option("--limit", type=click.IntRange(1, 10**9), default=None, help="N records per file.")
def quantize(
    model_dir: Path | None,
    calibration: Path,
    out: Path,
    method: str,
    adapter: str | None,
    data_files: tuple[Path, ...],
    calibration_limit: int,
    limit: int | None,
) -> None:
    """Write a quantized variant of MODEL_DIR to OUT; print speed and recall next to the source."""
    import onnx

    from piimask.detect.adapter import Adapter, AdapterError, bundled_adapter_path
    from piimask.detect.evaluation import read_gold_file
    from piimask.detect.model import default_model_dir, file_sha256, find_onnx_file
    from piimask.detect.weights import fp32_model, load_weights, read_weights
    from piimask.train.quantize import quantize_model

    directory = model_dir or default_model_dir()
    onnx_file = find_onnx_file(directory)
    source = onnx.load(str(onnx_file))
    if any(n.op_type == "MatMulNBits" for n in source.graph.node) or adapter is not None:
        base, weights = load_weights(onnx_file)
        if adapter is not None:
            path = bundled_adapter_path() if adapter == "bundled" else Path(adapter)
            labels = tuple(_labels(directory))
            try:
                weights = Adapter.load(path).merge(weights, file_sha256(onnx_file), labels)
            except AdapterError as exc:
                raise click.ClickException(f"adapter {path}: {exc}") from exc
        source = fp32_model(base, weights)
    else:
        read_weights(source)  # fails early on a graph this tool cannot handle
    texts = [r.text for r in read_gold_file(calibration, limit=calibration_limit)]
    target = quantize_model(source, directory, out, method, texts)  # type: ignore[arg-type]
    click.echo(f"wrote {target} ({target.stat().st_size / 1e6:.1f} MB)", err=True)
    source_engine = _load_engine(directory, None, False, onnx_bytes=source.SerializeToString())
    files = data_files or (calibration,)
    rows = {
        "source": _evaluate(source_engine, files, limit),
        method: _evaluate(_load_engine(out, None, False), files, limit),
    }
    click.echo(_table(rows))


def _labels(directory: Path) -> list[str]:
    config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    id2label = config["id2label"]
    return [str(id2label[k]) for k in sorted(id2label, key=int)]
