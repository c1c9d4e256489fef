"""A small stand-in for Cognito's CUSTOM_AUTH orchestration, driving the real trigger functions.

Its events come from laptop.local_stack.trigger_events, as the local stack's do; it sequences
define -> create -> verify -> define in-process, without HTTP, sessions strings or tokens.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from laptop.local_stack.trigger_events import trigger_event

Invoke = Callable[[str, dict[str, Any]], dict[str, Any]]  # ("define"|"create"|"verify", event) -> event

POOL_ID = "us-east-1_TestPool1"
CLIENT_ID = "testclient0000000000000001"
OTHER_CLIENT_ID = "testclient0000000000000002"


@dataclass(frozen=True)
class User:
    username: str
    email: str
    locale: str = "en"
    verified: bool = True

    def attributes(self) -> dict[str, str]:
        verified = "true" if self.verified else "false"
        return {"sub": self.username, "email": self.email, "email_verified": verified, "locale": self.locale}


@dataclass
class AuthSession:
    user: User | None
    login: str
    client_id: str
    entries: list[dict[str, Any]] = field(default_factory=list)
    public: dict[str, str] = field(default_factory=dict)
    private: dict[str, str] = field(default_factory=dict)
    metadata: str = ""


@dataclass
class Outcome:
    kind: str  # "challenge" | "tokens" | "failed"
    session: AuthSession

    @property
    def public(self) -> dict[str, str]:
        return self.session.public


@dataclass
class Cognito:
    invoke: Invoke
    users: dict[str, User] = field(default_factory=dict)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def add_user(self, user: User) -> User:
        self.users[user.email.lower()] = user
        return user

    def initiate_auth(self, login: str, client_id: str = CLIENT_ID) -> Outcome:
        session = AuthSession(self.users.get(login.lower()), login, client_id)
        return self._next_round(session, client_metadata=None)

    def respond(
        self, outcome: Outcome, answer: str, client_metadata: dict[str, str] | None = None
    ) -> Outcome:
        session = outcome.session
        assert outcome.kind == "challenge", "a session is only answered while it has a challenge"
        verify = self._event(session, "VerifyAuthChallengeResponse_Authentication", client_metadata)
        verify["request"] |= {"privateChallengeParameters": dict(session.private), "challengeAnswer": answer}
        correct = self._call("verify", verify)["response"]["answerCorrect"]
        session.entries.append(
            {
                "challengeName": "CUSTOM_CHALLENGE",
                "challengeResult": correct,
                "challengeMetadata": session.metadata,
            }
        )
        return self._next_round(session, client_metadata)

    def _next_round(self, session: AuthSession, client_metadata: dict[str, str] | None) -> Outcome:
        define = self._event(session, "DefineAuthChallenge_Authentication", client_metadata)
        decision = self._call("define", define)["response"]
        if decision["issueTokens"] and not decision["failAuthentication"]:
            return Outcome("tokens", session)
        if decision["failAuthentication"] or decision.get("challengeName") != "CUSTOM_CHALLENGE":
            return Outcome("failed", session)
        create = self._event(session, "CreateAuthChallenge_Authentication", client_metadata)
        create["request"]["challengeName"] = "CUSTOM_CHALLENGE"
        response = self._call("create", create)["response"]
        session.public = response["publicChallengeParameters"]
        session.private = response["privateChallengeParameters"]
        session.metadata = response["challengeMetadata"]
        return Outcome("challenge", session)

    def _event(
        self, session: AuthSession, trigger: str, client_metadata: dict[str, str] | None
    ) -> dict[str, Any]:
        user = session.user
        return trigger_event(
            pool_id=POOL_ID,
            client_id=session.client_id,
            user_name=user.username if user else session.login,
            attributes=user.attributes() if user else None,
            trigger_source=trigger,
            entries=None if trigger.startswith("VerifyAuthChallengeResponse") else session.entries,
            client_metadata=client_metadata,
        )

    def _call(self, trigger: str, event: dict[str, Any]) -> dict[str, Any]:
        self.events.append((trigger, copy.deepcopy(event)))
        result = self.invoke(trigger, event)
        self.events.append((f"{trigger}:response", copy.deepcopy(result)))
        return result
