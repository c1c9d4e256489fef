"""Cognito's CUSTOM_AUTH orchestration: InitiateAuth and RespondToAuthChallenge (and their Admin
variants) drive define -> create -> verify -> define through the real trigger handlers, with the
events shaped as Cognito shapes them. What a signed-in app does with its tokens is `signed_in`'s."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from laptop.local_stack import request_fields as fields
from laptop.local_stack.client_rules import check_secret_hash, require_flow, require_usable, user_signing_in
from laptop.local_stack.errors import (
    INCORRECT_CREDENTIALS,
    invalid_lambda_response,
    invalid_parameter,
    not_authorized,
)
from laptop.local_stack.password_auth import NEW_PASSWORD_REQUIRED, PasswordAuth
from laptop.local_stack.sessions import AuthSession, SessionStore, require_answerable
from laptop.local_stack.sign_in_completion import SignInCompletion
from laptop.local_stack.srp_auth import MAX_SRP_A, PASSWORD_VERIFIER, SRP_A, SrpAuth
from laptop.local_stack.token_operations import TokenOperations
from laptop.local_stack.tokens import TokenIssuer
from laptop.local_stack.trigger_events import trigger_event
from laptop.local_stack.trigger_runner import TriggerRunner
from laptop.local_stack.user_directory import PoolUser, UserDirectory

Body = Mapping[str, Any]
CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"
_REFRESH_FLOWS = {"REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"}
_CHALLENGE_TRIGGERS = ("DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse")


class CustomAuth:
    def __init__(
        self, directory: UserDirectory, triggers: TriggerRunner, sessions: SessionStore, tokens: TokenIssuer
    ) -> None:
        self._directory = directory
        self._triggers = triggers
        self._sessions = sessions
        self._tokens = tokens
        self._completion = SignInCompletion(triggers, tokens)
        self._passwords = PasswordAuth(directory, sessions, self._completion)
        self._srp = SrpAuth(directory, sessions, self._passwords)
        self.signed_in = TokenOperations(directory, tokens)

    # --- the API operations -------------------------------------------------------------------

    def initiate_auth(self, body: Body, *, admin: bool = False) -> dict[str, Any]:
        pool_id, client = self._client(body, admin)
        flow = fields.text(body, "AuthFlow")
        parameters = fields.string_map(body, "AuthParameters") or {}
        # Cognito hands InitiateAuth's ClientMetadata to other triggers, never to the three challenge
        # triggers; reading it here only checks its shape.
        fields.string_map(body, "ClientMetadata")
        if flow in _REFRESH_FLOWS:
            return self.signed_in.refresh_token_auth(pool_id, client, flow, parameters)
        if flow == "ADMIN_USER_PASSWORD_AUTH" and admin:
            return self._passwords.initiate(pool_id, client, parameters)
        if flow == "USER_SRP_AUTH":
            return self._srp.initiate(pool_id, client, parameters, self._directory.triggers(pool_id))
        if flow != "CUSTOM_AUTH":
            raise invalid_parameter(
                f"{flow} is not served by the local stack; it serves CUSTOM_AUTH (with or without SRP_A), "
                "USER_SRP_AUTH, refresh and (admin) ADMIN_USER_PASSWORD_AUTH"
            )
        require_flow(client, "ALLOW_CUSTOM_AUTH", flow)
        login = fields.entry(parameters, "USERNAME", limit=fields.MAX_NAME)
        check_secret_hash(client, parameters, login)
        triggers = self._triggers_of(pool_id)
        user, username = user_signing_in(self._directory, pool_id, client, login)
        session = AuthSession(pool_id, client["ClientId"], login, username, user is not None, triggers)
        if SRP_A in parameters:
            # The password first (Amplify's CUSTOM_WITH_SRP): define sees SRP_A as passed already.
            session.srp_a = fields.entry(parameters, SRP_A, limit=MAX_SRP_A)
            session.entries.append(
                {"challengeName": SRP_A, "challengeResult": True, "challengeMetadata": None}
            )
        return self._next_round(session, client, user, client_metadata=None)

    def respond_to_auth_challenge(self, body: Body, *, admin: bool = False) -> dict[str, Any]:
        pool_id, client = self._client(body, admin)
        challenge = fields.text(body, "ChallengeName")
        responses = fields.string_map(body, "ChallengeResponses", required=True) or {}
        metadata = fields.string_map(body, "ClientMetadata")
        if challenge == PASSWORD_VERIFIER and body.get("Session") is None:
            # Some SRP clients send only the secret block, which names the session as well.
            return self._password_verified(pool_id, client, None, responses, metadata)
        token = fields.text(body, "Session", limit=fields.MAX_VALUE * 4)
        if challenge == NEW_PASSWORD_REQUIRED:
            return self._passwords.respond(pool_id, client, token, responses, metadata)
        if challenge == PASSWORD_VERIFIER:
            return self._password_verified(pool_id, client, token, responses, metadata)
        named = fields.entry(responses, "USERNAME", limit=fields.MAX_NAME)
        answer = fields.entry(responses, "ANSWER", limit=fields.MAX_VALUE * 8)
        check_secret_hash(client, responses, named)

        session = self._sessions.take(
            token, lambda live: require_answerable(live, pool_id, client["ClientId"], named, challenge)
        )
        user = self._current_user(session)
        verify = self._event(
            session, user, "VerifyAuthChallengeResponse_Authentication", metadata, entries=False
        )
        verify["request"] |= {"privateChallengeParameters": dict(session.private), "challengeAnswer": answer}
        correct = self._invoke(session, "VerifyAuthChallengeResponse", verify)["response"].get(
            "answerCorrect"
        )
        if not isinstance(correct, bool):
            raise invalid_lambda_response()
        session.entries.append(
            {
                "challengeName": session.challenge_name,
                "challengeResult": correct,
                "challengeMetadata": session.metadata,
            }
        )
        return self._next_round(session, client, user, client_metadata=metadata)

    def _password_verified(
        self,
        pool_id: str,
        client: Mapping[str, Any],
        token: str | None,
        responses: Mapping[str, str],
        metadata: dict[str, str] | None,
    ) -> dict[str, Any]:
        session = self._srp.verify(pool_id, client, token, responses)
        if not session.custom:
            return self._srp.finish(session, client)
        user = self._current_user(session)
        session.entries.append(_passed(PASSWORD_VERIFIER))
        return self._next_round(session, client, user, client_metadata=metadata)

    # --- the state machine --------------------------------------------------------------------

    def _next_round(
        self,
        session: AuthSession,
        client: Mapping[str, Any],
        user: PoolUser | None,
        client_metadata: dict[str, str] | None,
    ) -> dict[str, Any]:
        define = self._event(session, user, "DefineAuthChallenge_Authentication", client_metadata)
        decision = self._invoke(session, "DefineAuthChallenge", define)["response"]
        if decision.get("failAuthentication") is True:
            raise not_authorized(INCORRECT_CREDENTIALS)
        if decision.get("issueTokens") is True:
            # Cognito never issues tokens for a login that matches no user, whatever define says.
            if user is None:
                raise not_authorized(INCORRECT_CREDENTIALS)
            return self._completion.complete(
                session.pool_id, client, user, configured=session.triggers, client_metadata=client_metadata
            )
        challenge = decision.get("challengeName")
        if challenge == PASSWORD_VERIFIER and session.srp_a and session.verifier is None:
            return self._srp.challenge(session, client, user)
        if challenge != CUSTOM_CHALLENGE:
            raise invalid_lambda_response()
        create = self._event(session, user, "CreateAuthChallenge_Authentication", client_metadata)
        create["request"]["challengeName"] = challenge
        response = self._invoke(session, "CreateAuthChallenge", create)["response"]
        public = response.get("publicChallengeParameters") or {}
        private = response.get("privateChallengeParameters") or {}
        metadata = response.get("challengeMetadata") or ""
        if not _is_string_map(public) or not _is_string_map(private) or not isinstance(metadata, str):
            raise invalid_lambda_response()
        session.challenge_name, session.private, session.metadata = challenge, dict(private), metadata
        return {
            "ChallengeName": challenge,
            "Session": self._sessions.open(session, client),
            "ChallengeParameters": {**public, "USERNAME": session.username},
        }

    def _event(
        self,
        session: AuthSession,
        user: PoolUser | None,
        trigger_source: str,
        client_metadata: dict[str, str] | None,
        *,
        entries: bool = True,
    ) -> dict[str, Any]:
        return trigger_event(
            pool_id=session.pool_id,
            client_id=session.client_id,
            user_name=user.username if user else session.login,
            # Triggers see the account's status among its attributes; tokens and GetUser never do.
            attributes={**user.attributes, "cognito:user_status": user.status} if user else None,
            trigger_source=trigger_source,
            entries=session.entries if entries else None,
            client_metadata=client_metadata,
        )

    # --- checks -------------------------------------------------------------------------------

    def _client(self, body: Body, admin: bool) -> tuple[str, dict[str, Any]]:
        client_id = fields.text(body, "ClientId", limit=fields.MAX_NAME)
        pool_id = fields.text(body, "UserPoolId", limit=55) if admin else None
        return self._directory.client(pool_id, client_id)

    def _triggers_of(self, pool_id: str) -> dict[str, str]:
        configured = self._directory.triggers(pool_id)
        if not all(configured.get(name, "") in self._triggers for name in _CHALLENGE_TRIGGERS):
            raise invalid_parameter("Custom auth lambda trigger is not configured for the user pool.")
        return configured

    def _invoke(self, session: AuthSession, trigger: str, event: dict[str, Any]) -> dict[str, Any]:
        return self._triggers.invoke(trigger, session.triggers[trigger], event)

    def _current_user(self, session: AuthSession) -> PoolUser | None:
        """The user as stored now: one deleted or disabled mid-sign-in gets no tokens."""
        if not session.user_found:
            return None
        user = self._directory.find(session.pool_id, session.username)
        if user is None:
            raise not_authorized(INCORRECT_CREDENTIALS)
        require_usable(user)
        return user


def _passed(challenge: str) -> dict[str, Any]:
    """A session entry for a password step passed, as Cognito lists it (no challenge metadata)."""
    return {"challengeName": challenge, "challengeResult": True, "challengeMetadata": None}


def _is_string_map(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )
