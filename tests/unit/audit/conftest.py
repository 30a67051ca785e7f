from __future__ import annotations

import pytest

from piimask.audit import CHAIN_PURPOSE, AuditChain
from piimask.audit.verify import KeyLookup
from piimask.keys import KeyRing


@pytest.fixture(scope="session")
def keyring() -> KeyRing:
    return KeyRing.generate("k1")


@pytest.fixture
def chain(keyring: KeyRing) -> AuditChain:
    return AuditChain.from_keyring(keyring)


@pytest.fixture
def chain_keys(keyring: KeyRing) -> KeyLookup:
    def lookup(key_id: str | None) -> bytes | None:
        if key_id is not None and not keyring.has_key(key_id):
            return None
        return keyring.hmac_key(CHAIN_PURPOSE, key_id)

    return lookup
