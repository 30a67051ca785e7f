"""Fine-tuning loop: fixed seeds, per-epoch dev metrics through the real engine, early stopping.

A run directory holds ``train_config.json``, ``metrics.json`` (every epoch), the best
epoch's model (``config.json``, ``tokenizer.json``, ``onnx/model.onnx``: fp32, adapter
merged), the adapter itself (``adapter.npz``, LoRA runs) and ``MODEL_CARD.md``.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import torch
from torch.nn import functional as F
from tqdm import tqdm

from piimask.detect.adapter import save_adapter
from piimask.detect.config import DetectorConfig
from piimask.detect.engine import DetectionEngine
from piimask.detect.evaluation import evaluate, read_gold_file, scheme_for
from piimask.detect.model import TokenClassifier, default_model_dir, find_onnx_file
from piimask.detect.weights import fp32_model, load_weights
from piimask.train.data import IGNORE_INDEX, Aligner, Example, SubwordMode, load_records
from piimask.train.modeling import BertTokenClassifier
from piimask.train.synth import write as write_synthetic

Mode = Literal["lora", "full"]
_COPIED = (
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
)


@dataclass
class TrainConfig:
    train: list[str]
    dev: list[str]
    out: str
    base: str | None = None
    mode: Mode = "lora"
    rank: int = 16
    alpha: float = 32.0
    lr: float = 5e-4
    epochs: int = 3
    batch_size: int = 32
    window: int = 40
    overlap: int = 12
    subwords: SubwordMode = "all"
    entity_weight: float = 2.0
    synthetic: int = 0
    seed: int = 13
    patience: int = 1
    max_steps: int | None = None
    dev_limit: int | None = None
    threads: int = 2
    label_map: dict[str, str] = field(default_factory=dict)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def batches(examples: Sequence[Example], size: int, rng: random.Random) -> list[list[Example]]:
    """Shuffled batches of similar length (less padding), in shuffled order."""
    order = list(examples)
    rng.shuffle(order)
    chunk = size * 50
    out: list[list[Example]] = []
    for i in range(0, len(order), chunk):
        part = sorted(order[i : i + chunk], key=lambda e: len(e.input_ids))
        out.extend(part[j : j + size] for j in range(0, len(part), size))
    rng.shuffle(out)
    return out


def collate(batch: Sequence[Example], pad_id: int) -> tuple[torch.Tensor, ...]:
    width = max(len(e.input_ids) for e in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE_INDEX, dtype=torch.long)
    for i, e in enumerate(batch):
        n = len(e.input_ids)
        ids[i, :n] = torch.tensor(e.input_ids)
        mask[i, :n] = 1
        labels[i, :n] = torch.tensor(e.labels)
    return ids, mask, labels


def dev_metrics(
    base_dir: Path, onnx_bytes: bytes, dev_files: Sequence[str], limit: int | None, threads: int = 0
) -> dict[str, dict[str, object]]:
    """The ONNX model alone (second NER model off) through the engine on each dev file."""
    classifier = TokenClassifier(base_dir, onnx_model=onnx_bytes, intra_op_threads=threads)
    engine = DetectionEngine(
        classifier, DetectorConfig(ner_enabled=False, intra_op_threads=threads)
    )
    out: dict[str, dict[str, object]] = {}
    for path in dev_files:
        records = read_gold_file(path)
        if limit is not None and limit < len(records):
            records = [records[i * len(records) // limit] for i in range(limit)]
        report = evaluate(engine.detect_batch, records, scheme_for(records))
        span = report["span"]
        assert isinstance(span, dict)
        out[Path(path).name] = {
            "records": len(records),
            "span_f1": span["f1"],
            "char_recall": report["char_recall"],
            "char_precision": report["char_precision"],
            "leaked_spans": report["leaked_spans"],
        }
    return out


def score(metrics: dict[str, dict[str, object]]) -> float:
    """Selection score: mean char recall minus mean leak over the dev files."""
    values = [
        float(str(m["char_recall"])) - float(str(m["leaked_spans"])) for m in metrics.values()
    ]
    return sum(values) / len(values) if values else 0.0


def agreement(
    model: BertTokenClassifier, session_bytes: bytes, examples: Sequence[Example], pad_id: int
) -> dict[str, float]:
    """Torch vs ONNX on one padded batch: share of equal argmax labels, max logit difference."""
    import onnxruntime as ort

    ids, mask, _ = collate(list(examples), pad_id)
    model.eval()
    with torch.no_grad():
        ours = model(ids, mask).numpy()
    session = ort.InferenceSession(session_bytes, providers=["CPUExecutionProvider"])
    feed = {
        "input_ids": ids.numpy(),
        "attention_mask": mask.numpy(),
        "token_type_ids": np.zeros_like(ids.numpy()),
    }
    theirs = np.asarray(session.run(None, feed)[0])
    valid = mask.numpy().astype(bool)
    return {
        "tokens": int(valid.sum()),
        "argmax_agreement": float((ours.argmax(-1) == theirs.argmax(-1))[valid].mean()),
        "max_abs_logit_diff": float(np.abs(ours - theirs)[valid].max()),
    }


def train(config: TrainConfig, log: Callable[[str], None] = print) -> dict[str, object]:
    torch.set_num_threads(config.threads)
    seed_everything(config.seed)
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "train_config.json").write_text(json.dumps(asdict(config), indent=2) + "\n")
    base_dir = Path(config.base) if config.base else default_model_dir()
    base_onnx = find_onnx_file(base_dir)
    teacher = TokenClassifier(base_dir, intra_op_threads=config.threads)
    base_graph, base_weights = load_weights(base_onnx)

    train_files = [Path(p) for p in config.train]
    if config.synthetic:
        synth_path = out / "synthetic_train.jsonl"
        write_synthetic(synth_path, config.synthetic, config.seed)
        train_files.append(synth_path)
    records = load_records(train_files)
    aligner = Aligner(
        teacher,
        config.label_map,
        window=config.window,
        overlap=config.overlap,
        subwords=config.subwords,
    )
    began = time.perf_counter()
    examples = aligner.encode(records)
    log(
        f"aligned {len(records)} records into {len(examples)} windows "
        f"in {time.perf_counter() - began:.0f} s"
    )

    model = BertTokenClassifier.from_weights(base_weights)
    if config.mode == "lora":
        for p in model.parameters():
            p.requires_grad_(False)
        model.add_lora(config.rank, config.alpha)
        for name, p in model.named_parameters():
            if (
                ".lora_" in name
                or name.endswith(".bias")
                or "LayerNorm" in name
                or (name.startswith("classifier."))
            ):
                p.requires_grad_(True)
    trainable = [p for p in model.parameters() if p.requires_grad]
    n_trainable = sum(p.numel() for p in trainable)
    optimizer = torch.optim.AdamW(trainable, lr=config.lr, weight_decay=0.01)
    rng = random.Random(config.seed)  # noqa: S311 - reproducible shuffling
    steps_per_epoch = math.ceil(len(examples) / config.batch_size)
    total = steps_per_epoch * config.epochs
    if config.max_steps is not None:
        total = min(total, config.max_steps)
    warmup = max(1, total // 20)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / (total - warmup + 1)))
    )
    weights = torch.full((len(aligner.labels),), config.entity_weight)
    weights[aligner.o_id] = 1.0

    history: list[dict[str, object]] = []
    best_score, best_epoch, stale, step = -math.inf, 0, 0, 0
    base_sha = teacher.info.sha256
    for epoch in range(1, config.epochs + 1):
        model.train()
        began = time.perf_counter()
        tokens, loss_sum = 0, 0.0
        epoch_batches = batches(examples, config.batch_size, rng)
        bar = tqdm(epoch_batches, desc=f"epoch {epoch}", unit="batch", mininterval=5)
        for batch in bar:
            if config.max_steps is not None and step >= config.max_steps:
                break
            ids, mask, labels = collate(batch, teacher.pad_id)
            logits = model(ids, mask)
            loss = F.cross_entropy(
                logits.view(-1, logits.shape[-1]),
                labels.view(-1),
                weight=weights,
                ignore_index=IGNORE_INDEX,
            )
            optimizer.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            scheduler.step()
            step += 1
            tokens += int(mask.sum())
            loss_sum += float(loss.detach())
            bar.set_postfix(loss=f"{loss_sum / (bar.n + 1):.4f}")
        seconds = time.perf_counter() - began
        onnx_bytes = fp32_model(base_graph, model.merged_weights()).SerializeToString()
        metrics = dev_metrics(base_dir, onnx_bytes, config.dev, config.dev_limit, config.threads)
        row: dict[str, object] = {
            "epoch": epoch,
            "steps": step,
            "train_loss": round(loss_sum / max(1, len(epoch_batches)), 5),
            "train_seconds": round(seconds, 1),
            "tokens_per_second": round(tokens / seconds, 1) if seconds else 0.0,
            "dev": metrics,
            "score": round(score(metrics), 4),
        }
        history.append(row)
        log(json.dumps(row))
        (out / "metrics.json").write_text(json.dumps(history, indent=2) + "\n")
        if float(str(row["score"])) > best_score:
            best_score, best_epoch, stale = float(str(row["score"])), epoch, 0
            _save_model(out, base_dir, onnx_bytes, model, config, base_sha, list(aligner.labels))
        else:
            stale += 1
            if stale > config.patience:
                log(f"early stop: no better dev score for {stale} epochs")
                break
        if config.max_steps is not None and step >= config.max_steps:
            break
    check = agreement(
        _load_best(out),
        (out / "onnx" / "model.onnx").read_bytes(),
        examples[: min(64, len(examples))],
        teacher.pad_id,
    )
    summary: dict[str, object] = {
        "best_epoch": best_epoch,
        "best_score": best_score,
        "trainable_parameters": n_trainable,
        "train_records": len(records),
        "train_windows": len(examples),
        "export_check": check,
        "epochs": history,
    }
    (out / "metrics.json").write_text(json.dumps(summary, indent=2) + "\n")
    write_model_card(out, config, summary, train_files)
    return summary


def _save_model(
    out: Path,
    base_dir: Path,
    onnx_bytes: bytes,
    model: BertTokenClassifier,
    config: TrainConfig,
    base_sha: str,
    labels: list[str],
) -> None:
    for name in _COPIED:
        if (base_dir / name).is_file():
            shutil.copyfile(base_dir / name, out / name)
    (out / "onnx").mkdir(exist_ok=True)
    (out / "onnx" / "model.onnx").write_bytes(onnx_bytes)
    torch.save(model.state_dict(), out / "checkpoint.pt")
    if config.mode != "lora":
        return
    low_rank = {name: m.factors() for name, m in model.lora_modules().items()}
    replaced = {
        name: p.detach().numpy().astype(np.float32)
        for name, p in model.named_parameters()
        if p.requires_grad and ".lora_" not in name
    }
    meta: dict[str, object] = {
        "base_sha256": base_sha,
        "labels": labels,
        "rank": config.rank,
        "alpha": config.alpha,
    }
    save_adapter(out / "adapter.npz", meta, low_rank, replaced)


def _load_best(out: Path) -> BertTokenClassifier:
    config = json.loads((out / "train_config.json").read_text())
    _, weights = load_weights(
        find_onnx_file(Path(config["base"]) if config["base"] else default_model_dir())
    )
    model = BertTokenClassifier.from_weights(weights)
    if config["mode"] == "lora":
        model.add_lora(config["rank"], config["alpha"])
    model.load_state_dict(torch.load(out / "checkpoint.pt"))
    return model


def write_model_card(
    out: Path, config: TrainConfig, summary: dict[str, object], train_files: Sequence[Path]
) -> None:
    from piimask.train.card import render_card

    (out / "MODEL_CARD.md").write_text(render_card(config, summary, train_files))
