"""Keyed hashes: the only form in which a code or link token is stored or passed between triggers.

The hash binds the value to the user pool, app client, user and secret id, so a token issued to one user or
client never verifies for another (docs/security/requirements.md #5), and a leaked table cannot be
brute-forced offline without the stack's key (#13).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

    from passwordless.binding import Binding

SecretKind = Literal["code", "token"]


class KeyedHasher:
    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the HMAC key must be at least 32 bytes")
        self._key = key

    def __repr__(self) -> str:
        return "KeyedHasher(<key redacted>)"

    def digest(self, kind: SecretKind, binding: Binding, secret_id: str, value: str) -> str:
        # Length-prefixed fields: no two different tuples can produce the same message.
        fields = ("v1", kind, binding.user_pool_id, binding.client_id, binding.username, secret_id, value)
        message = b"".join(len(f.encode()).to_bytes(4, "big") + f.encode() for f in fields)
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def pseudonym(self, user_pool_id: str, username: str) -> str:
        """A stable, non-reversible user identifier for security logs."""
        message = f"log\x00{user_pool_id}\x00{username}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:16]


def digests_match(expected: str, actual: str) -> bool:
    """Constant-time comparison of two hex digests (docs/security/requirements.md #12)."""
    return hmac.compare_digest(expected.encode(), actual.encode())


def hasher_from_secret(secrets: SecretsManagerClient, secret_id: str) -> KeyedHasher:
    """The stack's HMAC key, read from Secrets Manager. Raises whatever the read raises: each caller
    turns that into its own generic, retryable refusal."""
    key = secrets.get_secret_value(SecretId=secret_id)["SecretString"]
    return KeyedHasher(key.encode())
