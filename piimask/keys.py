"""The key ring: master keys by id, sub-keys derived per purpose, one active key for new tokens.

Key material never appears in a repr, a log line or an exception message; errors name the
key id or the setting, never the key.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import secrets
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

if TYPE_CHECKING:
    from piimask.settings import Settings

KEY_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MIN_KEY_BYTES = 32
GENERATED_KEY_BYTES = 32

_INFO_PREFIX = b"piimask/v1/"
_BLOB_MAGIC = b"PMK1"
_BLOB_PURPOSE = "blob"


class KeyRingError(Exception):
    """A key ring could not be loaded or used. The message never contains key material."""


class KeyRing:
    """Immutable set of master keys by id; ``active_id`` is used for everything new.

    Older keys stay in the ring so tokens and blobs made with them can still be decrypted
    (rotation without breaking old tokens). Sub-keys are derived with HKDF-SHA256 per purpose,
    so one master key never serves two algorithms directly.
    """

    __slots__ = ("_active_id", "_cache", "_keys", "_lock")

    def __init__(self, keys: Mapping[str, bytes], active_id: str) -> None:
        if not keys:
            raise KeyRingError("key ring has no keys")
        for key_id, key in keys.items():
            if not KEY_ID_RE.match(key_id):
                raise KeyRingError(
                    f"key id {key_id!r} is invalid: use 1-32 characters from A-Z a-z 0-9 _ -"
                )
            if len(key) < MIN_KEY_BYTES:
                raise KeyRingError(
                    f"key {key_id!r} is too short: {len(key)} bytes, need >= {MIN_KEY_BYTES}"
                )
        if active_id not in keys:
            raise KeyRingError(f"active key id {active_id!r} is not in the ring")
        self._keys: Mapping[str, bytes] = MappingProxyType(dict(keys))
        self._active_id = active_id
        self._cache: dict[tuple[str, str, int], bytes] = {}
        self._lock = threading.Lock()

    # --- construction --------------------------------------------------------------

    @classmethod
    def from_json(cls, text: str) -> KeyRing:
        """Parse ``{"active": "k1", "keys": {"k1": "<base64>", "k0": "<base64>"}}``."""
        try:
            data = json.loads(text)
        except ValueError:
            # the decoder's message could quote key material
            raise KeyRingError("key ring is not valid JSON") from None
        if not isinstance(data, dict):
            raise KeyRingError("key ring must be a JSON object with 'active' and 'keys'")
        unknown = sorted(set(data) - {"active", "keys"})
        if unknown:
            raise KeyRingError(f"key ring: unknown field(s) {', '.join(map(repr, unknown))}")
        active = data.get("active")
        raw_keys = data.get("keys")
        if not isinstance(active, str):
            raise KeyRingError("key ring: 'active' must be a key id string")
        if not isinstance(raw_keys, dict) or not raw_keys:
            raise KeyRingError("key ring: 'keys' must be a non-empty object of id -> base64 key")
        keys: dict[str, bytes] = {}
        for key_id, encoded in raw_keys.items():
            if not isinstance(encoded, str):
                raise KeyRingError(f"key ring: keys.{key_id}: must be a base64 string")
            keys[key_id] = _b64decode_key(encoded, key_id)
        return cls(keys, active)

    @classmethod
    def from_file(cls, path: Path) -> KeyRing:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise KeyRingError(f"cannot read key file {path}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise KeyRingError(f"key file {path} is not UTF-8 text") from None
        try:
            return cls.from_json(text)
        except KeyRingError as exc:
            raise KeyRingError(f"key file {path}: {exc}") from None

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        """``PIIMASK_KEYS`` (inline JSON) wins over ``PIIMASK_KEY_FILE``; neither is an error."""
        if settings.keys is not None:
            try:
                return cls.from_json(settings.keys.get_secret_value())
            except KeyRingError as exc:
                raise KeyRingError(f"PIIMASK_KEYS: {exc}") from None
        if settings.key_file is not None:
            return cls.from_file(settings.key_file)
        raise KeyRingError(
            "no keys configured: set PIIMASK_KEYS (key ring JSON) or PIIMASK_KEY_FILE "
            "(path to it); create one with `piimask policy keygen`"
        )

    @classmethod
    def generate(cls, key_id: str = "k1") -> KeyRing:
        return cls({key_id: secrets.token_bytes(GENERATED_KEY_BYTES)}, key_id)

    def with_new_key(self, key_id: str) -> KeyRing:
        """A ring with a fresh random key ``key_id`` made active; old keys kept for unmasking."""
        if key_id in self._keys:
            raise KeyRingError(f"key id {key_id!r} already exists in the ring")
        keys = dict(self._keys)
        keys[key_id] = secrets.token_bytes(GENERATED_KEY_BYTES)
        return KeyRing(keys, key_id)

    def to_json(self) -> str:
        """The ring as JSON, key material included: write it only where secrets belong."""
        return json.dumps(
            {
                "active": self._active_id,
                "keys": {k: base64.b64encode(v).decode("ascii") for k, v in self._keys.items()},
            },
            indent=2,
        )

    # --- inspection ------------------------------------------------------------------

    @property
    def active_id(self) -> str:
        return self._active_id

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(sorted(self._keys))

    def has_key(self, key_id: str) -> bool:
        return key_id in self._keys

    def __repr__(self) -> str:
        return f"KeyRing(active_id={self._active_id!r}, key_ids={list(self.key_ids)!r})"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        # pickling would copy key material into places nobody audits (caches, queues)
        raise TypeError("KeyRing cannot be pickled")

    # --- derived keys ----------------------------------------------------------------

    def _derive(self, purpose: str, key_id: str | None, length: int) -> bytes:
        kid = self._active_id if key_id is None else key_id
        cache_key = (purpose, kid, length)
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached
        master = self._keys.get(kid)
        if master is None:
            raise KeyRingError(f"unknown key id {kid!r}")
        derived = HKDF(
            algorithm=hashes.SHA256(),
            length=length,
            salt=None,
            info=_INFO_PREFIX + purpose.encode("utf-8"),
        ).derive(master)
        with self._lock:
            self._cache[cache_key] = derived
        return derived

    def hmac_key(self, purpose: str, key_id: str | None = None) -> bytes:
        """A 32-byte sub-key for ``purpose`` (e.g. ``"audit-chain"``), from the active key by
        default."""
        return self._derive("hmac/" + purpose, key_id, 32)

    def hmac_hex(self, purpose: str, message: bytes, *, key_id: str | None = None) -> str:
        return hmac.digest(self.hmac_key(purpose, key_id), message, "sha256").hex()

    def fingerprint(self, value: str, *, key_id: str | None = None) -> str:
        """HMAC-SHA256 hex of ``value`` under the "fingerprint" sub-key: deterministic per key,
        useless without it, so audit records can say *which* value without saying *what*."""
        return self.hmac_hex("fingerprint", value.encode("utf-8", "surrogatepass"), key_id=key_id)

    def _siv(self, purpose: str, key_id: str) -> AESSIV:
        # AES-256-SIV takes a 64-byte key; AESSIV objects are cheap to keep and costly to rebuild
        return AESSIV(self._derive("aes-siv/" + purpose, key_id, 64))

    # --- deterministic authenticated encryption -------------------------------------------

    def seal(
        self, data: bytes, *, purpose: str, associated: Sequence[bytes] = ()
    ) -> tuple[str, bytes]:
        """AES-SIV encrypt under the active key: same input + same key -> same output.

        Returns ``(key_id, ciphertext)``; the caller stores the key id next to the ciphertext.
        """
        kid = self._active_id
        return kid, self._siv(purpose, kid).encrypt(data, [*associated] or None)

    def unseal(
        self, ciphertext: bytes, *, key_id: str, purpose: str, associated: Sequence[bytes] = ()
    ) -> bytes:
        if key_id not in self._keys:
            raise KeyRingError(f"unknown key id {key_id!r}")
        try:
            return self._siv(purpose, key_id).decrypt(ciphertext, [*associated] or None)
        except InvalidTag:
            raise KeyRingError(
                f"decryption failed with key {key_id!r}: the data was modified or made "
                "with a different key"
            ) from None

    def encrypt_bytes(self, data: bytes, *, context: bytes = b"") -> bytes:
        """Authenticated encryption of a blob (e.g. a dead-lettered payload); the key id travels
        in the blob header so rotation keeps old blobs readable."""
        kid, ciphertext = self.seal(data, purpose=_BLOB_PURPOSE, associated=[context])
        kid_bytes = kid.encode("ascii")
        return _BLOB_MAGIC + bytes([len(kid_bytes)]) + kid_bytes + ciphertext

    def decrypt_bytes(self, blob: bytes, *, context: bytes = b"") -> bytes:
        if len(blob) < len(_BLOB_MAGIC) + 1 or not blob.startswith(_BLOB_MAGIC):
            raise KeyRingError("not a piimask encrypted blob (bad header)")
        kid_len = blob[len(_BLOB_MAGIC)]
        start = len(_BLOB_MAGIC) + 1
        kid_bytes = blob[start : start + kid_len]
        try:
            kid = kid_bytes.decode("ascii")
        except UnicodeDecodeError:
            raise KeyRingError("not a piimask encrypted blob (bad key id)") from None
        if len(kid_bytes) != kid_len or not KEY_ID_RE.match(kid):
            raise KeyRingError("not a piimask encrypted blob (bad key id)")
        return self.unseal(
            blob[start + kid_len :], key_id=kid, purpose=_BLOB_PURPOSE, associated=[context]
        )


def _b64decode_key(encoded: str, key_id: str) -> bytes:
    text = encoded.strip()
    padded = text + "=" * (-len(text) % 4)
    try:
        if "-" in text or "_" in text:
            return base64.urlsafe_b64decode(padded.encode("ascii"))
        return base64.b64decode(padded.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise KeyRingError(f"key ring: keys.{key_id}: not valid base64") from None
