"""Embedded AWS for the laptop and the tests: moto in-process, with the resources template.yaml
creates (the table, the HMAC key secret or, with KEY_STORE=kms, the KMS HMAC key) made the same way."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from laptop.moto_fidelity import cognito_as_deployed, kms_as_deployed
from laptop.moto_speedups import faster_moto
from passwordless.settings import Settings

REGION = "us-east-1"
# A fixed key so sample events in events/ carry digests that verify; it protects nothing real.
LOCAL_HMAC_KEY = "local-only-hmac-key-never-used-in-aws-0123456789abcdefghijklmnop"
LOCAL_HMAC_KEY_ALIAS = "alias/passwordless-local-hmac-key"
HMAC_KEY_TAG = "passwordless-hmac-key"


def local_environment(outbox_dir: Path, **overrides: str) -> dict[str, str]:
    """The variables template.yaml sets on the functions, pointed at embedded resources."""
    env = {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",  # moto's fake credentials  # nosec B105
        "POWERTOOLS_SERVICE_NAME": "passwordless",
        # No CloudWatch here to read EMF, and one JSON blob per invocation would bury the demo's
        # output; passwordless.funnel_metrics then records nothing. Tests that prove the metrics
        # (and `python -m laptop.invoke --metrics`) set it to "false".
        "POWERTOOLS_METRICS_DISABLED": "true",
        "TABLE_NAME": "passwordless-local",
        "HMAC_KEY_SECRET_ID": "passwordless-local-hmac-key",  # a secret's name, not a value  # nosec B105
        # Used with KEY_STORE=kms (the template's KeyStore): the embedded KMS HMAC key's alias.
        "HMAC_KEY_ID": LOCAL_HMAC_KEY_ALIAS,
        "EMAIL_PROVIDER": "outbox",
        "OUTBOX_DIR": str(outbox_dir),
        "EMAIL_FROM": "no-reply@example.com",
        "EMAIL_FROM_NAME": "Passwordless demo",
        "APP_NAME": "the passwordless demo",
        "APP_NAMES_BY_LOCALE": '{"de": "die Passwordless-Demo"}',
        "SIGN_IN_URL": "http://localhost:8000/",
    }
    env.update(overrides)
    return env


def create_resources(settings: Settings) -> None:
    """What `sam deploy` creates, minus the user pool: the table (key pk, TTL ttl) and the key secret."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.create_table(
        TableName=settings.table_name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.update_time_to_live(
        TableName=settings.table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"}
    )
    if settings.key_store == "kms":
        kms = boto3.client("kms", region_name=REGION)
        kms.create_alias(AliasName=settings.hmac_key_id, TargetKeyId=new_hmac_key(kms))
    else:
        boto3.client("secretsmanager", region_name=REGION).create_secret(
            Name=settings.hmac_key_secret_id, SecretString=LOCAL_HMAC_KEY
        )
    if settings.email_provider == "ses":
        boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=settings.email_from)


def new_hmac_key(kms: Any) -> str:  # noqa: ANN401 - boto3's KMS client (no stubs pinned for it)
    """A KMS HMAC key as template.yaml's HmacKey is made (and as a rotation makes the next one); its ARN."""
    return str(
        kms.create_key(
            KeySpec="HMAC_256",
            KeyUsage="GENERATE_VERIFY_MAC",
            Tags=[{"TagKey": HMAC_KEY_TAG, "TagValue": "local"}],
        )["KeyMetadata"]["Arn"]
    )


@contextmanager
def atomic_requests(lock: threading.RLock | None = None) -> Iterator[None]:
    """Make each embedded AWS request atomic, as DynamoDB's are.

    moto evaluates a conditional update and applies it in separate steps, so two threads can both pass
    the same condition; DynamoDB never lets that happen. Serialising moto's request handling (a private
    API of the pinned moto; tests/integration/test_embedded_aws.py shows it working) restores the
    guarantee that concurrency tests rely on. Pass `lock` to share it with another way into moto
    (the local stack's HTTP endpoint).
    """
    original = BotocoreStubber.process_request
    guard = lock or threading.RLock()

    def serialised(self: BotocoreStubber, request: Any) -> Any:  # noqa: ANN401 - moto's own types
        with guard:
            return original(self, request)

    BotocoreStubber.process_request = serialised  # type: ignore[method-assign]
    try:
        yield
    finally:
        BotocoreStubber.process_request = original  # type: ignore[method-assign]


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set variables (the handlers read os.environ) until the block ends, then put back the old ones."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def embedded_aws(env: Mapping[str, str]) -> Iterator[Settings]:
    """Set the environment, start moto, create the resources; undo all of it on exit."""
    with (
        environment(env),
        mock_aws(),
        atomic_requests(),
        faster_moto(),
        cognito_as_deployed(),
        kms_as_deployed(),
    ):
        settings = Settings.from_env()
        create_resources(settings)
        yield settings
