"""The bundled 4-bit model vs its dequantized fp32 rebuild: argmax agreement on the dev sets.

    python benchmarks/dequantize_check.py            # UNER-EWT dev, WNUT-17 dev, synthetic short

Runs both graphs on the same padded batches of 40-token windows and prints, per file, the
tokens compared, the share with the same argmax label and the largest logit difference.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort

from piimask.detect.evaluation import read_gold_file
from piimask.detect.model import TokenClassifier, find_onnx_file
from piimask.detect.weights import fp32_model, load_weights
from piimask.train.quantize import calibration_batches

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
FILES = [
    SHARED / "real" / "uner_ewt_dev.jsonl",
    SHARED / "real" / "wnut17_dev.jsonl",
    SHARED / "presidio_synth_dev.jsonl",
]


def main() -> None:
    classifier = TokenClassifier()
    onnx_file = find_onnx_file(classifier.info.directory)
    base, weights = load_weights(onnx_file)
    rebuilt = ort.InferenceSession(
        fp32_model(base, weights).SerializeToString(), providers=["CPUExecutionProvider"]
    )
    quantized = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    worst = 1.0
    for path in [Path(p) for p in sys.argv[1:]] or FILES:
        texts = [r.text for r in read_gold_file(path)]
        tokens = same = 0
        diff = 0.0
        for feed in calibration_batches(classifier, texts, rows=32):
            a = np.asarray(quantized.run(None, feed)[0])
            b = np.asarray(rebuilt.run(None, feed)[0])
            valid = feed["attention_mask"].astype(bool)
            tokens += int(valid.sum())
            same += int((a.argmax(-1) == b.argmax(-1))[valid].sum())
            diff = max(diff, float(np.abs(a - b)[valid].max()))
        worst = min(worst, same / tokens)
        print(
            f"{path.name:<28}{tokens:>8} tokens  argmax agreement {same / tokens:.6f}  "
            f"max |logit diff| {diff:.2e}"
        )
    sys.exit(0 if worst == 1.0 else 1)


if __name__ == "__main__":
    main()
