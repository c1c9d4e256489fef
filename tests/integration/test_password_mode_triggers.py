"""Password-and-email-code mode through the real define, create and verify Lambdas on embedded AWS:
after SRP_A and PASSWORD_VERIFIER, define asks for our challenge, create emails a code and no link,
and verify signs in with that code; the same sessions fail in email mode."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

from laptop.aws import REGION, environment
from laptop.handlers import load_handlers
from laptop.invoke import LambdaContextStandIn
from laptop.local_stack.trigger_events import trigger_event
from passwordless.binding import Binding
from passwordless.email.outbox import read_outbox
from passwordless.secret_store import SecretStore, item_key
from passwordless.settings import Settings
from tests.support.cognito import CLIENT_ID, POOL_ID
from tests.support.flow import JANE

PASSWORD = [
    {"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None},
    {"challengeName": "PASSWORD_VERIFIER", "challengeResult": True, "challengeMetadata": None},
]
SOURCES = {
    "Define": "DefineAuthChallenge_Authentication",
    "Create": "CreateAuthChallenge_Authentication",
    "Verify": "VerifyAuthChallengeResponse_Authentication",
}
Invoke = Callable[[str, list[dict[str, Any]], dict[str, Any]], dict[str, Any]]


def _functions(mode: str) -> Invoke:
    with environment({"SIGN_IN_MODE": mode}), contextlib.redirect_stdout(io.StringIO()):
        handlers = load_handlers("define_auth_challenge", "create_auth_challenge", "verify_auth_challenge")

    def invoke(trigger: str, entries: list[dict[str, Any]], request: dict[str, Any]) -> dict[str, Any]:
        function = {"Define": "define_auth_challenge", "Create": "create_auth_challenge"}.get(
            trigger, "verify_auth_challenge"
        )
        event = trigger_event(
            pool_id=POOL_ID,
            client_id=CLIENT_ID,
            user_name=JANE.username,
            attributes=JANE.attributes(),
            trigger_source=SOURCES[trigger],
            entries=None if trigger == "Verify" else entries,
            client_metadata=None,
        )
        event["request"].update(request)
        with contextlib.redirect_stdout(io.StringIO()):
            response: dict[str, Any] = handlers[function](event, LambdaContextStandIn.for_function(function))[
                "response"
            ]
        return response

    return invoke


@pytest.fixture
def password_mode(aws: Settings) -> Invoke:
    return _functions("password-and-email-code")


def test_password_then_the_emailed_code_signs_in(
    password_mode: Invoke, aws: Settings, outbox_dir: Path
) -> None:
    # Given SRP_A: define asks for the password proof
    assert password_mode("Define", PASSWORD[:1], {}) == {
        "issueTokens": False,
        "failAuthentication": False,
        "challengeName": "PASSWORD_VERIFIER",
    }
    # Given the password proved: define asks for our challenge
    assert password_mode("Define", PASSWORD, {})["challengeName"] == "CUSTOM_CHALLENGE"
    # When create runs its first round behind the password steps
    created = password_mode("Create", PASSWORD, {"challengeName": "CUSTOM_CHALLENGE"})
    # Then one email went out with a code and no link, and the secret is stored
    (mail,) = read_outbox(outbox_dir)
    assert mail["to"] == JANE.email
    assert "http" not in mail["text"]
    assert "href" not in mail["html"].replace('href="mailto', "")
    code = re.search(r"\b(\d{6})\b", mail["text"])
    assert code is not None
    stored = SecretStore(boto3.client("dynamodb", region_name=REGION), aws.table_name).load(
        item_key(Binding(user_pool_id=POOL_ID, client_id=CLIENT_ID, username=JANE.username))
    )
    assert stored is not None
    assert stored.secret is not None
    assert stored.secret.sent
    assert created["challengeMetadata"].startswith("EMAIL_SIGN_IN:first:")
    # When the code is the answer, Then verify accepts it and define issues tokens
    answer = {"privateChallengeParameters": created["privateChallengeParameters"], "challengeAnswer": code[1]}
    assert password_mode("Verify", [], answer) == {"answerCorrect": True}
    right = {
        **PASSWORD[1],
        "challengeName": "CUSTOM_CHALLENGE",
        "challengeMetadata": created["challengeMetadata"],
    }
    assert password_mode("Define", [*PASSWORD, right], {})["issueTokens"] is True


def test_a_failed_password_never_reaches_create(password_mode: Invoke, outbox_dir: Path) -> None:
    wrong = [PASSWORD[0], {**PASSWORD[1], "challengeResult": False}]
    assert password_mode("Define", wrong, {}) == {"issueTokens": False, "failAuthentication": True}
    assert password_mode("Define", [], {}) == {"issueTokens": False, "failAuthentication": True}
    assert read_outbox(outbox_dir) == []


def test_email_mode_fails_the_password_steps_and_keeps_its_link(aws: Settings, outbox_dir: Path) -> None:
    email_mode = _functions("email")
    assert email_mode("Define", PASSWORD[:1], {})["failAuthentication"] is True
    assert email_mode("Define", PASSWORD, {})["failAuthentication"] is True
    email_mode("Create", [], {"challengeName": "CUSTOM_CHALLENGE"})
    (mail,) = read_outbox(outbox_dir)
    assert "http://localhost:8000/" in mail["text"]
