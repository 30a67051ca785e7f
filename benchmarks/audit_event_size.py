"""Worst-case audit event size: a record with N findings, each as large as the format allows.

    python benchmarks/audit_event_size.py                 # N = 100 ... 100,000
    python benchmarks/audit_event_size.py --findings 10000

Every finding gets the longest JSON path (512 characters), a detector name of four joined
detectors, a 64-character key id, and an entity type out of up to 80 distinct 64-character
types under every operator (more types than a summary holds, so OTHER is used too). The
event is built and sealed the way the worker does it (``build_audit_event`` with the
worker's limit: the producer's request limit less 16 KiB, then ``AuditChain.seal``). Prints
the sealed event's size against the limit, how many findings are listed and summarised,
the digest's size and its measured false-positive rate, and the build time.
"""

from __future__ import annotations

import argparse
import time
from typing import get_args

from piimask.audit import AuditChain, build_audit_event
from piimask.audit.digest import FingerprintDigest
from piimask.audit.events import Operator
from piimask.audit.synthetic import SyntheticMask
from piimask.keys import KeyRing

PRODUCER_LIMIT = 1_048_576  # the worker's default producer_max_request_bytes
RECORD_OVERHEAD = 16 * 1024  # what the worker keeps for key, headers and framing
OPERATORS = get_args(Operator)


def masks(keyring: KeyRing, n: int) -> list[SyntheticMask]:
    detector = "+".join(f"{name}:{'x' * 64}" for name in ("gazetteer", "model", "ner", "pattern"))
    out = []
    for i in range(n):
        masked = i % 10 != 0
        out.append(
            SyntheticMask(
                entity_type=f"T{i % 80:02d}" + "E" * 61,
                start=i * 20,
                end=i * 20 + 12,
                field="$." + "f" * 510,
                operator=OPERATORS[i % len(OPERATORS)],
                score=0.123456789,
                detector=detector,
                masked=masked,
                reason=None if masked else "below_threshold",
                key_id="k" * 64,
                fingerprint=keyring.fingerprint(f"value-{i}"),
            )
        )
    return out


def measure(keyring: KeyRing, n: int) -> dict[str, float | int | str]:
    chain = AuditChain.from_keyring(keyring)
    limit = PRODUCER_LIMIT - RECORD_OVERHEAD
    found = masks(keyring, n)
    started = time.perf_counter()
    event = build_audit_event(
        source_topic="t" * 249,
        source_partition=2**31 - 1,
        source_offset=2**63 - 1,
        key_fingerprint="a" * 64,
        output_topic="o" * 249,
        output_partition=2**31 - 1,
        output_offset=2**63 - 1,
        outcome="masked",
        reason=None,
        policy_version="v" * 128,
        policy_sha256="b" * 64,
        model_name="m" * 200,
        model_sha256="c" * 64,
        masks=found,
        max_bytes=limit,
    )
    sealed = chain.seal(event)
    seconds = time.perf_counter() - started
    size = len(sealed.model_dump_json().encode("utf-8"))
    false_positives = 0.0
    digest_chars = 0
    if sealed.findings_digest is not None:
        digest_chars = len(sealed.findings_digest)
        digest = FingerprintDigest.decode(sealed.findings_digest)
        probes = [keyring.fingerprint(f"absent-{i}") for i in range(20_000)]
        false_positives = sum(digest.might_contain(fp) for fp in probes) / len(probes)
    return {
        "findings": n,
        "event_bytes": size,
        "limit_bytes": limit,
        "fits": "yes" if size <= limit else "NO",
        "listed": len(sealed.findings),
        "summary_rows": len(sealed.findings_summary or ()),
        "digest_chars": digest_chars,
        "digest_fp_rate": round(false_positives, 4),
        "build_seconds": round(seconds, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--findings", type=int, action="append", help="repeatable")
    args = parser.parse_args()
    counts = args.findings or [100, 1_000, 4_500, 10_000, 100_000]
    keyring = KeyRing.generate("k" * 32)
    rows = [measure(keyring, n) for n in counts]
    columns = list(rows[0])
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in columns]
    print("  ".join(c.rjust(w) for c, w in zip(columns, widths, strict=True)))
    for row in rows:
        print("  ".join(str(row[c]).rjust(w) for c, w in zip(columns, widths, strict=True)))
    worst = max(int(r["event_bytes"]) for r in rows)
    print(f"\nworst case: {worst} bytes, limit {rows[0]['limit_bytes']} bytes")


if __name__ == "__main__":
    main()
