"""Cognito's JSON protocol as a browser sends it (plain POSTs, no SDK): the answers, the error codes,
the events the triggers receive, and bad input refused with nothing stored."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.local_stack import JANE_EMAIL, RunningStack

TARGET = "AWSCognitoIdentityProviderService."


def post(stack: RunningStack, operation: str, body: bytes | object) -> tuple[int, dict[str, str], Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - the test's own 127.0.0.1 URL
        stack.stack.url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET + operation},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def stored_items(stack: RunningStack) -> list[dict[str, Any]]:
    table = stack.stack.client("dynamodb")
    name = table.list_tables()["TableNames"][0]
    return list(table.scan(TableName=name)["Items"])


def test_a_browser_style_request_gets_cognitos_answer_with_cors(local_stack: RunningStack) -> None:
    body = {
        "AuthFlow": "CUSTOM_AUTH",
        "ClientId": local_stack.client_id,
        "AuthParameters": {"USERNAME": JANE_EMAIL},
    }

    status, headers, answer = post(local_stack, "InitiateAuth", body)

    assert status == 200
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert answer["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert set(answer["ChallengeParameters"]) == {"USERNAME", "email", "codeLength"}


def test_a_cors_preflight_allows_the_headers_a_cognito_client_sends(local_stack: RunningStack) -> None:
    request = urllib.request.Request(local_stack.stack.url, method="OPTIONS")  # noqa: S310
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        allowed = response.headers["Access-Control-Allow-Headers"]

    assert response.status == 204
    assert {"content-type", "x-amz-target", "x-amz-user-agent"} <= {h.strip() for h in allowed.split(",")}


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (b"{not json", 400, "SerializationException"),
        (b"\xff\xfe\x00garbage", 400, "SerializationException"),
        (b"[1, 2]", 400, "SerializationException"),
        (b"{" + b" " * (1 << 20) + b"}", 413, "SerializationException"),
        (
            {"AuthFlow": "CUSTOM_AUTH", "ClientId": "CLIENT", "AuthParameters": {}},
            400,
            "InvalidParameterException",
        ),
        (
            {"AuthFlow": "CUSTOM_AUTH", "ClientId": "CLIENT", "AuthParameters": "x"},
            400,
            "InvalidParameterException",
        ),
        (
            {"AuthFlow": "CUSTOM_AUTH", "ClientId": "CLIENT", "AuthParameters": {"USERNAME": 7}},
            400,
            "InvalidParameterException",
        ),
        (
            {"AuthFlow": "CUSTOM_AUTH", "ClientId": "CLIENT", "AuthParameters": {"USERNAME": "j" * 129}},
            400,
            "InvalidParameterException",
        ),
        (
            {"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "CLIENT", "AuthParameters": {}},
            400,
            "InvalidParameterException",
        ),
        (
            {"AuthFlow": "CUSTOM_AUTH", "ClientId": "nosuchclient", "AuthParameters": {}},
            400,
            "ResourceNotFoundException",
        ),
        ({"ClientId": "CLIENT"}, 400, "InvalidParameterException"),
        (
            b'{"AuthFlow": "CUSTOM_AUTH", "ClientId": "CLIENT", '
            b'"AuthParameters": {"USERNAME": "\\ud800@example.com"}}',
            400,
            "SerializationException",
        ),
    ],
    ids=[
        "not-json",
        "not-utf8",
        "not-an-object",
        "oversized",
        "no-username",
        "parameters-not-a-map",
        "username-not-a-string",
        "username-too-long",
        "password-flow",
        "unknown-client",
        "no-flow",
        "lone-surrogate",
    ],
)
def test_bad_requests_get_cognitos_error_and_change_nothing(
    local_stack: RunningStack, body: bytes | dict[str, Any], status: int, error: str
) -> None:
    if isinstance(body, dict):
        body = json.loads(json.dumps(body).replace("CLIENT", local_stack.client_id))
    else:
        body = body.replace(b"CLIENT", local_stack.client_id.encode())

    answer_status, headers, answer = post(local_stack, "InitiateAuth", body)

    assert (answer_status, answer["__type"]) == (status, error)
    assert headers["x-amzn-ErrorType"].startswith(error)
    assert stored_items(local_stack) == []
    assert local_stack.mail() == []


def test_an_answer_without_a_username_or_answer_is_refused_and_the_session_survives(
    local_stack: RunningStack,
) -> None:
    challenge = local_stack.initiate(JANE_EMAIL)
    base = {
        "ClientId": local_stack.client_id,
        "ChallengeName": "CUSTOM_CHALLENGE",
        "Session": challenge["Session"],
    }

    for responses in ({"USERNAME": local_stack.jane}, {"ANSWER": "123456"}, {"USERNAME": 1, "ANSWER": "1"}):
        status, _, answer = post(
            local_stack, "RespondToAuthChallenge", {**base, "ChallengeResponses": responses}
        )
        assert (status, answer["__type"]) == (400, "InvalidParameterException")

    assert "AuthenticationResult" in local_stack.answer(challenge, local_stack.mail()[0].code)


def test_a_session_from_another_client_or_made_up_is_refused(local_stack: RunningStack) -> None:
    made_up = {
        "ChallengeName": "CUSTOM_CHALLENGE",
        "Session": "x" * 40,
        "ChallengeParameters": {"USERNAME": "x"},
    }

    with pytest.raises(ClientError) as caught:
        local_stack.answer(made_up, "123456")

    assert caught.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert caught.value.response["Error"]["Message"] == "Invalid session for the user."


def another_client(stack: RunningStack, flows: list[str], **settings: str) -> str:
    """A second app client in the stack's pool, made through the endpoint as an admin would."""
    created = stack.idp.create_user_pool_client(
        UserPoolId=stack.pool_id, ClientName="another", ExplicitAuthFlows=flows, **settings
    )
    return str(created["UserPoolClient"]["ClientId"])


