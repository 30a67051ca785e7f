"""The text detectors next to the token classifier, each with a declared merge priority.

The engine does not hard-wire its steps: it runs every detector in this list that the
configuration enables, and the merge treats detectors of one priority as equals:

- ``VOTE``: independent detectors that vote (the ONNX model, the second NER model and the
  name rules); agreement raises a score, a lone weak span can be held to a stricter
  minimum (``ensemble.combine``).
- ``VALIDATED``: validated matches (pattern recognizers, custom regex recognizers,
  military addresses); they win over a voted span of another type (``merge.merge_spans``).
- ``WHERE_FREE``: gazetteer look-ups (countries, places), added only where no other span is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

from piimask.detect.address import find_military_addresses
from piimask.detect.config import DetectorConfig
from piimask.detect.gazetteer import find_countries
from piimask.detect.names import find_inverted_names, find_titled_names
from piimask.detect.places import find_places
from piimask.spans import Span

Find = Callable[[str], list[Span]]


class Priority(IntEnum):
    """Where a detector's spans enter the merge; lower runs first and weighs more."""

    VOTE = 0
    VALIDATED = 1
    WHERE_FREE = 2


@dataclass(frozen=True, slots=True)
class TextDetector:
    """A detector that looks at one text at a time."""

    name: str
    priority: Priority
    find: Find


def _names(text: str) -> list[Span]:
    return find_titled_names(text) + find_inverted_names(text)


def text_detectors(config: DetectorConfig, pattern_finder: Find | None) -> list[TextDetector]:
    """The enabled text detectors, in the order their spans enter the merge.

    ``pattern_finder`` is the recognizer registry's ``find`` (None: patterns off)."""
    detectors = [TextDetector("names", Priority.VOTE, _names)]
    if pattern_finder is not None:
        detectors += [
            TextDetector("patterns", Priority.VALIDATED, pattern_finder),
            TextDetector("military_addresses", Priority.VALIDATED, find_military_addresses),
        ]
    if config.patterns:
        detectors.append(TextDetector("countries", Priority.WHERE_FREE, find_countries))
    if config.places:
        detectors.append(TextDetector("places", Priority.WHERE_FREE, find_places))
    return detectors
