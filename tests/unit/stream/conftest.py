from __future__ import annotations

import pytest

from piimask.keys import KeyRing
from tests.unit.stream.helpers import RegexDetector


@pytest.fixture(scope="session")
def keyring() -> KeyRing:
    return KeyRing.generate()


@pytest.fixture
def detector() -> RegexDetector:
    return RegexDetector()
