"""Masking-only throughput: gold spans as the detected spans, no model involved.

    python benchmarks/mask_throughput.py [FILE.jsonl] [--policy FILE] [--passes 5]
                                         [--json] [--detect N]

Defaults to ../shared/eval/presidio_synth_dev.jsonl and the shipped default policy. Prints
records/s and chars/s of plan + apply (the best of --passes runs, each over every record).
--json wraps each text in {"body": ...} to time the JSON path. --detect N also times the real
detection engine on the first N records so the two can be compared.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Literal

from piimask.keys import KeyRing
from piimask.mask import MessageMasker, default_policy, load_policy
from piimask.spans import Span

DEFAULT_INPUT = Path(__file__).resolve().parents[1].parent / "shared/eval/presidio_synth_dev.jsonl"
# presidio-evaluator label -> the detector's entity type
LABELS = {"GPE": "LOCATION", "US_DRIVER_LICENSE": "DRIVER_LICENSE"}


def load(path: Path) -> list[tuple[str, list[Span]]]:
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        spans = [
            Span(s["start"], s["end"], LABELS.get(s["label"], s["label"])) for s in item["spans"]
        ]
        records.append((item["text"], spans))
    return records


def one_pass(
    masker: MessageMasker, records: list[tuple[str, list[Span]]], as_json: bool
) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this thread) for one pass over ``records``."""
    started = time.perf_counter()
    cpu_started = time.thread_time()
    for text, spans in records:
        if as_json:
            plan = masker.plan_document({"body": text})
            masker.apply(plan, [spans] if plan.texts else [])
        else:
            masker.apply(masker.plan(text), [spans])
    return time.perf_counter() - started, time.thread_time() - cpu_started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", nargs="?", type=Path, default=DEFAULT_INPUT)
    parser.add_argument("--policy", type=Path, default=None)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="mask {'body': text} documents")
    parser.add_argument("--detect", type=int, default=0, metavar="N")
    args = parser.parse_args()

    records = load(args.input)
    policy = load_policy(args.policy) if args.policy else default_policy()
    fmt: Literal["text", "json"] = "json" if args.json else "text"
    masker = MessageMasker(policy, KeyRing.generate(), message_format=fmt)
    chars = sum(len(t) for t, _ in records)
    spans = sum(len(s) for _, s in records)

    one_pass(masker, records[:50], args.json)  # warm caches (Faker, derived keys)
    runs = [one_pass(masker, records, args.json) for _ in range(args.passes)]
    best = min(wall for wall, _ in runs)
    median = statistics.median(wall for wall, _ in runs)
    cpu = min(c for _, c in runs)
    print(f"input: {args.input.name}, {len(records)} records, {chars} chars, {spans} spans")
    print(f"policy: {policy.version} ({fmt} messages), {args.passes} passes, one thread")
    print(
        f"masking: {len(records) / best:,.0f} records/s, {chars / best:,.0f} chars/s "
        f"(best pass {best * 1000:.0f} ms; median {len(records) / median:,.0f} records/s)"
    )
    # CPU time is what a busy machine cannot steal: the rate with the core to itself
    print(
        f"masking per CPU second: {len(records) / cpu:,.0f} records/s, {chars / cpu:,.0f} chars/s"
    )

    if args.detect:
        from piimask.detect import DetectionEngine, DetectorConfig

        engine = DetectionEngine.load(DetectorConfig())
        texts = [t for t, _ in records[: args.detect]]
        engine.detect_batch(texts[:8])
        started = time.perf_counter()
        for i in range(0, len(texts), 256):
            engine.detect_batch(texts[i : i + 256])
        elapsed = time.perf_counter() - started
        detect_rate = len(texts) / elapsed
        print(f"detection: {detect_rate:,.0f} records/s on {len(texts)} records")
        print(f"masking / detection: {len(records) / best / detect_rate:,.0f}x")


if __name__ == "__main__":
    main()
