"""The pending email change: its own item in the sign-in table, pk "<pool>#<username>#email-change".

It holds keyed digests of the new address and of the code (never either in plain), the expiry, the
wrong-answer count, and when it was asked for. Every state change is ONE conditional write, so two
requests or two answers racing each other cannot both win.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from passwordless.errors import StorageUnavailable
from passwordless.secret_store import HOUSEKEEPING_SECONDS

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

_CONDITION_FAILED = "ConditionalCheckFailedException"
_USABLE = "change_id = :cid AND attribute_not_exists(consumed_ms) AND failures < :max"


@dataclass(frozen=True)
class PendingChange:
    change_id: str
    address_hash: str
    code_hash: str
    expires_ms: int
    failures: int
    requested_ms: int
    consumed: bool

    def __repr__(self) -> str:
        return f"PendingChange(change_id={self.change_id!r}, <digests redacted>)"


def change_key(user_pool_id: str, username: str) -> str:
    return f"{user_pool_id}#{username}#email-change"


class EmailChangeStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def load(self, key: str) -> PendingChange | None:
        try:
            response = self._db.get_item(TableName=self._table, Key=_pk(key), ConsistentRead=True)
        except (ClientError, BotoCoreError) as error:
            raise StorageUnavailable(_error_name(error)) from None
        item = response.get("Item")
        return None if item is None or "change_id" not in item else _pending(item)

    def request(self, key: str, change: PendingChange, *, not_after_ms: int) -> bool:
        """Replace any pending change with `change`, unless the last request was later than
        `not_after_ms` (the resend gap); False when refused."""
        return self._update(
            key,
            update=(
                "SET change_id = :cid, address_hash = :ah, code_hash = :ch, expires_ms = :exp,"
                " failures = :zero, requested_ms = :now, #ttl = :ttl REMOVE consumed_ms"
            ),
            condition="attribute_not_exists(pk) OR requested_ms <= :gap",
            values={
                ":cid": _s(change.change_id),
                ":ah": _s(change.address_hash),
                ":ch": _s(change.code_hash),
                ":exp": _n(change.expires_ms),
                ":zero": _n(0),
                ":now": _n(change.requested_ms),
                ":ttl": _n(change.expires_ms // 1000 + HOUSEKEEPING_SECONDS),
                ":gap": _n(not_after_ms),
            },
            names={"#ttl": "ttl"},
        )

    def void(self, key: str, change_id: str) -> bool:
        """The code never reached the person: it stops working, and the resend gap is lifted."""
        return self._update(
            key,
            update="SET expires_ms = :zero, requested_ms = :zero",
            condition="change_id = :cid",
            values={":cid": _s(change_id), ":zero": _n(0)},
        )

    def count_failure(self, key: str, change_id: str, *, max_failures: int) -> bool:
        return self._update(
            key,
            update="ADD failures :one",
            condition=_USABLE,
            values={":cid": _s(change_id), ":one": _n(1), ":max": _n(max_failures)},
        )

    def consume(self, key: str, change_id: str, now_ms: int, *, max_failures: int) -> bool:
        """Spend the change once: only while unspent, unexpired and under the failure cap."""
        return self._update(
            key,
            update="SET consumed_ms = :now",
            condition=_USABLE + " AND expires_ms > :now",
            values={":cid": _s(change_id), ":now": _n(now_ms), ":max": _n(max_failures)},
        )

    def _update(
        self,
        key: str,
        *,
        update: str,
        condition: str,
        values: dict[str, AttributeValueTypeDef],
        names: dict[str, str] | None = None,
    ) -> bool:
        extra: dict[str, Any] = {"ExpressionAttributeNames": names} if names else {}
        try:
            self._db.update_item(
                TableName=self._table,
                Key=_pk(key),
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
                **extra,
            )
        except ClientError as error:
            if _error_name(error) == _CONDITION_FAILED:
                return False
            raise StorageUnavailable(_error_name(error)) from None
        except BotoCoreError as error:
            raise StorageUnavailable(_error_name(error)) from None
        return True


def _pending(item: Mapping[str, Any]) -> PendingChange:
    return PendingChange(
        change_id=item["change_id"]["S"],
        address_hash=item["address_hash"]["S"],
        code_hash=item["code_hash"]["S"],
        expires_ms=int(item["expires_ms"]["N"]),
        failures=int(item.get("failures", {"N": "0"})["N"]),
        requested_ms=int(item.get("requested_ms", {"N": "0"})["N"]),
        consumed="consumed_ms" in item,
    )


def _pk(key: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": _s(key)}


def _s(value: str) -> AttributeValueTypeDef:
    return {"S": value}


def _n(value: int) -> AttributeValueTypeDef:
    return {"N": str(value)}


def _error_name(error: ClientError | BotoCoreError) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "ClientError"))
    return type(error).__name__
