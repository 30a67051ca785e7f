"""PERSON: names written as HL7 v2 writes them, ``FAMILY^GIVEN^MIDDLE`` (the XPN type).

Lab systems, PACS archives and interface engines log patient and clinician names in this
shape ("patient KOWALSKA^MARIA^ANNA"), where no model sees a name: capitals joined by
carets. Every part is letters; message types and coded values carry digits or a part of
one letter ("ADT^A08", "ORM^O01", "F^Female^HL70001") and are none.
"""

from __future__ import annotations

import re

from piimask.detect.patterns._base import BaseRecognizer
from piimask.spans import Span

_PART = r"[^\W\d_][^\W\d_'’.-]*(?:['’-][^\W\d_]+)*"
_NAME = re.compile(rf"(?<![\w^]){_PART}\^{_PART}(?:\^(?:{_PART})?){{0,4}}(?![\w^])")


class Hl7NameRecognizer(BaseRecognizer):
    name = "HL7_PERSON_NAME"
    entity_type = "PERSON"

    def find(self, text: str) -> list[Span]:
        if "^" not in text:
            return []
        return [
            self.span(m.start(), m.end() - _trailing_carets(m.group()), 0.85)
            for m in _NAME.finditer(text)
            if self.validate(m.group().rstrip("^"))
        ]

    def validate(self, value: str) -> bool:
        if _NAME.fullmatch(value) is None or value.endswith("^"):
            return False
        family, given = value.split("^")[:2]
        return len(family) >= 2 and len(given) >= 2


def _trailing_carets(value: str) -> int:
    return len(value) - len(value.rstrip("^"))
