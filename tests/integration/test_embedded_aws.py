"""The embedded AWS the laptop and tests rely on: resources as the template makes them, and DynamoDB's
per-request atomicity, which moto alone does not give under threads."""

from __future__ import annotations

import threading

import boto3

from laptop.aws import LOCAL_HMAC_KEY
from passwordless.settings import Settings


def test_resources_exist_as_the_template_defines_them(aws: Settings) -> None:
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    table = dynamodb.describe_table(TableName=aws.table_name)["Table"]
    assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    ttl = dynamodb.describe_time_to_live(TableName=aws.table_name)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "ttl"
    secret = boto3.client("secretsmanager", region_name="us-east-1").get_secret_value(
        SecretId=aws.hmac_key_secret_id
    )
    assert secret["SecretString"] == LOCAL_HMAC_KEY


def race(table: str, key: dict[str, dict[str, str]], contenders: int) -> int:
    """How many of `contenders` simultaneous conditional updates of one item succeed."""
    barrier = threading.Barrier(contenders)
    winners: list[int] = []

    def contend(worker: int) -> None:
        own = boto3.client("dynamodb", region_name="us-east-1")
        barrier.wait()
        try:
            own.update_item(
                TableName=table,
                Key=key,
                UpdateExpression="SET done = :t ADD n :one",
                ConditionExpression="attribute_not_exists(done)",
                ExpressionAttributeValues={":t": {"BOOL": True}, ":one": {"N": "1"}},
            )
            winners.append(worker)
        except own.exceptions.ConditionalCheckFailedException:
            pass

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(winners)


def test_concurrent_conditional_writes_apply_exactly_once(aws: Settings) -> None:
    client = boto3.client("dynamodb", region_name="us-east-1")
    for round_number in range(5):
        key = {"pk": {"S": f"race-{round_number}"}}
        client.put_item(TableName=aws.table_name, Item={**key, "n": {"N": "0"}})
        assert race(aws.table_name, key, 40) == 1
        assert client.get_item(TableName=aws.table_name, Key=key)["Item"]["n"] == {"N": "1"}
