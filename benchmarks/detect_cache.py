"""Repeated-text cache: records/s with and without it on traffic where half the texts repeat.

The traffic: ``--records`` text records in worker-sized batches (``--batch``, default the
worker's 64). Each record, with probability 1/2, repeats an earlier text exactly: by
default any text seen earlier in the stream (log lines recurring over minutes); with
``--pool N`` one of N templated texts (notifications: these also recur within a batch,
which the pipeline already detects once per batch without a cache). Otherwise the record
carries a text seen nowhere else. Texts come from the dev set (read at run time, never
copied). Both runs go through the worker's pipeline (``process_batch``: decode, detect,
mask, default policy) with the same engine; the cached run starts with an empty cache of
``--cache-size`` entries. Each run is timed ``--rounds`` times, alternating, best kept, in
wall-clock time and in this process's CPU time (records per CPU second: steadier on a
machine other jobs share; with ``--threads 1``, the default, onnxruntime runs in the
calling thread and no idle pool thread spins, so CPU time is the work done).

The output records (value, key, headers) of the two runs are compared byte for byte, and
their findings span by span: a score may differ in the 8th decimal when a text is detected
in another batch (onnxruntime's float sums depend on the batch's padded width; the same
happens without the cache whenever batches are cut differently), which the last line counts.

    python benchmarks/detect_cache.py [--records 2000] [--pool 0] [--batch 64] [--rounds 2]
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
    """Half the records repeat an earlier text, the rest are new.

    ``pool`` 0: a repeat is any text seen earlier in the stream (a log line that recurs
    minutes later); ``pool`` N: one of N templated texts (they recur within a batch too,
    which the pipeline already detects once per batch). Raises StopIteration when
    ``texts`` runs out."""
    rng = random.Random(seed)
    fresh = iter(texts[pool:])
    templates, seen, out = texts[:pool], [], []
    for _ in range(records):
        if rng.random() < 0.5 and (pool or seen):
            out.append(rng.choice(templates if pool else seen))
        else:
            seen.append(next(fresh))
            out.append(seen[-1])
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
    parser.add_argument(
        "--pool", type=int, default=0, help="repeats from N templated texts (0: any earlier text)"
    )
    parser.add_argument("--batch", type=int, default=64, help="records per batch")
    parser.add_argument("--cache-size", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime threads (0: auto)")
    args = parser.parse_args()

    texts = list(dict.fromkeys(json.loads(line)["text"] for line in args.data.open()))
    try:
        values = traffic(texts, args.records, args.pool, args.seed)
    except StopIteration:
        raise SystemExit(
            f"{args.data}: too few distinct texts for {args.records} records"
        ) from None
    repeats = len(values) - len(set(values))
    engine = DetectionEngine.load(DetectorConfig(intra_op_threads=args.threads))
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
    work = sum(len(set(values[i : i + args.batch])) for i in range(0, len(values), args.batch))
    print(
        f"traffic: {len(values)} records in batches of {args.batch}, {len(set(values))} "
        f"distinct texts, {repeats} records ({repeats / len(values):.0%}) repeat an earlier text"
        + (f" (one of {args.pool} templates)" if args.pool else " (any earlier one)")
    )
    print(f"texts detected: {work} without the cache (once per batch), {len(set(values))} with it")
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
