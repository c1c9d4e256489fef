"""A password-mode session (SignInMode=password-and-email-code) with amazon-cognito-identity-js 6.3.21,
the library many existing apps still sign in with, run by Node against the local stack: its own SRP
proves the password (CUSTOM_AUTH with SRP_A, then PASSWORD_VERIFIER), the emailed code answers the
custom challenge, and the AWS SDK for JavaScript v3 refreshes and revokes. Only `endpoint` differs from
what runs against Cognito; no SRP code of ours is involved. identity_js_password_session.mjs makes the
calls, once for the module (a wrong password first, then the right one); these tests check its summary."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.clients.client_support import CLIENTS_DIR, assert_same_sign_in, run_node_session, verified
from tests.support.local_stack import JANE_EMAIL, RunningStack, start_stack

SESSION_SCRIPT = CLIENTS_DIR / "identity_js_password_session.mjs"
PASSWORD = "a known password for jane 1A!"
WRONG_PASSWORD = "not jane's password 1A!"
# DateHelper.getNowString: "ddd MMM D HH:mm:ss UTC YYYY", the day of the month not zero-padded.
LIBRARY_TIMESTAMP = re.compile(
    r"(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"([1-9]|[12]\d|3[01]) \d\d:\d\d:\d\d UTC \d{4}"
)
# The stack the script ran against, and its summary.
Run = tuple[RunningStack, dict[str, Any]]


@pytest.fixture(scope="module")
def password_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """The password-mode stack (no gap between emails), jane with a known password, and the summary
    of the script's one run against it."""
    for stack in start_stack(
        tmp_path_factory.mktemp("identity-js"),
        parameters={"SignInMode": "password-and-email-code"},
        RESEND_MIN_SECONDS="0",
    ):
        stack.idp.admin_set_user_password(
            UserPoolId=stack.pool_id, Username=stack.jane, Password=PASSWORD, Permanent=True
        )
        yield stack, run_session(stack)


def run_session(stack: RunningStack) -> dict[str, Any]:
    """The script's JSON summary; the test fails with the summary's failed step if one threw."""
    arguments = {
        "endpoint": stack.stack.url,
        "region": stack.stack.running_config.region,
        "userPoolId": stack.pool_id,
        "clientId": stack.client_id,
        "email": JANE_EMAIL,
        "password": PASSWORD,
        "wrongPassword": WRONG_PASSWORD,
    }
    # The library's requests show how far it got.
    return run_node_session(
        SESSION_SCRIPT,
        arguments,
        packages=["amazon-cognito-identity-js", "@aws-sdk/client-cognito-identity-provider"],
        shown=["identityJsRequests"],
    )


def test_a_wrong_password_is_refused_at_the_password_verifier_before_any_email(
    password_session: Run,
) -> None:
    stack, summary = password_session

    assert summary["wrongPassword"] == {
        "error": "NotAuthorizedException",
        "message": "Incorrect username or password.",
        "mailsAfter": 0,
    }
    wrong = summary["identityJsRequests"][:2]
    assert [(call["operation"], call["status"], call["answered"]) for call in wrong] == [
        ("InitiateAuth", 200, "PASSWORD_VERIFIER"),
        ("RespondToAuthChallenge", 400, "NotAuthorizedException"),
    ]
    # The one email of the run is the right password's code: the wrong one sent none.
    [mail] = stack.mail()
    assert (mail.to, mail.code) == (JANE_EMAIL, summary["code"])


def test_the_library_proves_the_password_by_srp_inside_custom_auth_then_answers_the_code(
    password_session: Run,
) -> None:
    stack, summary = password_session

    # What the library sends, as Cognito's own clients do: SRP_A inside CUSTOM_AUTH, the
    # PASSWORD_VERIFIER with the Session InitiateAuth answered and the USER_ID_FOR_SRP, then the code
    # with the Session PASSWORD_VERIFIER answered; then its own refresh.
    initiate, verifier, answer, refresh = summary["identityJsRequests"][2:]
    assert initiate == {
        "operation": "InitiateAuth",
        "contentType": "application/x-amz-json-1.1",
        "status": 200,
        "authFlow": "CUSTOM_AUTH",
        "challengeName": None,
        "keys": ["CHALLENGE_NAME", "SRP_A", "USERNAME"],
        "values": {"CHALLENGE_NAME": "SRP_A", "USERNAME": JANE_EMAIL},
        "session": "none",
        "clientMetadata": {},
        "answered": "PASSWORD_VERIFIER",
    }
    timestamp = verifier["values"].pop("TIMESTAMP")
    assert verifier == {
        **initiate,
        "operation": "RespondToAuthChallenge",
        "authFlow": None,
        "challengeName": "PASSWORD_VERIFIER",
        "keys": ["PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP", "USERNAME"],
        "values": {"USERNAME": stack.jane},
        "session": "previous answer's",
        "answered": "CUSTOM_CHALLENGE",
    }
    assert LIBRARY_TIMESTAMP.fullmatch(timestamp), timestamp
    signed = datetime.strptime(timestamp, "%a %b %d %H:%M:%S UTC %Y").replace(tzinfo=UTC)
    assert abs(signed.timestamp() - time.time()) < 120, timestamp
    assert answer == {
        **verifier,
        "challengeName": "CUSTOM_CHALLENGE",
        "keys": ["ANSWER", "USERNAME"],
        "values": {"USERNAME": stack.jane},
        "clientMetadata": None,
        "answered": "tokens",
    }
    # The pool remembers no devices (no NewDeviceMetadata was answered), so the refresh has no DEVICE_KEY.
    assert refresh == {
        **initiate,
        "authFlow": "REFRESH_TOKEN_AUTH",
        "keys": ["REFRESH_TOKEN"],
        "values": {},
        "clientMetadata": None,
        "answered": "tokens",
    }

    assert summary["customChallenge"] == {
        "USERNAME": stack.jane,
        "email": "j\u2022\u2022\u2022@example.com",
        "codeLength": "6",
    }
    signed_in = summary["sendCustomChallengeAnswer"]
    id_claims = verified(stack, signed_in["idToken"], "id")
    assert (id_claims["email"], id_claims["cognito:username"]) == (JANE_EMAIL, stack.jane)
    assert verified(stack, signed_in["accessToken"], "access")["username"] == stack.jane
    assert signed_in["refreshToken"]


def test_the_library_and_the_sdk_refresh_the_same_sign_in(
    password_session: Run,
) -> None:
    stack, summary = password_session
    signed_in = summary["sendCustomChallengeAnswer"]

    # New tokens, the same user and the same sign-in (auth_time does not move).
    for name in ("refreshSession", "getTokensFromRefreshToken"):
        assert_same_sign_in(stack, signed_in, summary[name], name)
    # The template's client does not rotate refresh tokens: the library keeps the one it had.
    assert summary["refreshSession"]["refreshToken"] == signed_in["refreshToken"]
    assert summary["getTokensFromRefreshToken"]["refreshToken"] is None


def test_the_revoked_refresh_token_is_refused_and_so_are_its_access_tokens(
    password_session: Run,
) -> None:
    stack, summary = password_session

    assert summary["revokeToken"] == {"revoked": summary["sendCustomChallengeAnswer"]["refreshToken"]}
    assert summary["afterRevoke"] == {"getTokensFromRefreshToken": "NotAuthorizedException"}
    for name in ("sendCustomChallengeAnswer", "refreshSession", "getTokensFromRefreshToken"):
        with pytest.raises(ClientError) as caught:
            stack.idp.get_user(AccessToken=summary[name]["accessToken"])
        assert caught.value.response["Error"]["Code"] == "NotAuthorizedException", name
