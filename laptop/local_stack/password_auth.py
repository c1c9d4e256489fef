"""AdminInitiateAuth's ADMIN_USER_PASSWORD_AUTH and the NEW_PASSWORD_REQUIRED challenge that follows it
for a user created with a temporary password: the flows a backend uses to let an invited user choose
a password. Passwords are checked against the embedded Cognito's stored user (SRP is srp_auth's)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from laptop.local_stack import request_fields as fields
from laptop.local_stack.client_rules import check_secret_hash, require_flow, require_usable
from laptop.local_stack.errors import (
    INCORRECT_CREDENTIALS,
    CognitoError,
    not_authorized,
)
from laptop.local_stack.sessions import AuthSession, SessionStore, require_answerable
from laptop.local_stack.sign_in_completion import SignInCompletion
from laptop.local_stack.user_directory import PoolUser, UserDirectory

NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"  # noqa: S105  # a challenge name  # nosec B105
MAX_PASSWORD = 256  # Cognito's limit on a password


class PasswordAuth:
    def __init__(
        self, directory: UserDirectory, sessions: SessionStore, completion: SignInCompletion
    ) -> None:
        self._directory = directory
        self._sessions = sessions
        self._completion = completion

    def initiate(
        self, pool_id: str, client: Mapping[str, Any], parameters: Mapping[str, str]
    ) -> dict[str, Any]:
        require_flow(client, "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH")
        login = fields.entry(parameters, "USERNAME", limit=fields.MAX_NAME)
        password = fields.entry(parameters, "PASSWORD", limit=MAX_PASSWORD)
        check_secret_hash(client, parameters, login)
        user = self._directory.find(pool_id, login)
        if user is None:
            if client.get("PreventUserExistenceErrors") != "ENABLED":
                raise CognitoError("UserNotFoundException", "User does not exist.")
            raise not_authorized(INCORRECT_CREDENTIALS)
        if not self._directory.password_matches(pool_id, user.username, password):
            raise not_authorized(INCORRECT_CREDENTIALS)
        require_usable(user)
        return self.password_proven(pool_id, client, login, user)

    def password_proven(
        self, pool_id: str, client: Mapping[str, Any], login: str, user: PoolUser
    ) -> dict[str, Any]:
        """What follows a right password, however it was proven (sent, or by SRP): a new password for an
        invited user, a refusal for one whose reset is pending, else the tokens."""
        configured = self._directory.triggers(pool_id)
        if user.status == "FORCE_CHANGE_PASSWORD":
            session = AuthSession(
                pool_id,
                client["ClientId"],
                login,
                user.username,
                True,
                configured,
                challenge_name=NEW_PASSWORD_REQUIRED,
            )
            return {
                "ChallengeName": NEW_PASSWORD_REQUIRED,
                "Session": self._sessions.open(session, client),
                "ChallengeParameters": {
                    "USER_ID_FOR_SRP": user.username,
                    "requiredAttributes": "[]",
                    "userAttributes": json.dumps(_shown_attributes(user)),
                },
            }
        if user.status == "RESET_REQUIRED":
            raise CognitoError("PasswordResetRequiredException", "Password reset required for the user")
        return self._completion.complete(pool_id, client, user, configured=configured, client_metadata=None)

    def respond(
        self,
        pool_id: str,
        client: Mapping[str, Any],
        token: str,
        responses: Mapping[str, str],
        client_metadata: Mapping[str, str] | None,
    ) -> dict[str, Any]:
        named = fields.entry(responses, "USERNAME", limit=fields.MAX_NAME)
        password = fields.entry(responses, "NEW_PASSWORD", limit=MAX_PASSWORD)
        check_secret_hash(client, responses, named)

        def belongs(session: AuthSession) -> None:
            require_answerable(session, pool_id, client["ClientId"], named, NEW_PASSWORD_REQUIRED)

        # Checked before the session is spent, so a refused password can be replaced in the same session.
        self._directory.check_password_policy(pool_id, password)
        session = self._sessions.take(token, belongs)
        user = self._directory.find(pool_id, session.username)
        if user is None or user.status != "FORCE_CHANGE_PASSWORD":
            raise not_authorized(INCORRECT_CREDENTIALS)
        require_usable(user)
        self._directory.set_permanent_password(pool_id, user.username, password)
        confirmed = self._directory.find(pool_id, user.username)
        if confirmed is None:
            raise not_authorized(INCORRECT_CREDENTIALS)
        return self._completion.complete(
            pool_id, client, confirmed, configured=session.triggers, client_metadata=client_metadata
        )


def _shown_attributes(user: PoolUser) -> dict[str, str]:
    """The attributes Cognito lists in the challenge: the user's own, without sub."""
    return {key: value for key, value in user.attributes.items() if key != "sub"}
