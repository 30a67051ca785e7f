"""Labelled JSONL (text + character spans) -> subword label ids in inference-sized windows.

Alignment, in order:

1. Every data label maps to a target (:data:`DEFAULT_LABEL_MAP`, overridable): a label of the
   model itself (``GIVEN_NAME``, ``CITY``, ...), ``@person``, ``@place``, ``O`` or ``IGNORE``.
2. Word level BIO: the words (the tokenizer's pre-tokenizer words) a span touches get ``B-X``
   on the first and ``I-X`` on the rest. The model has no coarse PERSON or LOCATION label, so
   ``@person`` is taught as ``B-GIVEN_NAME`` on the first word and ``B-SURNAME``, ``I-SURNAME``
   on the rest (how names are written in the corpora: given name first); a one-word name takes
   whichever of the two the base model scores higher there (a lone "Smith" stays a surname).
   ``@place`` becomes ``CITY`` or ``STATE``, again by the base model's higher score; the
   engine maps both to LOCATION, so the choice only keeps the base's own sense of the two.
3. Outside gold spans each token keeps the base model's own argmax (self-distillation: the
   real corpora label names and places only, so their unlabelled phone numbers, e-mails and
   street addresses must not be taught as ``O``), except name and place labels, which the
   gold data says are wrong there and become ``O``.
4. Subwords: the first subword of a word carries the word's label; later ones carry ``I-X``
   (``subwords="all"``) or are left out of the loss (``subwords="first"``). ``[CLS]``,
   ``[SEP]`` and padding are always left out.
5. Texts are cut into the engine's overlapping windows (same planner, same sizes), so the
   model trains on the contexts it sees at inference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from piimask.detect.evaluation import GoldRecord, read_gold_file
from piimask.detect.model import FloatArray, TokenClassifier
from piimask.detect.windows import line_start_flags, merge_window_probabilities, plan_windows

IGNORE_INDEX = -100
SubwordMode = Literal["all", "first"]
PERSON = "@person"
PLACE = "@place"

DEFAULT_LABEL_MAP: Mapping[str, str] = {
    "PERSON": PERSON,
    "PER": PERSON,
    "LOCATION": PLACE,
    "LOC": PLACE,
    "GPE": PLACE,
    # Neutral in scoring; taught as O so organisation names stop reading as people.
    "ORG": "O",
    "ORGANIZATION": "O",
    "OTHER": "O",
    "MISC": "O",
}
# Base-model labels that the gold data of name/place corpora can overrule outside its spans.
OVERRULED_OUTSIDE = frozenset({"GIVEN_NAME", "SURNAME", "CITY", "STATE"})


class DataError(ValueError):
    """A training file or label map that cannot be used (names the file and line, never text)."""


@dataclass(frozen=True, slots=True)
class Example:
    input_ids: list[int]
    labels: list[int]


def resolve_label_map(
    model_entities: Sequence[str], overrides: Mapping[str, str] | None = None
) -> dict[str, str]:
    merged = {**DEFAULT_LABEL_MAP, **{e: e for e in model_entities}, **(overrides or {})}
    allowed = {*model_entities, PERSON, PLACE, "O", "IGNORE"}
    bad = {k: v for k, v in merged.items() if v not in allowed}
    if bad:
        raise DataError(f"label map targets not known to the model: {bad}")
    return merged


def load_records(paths: Sequence[Path]) -> list[GoldRecord]:
    records: list[GoldRecord] = []
    for path in paths:
        try:
            records.extend(read_gold_file(path))
        except (OSError, ValueError) as exc:
            raise DataError(f"{path}: {exc}") from exc
    return records


class Aligner:
    """Turns records into windowed examples for one model (tokenizer, labels, teacher)."""

    def __init__(
        self,
        teacher: TokenClassifier,
        label_map: Mapping[str, str] | None = None,
        *,
        window: int = 40,
        overlap: int = 12,
        subwords: SubwordMode = "all",
    ) -> None:
        self.teacher = teacher
        self.labels = list(teacher.info.labels)
        self.label_id = {label: i for i, label in enumerate(self.labels)}
        entities = sorted({lab[2:] for lab in self.labels if lab != "O"})
        self.label_map = resolve_label_map(entities, label_map)
        self.window = window
        self.overlap = overlap
        self.subwords = subwords
        self.o_id = self.label_id["O"]
        self.overruled = {
            i for i, lab in enumerate(self.labels) if lab != "O" and lab[2:] in OVERRULED_OUTSIDE
        }

    def _entity_score(self, probs: FloatArray, tokens: Sequence[int], entity: str) -> float:
        cols = [self.label_id[f"B-{entity}"], self.label_id[f"I-{entity}"]]
        return float(probs[np.asarray(tokens)][:, cols].sum())

    def _plan(
        self, text: str, word_ids: Sequence[int | None], offsets: Sequence[tuple[int, int]]
    ) -> list[tuple[int, int]]:
        return plan_windows(
            len(offsets),
            self.window,
            self.overlap,
            [w if w is not None else -1 for w in word_ids],
            line_start_flags(text, offsets),
        )

    def encode(self, records: Sequence[GoldRecord], batch_rows: int = 64) -> list[Example]:
        tokenizer = self.teacher.tokenizer
        encodings = tokenizer.encode_batch([r.text for r in records], add_special_tokens=False)
        plans = [
            self._plan(r.text, e.word_ids, e.offsets)
            for r, e in zip(records, encodings, strict=True)
        ]
        rows = [e.ids[s:t] for e, plan in zip(encodings, plans, strict=True) for s, t in plan]
        window_probs: list[FloatArray] = []
        for i in range(0, len(rows), batch_rows):
            window_probs.extend(self.teacher.probabilities(rows[i : i + batch_rows]))
        examples: list[Example] = []
        at = 0
        for record, enc, plan in zip(records, encodings, plans, strict=True):
            probs = merge_window_probabilities(
                len(enc.ids), plan, window_probs[at : at + len(plan)]
            )
            at += len(plan)
            labels = self._token_labels(record, enc.word_ids, enc.offsets, probs)
            for s, t in plan:
                examples.append(
                    Example(
                        [self.teacher.cls_id, *enc.ids[s:t], self.teacher.sep_id],
                        [IGNORE_INDEX, *labels[s:t], IGNORE_INDEX],
                    )
                )
        return examples

    def _token_labels(
        self,
        record: GoldRecord,
        word_ids: Sequence[int | None],
        offsets: Sequence[tuple[int, int]],
        probs: FloatArray,
    ) -> list[int]:
        n = len(offsets)
        teacher = probs.argmax(axis=-1) if n else np.zeros(0, dtype=np.int64)
        labels = [self.o_id if int(t) in self.overruled else int(t) for t in teacher]
        for span in record.spans:
            data_label = str(span["label"])
            if data_label not in self.label_map:
                raise DataError(
                    f"data label {data_label!r} has no target: add --label-map "
                    f"{data_label}=TARGET (a model label, @person, @place, O or IGNORE)"
                )
            target = self.label_map[data_label]
            start, end = int(str(span["start"])), int(str(span["end"]))
            tokens = [i for i, (a, b) in enumerate(offsets) if a < end and b > start and b > a]
            if not tokens:
                continue
            if target in ("O", "IGNORE"):
                for i in tokens:
                    labels[i] = self.o_id if target == "O" else IGNORE_INDEX
                continue
            words: list[list[int]] = []
            for i in tokens:
                if words and word_ids[i] == word_ids[words[-1][-1]]:
                    words[-1].append(i)
                else:
                    words.append([i])
            word_entities = self._word_entities(target, words, probs)
            for w, (word, entity) in enumerate(zip(words, word_entities, strict=True)):
                begins = w == 0 or entity != word_entities[w - 1]
                first = f"{'B' if begins else 'I'}-{entity}"
                labels[word[0]] = self.label_id[first]
                for i in word[1:]:
                    labels[i] = (
                        self.label_id[f"I-{entity}"] if self.subwords == "all" else IGNORE_INDEX
                    )
        return labels

    def _word_entities(self, target: str, words: list[list[int]], probs: FloatArray) -> list[str]:
        every = [i for word in words for i in word]
        if target == PERSON:
            if len(words) == 1:
                given = self._entity_score(probs, every, "GIVEN_NAME")
                surname = self._entity_score(probs, every, "SURNAME")
                return ["SURNAME" if surname > given else "GIVEN_NAME"]
            return ["GIVEN_NAME"] + ["SURNAME"] * (len(words) - 1)
        if target == PLACE:
            state = self._entity_score(probs, every, "STATE")
            city = self._entity_score(probs, every, "CITY")
            return ["STATE" if state > city else "CITY"] * len(words)
        return [target] * len(words)
