"""What the client-library tests share: the npm-built files they run (made by `make`, never by a test)
and the token checks an app's backend makes on what a client library got from the stack."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import jwt
import pytest

from tests.support.local_stack import RunningStack

CLIENTS_DIR = Path(__file__).parent
NODE_MODULES = CLIENTS_DIR / "node_modules"
AMPLIFY_BUNDLE = CLIENTS_DIR / "dist" / "amplify-app.js"
BUILD_COMMAND = "make clients"


def built(path: Path) -> Path:
    """`path`, or the test fails saying how to make it: npm runs in make, so a test never downloads."""
    if not path.exists():
        missing = path.relative_to(CLIENTS_DIR.parent.parent)
        pytest.fail(f"{missing} is missing: run `{BUILD_COMMAND}`", pytrace=False)
    return path


def local_config(stack: RunningStack) -> dict[str, Any]:
    """GET /local/config: the region, ids, issuer and JWKS URL an app is configured with."""
    with urllib.request.urlopen(f"{stack.stack.url}local/config", timeout=5) as response:  # noqa: S310 - 127.0.0.1
        config: dict[str, Any] = json.loads(response.read())
    return config


def verified(stack: RunningStack, token: str, use: str) -> dict[str, Any]:
    """The claims of an ID or access token of this stack's app client, checked as a backend checks
    Cognito's: RS256 signature by the JWKS URL's key, issuer, expiry, audience or client_id."""
    config = local_config(stack)
    key = jwt.PyJWKClient(config["jwksUri"], timeout=5).get_signing_key_from_jwt(token)
    claims: dict[str, Any] = jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        issuer=config["issuer"],
        audience=stack.client_id if use == "id" else None,
        options={"require": ["exp", "iat", "iss", "sub", "token_use", "auth_time"]},
    )
    assert claims["token_use"] == use
    if use == "access":
        assert claims["client_id"] == stack.client_id
    return claims
