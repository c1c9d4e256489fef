"""How the sign-in page names the account without revealing the address (login-CSRF defence)."""

from __future__ import annotations

MAX_EMAIL_LENGTH = 254


def mask_email(address: str) -> str:
    """`jane@example.com` -> `j•••@example.com`; anything that is not an address masks to ``""``."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain or len(address) > MAX_EMAIL_LENGTH:
        return ""
    return f"{local[0]}\u2022\u2022\u2022@{domain.lower()}"
