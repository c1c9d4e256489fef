"""DynamoDB access for the one item a user has: the live secret's hashes and the user's counters.

The hourly email cap is kept as a send log, `email_times_ms`: the times of the user's recent emails,
NEWEST FIRST (so a condition can read the newest as `email_times_ms[0]`), never more than the cap.

Every state change is ONE conditional write; nothing here reads and then writes on the strength of
the read alone. An issue write whose condition fails hands back the item as the condition saw it
(ReturnValuesOnConditionCheckFailure), so the caller needs no read to find out why. Times are integer
milliseconds since the epoch, except `ttl` (DynamoDB wants seconds).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, cast

from botocore.exceptions import BotoCoreError, ClientError

from passwordless.binding import Binding
from passwordless.dynamodb_values import (
    CONDITION_FAILED,
    error_name,
    item_key_value,
    number_list,
    number_value,
    read_item,
    string_value,
)
from passwordless.errors import ConcurrentChange, StorageUnavailable
from passwordless.rehearsal import rehearse

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, UpdateItemOutputTypeDef

HOUR_MS = 3_600_000
HOUSEKEEPING_SECONDS = 86_400  # items outlive their secret by a day so counters survive; TTL then tidies.


class StoredSecret(NamedTuple):
    secret_id: str
    client_id: str
    token_hash: str
    code_hash: str
    issued_ms: int
    expires_ms: int
    round_key: str
    sent: bool
    send_failed: bool
    consumed: bool
    key_version: str = ""
    """The version of the key its hashes were made under ("": written before versions were recorded)."""

    def is_live(self, now_ms: int) -> bool:
        return not self.consumed and now_ms < self.expires_ms


class UserRecord(NamedTuple):
    version: int
    secret: StoredSecret | None
    code_failures: int
    last_email_ms: int
    """The previous email, for the resend gap; 0 after a sign-in (which lifts the gap)."""
    email_times_ms: tuple[int, ...]
    """The send log, newest first."""


class EmailQuota(NamedTuple):
    """The throttle counters as they will be after this issue's email."""

    last_email_ms: int
    email_times_ms: tuple[int, ...]
    """The send log to store, newest first: this email and those still inside the hour."""


class IssueGuard(NamedTuple):
    """What a write-first issue assumes about the item it has not read: the facts under which the
    issuer's plan is ISSUE with these counters. The write happens only if DynamoDB finds them true."""

    now_ms: int
    resend_round_key: str | None
    """None in a first round. In a resend round, a live secret this client was sent in another round
    (key) may be replaced too; one from this very round (Cognito retrying) may not."""
    last_email_by_ms: int
    """The previous email must be at least the resend gap old: sent at or before this time."""
    hour_edge_ms: int
    """An email sent at or before this time (now minus an hour) no longer counts against the cap."""
    max_emails_per_hour: int


class ItemChanged(ConcurrentChange):
    """A versioned issue found another version; `record` is the item its condition saw (None: gone)."""

    def __init__(self, record: UserRecord | None) -> None:
        super().__init__("the item changed")
        self.record = record


def item_key(binding: Binding) -> str:
    return f"{binding.user_pool_id}#{binding.username}"


class SecretStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def rehearse(self) -> bool:
        """Rehearse, at init, the conditional UpdateItem every round starts with (passwordless.rehearsal)."""
        return rehearse(
            self._db,
            "UpdateItem",
            TableName=self._table,
            Key=item_key_value("-"),
            UpdateExpression="SET version = :ver",
            ConditionExpression="attribute_not_exists(version)",
            ExpressionAttributeValues={":ver": number_value(0)},
            ReturnValues="NONE",
        )

    def load(self, key: str) -> UserRecord | None:
        item = read_item(self._db, self._table, key)
        return None if item is None else _record(item)

    def issue(
        self,
        key: str,
        secret: StoredSecret,
        *,
        expected_version: int | None,
        quota: EmailQuota | None,
    ) -> None:
        """Replace whatever secret the user had; `quota` is None when the replaced one was never sent.

        Raises ItemChanged, holding the item as it is now, when its version is not `expected_version`.
        """
        values = _secret_values(secret)
        values[":ver"] = number_value((expected_version or 0) + 1)
        assignments = _NEW_FIELDS + ", version = :ver"
        removals = "consumed_ms"
        if quota is not None:
            assignments += ", last_email_ms = :lem, email_times_ms = :log"
            values |= {":lem": number_value(quota.last_email_ms), ":log": number_list(quota.email_times_ms)}
        if expected_version is None:
            condition = "attribute_not_exists(pk)"
        else:
            condition = "version = :expected"
            values[":expected"] = number_value(expected_version)
        refused = self._write_secret(
            key, update=f"SET {assignments} REMOVE {removals}", condition=condition, values=values
        )
        if refused is not None:
            raise ItemChanged(refused.record)

    def issue_unread(self, key: str, secret: StoredSecret, guard: IssueGuard) -> Refused | None:
        """Store `secret` without reading first, if the item is as `guard` assumes; None when written,
        else Refused with the item as the condition saw it."""
        values = _secret_values(secret) | {
            ":one": number_value(1),
            ":now": number_value(guard.now_ms),
            ":gap": number_value(guard.last_email_by_ms),
            ":log": number_list((guard.now_ms,)),
        }
        # No live secret for this client: none, spent, expired, or another client's (which it voids).
        replaceable = (
            "attribute_not_exists(secret_id) OR attribute_exists(consumed_ms) OR expires_ms <= :now"
            " OR client_id <> :cid"
        )
        condition = "(attribute_not_exists(last_email_ms) OR last_email_ms <= :gap)"
        if guard.resend_round_key is None:
            # First round: no email inside the hour (the newest is outside), so the log starts again.
            condition += " AND (attribute_not_exists(email_times_ms) OR email_times_ms[0] <= :edge)"
            assignments = _NEW_FIELDS + ", last_email_ms = :now, email_times_ms = :log"
            values[":edge"] = number_value(guard.hour_edge_ms)
        else:
            # A resend also replaces a delivered secret from an earlier round of the session.
            replaceable += " OR (sent = :true AND round_key <> :resend)"
            values |= {":true": {"BOOL": True}, ":resend": string_value(guard.resend_round_key)}
            # Resend: the log (never longer than the cap) has room, so the hour has too. Entries gone
            # stale stay, which only makes this stricter; the plan's write prunes them. The newest
            # must not be later than now (another instance's clock), so the log stays newest first.
            condition += (
                " AND attribute_exists(email_times_ms) AND size(email_times_ms) < :max"
                " AND email_times_ms[0] <= :now"
            )
            assignments = _NEW_FIELDS + ", last_email_ms = :now"
            assignments += ", email_times_ms = list_append(:log, email_times_ms)"
            values[":max"] = number_value(guard.max_emails_per_hour)
        condition = f"({replaceable}) AND {condition}"
        return self._write_secret(
            key,
            update=f"SET {assignments} ADD version :one REMOVE consumed_ms",
            condition=condition,
            values=values,
        )

    def _write_secret(
        self, key: str, *, update: str, condition: str, values: dict[str, AttributeValueTypeDef]
    ) -> Refused | None:
        """Both issue paths' write: _NEW_FIELDS names #ttl, and a refusal brings back the item."""
        written = self._update(
            key, update=update, condition=condition, values=values, names={"#ttl": "ttl"}, old_on_failure=True
        )
        return written if isinstance(written, Refused) else None

    def mark_sent(self, key: str, secret_id: str) -> None:
        self._set_flag(key, secret_id, "sent")

    def mark_send_failed(self, key: str, secret_id: str) -> None:
        self._set_flag(key, secret_id, "send_failed")

    def consume(self, key: str, secret_id: str, now_ms: int, *, max_code_failures: int | None) -> bool:
        """Spend the secret once. With `max_code_failures`, only while code entry is not locked."""
        condition = "secret_id = :sid AND attribute_not_exists(consumed_ms) AND expires_ms > :now"
        values: dict[str, AttributeValueTypeDef] = {
            ":sid": string_value(secret_id),
            ":now": number_value(now_ms),
            ":zero": number_value(0),
        }
        if max_code_failures is not None:
            condition += " AND (attribute_not_exists(code_failures) OR code_failures < :max)"
            values[":max"] = number_value(max_code_failures)
        # Signing in proves the mailbox, so the next email need not wait out the resend gap (the
        # hourly cap still holds), and the wrong-answer count starts again.
        spent = self._update(
            key,
            update="SET consumed_ms = :now, code_failures = :zero, last_email_ms = :zero",
            condition=condition,
            values=values,
        )
        return not isinstance(spent, Refused)

    def record_failure(self, key: str) -> int | None:
        """Count one wrong answer atomically; None when the user has no item (nothing is created)."""
        response = self._update(
            key,
            update="ADD code_failures :one",
            condition="attribute_exists(pk)",
            values={":one": number_value(1)},
            return_values="UPDATED_NEW",
        )
        if isinstance(response, Refused):
            return None
        return int(response["Attributes"]["code_failures"]["N"])

    def _set_flag(self, key: str, secret_id: str, flag: str) -> None:
        # A newer secret may have replaced this one meanwhile; then there is nothing to mark.
        self._update(
            key,
            update=f"SET {flag} = :true",
            condition="secret_id = :sid",
            values={":sid": string_value(secret_id), ":true": {"BOOL": True}},
        )

    def _update(
        self,
        key: str,
        *,
        update: str,
        condition: str,
        values: dict[str, AttributeValueTypeDef],
        names: dict[str, str] | None = None,
        return_values: Literal["NONE", "UPDATED_NEW"] = "NONE",
        old_on_failure: bool = False,
    ) -> UpdateItemOutputTypeDef | Refused:
        """One conditional UpdateItem; Refused when its condition does not hold (with the item as
        the condition saw it, if `old_on_failure`)."""
        extra: dict[str, Any] = {"ExpressionAttributeNames": names} if names else {}
        if old_on_failure:
            extra["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        try:
            return self._db.update_item(
                TableName=self._table,
                Key=item_key_value(key),
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
                ReturnValues=return_values,
                **extra,
            )
        except ClientError as error:
            if error_name(error) == CONDITION_FAILED:
                # Present when ALL_OLD was asked for and the item exists (botocore's types omit it).
                item = cast("Mapping[str, Any] | None", error.response.get("Item"))
                return Refused(None if item is None else _record(item))
            raise StorageUnavailable(error_name(error)) from None
        except BotoCoreError as error:
            raise StorageUnavailable(error_name(error)) from None


class Refused(NamedTuple):
    """A conditional write that did not happen, and the item its condition saw (None: no item)."""

    record: UserRecord | None


_NEW_FIELDS = (
    "secret_id = :sid, client_id = :cid, token_hash = :th, code_hash = :ch, issued_ms = :iss, "
    "expires_ms = :exp, round_key = :rk, sent = :false, send_failed = :false, #ttl = :ttl, key_version = :kv"
)


def _secret_values(secret: StoredSecret) -> dict[str, AttributeValueTypeDef]:
    return {
        ":sid": string_value(secret.secret_id),
        ":cid": string_value(secret.client_id),
        ":th": string_value(secret.token_hash),
        ":ch": string_value(secret.code_hash),
        ":iss": number_value(secret.issued_ms),
        ":exp": number_value(secret.expires_ms),
        ":rk": string_value(secret.round_key),
        ":kv": string_value(secret.key_version),
        ":false": {"BOOL": False},
        ":ttl": number_value(secret.expires_ms // 1000 + HOUSEKEEPING_SECONDS),
    }


def _record(item: Mapping[str, Any]) -> UserRecord:
    secret = None
    if "secret_id" in item:
        secret = StoredSecret(
            secret_id=item["secret_id"]["S"],
            client_id=item["client_id"]["S"],
            token_hash=item["token_hash"]["S"],
            code_hash=item["code_hash"]["S"],
            issued_ms=int(item["issued_ms"]["N"]),
            expires_ms=int(item["expires_ms"]["N"]),
            round_key=item["round_key"]["S"],
            sent=item.get("sent", {}).get("BOOL", False),
            send_failed=item.get("send_failed", {}).get("BOOL", False),
            consumed="consumed_ms" in item,
            key_version=item.get("key_version", {}).get("S", ""),
        )
    return UserRecord(
        version=_int(item, "version"),
        secret=secret,
        code_failures=_int(item, "code_failures"),
        last_email_ms=_int(item, "last_email_ms"),
        email_times_ms=tuple(int(entry["N"]) for entry in item.get("email_times_ms", {}).get("L", ())),
    )


def _int(item: Mapping[str, Any], name: str) -> int:
    return int(item[name]["N"]) if name in item else 0
