"""A whole session from boto3, as a backend or a Python client lives it: sign in, refresh (both ways
Cognito offers, with and without refresh-token rotation), change the password, sign out here or
everywhere; each refusal is the error Cognito sends."""

from __future__ import annotations

import base64
import hashlib
import hmac
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError

from laptop.local_stack.tokens import INVALID_REFRESH_TOKEN
from tests.support.local_stack import JANE_EMAIL, RunningStack


def refreshed(stack: RunningStack, token: str, client_id: str | None = None) -> dict[str, Any]:
    answer = stack.idp.get_tokens_from_refresh_token(
        ClientId=client_id or stack.client_id, RefreshToken=token
    )
    return dict(answer["AuthenticationResult"])


def claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def refusal(call: Any, **arguments: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as refused:
        call(**arguments)
    return refused.value.response["Error"]["Code"], refused.value.response["Error"]["Message"]


def rotating_client(stack: RunningStack, grace_seconds: int) -> str:
    """Another app client of the pool, with refresh-token rotation on."""
    created = stack.idp.create_user_pool_client(
        UserPoolId=stack.pool_id,
        ClientName="rotating",
        ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="ENABLED",
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": grace_seconds},
    )
    return str(created["UserPoolClient"]["ClientId"])


def password_client(stack: RunningStack) -> str:
    """An app client a backend signs users in with by password (ADMIN_USER_PASSWORD_AUTH)."""
    created = stack.idp.create_user_pool_client(
        UserPoolId=stack.pool_id, ClientName="backend", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    )
    return str(created["UserPoolClient"]["ClientId"])


def password_refusal(stack: RunningStack, client_id: str, password: str) -> str | None:
    try:
        stack.idp.admin_initiate_auth(
            UserPoolId=stack.pool_id,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": JANE_EMAIL, "PASSWORD": password},
        )
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return None


def sign_in(stack: RunningStack, client_id: str) -> dict[str, Any]:
    challenge = dict(
        stack.idp.initiate_auth(
            AuthFlow="CUSTOM_AUTH", ClientId=client_id, AuthParameters={"USERNAME": JANE_EMAIL}
        )
    )
    answer = stack.idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": challenge["ChallengeParameters"]["USERNAME"],
            "ANSWER": stack.mail_to(JANE_EMAIL)[-1].code,
        },
    )
    return dict(answer["AuthenticationResult"])


def test_without_rotation_a_refresh_returns_new_tokens_and_keeps_the_refresh_token(
    local_stack: RunningStack,
) -> None:
    tokens = local_stack.sign_in_by_link(JANE_EMAIL)
    local_stack.clock.advance(5)

    first = refreshed(local_stack, tokens["RefreshToken"])
    second = refreshed(local_stack, tokens["RefreshToken"])

    assert "RefreshToken" not in first
    assert first["AccessToken"] != tokens["AccessToken"]
    assert claims(first["AccessToken"])["username"] == local_stack.jane
    assert claims(first["IdToken"])["auth_time"] == claims(tokens["IdToken"])["auth_time"]
    assert claims(second["AccessToken"])["origin_jti"] == claims(tokens["AccessToken"])["origin_jti"]
    # The InitiateAuth way still works for clients that use it.
    older = local_stack.idp.initiate_auth(
        AuthFlow="REFRESH_TOKEN_AUTH",
        ClientId=local_stack.client_id,
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )
    assert claims(older["AuthenticationResult"]["AccessToken"])["username"] == local_stack.jane


def test_with_rotation_each_refresh_returns_a_new_refresh_token_and_the_old_one_lasts_only_the_grace_period(
    local_stack: RunningStack,
) -> None:
    client_id = rotating_client(local_stack, grace_seconds=10)
    tokens = sign_in(local_stack, client_id)

    rotated = refreshed(local_stack, tokens["RefreshToken"], client_id)
    retry = refreshed(local_stack, tokens["RefreshToken"], client_id)  # within the grace period
    local_stack.clock.advance(11)

    assert rotated["RefreshToken"] not in {tokens["RefreshToken"], None}
    assert retry["RefreshToken"] != rotated["RefreshToken"]
    assert refusal(
        local_stack.idp.get_tokens_from_refresh_token, ClientId=client_id, RefreshToken=tokens["RefreshToken"]
    ) == ("RefreshTokenReuseException", "Refresh token has already been used.")
    newest = refreshed(local_stack, rotated["RefreshToken"], client_id)
    assert claims(newest["AccessToken"])["username"] == local_stack.jane
    # Rotation is GetTokensFromRefreshToken's alone, as in Cognito.
    code, _ = refusal(
        local_stack.idp.initiate_auth,
        AuthFlow="REFRESH_TOKEN_AUTH",
        ClientId=client_id,
        AuthParameters={"REFRESH_TOKEN": newest["RefreshToken"]},
    )
    assert code == "InvalidParameterException"


