"""docs/security/requirements.md #27 with KeyStore secretsmanager: the rotation function's four steps
against embedded Secrets Manager, and a rotation between issue and redemption that still signs in,
because each secret records the secret version its hashes were made under."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import boto3
import pytest

from laptop.aws import LOCAL_HMAC_KEY, REGION
from passwordless.key_rotation import KEY_BYTES, RotationRefused, rotate
from passwordless.settings import Settings
from tests.support.flow import JANE
from tests.support.lambda_handlers import Deployed, deploy

STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")


def rotate_now(secret_id: str) -> str:
    """What Secrets Manager does on a schedule: each step with one new version's token; that token."""
    client = boto3.client("secretsmanager", region_name=REGION)
    token = str(uuid.uuid4())
    for step in STEPS:
        rotate(client, {"SecretId": secret_id, "ClientRequestToken": token, "Step": step})
    return token


def code_in(mail: dict[str, str]) -> str:
    return next(word for word in mail["text"].split() if word.isdigit() and len(word) == 6)


def stages(secret_id: str) -> dict[str, list[str]]:
    client = boto3.client("secretsmanager", region_name=REGION)
    return dict(client.describe_secret(SecretId=secret_id)["VersionIdsToStages"])


def test_the_four_steps_make_a_fresh_random_key_current_and_keep_the_old_one(aws: Settings) -> None:
    client = boto3.client("secretsmanager", region_name=REGION)
    old = client.get_secret_value(SecretId=aws.hmac_key_secret_id, VersionStage="AWSCURRENT")
    token = rotate_now(aws.hmac_key_secret_id)
    new = client.get_secret_value(SecretId=aws.hmac_key_secret_id, VersionStage="AWSCURRENT")
    assert new["VersionId"] == token
    assert new["SecretString"] != LOCAL_HMAC_KEY
    assert len(new["SecretString"]) >= KEY_BYTES  # 64 random bytes, URL-safe base64
    assert "AWSPREVIOUS" in stages(aws.hmac_key_secret_id)[old["VersionId"]]
    # The old key is still readable by its version id, which the secrets hashed under it name
    kept = client.get_secret_value(SecretId=aws.hmac_key_secret_id, VersionId=old["VersionId"])
    assert kept["SecretString"] == LOCAL_HMAC_KEY
    # A step Secrets Manager retries changes nothing; a second rotation makes another key
    rotate(client, {"SecretId": aws.hmac_key_secret_id, "ClientRequestToken": token, "Step": "createSecret"})
    rotate(client, {"SecretId": aws.hmac_key_secret_id, "ClientRequestToken": token, "Step": "finishSecret"})
    assert (
        client.get_secret_value(SecretId=aws.hmac_key_secret_id, VersionStage="AWSCURRENT")["SecretString"]
        == new["SecretString"]
    )
    rotate_now(aws.hmac_key_secret_id)
    assert (
        client.get_secret_value(SecretId=aws.hmac_key_secret_id, VersionStage="AWSCURRENT")["SecretString"]
        != new["SecretString"]
    )


@pytest.mark.parametrize(
    "event",
    [
        {
            "SecretId": "passwordless-local-hmac-key",
            "ClientRequestToken": "t" * 32,
            "Step": "rotateEverything",
        },
        {"SecretId": "passwordless-local-hmac-key", "ClientRequestToken": "t" * 32, "Step": "finishSecret"},
        {"Step": "createSecret"},
    ],
    ids=["unknown step", "finish without a pending version", "no secret named"],
)
def test_a_step_it_cannot_carry_out_is_refused_and_changes_nothing(
    aws: Settings, event: dict[str, str]
) -> None:
    before = stages(aws.hmac_key_secret_id)
    with pytest.raises(RotationRefused):
        rotate(boto3.client("secretsmanager", region_name=REGION), event)
    assert stages(aws.hmac_key_secret_id) == before


def test_a_code_issued_before_a_rotation_signs_in_after_it(deployed: Deployed, outbox_dir: Path) -> None:
    # Given a code issued under the first version of the key
    asked = deployed.cognito.initiate_auth(JANE.email)
    first = asked.session.private["keyVersion"]
    # When the key is rotated, and the functions start again (new containers read the new key)
    second = rotate_now("passwordless-local-hmac-key")
    redeployed = deploy(outbox_dir, io.StringIO())
    redeployed.cognito.invoke = deployed.cognito.invoke = redeployed.invoke
    # Then the code still signs in: verify reads the version the code's hashes name
    assert deployed.cognito.respond(asked, code_in(deployed.mail()[-1])).kind == "tokens"
    # And a fresh code is hashed under the new version, and signs in too
    again = deployed.cognito.initiate_auth(JANE.email)
    assert again.session.private["keyVersion"] == second != first
    assert deployed.cognito.respond(again, code_in(deployed.mail()[-1])).kind == "tokens"
    assert redeployed.errors == []


def test_parameters_from_before_versions_verify_under_the_current_key(deployed: Deployed) -> None:
    # Given challenge parameters as they were made before key versions were recorded
    asked = deployed.cognito.initiate_auth(JANE.email)
    del asked.session.private["keyVersion"]
    # Then the code signs in under the current key
    assert deployed.cognito.respond(asked, code_in(deployed.mail()[-1])).kind == "tokens"


def test_an_unknown_secret_version_is_a_refused_answer(deployed: Deployed) -> None:
    asked = deployed.cognito.initiate_auth(JANE.email)
    asked.session.private["keyVersion"] = str(uuid.uuid4())
    again = deployed.cognito.respond(asked, code_in(deployed.mail()[-1]))
    assert again.kind == "challenge"
    assert deployed.errors == []
    reasons = [r.get("reason") for r in deployed.log_records() if r.get("security_event") == "rejected"]
    assert reasons == ["unknown_key"]