def test_a_client_without_custom_auth_is_refused(local_stack: RunningStack) -> None:
    other = another_client(local_stack, ["ALLOW_REFRESH_TOKEN_AUTH"])

    with pytest.raises(ClientError) as caught:
        local_stack.idp.initiate_auth(
            AuthFlow="CUSTOM_AUTH", ClientId=other, AuthParameters={"USERNAME": JANE_EMAIL}
        )

    assert caught.value.response["Error"]["Message"] == "CUSTOM_AUTH flow not enabled for this client"


def test_without_prevent_user_existence_errors_an_unknown_user_is_named(local_stack: RunningStack) -> None:
    legacy = another_client(local_stack, ["ALLOW_CUSTOM_AUTH"], PreventUserExistenceErrors="LEGACY")
    start = {"AuthFlow": "CUSTOM_AUTH", "ClientId": legacy}

    with pytest.raises(ClientError) as caught:
        local_stack.idp.initiate_auth(**start, AuthParameters={"USERNAME": "nobody@example.com"})

    assert caught.value.response["Error"]["Code"] == "UserNotFoundException"
    assert local_stack.idp.initiate_auth(**start, AuthParameters={"USERNAME": JANE_EMAIL})[
        "ChallengeName"
    ] == ("CUSTOM_CHALLENGE")


Call = tuple[str, dict[str, Any], dict[str, Any]]  # (trigger, event sent, event returned)


