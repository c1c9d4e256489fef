"""The few DynamoDB low-level shapes both stores use: the item key, attribute values, the one read,
and error names that are safe to pass on (a name, never the request or the item)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


def conditional_update(
    db: DynamoDBClient,
    table: str,
    key: str,
    *,
    update: str,
    condition: str,
    values: dict[str, AttributeValueTypeDef],
    names: dict[str, str] | None = None,
) -> bool:
    """One conditional UpdateItem: True if written, False if its condition did not hold;
    StorageUnavailable on any other failure."""
    extra: dict[str, Any] = {"ExpressionAttributeNames": names} if names else {}
    return _conditionally(
        lambda: db.update_item(
            TableName=table,
            Key=item_key_value(key),
            UpdateExpression=update,
            ConditionExpression=condition,
            ExpressionAttributeValues=values,
            **extra,
        )
    )


def conditional_delete(
    db: DynamoDBClient,
    table: str,
    key: str,
    *,
    condition: str,
    values: dict[str, AttributeValueTypeDef] | None = None,
    names: dict[str, str] | None = None,
) -> bool:
    """One conditional DeleteItem: True if deleted, False if its condition did not hold;
    StorageUnavailable on any other failure."""
    extra: dict[str, Any] = {"ExpressionAttributeNames": names} if names else {}
    if values:
        extra["ExpressionAttributeValues"] = values
    return _conditionally(
        lambda: db.delete_item(
            TableName=table, Key=item_key_value(key), ConditionExpression=condition, **extra
        )
    )


def _conditionally(write: Callable[[], object]) -> bool:
    """Run one conditional write: True if it happened, False if its condition did not hold."""
    try:
        write()
    except ClientError as error:
        if error_name(error) == CONDITION_FAILED:
            return False
        raise StorageUnavailable(error_name(error)) from None
    except BotoCoreError as error:
        raise StorageUnavailable(error_name(error)) from None
    return True
