"""bench.aws_meter counts the requests a wrapped handler sends to embedded moto, and only those."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import boto3
from moto.core.botocore_stubber import BotocoreStubber

from bench.aws_meter import AwsMeter, request_name
from laptop.aws import REGION, embedded_aws, local_environment


def test_counts_the_wrapped_handlers_requests_and_nothing_else(tmp_path: Path) -> None:
    with embedded_aws(local_environment(tmp_path)) as settings:
        underneath = BotocoreStubber.process_request
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        key = {"pk": {"S": "user#1"}}

        def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
            dynamodb.put_item(TableName=settings.table_name, Item={**key, "n": {"N": "1"}})
            dynamodb.get_item(TableName=settings.table_name, Key=key, ConsistentRead=True)
            return {"response": {"seen": event["n"]}}

        meter = AwsMeter()
        with meter.installed():
            returned = meter.wrap("create_auth_challenge", handler)({"n": 7}, None)
            # Not inside a wrapped handler: the stack's own calls are not the triggers'.
            dynamodb.get_item(TableName=settings.table_name, Key=key)
        assert BotocoreStubber.process_request is underneath
        stored = dynamodb.get_item(TableName=settings.table_name, Key=key)["Item"]

    assert returned == {"response": {"seen": 7}}
    assert stored["n"] == {"N": "1"}
    [call] = meter.take()
    assert call.function == "create_auth_challenge"
    assert call.requests == Counter({("dynamodb", "PutItem"): 1, ("dynamodb", "GetItem"): 1})
    assert call.returned == returned
    assert call.cpu_seconds >= 0
    assert meter.take() == []


def test_names_json_and_rest_requests() -> None:
    assert request_name(
        "https://dynamodb.us-east-1.amazonaws.com/", {"X-Amz-Target": b"DynamoDB_20120810.UpdateItem"}
    ) == ("dynamodb", "UpdateItem")
    assert request_name("https://email.us-east-1.amazonaws.com/v2/email/outbound-emails", {}) == (
        "email",
        "SendEmail",
    )
