"""A software WebAuthn authenticator for tests that run without a browser: it answers the options our
API hands out as a browser and an authenticator together would, with attestation "none".

Keys and signatures come from `cryptography`, CBOR from `cbor2`; only the byte layout of
authenticator data (WebAuthn §6.1: RP ID hash, flags, sign count, attested credential data) is
assembled here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

_UP, _UV, _AT = 0x01, 0x04, 0x40
AAGUID = bytes(16)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class SoftCredential:
    credential_id: bytes
    key: ec.EllipticCurvePrivateKey
    user_handle: bytes
    sign_count: int = 0

    @property
    def id(self) -> str:
        return b64url(self.credential_id)


@dataclass
class SoftAuthenticator:
    origin: str
    user_verified: bool = True
    counts: bool = True
    """False: an authenticator that keeps no sign count (always 0), as synced passkeys do."""
    credentials: list[SoftCredential] = field(default_factory=list)
    credential_id_bytes: int = 16
    cose_key: bytes | None = None
    """Registers this COSE key instead of the real one (a key that could never verify)."""
    curve: int = 1
    """The COSE curve the real key claims (1: P-256)."""

    def register(self, options: dict[str, Any], *, origin: str | None = None) -> dict[str, Any]:
        """navigator.credentials.create() for these creation options: a RegistrationResponseJSON."""
        credential = SoftCredential(
            secrets.token_bytes(self.credential_id_bytes),
            ec.generate_private_key(ec.SECP256R1()),
            unb64url(options["user"]["id"]),
        )
        self.credentials.append(credential)
        numbers = credential.key.public_key().public_numbers()
        cose_key = self.cose_key or cbor2.dumps(
            {
                1: 2,
                3: -7,
                -1: self.curve,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )
        attested = (
            AAGUID + struct.pack(">H", len(credential.credential_id)) + credential.credential_id + cose_key
        )
        auth_data = self._auth_data(options["rp"]["id"], 0, flags=_AT) + attested
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": credential.id,
            "rawId": credential.id,
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def assertion(
        self,
        options: dict[str, Any],
        *,
        origin: str | None = None,
        credential: SoftCredential | None = None,
        rp_id: str | None = None,
    ) -> dict[str, Any]:
        """navigator.credentials.get() for these request options: an AuthenticationResponseJSON."""
        chosen = credential or self.credentials[-1]
        if self.counts:
            chosen.sign_count += 1
        auth_data = self._auth_data(rp_id or options["rpId"], chosen.sign_count)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = chosen.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": chosen.id,
            "rawId": chosen.id,
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(chosen.user_handle),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def _auth_data(self, rp_id: str, sign_count: int, *, flags: int = 0) -> bytes:
        flags |= _UP | (_UV if self.user_verified else 0)
        return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", sign_count)

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        data = {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        return json.dumps(data).encode()
