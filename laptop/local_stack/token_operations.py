"""The operations a signed-in app makes with its tokens: refresh (InitiateAuth's REFRESH_TOKEN_AUTH and
GetTokensFromRefreshToken, which Amplify v6 uses), GetUser, ChangePassword, RevokeToken (a local
sign-out) and GlobalSignOut (every device)."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from laptop.local_stack import request_fields as fields
from laptop.local_stack.client_rules import check_secret_hash, require_flow
from laptop.local_stack.errors import INCORRECT_CREDENTIALS, CognitoError, invalid_parameter, not_authorized
from laptop.local_stack.password_auth import MAX_PASSWORD
from laptop.local_stack.tokens import INVALID_REFRESH_TOKEN, Holder, Refresh, TokenIssuer, TokenLifetimes
from laptop.local_stack.user_directory import UserDirectory

Body = Mapping[str, Any]
MAX_TOKEN = 8192
REVOKED_ACCESS = "Access Token has been revoked"  # nosec B105 - an error message


class TokenOperations:
    def __init__(self, directory: UserDirectory, tokens: TokenIssuer) -> None:
        self._directory = directory
        self._tokens = tokens

    def refresh_token_auth(
        self, pool_id: str, client: Mapping[str, Any], flow: str, parameters: Mapping[str, str]
    ) -> dict[str, Any]:
        """(Admin)InitiateAuth with REFRESH_TOKEN_AUTH: the client's secret arrives as SECRET_HASH."""
        require_flow(client, "ALLOW_REFRESH_TOKEN_AUTH", flow)
        if _rotation(client) is not None:
            raise invalid_parameter(
                "Refresh token rotation is enabled for this client: refresh with GetTokensFromRefreshToken"
            )
        token = fields.entry(parameters, "REFRESH_TOKEN", limit=MAX_TOKEN)
        refresh = self._tokens.read_refresh(pool_id, client["ClientId"], token)
        check_secret_hash(client, parameters, refresh.username)
        return {"ChallengeParameters": {}, "AuthenticationResult": self._renew(pool_id, client, refresh)}

    def get_tokens_from_refresh_token(self, body: Body) -> dict[str, Any]:
        """GetTokensFromRefreshToken: the client's secret arrives as itself (ClientSecret)."""
        pool_id, client = self._directory.client(None, fields.text(body, "ClientId", limit=fields.MAX_NAME))
        token = fields.text(body, "RefreshToken", limit=MAX_TOKEN)
        fields.string_map(body, "ClientMetadata")
        if body.get("DeviceKey") is not None:
            fields.text(body, "DeviceKey", limit=55)
        require_flow(client, "ALLOW_REFRESH_TOKEN_AUTH", "REFRESH_TOKEN_AUTH")
        _check_client_secret(client, body)
        rotation = _rotation(client)
        refresh = self._tokens.read_refresh(pool_id, client["ClientId"], token, retire_after=rotation)
        return {"AuthenticationResult": self._renew(pool_id, client, refresh, rotate=rotation is not None)}

    def get_user(self, body: Body) -> dict[str, Any]:
        pool_id, username = self._holder(body)
        user = self._directory.find(pool_id, username)
        if user is None or not user.enabled:
            raise not_authorized(REVOKED_ACCESS)
        attributes = [{"Name": name, "Value": value} for name, value in user.attributes.items()]
        return {"Username": user.username, "UserAttributes": attributes}

    def revoke_token(self, body: Body) -> dict[str, Any]:
        pool_id, client = self._directory.client(None, fields.text(body, "ClientId", limit=fields.MAX_NAME))
        token = fields.text(body, "Token", limit=MAX_TOKEN)
        _check_client_secret(client, body)
        self._tokens.revoke(pool_id, client["ClientId"], token)
        return {}

    def global_sign_out(self, body: Body) -> dict[str, Any]:
        self._tokens.sign_out_everywhere(*self._holder(body))
        return {}

    def change_password(self, body: Body) -> dict[str, Any]:
        """ChangePassword: the signed-in user's password, after the current one is proven; the pool's
        password policy applies."""
        pool_id, username = self._holder(body)
        proposed = fields.text(body, "ProposedPassword", limit=MAX_PASSWORD)
        previous = fields.text(body, "PreviousPassword", limit=MAX_PASSWORD)
        if not self._directory.password_matches(pool_id, username, previous):
            raise not_authorized(INCORRECT_CREDENTIALS)
        self._directory.set_permanent_password(pool_id, username, proposed)
        return {}

    def admin_user_global_sign_out(self, body: Body) -> dict[str, Any]:
        pool_id = fields.text(body, "UserPoolId", limit=55)
        user = self._directory.find(pool_id, fields.text(body, "Username", limit=fields.MAX_NAME))
        if user is None:
            raise CognitoError("UserNotFoundException", "User does not exist.")
        self._tokens.sign_out_everywhere(pool_id, user.username)
        return {}

    def _holder(self, body: Body) -> tuple[str, str]:
        """(pool id, username) of the live access token the body carries."""
        return self._tokens.read_access_any_pool(fields.text(body, "AccessToken", limit=MAX_TOKEN))

    def _renew(
        self, pool_id: str, client: Mapping[str, Any], refresh: Refresh, *, rotate: bool = False
    ) -> dict[str, Any]:
        """New ID and access tokens for the sign-in the refresh token continues; a new refresh token
        too when the client rotates them."""
        user = self._directory.find(pool_id, refresh.username)
        if user is None or not user.enabled:
            raise not_authorized(INVALID_REFRESH_TOKEN)
        return self._tokens.issue(
            pool_id,
            client["ClientId"],
            Holder(user.username, user.attributes, user.groups),
            TokenLifetimes.of_client(client),
            refreshed=refresh.origin,
            rotate=rotate,
        )


def _check_client_secret(client: Mapping[str, Any], body: Body) -> None:
    """The operations that take the client's secret itself (not a SECRET_HASH) as ClientSecret."""
    secret = client.get("ClientSecret")
    if not secret:
        return
    sent = fields.text(body, "ClientSecret", limit=fields.MAX_NAME) if body.get("ClientSecret") else ""
    if not sent:
        raise not_authorized(
            f"Client {client['ClientId']} is configured with secret but ClientSecret was not received"
        )
    if not hmac.compare_digest(sent.encode(), str(secret).encode()):
        raise not_authorized(f"Unable to verify secret hash for client {client['ClientId']}")


def _rotation(client: Mapping[str, Any]) -> int | None:
    """The app client's grace period for a rotated-out refresh token, or None without rotation."""
    setting = client.get("RefreshTokenRotation") or {}
    if setting.get("Feature") != "ENABLED":
        return None
    return int(setting.get("RetryGracePeriodSeconds") or 0)
