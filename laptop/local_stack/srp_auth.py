"""SRP sign-in as Cognito serves it: USER_SRP_AUTH (password alone, for an app client that allows it)
and CUSTOM_AUTH with SRP_A (Amplify's CUSTOM_WITH_SRP: the password first, then the triggers' own
rounds, the password + email code mode). Either way the client gets a PASSWORD_VERIFIER challenge and
answers it with a signature only the right password yields (laptop.local_stack.srp)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from laptop.local_stack import request_fields as fields
from laptop.local_stack.client_rules import check_secret_hash, require_flow, require_usable, user_signing_in
from laptop.local_stack.errors import (
    INCORRECT_CREDENTIALS,
    SESSION_INVALID,
    invalid_parameter,
    not_authorized,
)
from laptop.local_stack.password_auth import PasswordAuth
from laptop.local_stack.sessions import AuthSession, SessionStore, require_answerable
from laptop.local_stack.srp import (
    SrpRefused,
    decoy_password_verifier,
    pool_name_of,
    start_password_verifier,
    verify_password_claim,
)
from laptop.local_stack.user_directory import PoolUser, UserDirectory

PASSWORD_VERIFIER = "PASSWORD_VERIFIER"  # noqa: S105  # nosec B105 - a challenge name
SRP_A = "SRP_A"
MAX_SRP_A = 2048


class SrpAuth:
    def __init__(self, directory: UserDirectory, sessions: SessionStore, passwords: PasswordAuth) -> None:
        self._directory = directory
        self._sessions = sessions
        self._passwords = passwords

    def initiate(
        self, pool_id: str, client: Mapping[str, Any], parameters: Mapping[str, str], triggers: dict[str, str]
    ) -> dict[str, Any]:
        """InitiateAuth with USER_SRP_AUTH."""
        require_flow(client, "ALLOW_USER_SRP_AUTH", "USER_SRP_AUTH")
        login = fields.entry(parameters, "USERNAME", limit=fields.MAX_NAME)
        srp_a = fields.entry(parameters, SRP_A, limit=MAX_SRP_A)
        check_secret_hash(client, parameters, login)
        user, username = user_signing_in(self._directory, pool_id, client, login)
        session = AuthSession(
            pool_id,
            client["ClientId"],
            login,
            username,
            user is not None,
            triggers,
            custom=False,
            srp_a=srp_a,
        )
        return self.challenge(session, client, user)

    def challenge(
        self, session: AuthSession, client: Mapping[str, Any], user: PoolUser | None
    ) -> dict[str, Any]:
        """The PASSWORD_VERIFIER challenge for the session's SRP_A: a real one for a user with a
        password, a decoy (which no signature passes) otherwise, so an unknown address looks like a
        known one."""
        password = self._directory.stored_password(session.pool_id, user.username) if user else None
        try:
            verifier = (
                start_password_verifier(
                    pool_id=session.pool_id, user_id=session.username, password=password, srp_a=session.srp_a
                )
                if password is not None
                else decoy_password_verifier(
                    pool_id=session.pool_id, user_id=session.username, srp_a=session.srp_a
                )
            )
        except SrpRefused:
            raise invalid_parameter("Invalid SRP_A.") from None
        session.challenge_name, session.verifier = PASSWORD_VERIFIER, verifier
        token = self._sessions.open(session, client, alias=verifier.secret_block)
        return {
            "ChallengeName": PASSWORD_VERIFIER,
            "Session": token,
            "ChallengeParameters": verifier.challenge_parameters(
                username=session.username, user_id_for_srp=session.username
            ),
        }

    def verify(
        self, pool_id: str, client: Mapping[str, Any], token: str | None, responses: Mapping[str, str]
    ) -> AuthSession:
        """The session whose PASSWORD_VERIFIER challenge `responses` answers with the right signature;
        NotAuthorizedException (the session spent) for a wrong one."""
        named = fields.entry(responses, "USERNAME", limit=fields.MAX_NAME)
        block = fields.entry(responses, "PASSWORD_CLAIM_SECRET_BLOCK", limit=fields.MAX_VALUE)
        signature = fields.entry(responses, "PASSWORD_CLAIM_SIGNATURE", limit=fields.MAX_VALUE)
        timestamp = fields.entry(responses, "TIMESTAMP", limit=fields.MAX_NAME)
        check_secret_hash(client, responses, named)

        def belongs(session: AuthSession) -> None:
            require_answerable(session, pool_id, client["ClientId"], named, PASSWORD_VERIFIER)
            if session.verifier is None or block != session.verifier.secret_block:
                raise not_authorized(SESSION_INVALID)

        session = self._sessions.take(token or block, belongs)
        verifier = session.verifier
        if verifier is None or not verify_password_claim(
            verifier.key,
            pool_name=pool_name_of(pool_id),
            user_id=session.username,
            secret_block=verifier.secret_block,
            timestamp=timestamp,
            signature=signature,
        ):
            raise not_authorized(INCORRECT_CREDENTIALS)
        return session

    def finish(self, session: AuthSession, client: Mapping[str, Any]) -> dict[str, Any]:
        """USER_SRP_AUTH after a right password: what a right password leads to for the user now."""
        user = self._directory.find(session.pool_id, session.username) if session.user_found else None
        if user is None:
            raise not_authorized(INCORRECT_CREDENTIALS)
        require_usable(user)
        return self._passwords.password_proven(session.pool_id, client, session.login, user)
