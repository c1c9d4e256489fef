"""What Cognito checks of an app client and a user before any flow goes on: the flow is enabled for
the client, the SECRET_HASH of a client with a secret, and an account that may sign in."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from laptop.local_stack.errors import CognitoError, invalid_parameter, not_authorized
from laptop.local_stack.user_directory import PoolUser, UserDirectory, stand_in_username

# Cognito's older names for some flows, which an app client may still list instead.
_LEGACY_FLOWS = {
    "ALLOW_CUSTOM_AUTH": "CUSTOM_AUTH_FLOW_ONLY",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH": "ADMIN_NO_SRP_AUTH",  # nosec B105 - a flow's name, not a password
}


def require_flow(client: Mapping[str, Any], allowed: str, flow: str) -> None:
    flows = client.get("ExplicitAuthFlows") or []
    if allowed not in flows and _LEGACY_FLOWS.get(allowed) not in flows:
        raise invalid_parameter(f"{flow} flow not enabled for this client")


def check_secret_hash(client: Mapping[str, Any], parameters: Mapping[str, str], username: str) -> None:
    secret = client.get("ClientSecret")
    if not secret:
        return
    expected = base64.b64encode(
        hmac.new(secret.encode(), (username + client["ClientId"]).encode(), hashlib.sha256).digest()
    ).decode()
    if not hmac.compare_digest(parameters.get("SECRET_HASH", "").encode(), expected.encode()):
        raise not_authorized(
            f"Client {client['ClientId']} is configured with secret but SECRET_HASH was not received"
        )


def require_usable(user: PoolUser) -> None:
    if not user.enabled:
        raise not_authorized("User is disabled.")
    if user.status == "UNCONFIRMED":
        raise CognitoError("UserNotConfirmedException", "User is not confirmed.")


def user_signing_in(
    directory: UserDirectory, pool_id: str, client: Mapping[str, Any], login: str
) -> tuple[PoolUser | None, str]:
    """The user a sign-in's USERNAME names (None for an unknown login, when the client hides user
    existence) and the username the client is told: the pool's, or a stand-in for an unknown login."""
    user = directory.find(pool_id, login)
    if user is None and client.get("PreventUserExistenceErrors") != "ENABLED":
        raise CognitoError("UserNotFoundException", "User does not exist.")
    if user is not None:
        require_usable(user)
    return user, user.username if user else stand_in_username(pool_id, login)
