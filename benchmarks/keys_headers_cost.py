"""What scanning record keys and headers costs: the batch pipeline with the real model.

    python benchmarks/keys_headers_cost.py [FILE.jsonl] [--records 256] [--passes 3]

Runs ``process_batch`` (the worker's path: decode, plan, one detection call, mask) over the
first --records texts of the dev set, once per layout, and prints records/s (best of
--passes) for:

- ``value only``: no key, no headers (the cost before keys and headers were scanned);
- ``key + 2 headers``: a key holding an e-mail address, a ``traceparent`` header unique per
  record and an ``x-user`` header with a name, all scanned (the default policy);
- ``traceparent kept``: the same with ``headers.names: {traceparent: keep}``;
- ``record_key: keep, headers keep``: what the policy can switch off.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from piimask.detect import DetectionEngine, DetectorConfig
from piimask.keys import KeyRing
from piimask.mask import RecordMasker, default_policy
from piimask.mask.policy import Policy, parse_policy_data
from piimask.stream.pipeline import Limits, process_batch
from piimask.stream.records import Headers, SourceRecord

DEFAULT_INPUT = Path(__file__).resolve().parents[1].parent / "shared/eval/presidio_synth_dev.jsonl"
LIMITS = Limits(max_message_bytes=1 << 20, max_output_bytes=1 << 20)


def records(texts: list[str], *, with_parts: bool) -> list[SourceRecord]:
    out = []
    for i, text in enumerate(texts):
        key: bytes | None = None
        headers: Headers = ()
        if with_parts:
            key = f"customer:user{i}@example.com".encode()
            headers = (
                ("traceparent", f"00-{i:032x}-{i:016x}-01".encode()),
                ("x-user", b"Jane Smith"),
            )
        out.append(SourceRecord("in", 0, i, key, text.encode(), headers))
    return out


def policy_with(**changes: object) -> Policy:
    data = default_policy().model_dump(mode="json", by_alias=True)
    data.update(changes)
    return parse_policy_data(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", nargs="?", type=Path, default=DEFAULT_INPUT)
    parser.add_argument("--records", type=int, default=256)
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()
    lines = args.input.read_text(encoding="utf-8").splitlines()[: args.records]
    texts = [json.loads(line)["text"] for line in lines]
    engine = DetectionEngine.load(DetectorConfig())
    keyring = KeyRing.generate()
    layouts = [
        ("value only", default_policy(), False),
        ("key + 2 headers", default_policy(), True),
        ("traceparent kept", policy_with(headers={"names": {"traceparent": "keep"}}), True),
        (
            "record_key: keep, headers keep",
            policy_with(record_key="keep", headers={"default": "keep"}),
            True,
        ),
    ]
    engine.detect_batch(texts[:8])  # warm up
    print(f"{len(texts)} records, best of {args.passes} passes")
    for name, policy, with_parts in layouts:
        masker = RecordMasker(policy, keyring, message_format="text")
        batch = records(texts, with_parts=with_parts)
        best = float("inf")
        for _ in range(args.passes):
            started = time.perf_counter()
            result = process_batch(batch, detector=engine, masker=masker, limits=LIMITS)
            best = min(best, time.perf_counter() - started)
            assert len(result.outcomes) == len(batch)
        print(f"{name:<32} {len(batch) / best:8.1f} records/s")


if __name__ == "__main__":
    main()
