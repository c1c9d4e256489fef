"""The few DynamoDB low-level shapes both stores use: the item key, attribute values, the one read,
and error names that are safe to pass on (a name, never the request or the item)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from passwordless.errors import StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

CONDITION_FAILED = "ConditionalCheckFailedException"


def item_key_value(key: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": string_value(key)}


def string_value(value: str) -> AttributeValueTypeDef:
    return {"S": value}


def number_value(value: int) -> AttributeValueTypeDef:
    return {"N": str(value)}


def number_list(values: tuple[int, ...]) -> AttributeValueTypeDef:
    return {"L": [number_value(value) for value in values]}


def error_name(error: ClientError | BotoCoreError) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "ClientError"))
    return type(error).__name__


def read_item(db: DynamoDBClient, table: str, key: str) -> Mapping[str, Any] | None:
    """The item under `key` (a strongly consistent read), or None; StorageUnavailable on failure."""
    try:
        response = db.get_item(TableName=table, Key=item_key_value(key), ConsistentRead=True)
    except (ClientError, BotoCoreError) as error:
        # Only the error's name travels on: never the request or the item.
        raise StorageUnavailable(error_name(error)) from None
    return response.get("Item")
