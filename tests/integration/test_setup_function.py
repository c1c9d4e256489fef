"""The setup function as CloudFormation meets it (functions/attach_triggers): Create, Update and
Delete requests against an existing pool in moto, each answered at its ResponseURL with SUCCESS or
FAILED and a reason, retries harmless, and the ResponseURL (a credential) never in a log."""

from __future__ import annotations

import contextlib
import io
import json
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from laptop.aws import REGION
from laptop.cloudformation import ResponseSink, custom_resource_event
from laptop.existing_pool import (
    OUR_FUNCTION,
    OUR_TRIGGERS,
    THEIR_SIGN_UP_TRIGGER,
    THEIR_TOKEN_TRIGGER,
    create_existing_pool,
)
from laptop.handlers import Handler, load_handler
from laptop.invoke import LambdaContextStandIn
from passwordless.custom_resource import TIMED_OUT, UNEXPECTED, Request, serve
from passwordless.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

ARN = OUR_FUNCTION
TRIGGERS = OUR_TRIGGERS


class Setup:
    """The loaded function, where its answers go, and what it logged."""

    def __init__(self, handler: Handler, sink: ResponseSink, logs: io.StringIO) -> None:
        self.handler = handler
        self.sink = sink
        self.logs = logs

    def request(self, request_type: str, properties: dict[str, Any], **more: Any) -> dict[str, Any]:
        """Sends one request; the answer CloudFormation got."""
        event = custom_resource_event(request_type, properties, response_url=self.sink.url, **more)
        answered = len(self.sink.answers)
        with contextlib.redirect_stdout(self.logs):
            self.handler(event, LambdaContextStandIn.for_function("attach_triggers"))
        return self.sink.wait_for(answered + 1)[-1]


@pytest.fixture
def cognito(aws: Settings) -> CognitoIdentityProviderClient:
    return boto3.client("cognito-idp", region_name=REGION)


@pytest.fixture
def setup(aws: Settings) -> Iterator[Setup]:
    logs = io.StringIO()
    with contextlib.redirect_stdout(logs):
        handler = load_handler("attach_triggers")
    with ResponseSink() as sink:
        yield Setup(handler, sink, logs)


def properties(pool_id: str, replace: str = "false", **triggers: str) -> dict[str, Any]:
    return {"UserPoolId": pool_id, "Triggers": triggers or TRIGGERS, "ReplaceExistingTriggers": replace}


def lambda_config(cognito: CognitoIdentityProviderClient, pool_id: str) -> dict[str, Any]:
    return dict(cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["LambdaConfig"])


def test_create_attaches_and_answers_success_with_a_name_for_the_pool(
    setup: Setup, cognito: CognitoIdentityProviderClient
) -> None:
    pool_id = create_existing_pool(cognito)
    answer = setup.request("Create", properties(pool_id))
    assert answer["Status"] == "SUCCESS"
    assert answer["PhysicalResourceId"].startswith(f"{pool_id}:")
    assert answer["LogicalResourceId"] == "TriggerAttachment"
    assert lambda_config(cognito, pool_id).items() >= TRIGGERS.items()


def test_a_taken_slot_fails_the_create_by_name_and_the_delete_after_it_changes_nothing(
    setup: Setup, cognito: CognitoIdentityProviderClient
) -> None:
    pool_id = create_existing_pool(cognito, LambdaConfig={"PreSignUp": THEIR_SIGN_UP_TRIGGER})
    failed = setup.request("Create", properties(pool_id))
    assert failed["Status"] == "FAILED"
    assert "PreSignUp" in failed["Reason"]
    assert THEIR_SIGN_UP_TRIGGER in failed["Reason"]
    assert lambda_config(cognito, pool_id) == {"PreSignUp": THEIR_SIGN_UP_TRIGGER}
    # CloudFormation then deletes the resource that failed to create
    deleted = setup.request("Delete", properties(pool_id), physical_id=failed["PhysicalResourceId"])
    assert deleted["Status"] == "SUCCESS"
    assert lambda_config(cognito, pool_id) == {"PreSignUp": THEIR_SIGN_UP_TRIGGER}


