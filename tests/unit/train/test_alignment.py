"""Character spans -> subword labels: how coarse PERSON/LOCATION spans are taught."""

from __future__ import annotations

import subprocess
import sys

import pytest

from piimask.detect.evaluation import GoldRecord
from piimask.detect.model import TokenClassifier
from piimask.train.data import IGNORE_INDEX, Aligner, DataError


@pytest.fixture(scope="module")
def aligner() -> Aligner:
    return Aligner(TokenClassifier())


def _labels(aligner: Aligner, text: str, spans: list[tuple[int, int, str]]) -> list[str]:
    record = GoldRecord(text, tuple({"start": s, "end": e, "label": lab} for s, e, lab in spans))
    (example,) = aligner.encode([record])
    return [aligner.labels[i] if i != IGNORE_INDEX else "-" for i in example.labels]


def test_a_person_span_is_given_name_then_surname(aligner: Aligner) -> None:
    labels = _labels(aligner, "met Anna Maria Kowalski today", [(4, 23, "PERSON")])
    # [CLS] met anna maria kowal ##ski ##... today [SEP]: later subwords carry I-SURNAME.
    assert labels[:5] == ["-", "O", "B-GIVEN_NAME", "B-SURNAME", "I-SURNAME"]
    assert labels[5:] == ["I-SURNAME", "I-SURNAME", "O", "-"]


def test_a_location_span_becomes_a_place_label(aligner: Aligner) -> None:
    labels = _labels(aligner, "flying to Lisbon tomorrow", [(10, 16, "LOCATION")])
    assert labels[3:6] == ["B-CITY", "I-CITY", "I-CITY"]


def test_organisations_are_taught_as_not_pii(aligner: Aligner) -> None:
    labels = _labels(aligner, "Anna works at Google", [(14, 20, "ORG")])
    assert labels[-2] == "O"


def test_a_label_without_a_target_is_a_clear_error(aligner: Aligner) -> None:
    with pytest.raises(DataError, match="--label-map"):
        _labels(aligner, "call me at noon", [(11, 15, "TIME_OF_DAY")])


def test_the_runtime_never_imports_torch() -> None:
    code = (
        "import sys, piimask.detect.engine, piimask.detect.adapter, piimask.cli.model_cmd;"
        "assert 'torch' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
