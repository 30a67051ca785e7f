"""Every reason code the code base can give a rejected record is in the one enum."""

from __future__ import annotations

import re
from pathlib import Path

from piimask.reasons import Reason

PACKAGE = Path(__file__).resolve().parents[2] / "piimask"
# MessageRejected("code", ...), Rejection("code", ...), DeadLetterOutcome(record, "code", ...)
RAISED = re.compile(
    r"""(?:MessageRejected|Rejection)\(\s*"([a-z0-9_]+)"|DeadLetterOutcome\(\s*[\w.\[\]]+,\s*"([a-z0-9_]+)\""""
)


def test_every_reason_code_in_the_code_base_is_a_member_of_reason() -> None:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for match in RAISED.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(1) or match.group(2))
    assert {"invalid_utf8", "pii_in_key", "output_rejected"} <= found  # the scan sees them
    assert found <= {r.value for r in Reason}
