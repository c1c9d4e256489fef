"""The real Lambda handlers, end to end: a sign-in, and what reaches logs, responses and errors.

docs/security/requirements.md #14 secrets never in logs, public parameters, challengeMetadata, errors or
responses; #22 structured security events with hashed identifiers; #19 a replayed create sends one email.
"""

from __future__ import annotations

import copy
import json
import re

import pytest

from laptop.aws import LOCAL_HMAC_KEY
from passwordless.errors import SignInRefused
from tests.support.cognito import Outcome
from tests.support.flow import JANE, JOHN
from tests.support.lambda_handlers import Deployed

CODE = re.compile(r"\b(\d{6})\b")
LINK = re.compile(r"(https?://\S+#\S+)")


def secrets_from_mail(deployed: Deployed) -> tuple[list[str], list[str]]:
    codes, tokens = [], []
    for message in deployed.mail():
        codes += CODE.findall(message["text"])
        tokens += [link.split("t=", 1)[1] for link in LINK.findall(message["text"])]
    return codes, tokens


def test_a_person_signs_in_with_the_code_from_the_email(deployed: Deployed) -> None:
    asked = deployed.cognito.initiate_auth(JANE.email)
    [message] = deployed.mail()
    assert message["to"] == JANE.email
    code = CODE.search(message["text"])
    assert code is not None
    assert deployed.cognito.respond(asked, code.group(1)).kind == "tokens"


def test_a_person_signs_in_with_the_link_from_the_email_in_another_session(deployed: Deployed) -> None:
    deployed.cognito.initiate_auth(JANE.email)
    link = LINK.search(deployed.mail()[0]["text"])
    assert link is not None
    assert link.group(1).startswith("http://localhost:8000/#")
    fresh = deployed.cognito.initiate_auth(JANE.email)
    assert len(deployed.mail()) == 1
    assert deployed.cognito.respond(fresh, link.group(1).split("t=", 1)[1]).kind == "tokens"


def run_everything(deployed: Deployed) -> None:
    cognito = deployed.cognito
    asked = cognito.initiate_auth(JANE.email)
    asked = cognito.respond(asked, "000000")  # wrong (or, once in a million, right)
    if asked.kind == "challenge":
        asked = cognito.respond(asked, "resend", {"resend": "true"})
    codes, _ = secrets_from_mail(deployed)
    if asked.kind == "challenge":
        cognito.respond(asked, codes[-1])
    john = cognito.initiate_auth(JOHN.email)
    _, tokens = secrets_from_mail(deployed)
    cognito.respond(cognito.initiate_auth(JOHN.email), tokens[-1])
    cognito.respond(john, "not a code")
    stranger = cognito.initiate_auth("stranger@example.com")
    cognito.respond(stranger, "123456")
    with pytest.raises(SignInRefused):
        deployed.invoke("create", {"request": "malformed"})


def test_no_secret_reaches_a_log_line_a_response_or_an_error(deployed: Deployed) -> None:
    run_everything(deployed)
    codes, tokens = secrets_from_mail(deployed)
    assert len(codes) >= 3
    assert len(tokens) >= 3
    logs = deployed.logs.getvalue()
    assert "security_event" in logs, "the logs were captured"
    responses = json.dumps(
        [
            {k: v for k, v in event["response"].items() if k != "privateChallengeParameters"}
            for name, event in deployed.cognito.events
            if name.endswith(":response")
        ]
    )
    errors = "\n".join(deployed.errors)
    for secret in [*codes, *tokens, LOCAL_HMAC_KEY]:
        for where, text in [("logs", logs), ("responses", responses), ("errors", errors)]:
            assert secret not in text, f"a secret reached the {where}"
    # Personal data stays out of the logs too: users appear as keyed pseudonyms.
    for personal in [JANE.email, JOHN.email, JANE.username, JOHN.username, "stranger@example.com"]:
        assert personal not in logs


def test_private_parameters_carry_digests_never_the_secret(deployed: Deployed) -> None:
    run_everything(deployed)
    codes, tokens = secrets_from_mail(deployed)
    private = json.dumps(
        [
            event["response"]["privateChallengeParameters"]
            for name, event in deployed.cognito.events
            if name == "create:response"
        ]
    )
    for secret in [*codes, *tokens]:
        assert secret not in private


def test_security_events_are_structured_with_pseudonyms(deployed: Deployed) -> None:
    run_everything(deployed)
    events = [r for r in deployed.log_records() if r.get("message") == "security_event"]
    names = {r["security_event"] for r in events}
    assert {
        "issued",
        "sent",
        "reused",
        "failed",
        "consumed",
        "unknown_user",
        "rejected",
        "session_decided",
    } <= names
    for record in events:
        assert record["level"] == "INFO"
        assert "function_request_id" in record, "each event carries the Lambda request id"
        if "user" in record:
            assert re.fullmatch(r"[0-9a-f]{16}", record["user"])
    consumed = [r for r in events if r["security_event"] == "consumed"]
    assert {r["kind"] for r in consumed} == {"code", "token"}


def test_a_replayed_create_event_sends_one_email(deployed: Deployed) -> None:
    # Cognito retries a create call with the very same event; the retry must not email again.
    event = {
        "version": "1",
        "region": "us-east-1",
        "userPoolId": "us-east-1_TestPool1",
        "userName": JOHN.username,
        "callerContext": {"awsSdkVersion": "x", "clientId": "testclient0000000000000001"},
        "triggerSource": "CreateAuthChallenge_Authentication",
        "request": {"userAttributes": JOHN.attributes(), "challengeName": "CUSTOM_CHALLENGE", "session": []},
        "response": {},
    }
    first = deployed.invoke("create", copy.deepcopy(event))
    second = deployed.invoke("create", copy.deepcopy(event))
    assert len(deployed.mail()) == 1
    assert first["response"]["privateChallengeParameters"] == second["response"]["privateChallengeParameters"]


def test_a_replayed_resend_round_sends_one_email(deployed: Deployed) -> None:
    asked: Outcome = deployed.cognito.initiate_auth(JOHN.email)
    resent = deployed.cognito.respond(asked, "resend", {"resend": "true"})
    assert len(deployed.mail()) == 2
    create_event = [e for name, e in deployed.cognito.events if name == "create"][-1]
    replay = deployed.invoke("create", copy.deepcopy(create_event))
    assert len(deployed.mail()) == 2
    assert replay["response"]["privateChallengeParameters"] == resent.session.private
