"""POST /local/clock moves everything that expires on the stack forward at once (Cognito sessions,
tokens, the emailed secrets), so a client's own tests can check expiry over HTTP without waiting;
only this machine's own pages and tools may call it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.support.local_stack import JANE_EMAIL, RunningStack


def move_clock(
    stack: RunningStack, body: object, *, content_type: str = "application/json", origin: str | None = None
) -> tuple[int, Any]:
    headers = {"Content-Type": content_type, **({"Origin": origin} if origin else {})}
    request = urllib.request.Request(  # noqa: S310 - the stack's own 127.0.0.1 URL
        f"{stack.stack.url}local/clock", data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def stored_times(stack: RunningStack) -> dict[str, int]:
    """Each time the functions stored (milliseconds), by item and attribute."""
    items = boto3.client("dynamodb", region_name="us-east-1").scan(TableName="passwordless-local")["Items"]
    return {
        f"{item['pk']['S']}.{name}": int(value["N"])
        for item in items
        for name, value in item.items()
        if name.endswith("_ms") and "N" in value and value["N"] != "0"
    }


def refusal_code(call: Any, **arguments: Any) -> str:
    with pytest.raises(ClientError) as refused:
        call(**arguments)
    return str(refused.value.response["Error"]["Code"])


def test_an_emailed_code_expires_when_the_clock_passes_its_lifetime(local_stack: RunningStack) -> None:
    challenge = local_stack.initiate(JANE_EMAIL)
    code = local_stack.mail_to(JANE_EMAIL)[-1].code

    assert move_clock(local_stack, {"seconds": 601}) == (200, {"advancedSeconds": 601})
    reply = local_stack.answer(challenge, code)  # the session (15 minutes) is still alive

    assert "AuthenticationResult" not in reply
    assert reply["ChallengeName"] == "CUSTOM_CHALLENGE"


def test_the_same_code_works_when_the_clock_stays(local_stack: RunningStack) -> None:
    challenge = local_stack.initiate(JANE_EMAIL)

    assert move_clock(local_stack, {"seconds": 540})[0] == 200
    reply = local_stack.answer(challenge, local_stack.mail_to(JANE_EMAIL)[-1].code)

    assert reply["AuthenticationResult"]["AccessToken"]


def test_a_session_and_an_access_token_expire_with_the_clock(local_stack: RunningStack) -> None:
    tokens = local_stack.sign_in_by_link(JANE_EMAIL)
    challenge = local_stack.initiate(JANE_EMAIL)

    move_clock(local_stack, {"seconds": 3601})

    assert (
        refusal_code(local_stack.idp.get_user, AccessToken=tokens["AccessToken"]) == "NotAuthorizedException"
    )
    with pytest.raises(ClientError, match="session is expired"):
        local_stack.answer(challenge, "123456")
    assert local_stack.idp.get_tokens_from_refresh_token(
        ClientId=local_stack.client_id, RefreshToken=tokens["RefreshToken"]
    )["AuthenticationResult"]["AccessToken"]


def test_the_resend_window_passes_with_the_clock(throttled_stack: RunningStack) -> None:
    """60 s between emails (template.yaml's default): a resend at once sends nothing, one a minute
    later on the stack's clock sends the second email."""
    challenge = throttled_stack.initiate(JANE_EMAIL)
    resend = {"ClientMetadata": {"resend": "true"}}
    challenge = throttled_stack.answer(challenge, "resend", **resend)
    assert len(throttled_stack.mail_to(JANE_EMAIL)) == 1

    move_clock(throttled_stack, {"seconds": 61})
    throttled_stack.answer(challenge, "resend", **resend)

    assert len(throttled_stack.mail_to(JANE_EMAIL)) == 2


@pytest.mark.parametrize(
    ("body", "content_type", "origin", "status"),
    [
        ({"seconds": 601}, "application/json", "http://app.example.com", 403),
        ({"seconds": 601}, "text/plain", None, 403),
        ({"seconds": -601}, "application/json", None, 400),
        ({"seconds": True}, "application/json", None, 400),
        ({"seconds": "601"}, "application/json", None, 400),
        ({"seconds": 10**12}, "application/json", None, 400),
        ([601], "application/json", None, 400),
    ],
    ids=["foreign-page", "not-json", "backwards", "bool", "text", "too-far", "not-an-object"],
)
def test_refused_moves_leave_the_clock_where_it_was(
    local_stack: RunningStack, body: object, content_type: str, origin: str | None, status: int
) -> None:
    challenge = local_stack.initiate(JANE_EMAIL)
    before = stored_times(local_stack)
    assert any(name.endswith(".expires_ms") for name in before)

    got, answer = move_clock(local_stack, body, content_type=content_type, origin=origin)

    assert got == status
    assert isinstance(answer["message"], str)
    assert stored_times(local_stack) == before
    reply = local_stack.answer(challenge, local_stack.mail_to(JANE_EMAIL)[-1].code)
    assert reply["AuthenticationResult"]["AccessToken"]


def test_a_move_moves_the_stored_times_by_as_much(local_stack: RunningStack) -> None:
    local_stack.initiate(JANE_EMAIL)
    before = stored_times(local_stack)
    assert any(name.endswith(".expires_ms") for name in before)

    move_clock(local_stack, {"seconds": 90})

    assert stored_times(local_stack) == {name: value - 90_000 for name, value in before.items()}
