"""How much of the gold structured PII the pattern recognizers cover, and what else they flag.

    python benchmarks/pattern_coverage.py [FILE.jsonl ...] [--show-misses LABEL] [--show-fp NAME]

Defaults to ../shared/eval/presidio_synth_dev.jsonl. A gold span is "covered" when
some pattern span (of any type) contains it; a pattern span is a false positive
when it overlaps no gold span at all. "other-label" counts pattern spans that
overlap only gold spans of labels the recognizer does not produce.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from pathlib import Path

from piimask.detect.patterns import default_recognizers
from piimask.spans import Span

LABELS = [
    "CREDIT_CARD",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "IBAN_CODE",
    "US_SSN",
    "IP_ADDRESS",
    "DOMAIN_NAME",
    "US_DRIVER_LICENSE",
    "ZIP_CODE",
]
# Gold labels a recognizer's spans may legitimately sit on.
COMPATIBLE = {
    "URL": {"DOMAIN_NAME"},
    "DOMAIN_NAME": {"DOMAIN_NAME"},
    "ZIP_CODE": {"ZIP_CODE", "STREET_ADDRESS"},
}
DEFAULT_FILE = Path(__file__).resolve().parents[2] / "shared" / "eval" / "presidio_synth_dev.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=[DEFAULT_FILE])
    parser.add_argument("--show-misses", metavar="LABEL", action="append", default=[])
    parser.add_argument("--show-fp", metavar="NAME", action="append", default=[])
    args = parser.parse_args()

    recognizers = default_recognizers()
    gold_total: Counter[str] = Counter()
    gold_covered: Counter[str] = Counter()
    emitted: Counter[str] = Counter()
    outside: Counter[str] = Counter()
    other_label: Counter[str] = Counter()
    misses: dict[str, list[str]] = defaultdict(list)
    false_positives: dict[str, list[str]] = defaultdict(list)
    seconds: defaultdict[str, float] = defaultdict(float)
    records = 0

    for path in args.files:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            records += 1
            text = record["text"]
            spans: list[Span] = []
            for recognizer in recognizers:
                began = time.perf_counter()
                spans.extend(recognizer.find(text))
                seconds[recognizer.name] += time.perf_counter() - began
            gold = record["spans"]
            for item in gold:
                label = item["label"]
                if label not in LABELS:
                    continue
                gold_total[label] += 1
                if any(s.start <= item["start"] and item["end"] <= s.end for s in spans):
                    gold_covered[label] += 1
                else:
                    misses[label].append(_excerpt(text, item["start"], item["end"]))
            for span in spans:
                name = span.detector.removeprefix("pattern:")
                emitted[name] += 1
                hits = [g for g in gold if g["start"] < span.end and span.start < g["end"]]
                if not hits:
                    outside[name] += 1
                    false_positives[name].append(_excerpt(text, span.start, span.end))
                elif not any(
                    g["label"] in COMPATIBLE.get(span.entity_type, {span.entity_type}) for g in hits
                ):
                    other_label[name] += 1
                    labels = ",".join(sorted({g["label"] for g in hits}))
                    false_positives[name].append(
                        f"[{labels}] " + _excerpt(text, span.start, span.end)
                    )

    print(f"records: {records} ({', '.join(p.name for p in args.files)})\n")
    print(f"{'gold label':<20}{'gold':>7}{'covered':>9}{'recall':>9}")
    for label in LABELS:
        total = gold_total[label]
        covered = gold_covered[label]
        recall = f"{100 * covered / total:.1f}%" if total else "-"
        print(f"{label:<20}{total:>7}{covered:>9}{recall:>9}")
    print(f"\n{'recognizer':<20}{'spans':>7}{'outside gold':>14}{'other label':>13}{'ms':>9}")
    for recognizer in recognizers:
        name = recognizer.name
        print(
            f"{name:<20}{emitted[name]:>7}{outside[name]:>14}{other_label[name]:>13}"
            f"{1000 * seconds[name]:>9.0f}"
        )
    for label in args.show_misses:
        print(f"\nmissed {label}:")
        for item in misses[label]:
            print("  ", item)
    for name in args.show_fp:
        print(f"\nfalse positives / other-label spans of {name}:")
        for item in false_positives[name]:
            print("  ", item)


def _excerpt(text: str, start: int, end: int, width: int = 30) -> str:
    before = text[max(0, start - width) : start]
    after = text[end : end + width]
    return repr(f"{before}[[{text[start:end]}]]{after}")


if __name__ == "__main__":
    main()
