"""laptop/moto_fidelity.py: each way moto's Cognito differs from Cognito, shown without the patch
and corrected with it."""

from __future__ import annotations

import contextlib

import boto3
import pytest
from moto import mock_aws

from laptop.aws import REGION
from laptop.moto_fidelity import cognito_as_deployed

CREATED = {
    "UsernameAttributes": ["email"],
    "UsernameConfiguration": {"CaseSensitive": False},
}


def settings_after_an_update(*, as_deployed: bool) -> dict[str, object]:
    with mock_aws():
        idp = boto3.client(
            "cognito-idp", region_name=REGION, aws_access_key_id="local", aws_secret_access_key="local"
        )
        with cognito_as_deployed() if as_deployed else contextlib.nullcontext():
            pool_id = idp.create_user_pool(PoolName="theirs", **CREATED)["UserPool"]["Id"]  # type: ignore[arg-type]
            # An update that leaves out every setting, as a careless one would
            idp.update_user_pool(UserPoolId=pool_id)
            pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    return {name: pool.get(name) for name in CREATED}


def test_moto_alone_resets_the_settings_a_pool_was_created_with() -> None:
    assert settings_after_an_update(as_deployed=False) == {name: None for name in CREATED}


@pytest.mark.parametrize("name", sorted(CREATED))
def test_as_deployed_they_survive_an_update(name: str) -> None:
    assert settings_after_an_update(as_deployed=True)[name] == CREATED[name]


def found_by_alias(*, as_deployed: bool, verified: str) -> list[str]:
    """Who AdminGetUser finds by each alias of a user whose email is (or is not) verified."""
    with mock_aws():
        idp = boto3.client(
            "cognito-idp", region_name=REGION, aws_access_key_id="local", aws_secret_access_key="local"
        )
        with cognito_as_deployed() if as_deployed else contextlib.nullcontext():
            pool_id = idp.create_user_pool(
                PoolName="theirs", AliasAttributes=["email", "preferred_username"]
            )["UserPool"]["Id"]
            idp.admin_create_user(
                UserPoolId=pool_id,
                Username="u-1",
                UserAttributes=[
                    {"Name": "email", "Value": "ann@example.com"},
                    {"Name": "email_verified", "Value": verified},
                    {"Name": "preferred_username", "Value": "ann"},
                ],
                MessageAction="SUPPRESS",
            )
            found = []
            for alias in ("ann@example.com", "ann"):
                try:
                    found.append(idp.admin_get_user(UserPoolId=pool_id, Username=alias)["Username"])
                except idp.exceptions.UserNotFoundException:
                    found.append("")
    return found


def test_moto_alone_finds_no_one_by_an_alias() -> None:
    assert found_by_alias(as_deployed=False, verified="true") == ["", ""]


def test_as_deployed_a_verified_email_and_a_preferred_username_find_the_user() -> None:
    assert found_by_alias(as_deployed=True, verified="true") == ["u-1", "u-1"]
    # An email never verified is no alias yet
    assert found_by_alias(as_deployed=True, verified="false") == ["", "u-1"]
