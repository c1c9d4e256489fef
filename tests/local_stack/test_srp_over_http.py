"""SRP against the local stack, driven by pycognito's client side (the SRP every Python client ships):
USER_SRP_AUTH for an app client that allows it, and the password + email code mode's CUSTOM_AUTH with
SRP_A (what Amplify calls CUSTOM_WITH_SRP): the password, proven without sending it, then the code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from laptop.local_stack.srp import N_HEX
from tests.support.local_stack import JANE_EMAIL, RunningStack, start_stack

PASSWORD = "Correct-horse-battery-1"


@pytest.fixture
def password_stack(tmp_path: Path) -> Iterator[RunningStack]:
    for stack in start_stack(
        tmp_path, parameters={"SignInMode": "password-and-email-code"}, RESEND_MIN_SECONDS="0"
    ):
        stack.idp.admin_set_user_password(
            UserPoolId=stack.pool_id, Username=stack.jane, Password=PASSWORD, Permanent=True
        )
        yield stack


def srp_client(stack: RunningStack) -> str:
    """An app client that signs in by password alone, as many teams' existing clients do."""
    created = stack.idp.create_user_pool_client(
        UserPoolId=stack.pool_id,
        ClientName="password-app",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="ENABLED",
    )
    return str(created["UserPoolClient"]["ClientId"])


def srp(stack: RunningStack, client_id: str, login: str, password: str) -> AWSSRP:
    return AWSSRP(login, password, stack.pool_id, client_id, client=stack.idp)


def refusal(call: Any, *arguments: Any, **keywords: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as refused:
        call(*arguments, **keywords)
    return refused.value.response["Error"]["Code"], refused.value.response["Error"]["Message"]


def test_user_srp_auth_signs_in_with_the_right_password(password_stack: RunningStack) -> None:
    client_id = srp_client(password_stack)

    tokens = srp(password_stack, client_id, JANE_EMAIL, PASSWORD).authenticate_user()

    user = password_stack.idp.get_user(AccessToken=tokens["AuthenticationResult"]["AccessToken"])
    assert user["Username"] == password_stack.jane
    assert password_stack.mail_to(JANE_EMAIL) == []  # a password-only client: no email


def test_a_wrong_password_and_an_unknown_user_are_refused_alike(password_stack: RunningStack) -> None:
    client_id = srp_client(password_stack)

    wrong = refusal(srp(password_stack, client_id, JANE_EMAIL, "Wrong-horse-battery-1").authenticate_user)
    unknown = refusal(srp(password_stack, client_id, "nobody@example.com", PASSWORD).authenticate_user)

    assert wrong == unknown == ("NotAuthorizedException", "Incorrect username or password.")


def test_a_password_verifier_answer_works_once(password_stack: RunningStack) -> None:
    client_id = srp_client(password_stack)
    client = srp(password_stack, client_id, JANE_EMAIL, PASSWORD)
    parameters = client.get_auth_params()
    challenge = password_stack.idp.initiate_auth(
        AuthFlow="USER_SRP_AUTH", AuthParameters=parameters, ClientId=client_id
    )
    answer = client.process_challenge(challenge["ChallengeParameters"], parameters)

    first = password_stack.idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer
    )
    replay = refusal(
        password_stack.idp.respond_to_auth_challenge,
        ClientId=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=answer,
    )

    assert first["AuthenticationResult"]["AccessToken"]
    assert replay == (
        "NotAuthorizedException",
        "Invalid session for the user, session can only be used once.",
    )
    assert set(challenge["ChallengeParameters"]) == {
        "SALT",
        "SECRET_BLOCK",
        "SRP_B",
        "USERNAME",
        "USER_ID_FOR_SRP",
    }
    # The Session is the client's alone: challenge parameters get logged and shown, it must not be there.
    assert challenge["Session"] not in challenge["ChallengeParameters"].values()


def test_the_stacks_own_client_refuses_password_only_sign_in(password_stack: RunningStack) -> None:
    """The template's client lists CUSTOM_AUTH, never USER_SRP_AUTH: a password alone must not skip
    the emailed code."""
    client = srp(password_stack, password_stack.client_id, JANE_EMAIL, PASSWORD)

    code, message = refusal(client.authenticate_user)

    assert code == "InvalidParameterException"
    assert "USER_SRP_AUTH flow not enabled" in message


