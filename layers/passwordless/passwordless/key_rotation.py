"""Secrets Manager's rotation of the HMAC key secret (KEY_STORE secretsmanager): its four steps.

createSecret stores a fresh random key as the AWSPENDING version; setSecret and testSecret have
nothing to do (no other system holds the key); finishSecret makes it AWSCURRENT, and Secrets Manager
labels the old one AWSPREVIOUS. Old versions stay readable by VersionId, which is what the secrets
issued under them record, so nothing live stops working. Each step may run again: it checks first.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

KEY_BYTES = 64
PENDING, CURRENT = "AWSPENDING", "AWSCURRENT"


class RotationRefused(ValueError):
    """The event names no rotation this function can carry out; Secrets Manager retries it."""


def new_key() -> str:
    """64 random bytes, as the text a secret holds."""
    return secrets.token_urlsafe(KEY_BYTES)


def rotate(client: SecretsManagerClient, event: Mapping[str, Any]) -> None:
    secret_id, token, step = event.get("SecretId"), event.get("ClientRequestToken"), event.get("Step")
    if not isinstance(secret_id, str) or not isinstance(token, str):
        raise RotationRefused("SecretId and ClientRequestToken are required")
    stages = client.describe_secret(SecretId=secret_id).get("VersionIdsToStages", {})
    if CURRENT in stages.get(token, ()):
        return  # this rotation has finished already
    if step == "createSecret":
        _create(client, secret_id, token)
    elif step == "finishSecret":
        if PENDING not in stages.get(token, ()):
            raise RotationRefused("the version is not pending")
        current = next(version for version, labels in stages.items() if CURRENT in labels)
        client.update_secret_version_stage(
            SecretId=secret_id, VersionStage=CURRENT, MoveToVersionId=token, RemoveFromVersionId=current
        )
    elif step not in ("setSecret", "testSecret"):
        raise RotationRefused("unknown rotation step")


def _create(client: SecretsManagerClient, secret_id: str, token: str) -> None:
    try:
        client.get_secret_value(SecretId=secret_id, VersionId=token, VersionStage=PENDING)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
        client.put_secret_value(
            SecretId=secret_id, ClientRequestToken=token, SecretString=new_key(), VersionStages=[PENDING]
        )
