"""The private challenge parameters: what create hands verify through Cognito, in one format.

They carry the live secret's keyed digests and expiry, never the code or token, and are shaped the
same for a real secret and a decoy, so nothing about them tells a known user from an unknown one.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import NamedTuple

from passwordless import secret_values
from passwordless.keyed_hash import KEY_VERSION
from passwordless.secret_store import StoredSecret

FORMAT = "1"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX32 = re.compile(r"[0-9a-f]{32}")
_MAX_EXPIRY_DIGITS = 16


class PrivateParameters(NamedTuple):
    secret_id: str
    token_hash: str
    code_hash: str
    expires_ms: int
    key_version: str = ""
    """The key version the digests were made under; "" (absent) for parameters made before versions
    were recorded, which verify hashes under the current key."""

    @classmethod
    def of(cls, secret: StoredSecret) -> PrivateParameters:
        return cls(
            secret.secret_id, secret.token_hash, secret.code_hash, secret.expires_ms, secret.key_version
        )

    @classmethod
    def decoy(cls, expires_ms: int, key_version: str) -> PrivateParameters:
        """Well-formed but matching nothing: random digests that no answer can hash to, under the key
        version a real secret would name."""
        random_digests = secrets.token_hex(32), secrets.token_hex(32)
        return cls(secret_values.new_secret_id(), *random_digests, expires_ms, key_version)

    def encode(self) -> dict[str, str]:
        encoded = {
            "v": FORMAT,
            "secretId": self.secret_id,
            "tokenHash": self.token_hash,
            "codeHash": self.code_hash,
            "expiresMs": str(self.expires_ms),
        }
        if self.key_version:
            encoded["keyVersion"] = self.key_version
        return encoded


def parse_private(parameters: Mapping[str, str]) -> PrivateParameters | None:
    """Our own private challenge parameters, or None for missing, foreign or tampered ones."""
    if parameters.get("v") != FORMAT:
        return None
    secret_id = parameters.get("secretId", "")
    token_hash = parameters.get("tokenHash", "")
    code_hash = parameters.get("codeHash", "")
    expires = parameters.get("expiresMs", "")
    key_version = parameters.get("keyVersion", "")
    if not (
        _HEX32.fullmatch(secret_id)
        and _HEX64.fullmatch(token_hash)
        and _HEX64.fullmatch(code_hash)
        and expires.isascii()
        and expires.isdigit()
        and len(expires) <= _MAX_EXPIRY_DIGITS
        # Absent, or a version in its strict shape: a present but empty one is malformed too.
        and ("keyVersion" not in parameters or KEY_VERSION.fullmatch(key_version))
    ):
        return None
    return PrivateParameters(secret_id, token_hash, code_hash, int(expires), key_version)
