"""Rehearsals (passwordless.rehearsal): a request each function's first invocation makes goes through
botocore at init and stops before it is sent. Nothing reaches AWS (moto here, a socket in the probe),
nothing is stored or mailed, and every rehearsal the functions make gets as far as the network."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from laptop.aws import REGION
from passwordless.email.ses import SesSender
from passwordless.key_sources import rehearse_key_read
from passwordless.rehearsal import rehearse
from passwordless.runtime import FunctionRuntime, client_config
from passwordless.secret_store import SecretStore
from passwordless.settings import Settings
from tests.support.aws_calls import on_every_session, operation_name

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def answered() -> Any:
    """Every request moto answered, as "service:Operation", from every botocore session made after
    this fixture (ask for it after the embedded AWS, whose set-up it would otherwise see)."""
    seen: list[str] = []

    def record(model: Any, **_: Any) -> None:
        seen.append(operation_name(model))

    with on_every_session(record):
        yield seen


def table_items(settings: Settings) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = boto3.client("dynamodb", region_name=REGION).scan(
        TableName=settings.table_name
    )["Items"]
    return items


def test_the_store_rehearses_its_write_without_writing(aws: Settings, answered: list[str]) -> None:
    runtime = FunctionRuntime("dynamodb", metrics=False)

    assert SecretStore(runtime.client("dynamodb"), aws.table_name).rehearse() is True

    assert answered == []
    assert table_items(aws) == []


@pytest.mark.parametrize("store", ["aws", "kms_aws"])
def test_each_key_store_rehearses_its_read(store: str, request: pytest.FixtureRequest) -> None:
    settings: Settings = request.getfixturevalue(store)
    answered: list[str] = request.getfixturevalue("answered")
    runtime = FunctionRuntime(metrics=False)

    assert rehearse_key_read(settings, runtime.client) is True

    assert answered == []


def test_ses_rehearses_a_send_without_sending(aws: Settings, answered: list[str]) -> None:
    sesv2 = FunctionRuntime(metrics=False).new_client("sesv2", client_config("account_api"))
    sender = SesSender(sesv2, from_address=aws.email_from, configuration_set="tracking")

    assert sender.rehearse() is True

    assert answered == []
    assert ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages == []


def test_a_refused_rehearsal_is_only_a_lost_head_start(aws: Settings, answered: list[str]) -> None:
    # A client that validates its parameters refuses a request that lacks one, before the network
    sesv2 = FunctionRuntime(metrics=False).new_client("sesv2", client_config("account_api"))
    assert rehearse(sesv2, "SendEmail", FromEmailAddress=aws.email_from) is False
    # And the rehearsal's stop is gone: the next real request is sent and answered
    boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=aws.email_from)
    sesv2.send_email(
        FromEmailAddress=aws.email_from,
        Destination={"ToAddresses": ["jane@example.com"]},
        Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}}},
    )
    assert answered == ["ses:SendEmail"]


@pytest.mark.parametrize(
    ("prepares", "provider"), [("issuer", "ses"), ("issuer", "outbox"), ("checker", "ses")]
)
def test_a_prepared_runtime_asks_aws_nothing_at_init(
    aws: Settings, answered: list[str], monkeypatch: pytest.MonkeyPatch, prepares: str, provider: str
) -> None:
    monkeypatch.setenv("EMAIL_PROVIDER", provider)
    runtime = FunctionRuntime("dynamodb", "secretsmanager", prepares=(prepares,), metrics=False)  # type: ignore[arg-type]

    assert answered == []
    assert table_items(aws) == []
    # The key is read, and the sender built, on first use, as before
    assert "hasher" not in vars(runtime)
    assert "_built_sender" not in vars(runtime)


PROBE = """
import sys
def no_network(event, args):
    if event in ("socket.connect", "socket.getaddrinfo"):
        raise SystemExit("a rehearsal used the network: " + event)
sys.addaudithook(no_network)
from botocore.session import get_session
from passwordless.rehearsal import rehearse
client = get_session().create_client(
    "dynamodb", region_name="us-east-1", endpoint_url="https://dynamodb.invalid",
    aws_access_key_id="x", aws_secret_access_key="x",
)
print(rehearse(client, "GetItem", TableName="t", Key={"pk": {"S": "-"}}))
"""


def test_a_rehearsal_opens_no_connection_even_without_moto() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
