"""Release gates over a model evaluation: ``[SET.]METRIC OP VALUE`` checks.

``recall_core>=0.9`` holds when every evaluated set has a core-PII character recall of at
least 0.9; ``wnut17_dev.recall_core>=0.72`` checks one set (its file name without
``.jsonl``). Metrics: ``recall_core`` (character recall of core PII), ``leak_core`` (share
of core spans with any character left unmasked), ``precision`` (character precision),
``span_f1`` (strict span F1) and ``tokens_per_second``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

METRICS = ("recall_core", "leak_core", "precision", "span_f1", "tokens_per_second")
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
_GATE = re.compile(
    r"^\s*(?:(?P<set>[\w.-]+)\.)?(?P<metric>[a-z_]+)\s*(?P<op>>=|<=|>|<)\s*(?P<value>[-+0-9.eE]+)\s*$"
)


class GateError(ValueError):
    """A gate expression that cannot be parsed or names an unknown set or metric."""


@dataclass(frozen=True, slots=True)
class Gate:
    text: str
    set_name: str | None
    metric: str
    op: str
    value: float

    @classmethod
    def parse(cls, text: str) -> Gate:
        match = _GATE.match(text)
        if not match:
            raise GateError(f"gate {text!r}: want [SET.]METRIC OP VALUE, e.g. recall_core>=0.9")
        metric = match.group("metric")
        if metric not in METRICS:
            raise GateError(
                f"gate {text!r}: unknown metric {metric!r}; known: {', '.join(METRICS)}"
            )
        try:
            value = float(match.group("value"))
        except ValueError as exc:
            raise GateError(f"gate {text!r}: {match.group('value')!r} is not a number") from exc
        return cls(text.strip(), match.group("set"), metric, match.group("op"), value)

    def check(self, results: Mapping[str, Mapping[str, float]]) -> list[str]:
        """Failure messages (empty: the gate holds)."""
        if self.set_name is not None and self.set_name not in results:
            raise GateError(f"gate {self.text!r}: no evaluated set {self.set_name!r}")
        names = [self.set_name] if self.set_name is not None else sorted(results)
        failures = []
        for name in names:
            actual = results[name][self.metric]
            if not _OPS[self.op](actual, self.value):
                failures.append(
                    f"{name}: {self.metric} = {actual:.4f}, gate {self.op} {self.value}"
                )
        return failures
