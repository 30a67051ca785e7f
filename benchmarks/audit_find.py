"""Audit index at scale: build an index of N synthetic events, then time find look-ups.

    python benchmarks/audit_find.py                      # 1,000,000 events, 200 look-ups
    python benchmarks/audit_find.py --events 100000 --db /tmp/audit-bench.sqlite --keep

Events go through ``AuditIndex.add`` (the code path of ``piimask audit index``): JSON text
in, pydantic validation, batched inserts. They are generated as JSON directly, unsealed
(find does not check hashes), so generation does not dominate the build time.
Prints build time, index size and look-up latency (p50/p99) for ``find --value`` and
``find --source``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from piimask.audit.find import find_by_source, find_by_values
from piimask.audit.index import AuditIndex
from piimask.audit.synthetic import ENTITY_TYPES, OPERATORS, synthetic_values
from piimask.audit.trail import TrailEntry
from piimask.keys import KeyRing

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def events(
    keyring: KeyRing, n: int, values: list[str], partitions: int, seed: int
) -> Iterator[TrailEntry]:
    rng = random.Random(seed)
    fingerprints = [keyring.fingerprint(v) for v in values]
    digest = "0" * 64
    for i in range(n):
        partition, offset = i % partitions, i // partitions
        masked = rng.random() < 0.7
        findings = [
            {
                "entity_type": rng.choice(ENTITY_TYPES),
                "start": 10 * k,
                "end": 10 * k + 8,
                "field": "$.body",
                "operator": rng.choice(OPERATORS),
                "score": round(rng.uniform(0.5, 1.0), 4),
                "detector": "model",
                "masked": True,
                "reason": None,
                "key_id": None,
                "fingerprint": fingerprints[rng.randrange(len(fingerprints))],
            }
            for k in range(rng.randint(1, 3) if masked else 0)
        ]
        doc = {
            "event_version": 1,
            "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "time": (T0 + timedelta(milliseconds=i)).isoformat().replace("+00:00", "Z"),
            "source_topic": "orders",
            "source_partition": partition,
            "source_offset": offset,
            "key_fingerprint": None,
            "output_topic": "orders.masked",
            "output_partition": partition,
            "output_offset": offset,
            "outcome": "masked" if masked else "clean",
            "reason": None,
            "policy_version": "1",
            "policy_sha256": digest,
            "model_name": "rampart",
            "model_sha256": digest,
            "findings": findings,
            "chain_key_id": "k1",
            "prev_hash": digest,
            "hash": digest,
        }
        yield TrailEntry(json.dumps(doc, separators=(",", ":")), f"line {i + 1}")


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--values", type=int, default=200_000, help="distinct values in the pool")
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--db", type=Path, help="index file (default: a temporary file)")
    parser.add_argument("--keep", action="store_true", help="keep the index file")
    args = parser.parse_args()

    keyring = KeyRing.generate()
    values = synthetic_values(args.values)
    db = args.db or Path(tempfile.mkdtemp(prefix="audit-bench-")) / "audit.sqlite"
    if db.exists():
        raise SystemExit(f"{db} exists; give a new path")

    started = time.perf_counter()
    with AuditIndex(db) as index:
        stats = index.add(
            events(keyring, args.events, values, args.partitions, seed=1), batch_size=args.batch
        )
    build = time.perf_counter() - started
    size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
    print(f"events indexed: {stats.added:,} ({stats.rejected} rejected)")
    print(f"build time:     {build:.1f} s ({stats.added / build:,.0f} events/s)")
    print(f"index size:     {size / 1e6:,.0f} MB ({size / max(stats.added, 1):,.0f} B/event)")

    rng = random.Random(2)
    with AuditIndex(db) as index:
        find_by_values(index, keyring, [values[0]])  # warm the page cache once
        by_value: list[float] = []
        hits: list[int] = []
        for _ in range(args.lookups):
            value = values[rng.randrange(len(values))]
            t = time.perf_counter()
            matches = find_by_values(index, keyring, [value])
            by_value.append((time.perf_counter() - t) * 1000)
            hits.append(len({m.source for m in matches}))
        by_source: list[float] = []
        per_partition = args.events // args.partitions
        for _ in range(args.lookups):
            p, o = rng.randrange(args.partitions), rng.randrange(per_partition)
            t = time.perf_counter()
            find_by_source(index, "orders", p, o)
            by_source.append((time.perf_counter() - t) * 1000)
    print(
        f"find --value:   p50 {pct(by_value, 0.5):.2f} ms  p99 {pct(by_value, 0.99):.2f} ms"
        f"  max {max(by_value):.2f} ms  ({statistics.mean(hits):.1f} records per value)"
    )
    print(
        f"find --source:  p50 {pct(by_source, 0.5):.2f} ms  p99 {pct(by_source, 0.99):.2f} ms"
        f"  max {max(by_source):.2f} ms"
    )
    if not args.keep:
        for path in db.parent.glob(db.name + "*"):
            path.unlink()
    else:
        print(f"index kept at {db}")


if __name__ == "__main__":
    main()
