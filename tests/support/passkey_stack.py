"""The account API and the three challenge triggers deployed with passkeys on, over embedded AWS, and
a person with a software authenticator who walks through them as a browser would."""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass, field
from typing import Any

import boto3

from laptop.aws import REGION
from laptop.invoke import LambdaContextStandIn
from laptop.local_stack.trigger_events import trigger_event
from tests.support.soft_authenticator import SoftAuthenticator

RP_ID = "localhost"
ORIGIN = "http://localhost:8765"


def passkey_environment(passkey_client_id: str, **overrides: str) -> dict[str, str]:
    return {
        "PASSKEY_RP_ID": RP_ID,
        "PASSKEY_ORIGINS": ORIGIN,
        "PASSKEY_CLIENT_ID": passkey_client_id,
        **overrides,
    }


def new_passkey_client(pool_id: str) -> str:
    cognito = boto3.client("cognito-idp", region_name=REGION)
    created = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="passkeys",
        ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )
    return str(created["UserPoolClient"]["ClientId"])


def with_method(event: dict[str, Any], method: str) -> dict[str, Any]:
    """An HTTP API event for another method on the same path."""
    changed = copy.deepcopy(event)
    path = changed["rawPath"]
    changed["routeKey"] = changed["requestContext"]["routeKey"] = f"{method} {path}"
    changed["requestContext"]["http"]["method"] = method
    if method in {"GET", "DELETE"}:
        changed.pop("body", None)
    return changed


def recent_claims(claims: dict[str, str], *, age_seconds: int = 0) -> dict[str, str]:
    return {**claims, "auth_time": str(int(time.time()) - age_seconds)}


@dataclass
class Round:
    """One Cognito session, as the triggers saw it."""

    public: dict[str, str]
    correct: bool
    tokens: bool


@dataclass
class TriggerSession:
    """One answer in a fresh session on `client_id`: define -> create -> verify -> define with the
    real handlers, as Cognito runs them."""

    triggers: dict[str, Any]
    pool_id: str
    client_id: str
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def sign_in(self, username: str, attributes: dict[str, str] | None, answer: str) -> Round:
        context = LambdaContextStandIn.for_function

        def event(trigger: str, entries: list[dict[str, Any]] | None) -> dict[str, Any]:
            return trigger_event(
                pool_id=self.pool_id,
                client_id=self.client_id,
                user_name=username,
                attributes=attributes,
                trigger_source=trigger,
                entries=entries,
                client_metadata=None,
            )

        define = self.triggers["define_auth_challenge"](
            event("DefineAuthChallenge_Authentication", []), context("define_auth_challenge")
        )
        assert define["response"]["challengeName"] == "CUSTOM_CHALLENGE"
        create = event("CreateAuthChallenge_Authentication", [])
        create["request"]["challengeName"] = "CUSTOM_CHALLENGE"
        created = self.triggers["create_auth_challenge"](create, context("create_auth_challenge"))["response"]
        verify = event("VerifyAuthChallengeResponse_Authentication", None)
        verify["request"] |= {
            "privateChallengeParameters": created["privateChallengeParameters"],
            "challengeAnswer": answer,
        }
        correct = self.triggers["verify_auth_challenge"](verify, context("verify_auth_challenge"))[
            "response"
        ]["answerCorrect"]
        entry = {
            "challengeName": "CUSTOM_CHALLENGE",
            "challengeResult": correct,
            "challengeMetadata": created["challengeMetadata"],
        }
        decided = self.triggers["define_auth_challenge"](
            event("DefineAuthChallenge_Authentication", [entry]), context("define_auth_challenge")
        )["response"]
        self.events.append(("create", created))
        return Round(created["publicChallengeParameters"], correct, bool(decided["issueTokens"]))


def answer(authenticator: SoftAuthenticator, options: dict[str, Any], **kwargs: Any) -> str:
    return json.dumps(authenticator.assertion(options, **kwargs))
