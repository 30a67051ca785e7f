"""Engine throughput of model variants in one run: base, base + adapter, quantized variants.

    python benchmarks/model_variants.py                            # base vs bundled adapter
    python benchmarks/model_variants.py --adapter runs/x/adapter.npz --model-dir runs/x-int8

Each variant runs the same records with the ONNX model alone (second NER model and
patterns off, so the model's cost is what is compared), in interleaved rounds so that
load from other processes falls on every variant alike; prints tokens/s (best round)
and the ratio to the base model.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from piimask.detect import DetectionEngine, DetectorConfig
from piimask.detect.adapter import bundled_adapter_path
from piimask.detect.evaluation import read_gold_file
from piimask.detect.model import TokenClassifier

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "eval"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapter", type=Path, default=bundled_adapter_path())
    parser.add_argument(
        "--model-dir",
        type=Path,
        action="append",
        default=[],
        help="extra model directory (e.g. a quantized variant); repeatable",
    )
    parser.add_argument("--data", type=Path, default=SHARED / "presidio_synth_dev.jsonl")
    parser.add_argument("--limit", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()

    texts = [r.text for r in read_gold_file(args.data, limit=args.limit)]
    config = DetectorConfig(
        ner_enabled=False, patterns=False, places=False, intra_op_threads=args.threads
    )
    variants = {
        "base": TokenClassifier(intra_op_threads=args.threads),
        "adapter": TokenClassifier(intra_op_threads=args.threads, adapter=args.adapter),
    }
    for directory in args.model_dir:
        variants[directory.name] = TokenClassifier(directory, intra_op_threads=args.threads)
    engines = {name: DetectionEngine(c, config) for name, c in variants.items()}
    best: dict[str, float] = dict.fromkeys(engines, 0.0)
    for _ in range(args.rounds):
        for name, engine in engines.items():
            before = engine.stats.tokens
            began = time.perf_counter()
            engine.detect_batch(texts)
            rate = (engine.stats.tokens - before) / (time.perf_counter() - began)
            best[name] = max(best[name], rate)
    for name, rate in best.items():
        print(f"{name:<24}{rate:>9.0f} tokens/s  {rate / best['base']:.2f}x base")


if __name__ == "__main__":
    main()