def test_an_invited_user_proving_a_temporary_password_must_choose_a_new_one(
    password_stack: RunningStack,
) -> None:
    client_id = srp_client(password_stack)
    password_stack.idp.admin_create_user(
        UserPoolId=password_stack.pool_id,
        Username="new@example.com",
        TemporaryPassword="Temporary-pass-1",
        MessageAction="SUPPRESS",
    )
    client = srp(password_stack, client_id, "new@example.com", "Temporary-pass-1")
    parameters = client.get_auth_params()
    challenge = password_stack.idp.initiate_auth(
        AuthFlow="USER_SRP_AUTH", AuthParameters=parameters, ClientId=client_id
    )

    reply = password_stack.idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=client.process_challenge(challenge["ChallengeParameters"], parameters),
    )

    assert reply["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert "AuthenticationResult" not in reply


def custom_with_srp(stack: RunningStack, client: AWSSRP) -> dict[str, Any]:
    """What Amplify's CUSTOM_WITH_SRP sends: CUSTOM_AUTH with SRP_A, then PASSWORD_VERIFIER."""
    parameters = {**client.get_auth_params(), "CHALLENGE_NAME": "SRP_A"}
    challenge = stack.idp.initiate_auth(
        AuthFlow="CUSTOM_AUTH", AuthParameters=parameters, ClientId=stack.client_id
    )
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"
    return dict(
        stack.idp.respond_to_auth_challenge(
            ClientId=stack.client_id,
            ChallengeName="PASSWORD_VERIFIER",
            Session=challenge["Session"],
            ChallengeResponses=client.process_challenge(challenge["ChallengeParameters"], parameters),
        )
    )


def test_password_mode_asks_for_the_password_then_the_emailed_code(password_stack: RunningStack) -> None:
    challenge = custom_with_srp(
        password_stack, srp(password_stack, password_stack.client_id, JANE_EMAIL, PASSWORD)
    )

    assert challenge["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert "AuthenticationResult" not in challenge
    [mail] = password_stack.mail_to(JANE_EMAIL)
    tokens = password_stack.answer(challenge, mail.code)["AuthenticationResult"]
    assert password_stack.idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == password_stack.jane
    # The rest of the session, as boto3 lives it: refresh, then sign out.
    refreshed = password_stack.idp.get_tokens_from_refresh_token(
        ClientId=password_stack.client_id, RefreshToken=tokens["RefreshToken"]
    )["AuthenticationResult"]
    assert (
        password_stack.idp.get_user(AccessToken=refreshed["AccessToken"])["Username"] == password_stack.jane
    )
    password_stack.idp.revoke_token(ClientId=password_stack.client_id, Token=tokens["RefreshToken"])
    assert (
        refusal(password_stack.idp.get_user, AccessToken=refreshed["AccessToken"])[0]
        == "NotAuthorizedException"
    )


def test_password_mode_sends_no_email_after_a_wrong_password(password_stack: RunningStack) -> None:
    client = srp(password_stack, password_stack.client_id, JANE_EMAIL, "Wrong-horse-battery-1")

    assert refusal(custom_with_srp, password_stack, client) == (
        "NotAuthorizedException",
        "Incorrect username or password.",
    )
    assert password_stack.mail_to(JANE_EMAIL) == []


@pytest.mark.parametrize("srp_a", [N_HEX, "zz", "0"], ids=["n", "not-hex", "zero"])
@pytest.mark.parametrize("flow", ["USER_SRP_AUTH", "CUSTOM_AUTH"])
def test_a_bad_srp_a_is_refused_alike_for_known_and_unknown_users(
    password_stack: RunningStack, srp_a: str, flow: str
) -> None:
    client_id = srp_client(password_stack) if flow == "USER_SRP_AUTH" else password_stack.client_id

    answers = [
        refusal(
            password_stack.idp.initiate_auth,
            AuthFlow=flow,
            ClientId=client_id,
            AuthParameters={"USERNAME": login, "SRP_A": srp_a},
        )
        for login in (JANE_EMAIL, "nobody@example.com")
    ]

    assert answers[0] == answers[1] == ("InvalidParameterException", "Invalid SRP_A.")
