"""Fixtures for masking tests: a fixed key ring and a policy builder."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from piimask.keys import KeyRing
from piimask.mask.policy import Policy, parse_policy_data

PolicyFactory = Callable[..., Policy]


@pytest.fixture
def keyring() -> KeyRing:
    return KeyRing({"k1": bytes(range(32))}, "k1")


@pytest.fixture
def other_keyring() -> KeyRing:
    return KeyRing({"k1": bytes(range(1, 33))}, "k1")


@pytest.fixture
def make_policy() -> PolicyFactory:
    """``make_policy(PERSON={"operator": "redact"}, default=..., allow=..., json=...)``."""

    def build(**fields: Any) -> Policy:
        data: dict[str, Any] = {"version": "test"}
        entities = {k: v for k, v in fields.items() if k.isupper()}
        data.update({k: v for k, v in fields.items() if not k.isupper()})
        data["entities"] = entities
        return parse_policy_data(data, source="test policy")

    return build