def test_with_no_grace_period_a_rotated_refresh_token_is_refused_at_once(local_stack: RunningStack) -> None:
    client_id = rotating_client(local_stack, grace_seconds=0)
    tokens = sign_in(local_stack, client_id)
    refreshed(local_stack, tokens["RefreshToken"], client_id)

    code, _ = refusal(
        local_stack.idp.get_tokens_from_refresh_token, ClientId=client_id, RefreshToken=tokens["RefreshToken"]
    )
    assert code == "RefreshTokenReuseException"


def test_a_revoked_or_expired_or_foreign_refresh_token_is_refused_as_cognito_refuses_it(
    local_stack: RunningStack,
) -> None:
    tokens = local_stack.sign_in_by_link(JANE_EMAIL)
    other_client = rotating_client(local_stack, grace_seconds=0)

    assert refusal(
        local_stack.idp.get_tokens_from_refresh_token,
        ClientId=other_client,
        RefreshToken=tokens["RefreshToken"],
    ) == ("NotAuthorizedException", INVALID_REFRESH_TOKEN)
    assert refusal(
        local_stack.idp.get_tokens_from_refresh_token, ClientId=local_stack.client_id, RefreshToken="x" * 40
    ) == ("NotAuthorizedException", INVALID_REFRESH_TOKEN)

    local_stack.idp.revoke_token(ClientId=local_stack.client_id, Token=tokens["RefreshToken"])
    assert refusal(
        local_stack.idp.get_tokens_from_refresh_token,
        ClientId=local_stack.client_id,
        RefreshToken=tokens["RefreshToken"],
    ) == ("NotAuthorizedException", "Refresh Token has been revoked")

    later = local_stack.sign_in_by_link(JANE_EMAIL)
    local_stack.clock.advance(31 * 86400)  # template.yaml: RefreshTokenValidity 30 days
    assert refusal(
        local_stack.idp.get_tokens_from_refresh_token,
        ClientId=local_stack.client_id,
        RefreshToken=later["RefreshToken"],
    ) == ("NotAuthorizedException", INVALID_REFRESH_TOKEN)


