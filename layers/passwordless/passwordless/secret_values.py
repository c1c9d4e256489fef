"""The one-time secrets, drawn from `secrets` only (docs/security/requirements.md #1)."""

from __future__ import annotations

import secrets

LINK_TOKEN_BYTES = 24  # 192 bits: comfortably above the 128-bit floor, 32 URL-safe characters.
DIGITS = "0123456789"


def new_link_token() -> str:
    return secrets.token_urlsafe(LINK_TOKEN_BYTES)


def new_code(length: int) -> str:
    # One independent uniform choice per digit: no modulo bias, leading zeros allowed.
    return "".join(secrets.choice(DIGITS) for _ in range(length))


def new_secret_id() -> str:
    return secrets.token_hex(16)


def new_session_nonce() -> str:
    return secrets.token_hex(8)
