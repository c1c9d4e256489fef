"""A whole session with the AWS SDK for JavaScript v3 (@aws-sdk/client-cognito-identity-provider
3.1169.0) run by Node against the local stack: nothing but `endpoint` changed from what runs against
Cognito. sdk_v3_session.mjs makes the calls; these tests check what it got back."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.clients.client_support import CLIENTS_DIR, assert_same_sign_in, run_node_session, verified
from tests.support.local_stack import JANE_EMAIL, RunningStack

SESSION_SCRIPT = CLIENTS_DIR / "sdk_v3_session.mjs"


def run_session(stack: RunningStack, email: str) -> dict[str, Any]:
    """The script's JSON summary of its session; the test fails with the summary if a step threw."""
    config = stack.stack.running_config
    arguments = {
        "endpoint": stack.stack.url,
        "region": config.region,
        "clientId": stack.client_id,
        "email": email,
    }
    return run_node_session(SESSION_SCRIPT, arguments, packages=["@aws-sdk/client-cognito-identity-provider"])


def test_a_whole_session_signs_in_refreshes_and_signs_out(local_stack: RunningStack) -> None:
    summary = run_session(local_stack, JANE_EMAIL)

    challenge = summary["initiateAuth"]
    assert challenge["challengeName"] == "CUSTOM_CHALLENGE"
    assert challenge["parameters"] == {
        "USERNAME": local_stack.jane,
        "email": "j\u2022\u2022\u2022@example.com",
        "codeLength": "6",
    }
    [mail] = local_stack.mail()
    assert (mail.to, mail.code) == (JANE_EMAIL, summary["code"]), "the script answered with the emailed code"

    signed_in = summary["respondToAuthChallenge"]
    id_claims = verified(local_stack, signed_in["idToken"], "id")
    assert (id_claims["email"], id_claims["cognito:username"]) == (JANE_EMAIL, local_stack.jane)
    first_access = verified(local_stack, signed_in["accessToken"], "access")
    assert first_access["username"] == local_stack.jane
    assert signed_in["refreshToken"]

    # Both refreshes: new tokens, the same user and the same sign-in (auth_time does not move).
    for name in ("getTokensFromRefreshToken", "refreshTokenAuth"):
        assert_same_sign_in(local_stack, signed_in, summary[name], name)

    assert summary["afterRevoke"] == {
        "getTokensFromRefreshToken": "NotAuthorizedException",
        "refreshTokenAuth": "NotAuthorizedException",
    }
    # Revoking the refresh token revoked the access tokens issued under it, as Cognito does.
    for token in (signed_in["accessToken"], summary["getTokensFromRefreshToken"]["accessToken"]):
        with pytest.raises(ClientError) as caught:
            local_stack.idp.get_user(AccessToken=token)
        assert caught.value.response["Error"]["Code"] == "NotAuthorizedException"
