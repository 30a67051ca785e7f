"""Shadow detector cost: records/s of the worker's pipeline by shadow sample rate.

Live detector: the bundled model with piimask's adapter (PIIMASK_MODEL_VARIANT=adapted)
plus the second NER model and patterns; shadow: the base Rampart model (sharing the live
NER model, as the worker does). ``--records`` dev-set texts (read at run time) go through
``process_batch`` in batches of ``--batch`` with no shadow, then with the shadow at each
``--rates``; no repeated-text cache. Each configuration is timed ``--rounds`` times,
alternating, best kept. Prints records/s, the slowdown against no shadow, the share of
records compared, and whether the outputs equal the run without a shadow; then the
agreement per entity type at the largest rate (what the metrics and ``audit report`` show).

    python benchmarks/shadow_cost.py [--records 600] [--rates 0.01,0.1,0.25,1.0]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from piimask.detect import DetectionEngine, DetectorConfig
from piimask.detect.shadow import Sampler, ShadowRunner, load_shadow_engine, shadow_config
from piimask.keys import KeyRing
from piimask.mask import RecordMasker, default_policy
from piimask.stream.pipeline import Forward, Limits, Outcome, process_batch
from piimask.stream.records import SourceRecord

DEFAULT_DATA = (
    Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "presidio_synth_dev.jsonl"
)
LIMITS = Limits(max_message_bytes=1_000_000, max_output_bytes=1_000_000)


def run(
    records: list[SourceRecord],
    engine: DetectionEngine,
    masker: RecordMasker,
    shadow: ShadowRunner | None,
    batch: int,
) -> tuple[float, list[Outcome]]:
    outcomes: list[Outcome] = []
    started = time.perf_counter()
    for i in range(0, len(records), batch):
        outcomes += process_batch(
            records[i : i + batch], detector=engine, masker=masker, limits=LIMITS, shadow=shadow
        ).outcomes
    return len(records) / (time.perf_counter() - started), outcomes


def visible(outcomes: list[Outcome]) -> list[object]:
    """What goes to the output topic (the shadow field goes only to the audit event)."""
    return [
        (o.payload, o.key, o.headers, o.masks) if isinstance(o, Forward) else o.reason
        for o in outcomes
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--records", type=int, default=600)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--rates", default="0.01,0.1,0.25,1.0")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime threads (0: auto)")
    args = parser.parse_args()

    texts = [json.loads(line)["text"] for line in args.data.open()][: args.records]
    records = [SourceRecord("bench", 0, i, None, t.encode(), (), None) for i, t in enumerate(texts)]
    keyring = KeyRing.generate()
    masker = RecordMasker(default_policy(), keyring, message_format="text")
    live = DetectionEngine.load(
        DetectorConfig(model_variant="adapted", intra_op_threads=args.threads)
    )
    candidate = load_shadow_engine(live, shadow_config(live.config, model_variant="base"))
    live.detect_batch(texts[:32])  # warm-up
    candidate.detect_batch(texts[:32])

    rates = [float(r) for r in args.rates.split(",")]
    runners: dict[str, ShadowRunner | None] = {"none": None}
    for rate in rates:
        runners[f"{rate:g}"] = ShadowRunner(
            candidate,
            model_name=candidate.model_name,
            model_sha256=candidate.model_sha256,
            sampler=Sampler(keyring.hmac_key("shadow-sample"), rate),
        )
    best = dict.fromkeys(runners, 0.0)
    outputs: dict[str, list[Outcome]] = {}
    for _ in range(args.rounds):
        for name, runner in runners.items():
            rate, outcomes = run(records, live, masker, runner, args.batch)
            best[name] = max(best[name], rate)
            outputs[name] = outcomes
    print(
        f"live {live.model_name}, shadow {candidate.model_name}; "
        f"{len(records)} records in batches of {args.batch}"
    )
    base = best["none"]
    print(f"{'shadow rate':>11}  {'records/s':>9}  {'slowdown':>8}  {'compared':>8}  identical")
    for name, rate in best.items():
        compared = sum(
            isinstance(o, Forward) and o.shadow is not None for o in outputs[name]
        ) / len(records)
        same = visible(outputs[name]) == visible(outputs["none"])
        print(f"{name:>11}  {rate:9.1f}  {base / rate - 1:8.1%}  {compared:8.1%}  {same}")
    # What the metrics and audit report would say: agreement per type over the largest sample.
    largest = outputs[max((n for n in runners if n != "none"), key=float)]
    totals: dict[str, list[int]] = {}
    for o in largest:
        if isinstance(o, Forward) and o.shadow is not None:
            for row in o.shadow.agreement:
                t = totals.setdefault(row.entity_type, [0, 0, 0])
                t[0], t[1], t[2] = t[0] + row.both, t[1] + row.live_only, t[2] + row.shadow_only
    print(f"\n{'entity type':<16} {'both':>6} {'live only':>9} {'shadow only':>11}  agreement")
    for entity, (both, live_only, shadow_only) in sorted(totals.items()):
        share = both / max(1, both + live_only + shadow_only)
        print(f"{entity:<16} {both:6d} {live_only:9d} {shadow_only:11d}  {share:9.1%}")


if __name__ == "__main__":
    main()
