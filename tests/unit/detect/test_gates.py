"""Release gates: parsing and checking ``[SET.]METRIC OP VALUE``."""

from __future__ import annotations

import pytest

from piimask.detect.gates import Gate, GateError

RESULTS = {
    "uner_ewt_dev": {"recall_core": 0.81, "leak_core": 0.2, "precision": 0.9, "span_f1": 0.6,
                     "tokens_per_second": 5000.0},
    "wnut17_dev": {"recall_core": 0.70, "leak_core": 0.3, "precision": 0.8, "span_f1": 0.5,
                   "tokens_per_second": 6000.0},
}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "failures"),
    [
        ("recall_core>=0.7", 0),
        ("recall_core>=0.8", 1),
        ("recall_core>=0.9", 2),
        ("uner_ewt_dev.recall_core>=0.8", 0),
        ("wnut17_dev.recall_core >= 0.72", 1),
        ("leak_core<=0.25", 1),
        ("tokens_per_second>1000", 0),
    ],
)
def test_a_gate_without_a_set_checks_every_set(text: str, failures: int) -> None:
    assert len(Gate.parse(text).check(RESULTS)) == failures


@pytest.mark.parametrize("text", ["recall>=0.9", "recall_core=0.9", "recall_core>=x", ""])
def test_a_malformed_gate_is_a_clear_error(text: str) -> None:
    with pytest.raises(GateError):
        Gate.parse(text)


def test_a_gate_naming_an_unevaluated_set_is_an_error() -> None:
    with pytest.raises(GateError, match="no evaluated set"):
        Gate.parse("btc.recall_core>=0.5").check(RESULTS)
