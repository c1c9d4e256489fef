"""The local stack reads users and app clients from embedded Cognito's backend, not through its API;
what it reads must be what the Cognito API (boto3 over HTTP to the stack) says about the same pool."""

from __future__ import annotations

import pytest

from laptop.local_stack.errors import CognitoError
from laptop.local_stack.user_directory import UserDirectory
from tests.support.local_stack import JANE_EMAIL, JOHN_EMAIL, RunningStack


def directory_of(stack: RunningStack) -> UserDirectory:
    assert stack.stack.directory is not None
    return stack.stack.directory


def described_client(stack: RunningStack, client_id: str) -> dict[str, object]:
    described = stack.idp.describe_user_pool_client(UserPoolId=stack.pool_id, ClientId=client_id)
    return dict(described["UserPoolClient"])


def test_an_app_client_reads_as_describe_user_pool_client_returns_it(local_stack: RunningStack) -> None:
    secret_client = local_stack.idp.create_user_pool_client(
        UserPoolId=local_stack.pool_id,
        ClientName="with-secret",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH"],
        AccessTokenValidity=5,
        TokenValidityUnits={"AccessToken": "minutes"},
    )["UserPoolClient"]["ClientId"]

    for client_id in (local_stack.client_id, secret_client):
        by_id = directory_of(local_stack).client(None, client_id)
        by_pool = directory_of(local_stack).client(local_stack.pool_id, client_id)

        assert by_id == by_pool == (local_stack.pool_id, described_client(local_stack, client_id))
    assert directory_of(local_stack).client(None, secret_client)[1]["ClientSecret"]


def test_the_settings_handed_out_are_a_copy(local_stack: RunningStack) -> None:
    _, settings = directory_of(local_stack).client(None, local_stack.client_id)
    settings["ExplicitAuthFlows"].append("ALLOW_USER_PASSWORD_AUTH")
    settings["PreventUserExistenceErrors"] = "LEGACY"

    assert directory_of(local_stack).client(None, local_stack.client_id)[1] == described_client(
        local_stack, local_stack.client_id
    )
    assert described_client(local_stack, local_stack.client_id)["PreventUserExistenceErrors"] == "ENABLED"


def test_an_unknown_client_or_pool_is_cognitos_resource_not_found(local_stack: RunningStack) -> None:
    for pool_id, client_id in (
        (None, "nosuchclient"),
        (local_stack.pool_id, "nosuchclient"),
        ("us-east-1_nosuchpool", local_stack.client_id),
    ):
        with pytest.raises(CognitoError) as caught:
            directory_of(local_stack).client(pool_id, client_id)

        assert caught.value.error_type == "ResourceNotFoundException"


def test_a_user_reads_as_admin_get_user_returns_them_by_any_spelling(local_stack: RunningStack) -> None:
    local_stack.idp.admin_disable_user(UserPoolId=local_stack.pool_id, Username=JOHN_EMAIL)

    for email, login in ((JANE_EMAIL, "Jane@Example.COM"), (JOHN_EMAIL, JOHN_EMAIL)):
        api = local_stack.idp.admin_get_user(UserPoolId=local_stack.pool_id, Username=email)
        user = directory_of(local_stack).find(local_stack.pool_id, login)

        assert user is not None
        assert user.username == api["Username"]
        assert user.attributes == {item["Name"]: item["Value"] for item in api["UserAttributes"]}
        assert (user.enabled, user.status) == (api["Enabled"], api["UserStatus"])
    assert directory_of(local_stack).find(local_stack.pool_id, JOHN_EMAIL).enabled is False  # type: ignore[union-attr]
    assert directory_of(local_stack).find(local_stack.pool_id, "nobody@example.com") is None


def test_the_triggers_are_the_pools_lambda_config(local_stack: RunningStack) -> None:
    pool = local_stack.idp.describe_user_pool(UserPoolId=local_stack.pool_id)["UserPool"]

    assert directory_of(local_stack).triggers(local_stack.pool_id) == pool["LambdaConfig"]