def test_replacing_and_deleting_give_their_trigger_back(
    setup: Setup, cognito: CognitoIdentityProviderClient
) -> None:
    pool_id = create_existing_pool(cognito, LambdaConfig={"PreSignUp": THEIR_SIGN_UP_TRIGGER})
    created = setup.request("Create", properties(pool_id, replace="true"))
    assert created["Status"] == "SUCCESS"
    assert lambda_config(cognito, pool_id)["PreSignUp"] == TRIGGERS["PreSignUp"]
    deleted = setup.request(
        "Delete", properties(pool_id, replace="true"), physical_id=created["PhysicalResourceId"]
    )
    assert deleted["Status"] == "SUCCESS"
    assert lambda_config(cognito, pool_id) == {"PreSignUp": THEIR_SIGN_UP_TRIGGER}


def test_a_retried_create_answers_the_same_and_changes_nothing_more(
    setup: Setup, cognito: CognitoIdentityProviderClient
) -> None:
    pool_id = create_existing_pool(cognito)
    first = setup.request("Create", properties(pool_id))
    after_first = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    second = setup.request("Create", properties(pool_id))
    assert second["Status"] == "SUCCESS"
    assert second["PhysicalResourceId"] == first["PhysicalResourceId"]
    # No write at all the second time: the pool's modification time stands
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"] == after_first


def test_an_update_to_another_pool_is_a_new_resource(
    setup: Setup, cognito: CognitoIdentityProviderClient
) -> None:
    first_pool, second_pool = create_existing_pool(cognito), create_existing_pool(cognito, PoolName="second")
    created = setup.request("Create", properties(first_pool))
    moved = setup.request(
        "Update",
        properties(second_pool),
        physical_id=created["PhysicalResourceId"],
        old_properties=properties(first_pool),
    )
    assert moved["Status"] == "SUCCESS"
    assert moved["PhysicalResourceId"].startswith(f"{second_pool}:")
    # CloudFormation deletes the old resource next, with its old properties
    setup.request("Delete", properties(first_pool), physical_id=created["PhysicalResourceId"])
    assert "DefineAuthChallenge" not in lambda_config(cognito, first_pool)
    assert lambda_config(cognito, second_pool).items() >= TRIGGERS.items()


def test_an_update_in_place_follows_the_new_functions(
    setup: Setup, cognito: CognitoIdentityProviderClient
) -> None:
    pool_id = create_existing_pool(cognito)
    created = setup.request("Create", properties(pool_id))
    newer = {**TRIGGERS, "DefineAuthChallenge": ARN.format("define-v2")}
    updated = setup.request(
        "Update",
        properties(pool_id, **newer),
        physical_id=created["PhysicalResourceId"],
        old_properties=properties(pool_id),
    )
    assert updated["PhysicalResourceId"] == created["PhysicalResourceId"]
    assert lambda_config(cognito, pool_id)["DefineAuthChallenge"] == ARN.format("define-v2")


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"UserPoolId": "not a pool"}, "UserPoolId must be a user pool id"),
        ({"Triggers": {"DefineAuthChallenge": "arn:aws:iam::123456789012:role/x"}}, "Lambda function ARNs"),
        ({"Triggers": {"PreTokenGeneration": ARN.format("x")}}, "not a trigger this product sets"),
        ({"ReplaceExistingTriggers": "yes"}, "ReplaceExistingTriggers must be true or false"),
    ],
)
def test_malformed_properties_fail_with_a_reason_and_change_nothing(
    setup: Setup, cognito: CognitoIdentityProviderClient, bad: dict[str, Any], reason: str
) -> None:
    pool_id = create_existing_pool(cognito)
    answer = setup.request("Create", {**properties(pool_id), **bad})
    assert answer["Status"] == "FAILED"
    assert reason in answer["Reason"]
    assert lambda_config(cognito, pool_id) == {"PreTokenGeneration": THEIR_TOKEN_TRIGGER}
    # And the Delete that follows succeeds without touching the pool
    deleted = setup.request(
        "Delete", {**properties(pool_id), **bad}, physical_id=answer["PhysicalResourceId"]
    )
    assert deleted["Status"] == "SUCCESS"


