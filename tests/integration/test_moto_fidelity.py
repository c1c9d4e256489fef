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
