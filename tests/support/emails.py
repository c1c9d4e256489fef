"""A SignInEmail with ordinary defaults; each test file supplies its own recipient, link and code."""

from __future__ import annotations

from typing import Any

from passwordless.email import SignInEmail


def sign_in_email(**fields: Any) -> SignInEmail:
    defaults: dict[str, Any] = {"minutes": 10, "locale": "en", "app_name": "Example Shop"}
    return SignInEmail(**{**defaults, **fields})
