"""Detection throughput: bare model vs the engine vs a naive one-message-at-a-time loop.

Prints, in one run on one machine:
- the bare model's tokens/s at its best batch shape (rows x length grid, ids only, no decoding),
- the engine's messages/s and tokens/s on the dev set (detect_batch in chunks), as shipped
  (ONNX model + second NER model + patterns) and with the ONNX model alone
  (PIIMASK_NER_ENABLED=false); each timed twice, alternating, best run kept,
- the naive loop's messages/s (engine.detect on one message at a time).

    python benchmarks/detect_throughput.py [--data ../shared/eval/presidio_synth_dev.jsonl]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from piimask.detect import DetectionEngine, DetectorConfig
from piimask.detect.model import TokenClassifier

DEFAULT_DATA = (
    Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "presidio_synth_dev.jsonl"
)


def bare_shape(classifier: TokenClassifier, rows: int, length: int, seconds: float) -> float:
    rng = np.random.default_rng(1)
    vocab = classifier.tokenizer.get_vocab_size()
    batch = [list(rng.integers(1000, vocab, size=length)) for _ in range(rows)]
    classifier.probabilities(batch)
    tokens, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        classifier.probabilities(batch)
        tokens += rows * length
    return tokens / (time.perf_counter() - start)


def bare_model(classifier: TokenClassifier, seconds: float) -> tuple[float, int, int]:
    rng = np.random.default_rng(0)
    vocab = classifier.tokenizer.get_vocab_size()
    best = (0.0, 0, 0)
    for length in (16, 32, 64, 128):
        for rows in (1, 8, 32, 64, 128):
            batch = [list(rng.integers(1000, vocab, size=length)) for _ in range(rows)]
            classifier.probabilities(batch)  # warm-up
            tokens, start = 0, time.perf_counter()
            while time.perf_counter() - start < seconds:
                classifier.probabilities(batch)
                tokens += rows * length
            rate = tokens / (time.perf_counter() - start)
            if rate > best[0]:
                best = (rate, rows, length)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=1500)
    parser.add_argument("--chunk", type=int, default=256, help="messages per detect_batch call")
    parser.add_argument("--grid-seconds", type=float, default=1.0)
    args = parser.parse_args()

    texts = [json.loads(line)["text"] for line in args.data.open()][: args.limit]
    classifier = TokenClassifier()
    engine = DetectionEngine(classifier, DetectorConfig())
    onnx_only = DetectionEngine(classifier, DetectorConfig(ner_enabled=False))
    text_tokens = sum(
        len(e.ids) for e in classifier.tokenizer.encode_batch(texts, add_special_tokens=False)
    )
    engine.detect_batch(texts[:64])  # warm-up
    onnx_only.detect_batch(texts[:64])

    rate, rows, length = bare_model(classifier, args.grid_seconds)
    print(f"bare model:   {rate:10.0f} tokens/s  (best shape {rows} rows x {length} tokens)")
    window_rows = engine.config.batch_max_rows
    window_length = engine.config.window_tokens
    same_shape = bare_shape(classifier, window_rows, window_length, args.grid_seconds * 2)
    print(
        f"bare model:   {same_shape:10.0f} tokens/s  (the engine's shape: {window_rows} rows x "
        f"{window_length} tokens)"
    )

    def timed(candidate: DetectionEngine) -> tuple[float, float]:
        """Wall seconds and this process's CPU seconds (all threads)."""
        wall, cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(texts), args.chunk):
            candidate.detect_batch(texts[i : i + args.chunk])
        return time.perf_counter() - wall, time.process_time() - cpu

    runs: dict[str, list[tuple[float, float]]] = {"ensemble": [], "onnx": []}
    for _ in range(2):
        runs["onnx"].append(timed(onnx_only))
        runs["ensemble"].append(timed(engine))
    engine_s, engine_cpu = min(runs["ensemble"])
    onnx_s, onnx_cpu = min(runs["onnx"])
    for label, seconds, cpu in (
        ("engine:", engine_s, engine_cpu),
        ("ONNX only:", onnx_s, onnx_cpu),
    ):
        print(
            f"{label:13} {len(texts) / seconds:10.1f} msg/s"
            f"   {text_tokens / seconds:10.0f} tokens/s"
            f"  ({len(texts)} messages, {text_tokens} tokens, {seconds:.1f}s,"
            f" {1000 * cpu / len(texts):.1f} ms CPU/msg)"
        )
    # CPU time is what a busy machine distorts least; wall time is what a user sees.
    print(f"ensemble / ONNX only:      {onnx_s / engine_s:5.2f} of its messages/s (wall)")
    print(f"ensemble / ONNX only:      {onnx_cpu / engine_cpu:5.2f} of its messages per CPU second")

    start = time.perf_counter()
    for text in texts:
        engine.detect(text)
    naive_s = time.perf_counter() - start
    print(
        f"naive loop:   {len(texts) / naive_s:10.1f} msg/s   {text_tokens / naive_s:10.0f} tokens/s"
    )
    print(f"engine / naive:            {naive_s / engine_s:5.2f}x")
    print(
        f"engine / bare model:       {text_tokens / engine_s / rate:5.2f} of its token throughput"
    )


if __name__ == "__main__":
    main()
