"""Keyed hashes: the only form in which a code or link token is stored or passed between triggers.

The hash binds the value to the user pool, app client, user and secret id, so a token issued to one user or
client never verifies for another (docs/security/requirements.md #5), and a leaked table cannot be
brute-forced offline without the stack's key (#13).

One way of hashing, whatever holds the key: a KeySource hands over the key that hashes one user's values
and names its version, which every stored secret records so that verify hashes under the same key after
a rotation (#27). Secrets Manager hands over the stack's key itself; KMS a key derived for that user
(passwordless.key_sources), so the stack's key never enters a function.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from passwordless.binding import Binding

SecretKind = Literal["code", "token"]
MIN_KEY_BYTES = 32
# What a stored secret may name as its key's version: a Secrets Manager VersionId (32 to 64 of its
# characters) or a KMS key ARN. Empty: written before versions were recorded, so the current key.
KEY_VERSION = re.compile(
    r"[A-Za-z0-9-]{32,64}|arn:aws[a-z-]{0,16}:kms:[a-z0-9-]{1,32}:[0-9]{12}:key/(?:mrk-)?[0-9a-f-]{32,36}"
)


class UnknownKeyVersion(LookupError):
    """A stored secret names a key version that does not exist (or is no key of this stack's)."""


class VersionedKey:
    """The key that hashes one user's values, and the version that names it."""

    __slots__ = ("key", "version")

    def __init__(self, version: str, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError("the HMAC key must be at least 32 bytes")
        self.version = version
        self.key = key

    def __repr__(self) -> str:
        return f"VersionedKey(version={self.version!r}, <key redacted>)"


class KeySource(Protocol):
    def user_key(self, user_pool_id: str, username: str, version: str) -> VersionedKey:
        """The key for this user's values under `version` ("" for the current one). Raises
        UnknownKeyVersion for a version that does not exist, anything else for an outage."""
        ...


class FixedKey:
    """One key that never changes hands: the laptop's sample state and unit tests."""

    def __init__(self, key: bytes, version: str = "") -> None:
        self._key = VersionedKey(version, key)

    def __repr__(self) -> str:
        return "FixedKey(<key redacted>)"

    def user_key(self, user_pool_id: str, username: str, version: str) -> VersionedKey:
        if version not in ("", self._key.version):
            raise UnknownKeyVersion
        return self._key


class KeyedHasher:
    """Digests and log pseudonyms under one key version ("" for whatever is current), from a key
    source or one fixed key (bytes).

    `refuse`, when given, turns a key source's failure into the caller's own generic refusal (an
    unknown version stays UnknownKeyVersion: it is a bad secret, not an outage)."""

    def __init__(
        self,
        keys: KeySource | bytes,
        *,
        version: str = "",
        refuse: Callable[[Exception], Exception] | None = None,
    ) -> None:
        self._keys = FixedKey(keys) if isinstance(keys, bytes) else keys
        self._version = version
        self._refuse = refuse

    def __repr__(self) -> str:
        return f"KeyedHasher(version={self._version!r}, <keys redacted>)"

    def at_version(self, version: str) -> KeyedHasher:
        """The same hashing under a version a stored secret recorded; a malformed one hashes nothing."""
        if version and not KEY_VERSION.fullmatch(version):
            raise UnknownKeyVersion
        return KeyedHasher(self._keys, version=version, refuse=self._refuse)

    def key_version(self, user_pool_id: str, username: str) -> str:
        """The version this hasher's digests for the user are made under: what a new secret records."""
        return self._user_key(user_pool_id, username).version

    def digest(self, kind: SecretKind, binding: Binding, secret_id: str, value: str) -> str:
        key = self._user_key(binding.user_pool_id, binding.username).key
        message = length_prefixed(
            "v1", kind, binding.user_pool_id, binding.client_id, binding.username, secret_id, value
        )
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    def pseudonym(self, user_pool_id: str, username: str) -> str:
        """A stable, non-reversible user identifier for security logs (stable per key version)."""
        key = self._user_key(user_pool_id, username).key
        message = f"log\x00{user_pool_id}\x00{username}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()[:16]

    def _user_key(self, user_pool_id: str, username: str) -> VersionedKey:
        if self._refuse is None:
            return self._keys.user_key(user_pool_id, username, self._version)
        try:
            return self._keys.user_key(user_pool_id, username, self._version)
        except UnknownKeyVersion:
            raise
        except Exception as error:  # any failure of the key's holder fails closed, never with details
            raise self._refuse(error) from None


def length_prefixed(*fields: str) -> bytes:
    """Each field preceded by its length: no two different tuples can produce the same message."""
    return b"".join(len(f.encode()).to_bytes(4, "big") + f.encode() for f in fields)


def digests_match(expected: str, actual: str) -> bool:
    """Constant-time comparison of two hex digests (docs/security/requirements.md #12)."""
    return hmac.compare_digest(expected.encode(), actual.encode())
