"""The pending email change: its own item in the sign-in table, pk "<pool>#<username>#email-change".

It holds keyed digests of the new address and of the code (never either in plain), the expiry, the
wrong-answer count and when the last wrong answer came, and a send log `request_times_ms` (newest
first, never longer than the hourly cap) that outlives each change. Every state change is ONE
conditional write and bumps `version`, so a request, which reads first, writes only if nothing
changed since its read: two requests or two answers racing each other cannot both win.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from passwordless.dynamodb_values import (
    conditional_update,
    number_value,
    read_item,
    string_value,
)
from passwordless.secret_store import HOUR_MS, HOUSEKEEPING_SECONDS

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

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
    failed_ms: int = 0
    """When the last wrong code came (0: none counted)."""
    request_times_ms: tuple[int, ...] = ()
    """The send log, newest first."""
    version: int = 0
    """0 for a change not yet stored."""
    key_version: str = ""
    """The version of the key its digests were made under ("": written before versions were recorded)."""

    def __repr__(self) -> str:
        return f"PendingChange(change_id={self.change_id!r}, <digests redacted>)"


def change_key(user_pool_id: str, username: str) -> str:
    return f"{user_pool_id}#{username}#email-change"


class EmailChangeStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def load(self, key: str) -> PendingChange | None:
        item = read_item(self._db, self._table, key)
        return None if item is None or "change_id" not in item else _pending(item)

    def request(self, key: str, change: PendingChange, *, read: PendingChange | None) -> bool:
        """Replace the pending change (`read`, or no item) with `change`, which carries its own send
        log and failure count; False when the item changed since it was read."""
        if read is None:
            condition, expected = "attribute_not_exists(pk)", {}
        elif read.version == 0:  # written before versions: only a request can have written it since
            condition = "attribute_not_exists(version) AND requested_ms = :seen"
            expected = {":seen": number_value(read.requested_ms)}
        else:
            condition, expected = "version = :seen", {":seen": number_value(read.version)}
        # The item lives until the log's hour is over, whatever the code's lifetime.
        ttl_ms = max(change.expires_ms, change.requested_ms + HOUR_MS)
        return conditional_update(
            self._db,
            self._table,
            key,
            update=(
                "SET change_id = :cid, address_hash = :ah, code_hash = :ch, expires_ms = :exp,"
                " failures = :failures, failed_ms = :failed, requested_ms = :now,"
                " request_times_ms = :log, version = :version, #ttl = :ttl, key_version = :kv"
                " REMOVE consumed_ms"
            ),
            condition=condition,
            values={
                ":cid": string_value(change.change_id),
                ":ah": string_value(change.address_hash),
                ":ch": string_value(change.code_hash),
                ":kv": string_value(change.key_version),
                ":exp": number_value(change.expires_ms),
                ":failures": number_value(change.failures),
                ":failed": number_value(change.failed_ms),
                ":now": number_value(change.requested_ms),
                ":log": {"L": [number_value(sent) for sent in change.request_times_ms]},
                ":version": number_value(read.version + 1 if read else 1),
                ":ttl": number_value(ttl_ms // 1000 + HOUSEKEEPING_SECONDS),
                **expected,
            },
            names={"#ttl": "ttl"},
        )

    def void(self, key: str, change_id: str) -> bool:
        """The code never reached the person: it stops working, and the resend gap is lifted."""
        return conditional_update(
            self._db,
            self._table,
            key,
            update="SET expires_ms = :zero, requested_ms = :zero ADD version :one",
            condition="change_id = :cid",
            values={":cid": string_value(change_id), ":zero": number_value(0), ":one": number_value(1)},
        )

    def count_failure(self, key: str, change_id: str, now_ms: int, *, max_failures: int) -> bool:
        return conditional_update(
            self._db,
            self._table,
            key,
            update="SET failed_ms = :now ADD failures :one, version :one",
            condition=_USABLE,
            values={
                ":cid": string_value(change_id),
                ":now": number_value(now_ms),
                ":one": number_value(1),
                ":max": number_value(max_failures),
            },
        )

    def consume(self, key: str, change_id: str, now_ms: int, *, max_failures: int) -> bool:
        """Spend the change once: only while unspent, unexpired and under the failure cap."""
        return conditional_update(
            self._db,
            self._table,
            key,
            update="SET consumed_ms = :now ADD version :one",
            condition=_USABLE + " AND expires_ms > :now",
            values={
                ":cid": string_value(change_id),
                ":now": number_value(now_ms),
                ":max": number_value(max_failures),
                ":one": number_value(1),
            },
        )


def _pending(item: Mapping[str, Any]) -> PendingChange:
    return PendingChange(
        change_id=item["change_id"]["S"],
        address_hash=item["address_hash"]["S"],
        code_hash=item["code_hash"]["S"],
        expires_ms=int(item["expires_ms"]["N"]),
        failures=int(item.get("failures", {"N": "0"})["N"]),
        requested_ms=int(item.get("requested_ms", {"N": "0"})["N"]),
        consumed="consumed_ms" in item,
        failed_ms=int(item.get("failed_ms", {"N": "0"})["N"]),
        request_times_ms=tuple(int(sent["N"]) for sent in item.get("request_times_ms", {"L": []})["L"]),
        version=int(item.get("version", {"N": "0"})["N"]),
        key_version=item.get("key_version", {}).get("S", ""),
    )
