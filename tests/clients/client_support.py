"""What the client-library tests share: the npm-built files they run (made by `make`, never by a test),
the launcher of the Node session scripts, and the token checks an app's backend makes on what a client
library got from the stack and on what a refresh gave it."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from collections.abc import Sequence
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


def run_node_session(
    script: Path, arguments: dict[str, Any], packages: Sequence[str], shown: Sequence[str] = ()
) -> dict[str, Any]:
    """The JSON summary `node script '<arguments as JSON>'` prints (session_support.mjs's runSession),
    once the npm `packages` it imports are built; the test fails with the summary's failed step, the
    summary's `shown` keys and stderr if one threw."""
    for package in packages:
        built(NODE_MODULES / package)
    node = shutil.which("node")
    assert node, "Node.js runs the clients; `make clients` needs it too"
    finished = subprocess.run(
        [node, str(script), json.dumps(arguments)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.stdout, finished.stderr
    summary: dict[str, Any] = json.loads(finished.stdout)
    failed = (summary.get("failed"), *(summary.get(key) for key in shown), finished.stderr)
    assert finished.returncode == 0, failed
    return summary


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


def assert_same_sign_in(
    stack: RunningStack, signed_in: dict[str, Any], refreshed: dict[str, Any], name: str
) -> None:
    """`refreshed` (the tokens of refresh `name`) are new tokens for the same user and the same sign-in
    as `signed_in`'s: auth_time does not move, the access token's jti does."""
    first_access = verified(stack, signed_in["accessToken"], "access")
    id_claims = verified(stack, signed_in["idToken"], "id")
    assert refreshed["accessToken"] != signed_in["accessToken"], name
    access = verified(stack, refreshed["accessToken"], "access")
    assert (access["sub"], access["username"]) == (first_access["sub"], stack.jane), name
    assert access["auth_time"] == first_access["auth_time"], name
    assert access["jti"] != first_access["jti"], name
    assert verified(stack, refreshed["idToken"], "id")["sub"] == id_claims["sub"], name