def record_calls(stack: RunningStack, monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    runner = stack.stack.triggers
    assert runner is not None
    calls: list[Call] = []
    real = runner.invoke

    def recording(trigger: str, arn: str, event: dict[str, Any]) -> dict[str, Any]:
        sent = json.loads(json.dumps(event))
        returned = real(trigger, arn, event)
        calls.append((trigger, sent, json.loads(json.dumps(returned))))
        return returned

    monkeypatch.setattr(runner, "invoke", recording)
    return calls


def test_challenge_triggers_get_respond_metadata_but_never_initiate_metadata(
    local_stack: RunningStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = record_calls(local_stack, monkeypatch)

    challenge = local_stack.initiate(JANE_EMAIL, ClientMetadata={"from": "initiate"})
    started = len(calls)
    local_stack.answer(challenge, "000000", ClientMetadata={"from": "respond"})

    assert [trigger for trigger, _, _ in calls[:started]] == ["DefineAuthChallenge", "CreateAuthChallenge"]
    assert all("clientMetadata" not in event["request"] for _, event, _ in calls[:started])
    assert [trigger for trigger, _, _ in calls[started:]] == [
        "VerifyAuthChallengeResponse",
        "DefineAuthChallenge",
        "CreateAuthChallenge",
    ]
    assert all(event["request"]["clientMetadata"] == {"from": "respond"} for _, event, _ in calls[started:])


def test_trigger_events_are_shaped_as_cognito_shapes_them(
    local_stack: RunningStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = record_calls(local_stack, monkeypatch)

    local_stack.answer(local_stack.initiate(JANE_EMAIL), "000000")

    (_, define, _), (_, create, created), (_, verify, _), (_, next_define, _) = calls[:4]
    for event in (define, create, verify):
        assert event["userName"] == local_stack.jane
        assert event["userPoolId"] == local_stack.pool_id
        assert event["callerContext"]["clientId"] == local_stack.client_id
        assert event["request"]["userNotFound"] is False
        assert event["request"]["userAttributes"]["email"] == JANE_EMAIL
        assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert define["triggerSource"] == "DefineAuthChallenge_Authentication"
    assert define["request"]["session"] == []
    assert create["request"]["challengeName"] == "CUSTOM_CHALLENGE"
    assert verify["triggerSource"] == "VerifyAuthChallengeResponse_Authentication"
    assert "session" not in verify["request"]
    assert verify["request"]["challengeAnswer"] == "000000"
    # What create returned privately reaches verify unchanged, and its metadata reaches define.
    assert (
        verify["request"]["privateChallengeParameters"] == created["response"]["privateChallengeParameters"]
    )
    assert next_define["request"]["session"] == [
        {
            "challengeName": "CUSTOM_CHALLENGE",
            "challengeResult": False,
            "challengeMetadata": created["response"]["challengeMetadata"],
        }
    ]


def test_an_unknown_login_reaches_the_triggers_as_cognito_sends_it(
    local_stack: RunningStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = record_calls(local_stack, monkeypatch)

    challenge = local_stack.initiate("Nobody@Example.com")

    for _, event, _ in calls:
        assert event["userName"] == "Nobody@Example.com"
        assert event["request"]["userAttributes"] == {}
        assert event["request"]["userNotFound"] is True
    assert challenge["ChallengeParameters"]["USERNAME"] != "Nobody@Example.com"


@pytest.mark.parametrize("operation", ["InitiateAuth", "RespondToAuthChallenge", "GetUser", "RevokeToken"])
@pytest.mark.parametrize("body", [b"[]", b'"text"', b"7", b"null"], ids=["list", "string", "number", "null"])
def test_every_sign_in_operation_refuses_a_body_that_is_not_an_object(
    local_stack: RunningStack, operation: str, body: bytes
) -> None:
    status, _, answer = post(local_stack, operation, body)

    assert (status, answer["__type"]) == (400, "SerializationException")


@pytest.mark.parametrize(
    "mismatch",
    [{"ChallengeName": "SMS_MFA"}, {"USERNAME": "someone-else"}, {"ClientId": "OTHER"}],
    ids=["challenge-name", "username", "client"],
)
def test_a_request_that_does_not_belong_to_the_session_leaves_it_usable(
    local_stack: RunningStack, mismatch: dict[str, str]
) -> None:
    other = another_client(local_stack, ["ALLOW_CUSTOM_AUTH"])
    challenge = local_stack.initiate(JANE_EMAIL)
    body = {
        "ClientId": local_stack.client_id,
        "ChallengeName": "CUSTOM_CHALLENGE",
        "Session": challenge["Session"],
        "ChallengeResponses": {"USERNAME": local_stack.jane, "ANSWER": local_stack.mail()[0].code},
    }
    if "USERNAME" in mismatch:
        body["ChallengeResponses"] = {**body["ChallengeResponses"], **mismatch}  # type: ignore[dict-item]
    else:
        body |= {key: other if value == "OTHER" else value for key, value in mismatch.items()}

    status, _, _ = post(local_stack, "RespondToAuthChallenge", body)

    assert status == 400
    assert "AuthenticationResult" in local_stack.answer(challenge, local_stack.mail()[0].code)
