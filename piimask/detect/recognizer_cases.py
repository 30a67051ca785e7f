"""A peer's test suite as a yardstick: Presidio's recognizer unit-test cases.

``../shared/eval/real/presidio_recognizer_cases.jsonl`` holds literal cases from
Presidio's ``test_*_recognizer.py`` files: ``{file, test, text, expected_len,
spans: [[start, end], ...], entities}``; ``expected_len`` 0 means the text must
yield nothing. piimask is judged on the cases of the global, US and UK files
whose entity types it claims to cover (:data:`SCOPED_ENTITIES`): a positive case
counts as masked when every expected span is masked (by a span of any type), a
negative case as a false mask when anything at all is found in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from piimask.jsonl import read_json_lines
from piimask.spans import Span

# Presidio entity types piimask covers, and the piimask type that covers each.
SCOPED_ENTITIES: Mapping[str, str] = {
    "ABA_ROUTING_NUMBER": "ROUTING_NUMBER",
    "CREDIT_CARD": "CREDIT_CARD",
    "CRYPTO": "CRYPTO",
    "DATE_TIME": "DATE_TIME",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "IBAN_CODE": "IBAN_CODE",
    "IP_ADDRESS": "IP_ADDRESS",
    "MAC_ADDRESS": "MAC_ADDRESS",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "URL": "URL",
    "US_DRIVER_LICENSE": "DRIVER_LICENSE",
    "US_ITIN": "US_ITIN",
    "US_SSN": "US_SSN",
    "UK_NINO": "UK_NINO",
}

# Presidio test files that are not about a structured-identifier recognizer.
UNSCOPED_FILES: Mapping[str, str] = {
    "test_spacy_recognizer.py": "tests spaCy's NER model (names, dates): scored on the NER sets",
    "test_stanza_recognizer.py": "tests Stanza's NER model: scored on the NER sets",
    "test_transformers_recognizer.py": "tests a transformers NER model: scored on the NER sets",
    "test_pattern_recognizer.py": "tests Presidio's deny-list feature with made-up words",
}

# Country-specific test files are named test_<ISO 3166 code>_...: "ip" and "us" differ.
_COUNTRY_FILE = re.compile(r"test_(au|ca|de|es|fi|in|it|kr|ng|ph|pl|se|sg|th|tr|za|us|uk)_")
_SCOPED_COUNTRIES = frozenset({"us", "uk"})


@dataclass(frozen=True, slots=True)
class RecognizerCase:
    file: str
    test: str
    text: str
    expected_len: int
    spans: tuple[tuple[int, int], ...]
    entities: tuple[str, ...]

    @property
    def positive(self) -> bool:
        return self.expected_len > 0

    @property
    def case_id(self) -> str:
        """File stem, expected count, text: "ip[1]:'fe80::1%eth0'" (literal test data, no PII).

        The count tells apart Presidio cases that run one text under two settings.
        """
        stem = self.file.removeprefix("test_").removesuffix("_recognizer.py")
        return f"{stem}[{self.expected_len}]:{self.text!r}"


def load_cases(path: Path | str) -> list[RecognizerCase]:
    """Every case with a known outcome (cases whose expected count is unknown are left out)."""
    cases = []
    with Path(path).open("rb") as stream:
        lines = list(read_json_lines(stream))
    for line in lines:
        if line.value is None:
            raise ValueError(f"{path}: {line.error}")
        raw = line.value
        expected_len, spans = raw.get("expected_len"), raw.get("spans")
        if expected_len is None or spans is None:
            continue
        cases.append(
            RecognizerCase(
                file=str(raw["file"]),
                test=str(raw["test"]),
                text=str(raw["text"]),
                expected_len=int(expected_len),
                spans=tuple((int(s), int(e)) for s, e in spans),
                entities=tuple(str(e) for e in raw.get("entities") or ()),
            )
        )
    return cases


def in_scope(case: RecognizerCase) -> bool:
    """A global, US or UK file's case about an entity type piimask covers."""
    if case.file in UNSCOPED_FILES:
        return False
    country = _COUNTRY_FILE.match(case.file)
    if country and country.group(1) not in _SCOPED_COUNTRIES:
        return False
    return bool(case.entities) and all(e in SCOPED_ENTITIES for e in case.entities)


def scoped_cases(cases: Iterable[RecognizerCase]) -> list[RecognizerCase]:
    return [c for c in cases if in_scope(c)]


# Presidio's expected spans sometimes take in a space or the quotes around a value
# ('"https://example.org/"', " YZ 61 48 68 B"): those characters hold nothing to mask.
_EDGE = " \t\r\n\"'"


def content(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without surrounding whitespace and quote characters."""
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return start, end


def masked(case: RecognizerCase, predicted: Sequence[Span]) -> bool:
    """Positive case: every expected span's content is covered by predicted spans (any type)."""
    covered = bytearray(len(case.text))
    for p in predicted:
        covered[p.start : p.end] = b"\x01" * (p.end - p.start)
    return all(all(covered[slice(*content(case.text, s, e))]) for s, e in case.spans)


@dataclass(slots=True)
class CaseReport:
    positives: int = 0
    positives_masked: int = 0
    negatives: int = 0
    negatives_flagged: int = 0
    missed: list[RecognizerCase] = field(default_factory=list)
    false_masks: list[RecognizerCase] = field(default_factory=list)

    def add(self, case: RecognizerCase, predicted: Sequence[Span]) -> None:
        if case.positive:
            self.positives += 1
            if masked(case, predicted):
                self.positives_masked += 1
            else:
                self.missed.append(case)
        else:
            self.negatives += 1
            if predicted:
                self.negatives_flagged += 1
                self.false_masks.append(case)

    def summary(self) -> dict[str, object]:
        return {
            "positives": self.positives,
            "positives_masked": self.positives_masked,
            "positive_masked_rate": round(self.positives_masked / self.positives, 4)
            if self.positives
            else 1.0,
            "negatives": self.negatives,
            "negatives_flagged": self.negatives_flagged,
            "negative_false_mask_rate": round(self.negatives_flagged / self.negatives, 4)
            if self.negatives
            else 0.0,
            "missed": [c.case_id for c in self.missed],
            "false_masks": [c.case_id for c in self.false_masks],
        }