def test_a_storage_failure_fails_with_the_generic_reason_and_no_detail(
    setup: Setup, cognito: CognitoIdentityProviderClient, aws: Settings
) -> None:
    pool_id = create_existing_pool(cognito)
    boto3.client("dynamodb", region_name=REGION).delete_table(TableName=aws.table_name)
    answer = setup.request("Create", properties(pool_id))
    assert (answer["Status"], answer["Reason"]) == ("FAILED", UNEXPECTED)
    assert "DefineAuthChallenge" not in lambda_config(cognito, pool_id)


def test_the_response_url_never_reaches_the_log(setup: Setup, cognito: CognitoIdentityProviderClient) -> None:
    pool_id = create_existing_pool(cognito, LambdaConfig={"PreSignUp": THEIR_SIGN_UP_TRIGGER})
    setup.request("Create", properties(pool_id))
    setup.request("Create", {**properties(pool_id), "UserPoolId": "bad"})
    logged = setup.logs.getvalue()
    assert "custom resource" in logged
    assert "X-Amz-Signature" not in logged
    assert setup.sink.url not in logged


def test_an_event_that_is_no_request_is_refused_quietly(setup: Setup) -> None:
    # No ResponseURL to answer: nothing is sent, nothing raised
    for event in ({}, {"RequestType": "Create"}, {"RequestType": "Drop", "ResponseURL": setup.sink.url}):
        setup.handler(event, LambdaContextStandIn.for_function("attach_triggers"))  # type: ignore[arg-type]
    assert setup.sink.answers == []


class _Context:
    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def test_work_that_would_outlast_the_function_is_answered_failed_in_time() -> None:
    # Given work that hangs, and a function with 3.2 s left (the answer goes 3 s before the end)
    release = threading.Event()
    logs: list[str] = []
    logger = _ListLogger(logs)
    with ResponseSink() as sink:
        event = custom_resource_event("Create", {"UserPoolId": "us-east-1_x"}, response_url=sink.url)

        def hang(_: Request) -> str:
            release.wait(10)
            return "late"

        worker = threading.Thread(
            target=serve,
            args=(event, _Context(3_200), hang, logger),
            kwargs={"physical_id_of": lambda _: "pool"},
        )
        worker.start()
        [answer] = sink.wait_for(1, timeout=5)
        release.set()
        worker.join(5)
        # Then CloudFormation heard FAILED in time, and the late success was not sent after it
        assert answer["Status"] == "FAILED"
        assert answer["Reason"] == TIMED_OUT
        assert answer["PhysicalResourceId"] == "pool"
        assert len(sink.answers) == 1


class _ListLogger:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def info(self, message: str, **_: Any) -> None:
        self.lines.append(message)

    warning = error = exception = info


def test_answers_are_json_with_every_field_cloudformation_reads() -> None:
    with ResponseSink() as sink:
        event = custom_resource_event("Delete", {}, response_url=sink.url, physical_id="p")
        serve(event, _Context(60_000), lambda _: "p", _ListLogger([]), physical_id_of=lambda _: "p")  # type: ignore[arg-type]
        [answer] = sink.wait_for(1)
    assert set(answer) == {
        "Status",
        "Reason",
        "PhysicalResourceId",
        "StackId",
        "RequestId",
        "LogicalResourceId",
    }
    assert answer["RequestId"] == event["RequestId"]
    assert json.dumps(answer)
