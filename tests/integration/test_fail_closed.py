"""docs/security/requirements.md #21 storage, key or provider failures never yield tokens and fail with a
clean error; #19 create fits Cognito's 5 s budget and a retry after a failed send emails exactly once."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, ConnectTimeoutError

from passwordless.email.sendgrid_sender import SendGridSender
from passwordless.errors import SignInUnavailable
from passwordless.keyed_hash import KeyedHasher
from passwordless.secret_store import SecretStore
from passwordless.settings import Settings
from tests.support.flow import JANE, JOHN, Flow, build_flow
from tests.support.lambda_handlers import Deployed
from tests.support.sendgrid_sink import SendGridSink

ROOT = Path(__file__).resolve().parents[2]
GENERIC = "Sign-in is temporarily unavailable. Please try again."


def faulty_store(settings: Settings, operation: str, error: Exception) -> tuple[SecretStore, list[bool]]:
    """A real store whose client fails one DynamoDB operation while `armed[0]` is True."""
    client = boto3.client("dynamodb", region_name="us-east-1")
    armed = [False]

    def fault(**_: Any) -> None:
        if armed[0]:
            raise error

    client.meta.events.register(f"before-call.dynamodb.{operation}", fault)
    return SecretStore(client, settings.table_name), armed


THROTTLED = ClientError(
    {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "Rate exceeded"}}, "op"
)


# Each storage call create makes while asking: the write-first issue of a first round, the read of
# a round after a wrong answer (which never issues), and the read an unknown user's create makes so
# that it fails as a known user's does during an outage.
ASKING = [
    ("UpdateItem", "first round"),
    ("GetItem", "round after a wrong answer"),
    ("GetItem", "unknown user"),
]


def ask(flow: Flow, when: str) -> Callable[[], object]:
    """Set up everything before the asking call; return that call."""
    if when == "first round":
        return lambda: flow.cognito.initiate_auth(JANE.email)
    if when == "unknown user":
        return lambda: flow.cognito.initiate_auth("nobody@example.org")
    asked = flow.cognito.initiate_auth(JANE.email)
    # The wrong answer reaches verify, then define, then create's retry round, which reads.
    return lambda: flow.cognito.respond(asked, "000000")


@pytest.mark.parametrize(("operation", "when"), ASKING)
@pytest.mark.parametrize("error", [THROTTLED, ConnectTimeoutError(endpoint_url="https://dynamodb")])
def test_storage_faults_while_asking_fail_cleanly(
    aws: Settings, hasher: KeyedHasher, operation: str, when: str, error: Exception
) -> None:
    store, armed = faulty_store(aws, operation, error)
    flow = build_flow(aws, store, hasher)
    asking = ask(flow, when)
    sent_before = len(flow.sender.sent)
    armed[0] = True
    with pytest.raises(SignInUnavailable) as caught:
        asking()
    assert str(caught.value) == GENERIC
    assert caught.value.__cause__ is None
    assert len(flow.sender.sent) == sent_before, "no email for a secret that may not be stored"


@pytest.mark.parametrize("error", [THROTTLED, ConnectTimeoutError(endpoint_url="https://dynamodb")])
def test_storage_faults_while_answering_never_yield_tokens(
    aws: Settings, hasher: KeyedHasher, error: Exception
) -> None:
    store, armed = faulty_store(aws, "UpdateItem", error)
    flow = build_flow(aws, store, hasher)
    asked = flow.cognito.initiate_auth(JANE.email)
    armed[0] = True
    for answer in (flow.code(), flow.token(), "000000"):
        with pytest.raises(SignInUnavailable):
            flow.cognito.respond(copy.deepcopy(asked), answer)
    # Once storage recovers, the secret is still unspent and works
    armed[0] = False
    assert flow.cognito.respond(asked, flow.code()).kind == "tokens"


def test_a_provider_failure_fails_the_call_and_cognitos_retry_sends_once(flow: Flow) -> None:
    flow.sender.fail_times = 1
    with pytest.raises(SignInUnavailable):
        flow.cognito.initiate_auth(JOHN.email)
    assert flow.sender.sent == []
    # Cognito retries the same create event: a fresh secret goes out, exactly once
    create_event = [e for name, e in flow.cognito.events if name == "create"][-1]
    retried = flow.cognito.invoke("create", copy.deepcopy(create_event))
    assert len(flow.sender.sent) == 1
    # And a third attempt (a replay after success) sends nothing more, answering with the same secret
    replayed = flow.cognito.invoke("create", copy.deepcopy(create_event))
    assert len(flow.sender.sent) == 1
    for part in ("publicChallengeParameters", "privateChallengeParameters"):
        assert replayed["response"][part] == retried["response"][part]
    fresh = flow.cognito.initiate_auth(JOHN.email)
    assert flow.cognito.respond(fresh, flow.code()).kind == "tokens"


@pytest.mark.timing  # compares a wall time with Cognito's budget
def test_a_stalled_provider_fails_inside_the_budget_then_the_retry_delivers_once(
    aws: Settings, store: SecretStore, hasher: KeyedHasher, sendgrid_sink: SendGridSink
) -> None:
    # The official SendGrid client against a local sink that stalls 4 s, longer than the 3 s timeout
    sender = SendGridSender(
        "SG.test-key",
        aws.email_from,
        from_name="",
        template_id="",
        api_host=sendgrid_sink.url,
        timeout_seconds=aws.email_timeout_seconds,
    )
    flow = build_flow(aws, store, hasher, delivery=sender)
    sendgrid_sink.stall(4.0)
    started = time.monotonic()
    with pytest.raises(SignInUnavailable):
        flow.cognito.initiate_auth(JOHN.email)
    elapsed = time.monotonic() - started
    # A functional bound, not a benchmark: Cognito gives a trigger 5 s in all.
    assert elapsed < 5.0
    assert sendgrid_sink.messages == []
    sendgrid_sink.healthy()
    create_event = [e for name, e in flow.cognito.events if name == "create"][-1]
    flow.cognito.invoke("create", copy.deepcopy(create_event))
    flow.cognito.invoke("create", copy.deepcopy(create_event))
    assert len(sendgrid_sink.messages) == 1


def test_an_unreadable_hmac_key_fails_create_and_verify_cleanly(deployed: Deployed) -> None:
    boto3.client("secretsmanager", region_name="us-east-1").delete_secret(
        SecretId="passwordless-local-hmac-key", ForceDeleteWithoutRecovery=True
    )
    with pytest.raises(SignInUnavailable):
        deployed.cognito.initiate_auth(JANE.email)
    assert deployed.mail() == []
    verify = json.loads((ROOT / "events" / "verify_right_code.json").read_text())
    with pytest.raises(SignInUnavailable):
        deployed.invoke("verify", verify)
    assert deployed.errors == [f"SignInUnavailable: {GENERIC}"] * 2
