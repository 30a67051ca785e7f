"""The names of the mask operators: one ``Literal`` for the policy (``piimask.mask.operators``
holds one class per name) and for audit events, which depend on no other package."""

from __future__ import annotations

from typing import Literal, TypeAlias, get_args

OperatorName: TypeAlias = Literal[
    "redact", "replace", "mask", "hash", "encrypt", "pseudonymize", "keep"
]
OPERATOR_NAMES: tuple[OperatorName, ...] = get_args(OperatorName)
