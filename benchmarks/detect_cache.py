"""Repeated-text cache: records/s with and without it on traffic where half the texts repeat.

The traffic: ``--records`` text records in worker-sized batches (``--batch``, default the
worker's 64). Each record, with probability 1/2, carries one of ``--pool`` templated texts
that recur through the stream (log lines, notifications); otherwise a text seen nowhere
else. Texts come from the dev set (read at run time, never copied). Both runs go through
the worker's pipeline (``process_batch``: decode, detect, mask, default policy), with the
same engine; the cached run starts with an empty cache (PIIMASK_DETECT_CACHE_SIZE
entries). Each run is timed ``--rounds`` times, alternating, best kept, in wall-clock and in
this process's CPU time (records per CPU second: steadier on a machine other jobs share).
The output records (value, key, headers) of the two are compared byte for byte, and their
findings span by span: a score may differ in the 8th decimal when a text is detected in
another batch (onnxruntime's float sums depend on the batch's padded width; the same happens
without the cache whenever batches are cut differently), which the last line counts.

    python benchmarks/detect_cache.py [--records 2000] [--pool 50] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from piimask.detect import DetectionEngine, DetectorConfig
from piimask.detect.cache import CachedDetector, SpanCache
from piimask.keys import KeyRing
from piimask.mask import RecordMasker, default_policy
from piimask.stream.pipeline import Detector, Forward, Limits, Outcome, process_batch
from piimask.stream.records import SourceRecord

DEFAULT_DATA = (
    Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "presidio_synth_dev.jsonl"
)
LIMITS = Limits(max_message_bytes=1_000_000, max_output_bytes=1_000_000)


def traffic(texts: list[str], records: int, pool: int, seed: int) -> list[str]:
    """Half the records repeat one of ``pool`` texts; the rest are each seen once."""
    rng = random.Random(seed)
    repeating, unique = texts[:pool], iter(texts[pool:])
    out = []
    for _ in range(records):
        out.append(rng.choice(repeating) if rng.random() < 0.5 else next(unique))
    return out


def run(
    values: list[str], detector: Detector, masker: RecordMasker, batch: int
) -> tuple[float, float, list[Outcome]]:
    """Records/s in wall-clock time and per CPU second, and the outcomes."""
    records = [
        SourceRecord("bench", 0, i, b"k", v.encode(), (), None) for i, v in enumerate(values)
    ]
    outcomes: list[Outcome] = []
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(records), batch):
        chunk = records[i : i + batch]
        outcomes += process_batch(chunk, detector=detector, masker=masker, limits=LIMITS).outcomes
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return len(records) / wall, len(records) / cpu, outcomes


def records_out(outcomes: list[Outcome]) -> list[object]:
    """What goes to the output topic."""
    return [(o.payload, o.key, o.headers) if isinstance(o, Forward) else o.reason for o in outcomes]


def findings(outcome: Outcome) -> list[tuple[object, ...]]:
    """The audit event's findings without their scores."""
    if not isinstance(outcome, Forward):
        return []
    return [
        (m.entity_type, m.start, m.end, m.detector, m.operator, m.masked) for m in outcome.masks
    ]


def score_gap(a: Outcome, b: Outcome) -> float:
    if not isinstance(a, Forward) or not isinstance(b, Forward):
        return 0.0
    return max((abs(x.score - y.score) for x, y in zip(a.masks, b.masks, strict=True)), default=0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--pool", type=int, default=50, help="distinct repeating texts")
    parser.add_argument("--batch", type=int, default=64, help="records per batch")
    parser.add_argument("--cache-size", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    texts = list(dict.fromkeys(json.loads(line)["text"] for line in args.data.open()))
    try:
        values = traffic(texts, args.records, args.pool, args.seed)
    except StopIteration:
        raise SystemExit(
            f"{args.data}: too few distinct texts for {args.records} records"
        ) from None
    repeats = len(values) - len(set(values))
    engine = DetectionEngine.load(DetectorConfig())
    masker = RecordMasker(default_policy(), KeyRing.generate(), message_format="text")
    engine.detect_batch(texts[-32:])  # warm-up

    names = ("no cache", "cache")
    wall = dict.fromkeys(names, 0.0)
    cpu = dict.fromkeys(names, 0.0)
    results: dict[str, list[Outcome]] = {}
    hit_rate = 0.0
    for _ in range(args.rounds):
        for name in names:
            detector: Detector = engine
            cache = None
            if name == "cache":
                cache = SpanCache(args.cache_size)
                detector = CachedDetector(engine, cache)
            rate, cpu_rate, outcomes = run(values, detector, masker, args.batch)
            wall[name], cpu[name] = max(wall[name], rate), max(cpu[name], cpu_rate)
            results[name] = outcomes
            if cache is not None:
                stats = cache.stats
                hit_rate = stats.hits / max(1, stats.hits + stats.misses)
    plain, cached = results["no cache"], results["cache"]
    same_records = records_out(plain) == records_out(cached)
    other = sum(findings(a) != findings(b) for a, b in zip(plain, cached, strict=True))
    gaps = [
        score_gap(a, b) for a, b in zip(plain, cached, strict=True) if findings(a) == findings(b)
    ]
    rescored = sum(g > 0 for g in gaps)
    print(
        f"traffic: {len(values)} records in batches of {args.batch}, {len(set(values))} "
        f"distinct texts, {repeats} records ({repeats / len(values):.0%}) repeat an earlier text"
    )
    for name in names:
        print(
            f"{name + ':':9} {wall[name]:7.1f} records/s  {cpu[name]:7.1f} records/CPU-s"
            + (
                f"  ({wall[name] / wall['no cache']:.2f}x wall, {cpu[name] / cpu['no cache']:.2f}x "
                f"CPU; hit rate {hit_rate:.0%} of lookups, size {args.cache_size})"
                if name == "cache"
                else ""
            )
        )
    print(f"identical output records: {same_records}")
    print(
        f"findings: {other} records differ; {rescored} differ only in a score, by at most "
        f"{max(gaps, default=0.0):.1e}"
    )


if __name__ == "__main__":
    main()
