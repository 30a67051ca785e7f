"""Hash chain over audit events, one chain per source topic-partition.

Each sealed event carries ``prev_hash`` (the ``hash`` of the previous event of its source
partition) and ``hash`` = HMAC-SHA256(audit-chain key, canonical JSON of every field but
``hash``). Deleting, reordering or editing an event breaks a link or a hash; forging one
needs the key. Where the sealer has no previous hash (first start, restart without the
last hash, after ``reset``) the event opens a *segment*: ``prev_hash = "genesis:<uuid>"``.
What ``verify`` accepts around segments is documented in ``piimask.audit.verify``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from piimask.audit.events import AuditEvent

if TYPE_CHECKING:
    from piimask.keys import KeyRing

CHAIN_PURPOSE = "audit-chain"
GENESIS_PREFIX = "genesis:"


def canonical_bytes(document: Mapping[str, Any]) -> bytes:
    """The bytes the HMAC covers: the JSON document without ``hash``, keys sorted, no spaces."""
    body = {k: v for k, v in document.items() if k != "hash"}
    return json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def compute_hash(key: bytes, document: Mapping[str, Any]) -> str:
    return hmac.new(key, canonical_bytes(document), hashlib.sha256).hexdigest()


def is_segment_start(prev_hash: str | None) -> bool:
    return prev_hash is not None and prev_hash.startswith(GENESIS_PREFIX)


def new_segment_link() -> str:
    return f"{GENESIS_PREFIX}{uuid.uuid4()}"


class AuditChain:
    """Seals events in the order they are sent; one instance per worker process.

    Seal an event only right before sending it, and send sealed events of one source
    partition in seal order (one audit partition per source partition keeps that order).
    If a sealed event is never sent, call ``reset`` for its partition so the next event
    opens a new segment instead of linking to an event the trail will not contain.
    """

    def __init__(self, key: bytes, *, key_id: str | None = None) -> None:
        if len(key) < 16:
            raise ValueError("audit chain key must be at least 16 bytes")
        self._key = key
        self._key_id = key_id
        self._last: dict[tuple[str, int], str] = {}

    def __repr__(self) -> str:
        return f"AuditChain(key_id={self._key_id!r}, chains={len(self._last)})"

    @classmethod
    def from_keyring(cls, keyring: KeyRing) -> AuditChain:
        """Chain keyed with the active key's audit-chain sub-key; events name the key id."""
        key_id = keyring.active_id
        return cls(keyring.hmac_key(CHAIN_PURPOSE, key_id), key_id=key_id)

    def seal(self, event: AuditEvent) -> AuditEvent:
        """Link ``event`` to the previous event of its source partition and sign it."""
        chain = (event.source_topic, event.source_partition)
        prev = self._last.get(chain) or new_segment_link()
        link = {"prev_hash": prev, "chain_key_id": self._key_id}
        document = event.model_dump(mode="json")
        document.update(link)
        digest = compute_hash(self._key, document)
        self._last[chain] = digest
        return event.model_copy(update={**link, "hash": digest})

    def resume(self, topic: str, partition: int, last_hash: str) -> None:
        """Continue the chain from the last event read back from the audit topic."""
        if len(last_hash) != 64 or any(c not in "0123456789abcdef" for c in last_hash):
            raise ValueError("last_hash must be a 64-character lower-case hex digest")
        self._last[(topic, partition)] = last_hash

    def reset(self, topic: str, partition: int) -> None:
        """Forget the partition's last hash: its next event opens a new segment."""
        self._last.pop((topic, partition), None)

    def last_hash(self, topic: str, partition: int) -> str | None:
        return self._last.get((topic, partition))