def test_a_client_with_a_secret_must_send_it_to_refresh(local_stack: RunningStack) -> None:
    created = local_stack.idp.create_user_pool_client(
        UserPoolId=local_stack.pool_id,
        ClientName="backend",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]
    local_stack.idp.admin_set_user_password(
        UserPoolId=local_stack.pool_id, Username=local_stack.jane, Password="Correct-horse-1", Permanent=True
    )
    secret_hash = base64.b64encode(
        hmac.new(
            created["ClientSecret"].encode(), (JANE_EMAIL + created["ClientId"]).encode(), hashlib.sha256
        ).digest()
    ).decode()
    tokens = local_stack.idp.admin_initiate_auth(
        UserPoolId=local_stack.pool_id,
        ClientId=created["ClientId"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": JANE_EMAIL, "PASSWORD": "Correct-horse-1", "SECRET_HASH": secret_hash},
    )["AuthenticationResult"]

    code, _ = refusal(
        local_stack.idp.get_tokens_from_refresh_token,
        ClientId=created["ClientId"],
        RefreshToken=tokens["RefreshToken"],
    )
    answer = local_stack.idp.get_tokens_from_refresh_token(
        ClientId=created["ClientId"],
        RefreshToken=tokens["RefreshToken"],
        ClientSecret=created["ClientSecret"],
    )

    assert code == "NotAuthorizedException"
    assert claims(answer["AuthenticationResult"]["AccessToken"])["client_id"] == created["ClientId"]
    # Signing out takes the secret too.
    revoke = local_stack.idp.revoke_token
    assert (
        refusal(revoke, ClientId=created["ClientId"], Token=tokens["RefreshToken"])[0]
        == "NotAuthorizedException"
    )
    assert (
        refusal(
            revoke,
            ClientId=created["ClientId"],
            Token=tokens["RefreshToken"],
            ClientSecret="not-the-secret-of-this-client",
        )[0]
        == "NotAuthorizedException"
    )
    revoke(ClientId=created["ClientId"], Token=tokens["RefreshToken"], ClientSecret=created["ClientSecret"])
    assert refusal(
        local_stack.idp.get_tokens_from_refresh_token,
        ClientId=created["ClientId"],
        RefreshToken=tokens["RefreshToken"],
        ClientSecret=created["ClientSecret"],
    ) == ("NotAuthorizedException", "Refresh Token has been revoked")


def test_global_sign_out_ends_every_sign_in_of_the_user_and_no_one_elses(local_stack: RunningStack) -> None:
    phone = local_stack.sign_in_by_link(JANE_EMAIL)
    laptop = local_stack.sign_in_by_link(JANE_EMAIL)
    john = local_stack.sign_in_by_link("john@example.com")

    local_stack.idp.global_sign_out(AccessToken=laptop["AccessToken"])

    for tokens in (phone, laptop):
        assert (
            refusal(local_stack.idp.get_user, AccessToken=tokens["AccessToken"])[0]
            == "NotAuthorizedException"
        )
        assert refusal(
            local_stack.idp.get_tokens_from_refresh_token,
            ClientId=local_stack.client_id,
            RefreshToken=tokens["RefreshToken"],
        ) == ("NotAuthorizedException", "Refresh Token has been revoked")
    assert local_stack.idp.get_user(AccessToken=john["AccessToken"])["Username"] == local_stack.john
    assert refreshed(local_stack, john["RefreshToken"])["AccessToken"]
    # A new sign-in after the sign-out works.
    assert local_stack.idp.get_user(AccessToken=local_stack.sign_in_by_link(JANE_EMAIL)["AccessToken"])


def test_an_admin_global_sign_out_ends_the_users_sign_ins(local_stack: RunningStack) -> None:
    tokens = local_stack.sign_in_by_link(JANE_EMAIL)

    local_stack.idp.admin_user_global_sign_out(UserPoolId=local_stack.pool_id, Username=JANE_EMAIL)

    assert refusal(local_stack.idp.get_user, AccessToken=tokens["AccessToken"])[0] == "NotAuthorizedException"


def test_change_password_needs_the_current_password_and_the_pools_policy(local_stack: RunningStack) -> None:
    local_stack.idp.admin_set_user_password(
        UserPoolId=local_stack.pool_id, Username=local_stack.jane, Password="Correct-horse-1", Permanent=True
    )
    access = local_stack.sign_in_by_link(JANE_EMAIL)["AccessToken"]

    wrong = refusal(
        local_stack.idp.change_password,
        AccessToken=access,
        PreviousPassword="guess-Guess-1",
        ProposedPassword="New-horse-22",
    )
    weak = refusal(
        local_stack.idp.change_password,
        AccessToken=access,
        PreviousPassword="Correct-horse-1",
        ProposedPassword="short",
    )
    local_stack.idp.change_password(
        AccessToken=access, PreviousPassword="Correct-horse-1", ProposedPassword="New-horse-22"
    )

    assert wrong == ("NotAuthorizedException", "Incorrect username or password.")
    assert weak[0] == "InvalidPasswordException"
    backend = password_client(local_stack)
    assert password_refusal(local_stack, backend, "New-horse-22") is None
    assert password_refusal(local_stack, backend, "Correct-horse-1") == "NotAuthorizedException"


def test_refreshes_racing_with_one_rotated_token_give_one_new_chain(local_stack: RunningStack) -> None:
    client_id = rotating_client(local_stack, grace_seconds=0)
    token = sign_in(local_stack, client_id)["RefreshToken"]

    def attempt(_: int) -> str:
        try:
            refreshed(local_stack, token, client_id)
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "refreshed"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = sorted(pool.map(attempt, range(8)))

    assert outcomes == ["RefreshTokenReuseException"] * 7 + ["refreshed"]
