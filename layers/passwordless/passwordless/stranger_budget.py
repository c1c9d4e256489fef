"""Budgets on the mail anyone can cause to addresses that have not proven they want it.

Self sign-up, invitations, email change and the first sign-in email to an account whose address was
never verified all mail a stranger; an attacker who loops over them turns the stack into a spam cannon
that burns the sender's reputation and bill. Two rolling-hour budgets stop that:

- per source (the caller's IP address; an IPv6 caller by its /64, which one subscriber usually holds
  whole), spent where the source is known: the account API's sign-up, invitations and email change;
- overall, spent by every email to an unproven address: create's first email to an unverified
  account, invitations and email change.

A person whose address is verified (who signed in by email once) never spends either, so an attack on
the budgets never locks them out.

Each budget is exact over any rolling hour, and counted without a read:

- per source, one item holds the times of the source's last N spends (a shift register, s0 newest).
  One conditional UpdateItem shifts them down and writes now into s0, if the N-th newest is outside
  the hour (or absent);
- overall, N is in the hundreds, more than one update expression can name. An atomic counter numbers
  each spend k; slot item k mod N holds the time of the last spend numbered into it, and one
  conditional write takes the slot if that time is outside the hour. N + 1 spends inside an hour would
  put two into one slot, and the later one's condition would have seen the earlier: so none can.

A counter that cannot be written fails closed (StorageUnavailable): no email goes out.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from botocore.exceptions import BotoCoreError, ClientError

from passwordless.dynamodb_values import conditional_update, error_name, item_key_value, number_value
from passwordless.errors import StorageUnavailable
from passwordless.settings import MAX_STRANGER_EMAILS, MAX_STRANGER_EMAILS_PER_SOURCE

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

HOUR_MS = 3_600_000
_KEEP_SECONDS = 2 * 3600  # an item untouched for longer than the hour holds nothing that counts
_UNKNOWN_SOURCE = "unknown"
_TTL = {"#ttl": "ttl"}

Scope = Literal["source", "overall"]


def source_of(address: str) -> str:
    """The budget a caller's address spends: an IPv4 address itself, an IPv6 address its /64.
    Anything unparseable shares one budget, so a missing address buys no extra mail."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return _UNKNOWN_SOURCE
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


class StrangerBudget:
    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        per_source: int,
        overall: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not 1 <= per_source <= MAX_STRANGER_EMAILS_PER_SOURCE or not 1 <= overall <= MAX_STRANGER_EMAILS:
            raise ValueError("a stranger email budget is out of range")
        self._db = client
        self._table = table_name
        self._per_source = per_source
        self._overall = overall
        self._clock = clock
        self._shift = _shift_register_update(per_source)

    def spend_for_source(self, address: str) -> bool:
        """True if the caller at `address` may cause one more email to a stranger this hour."""
        now_ms = self._now_ms()
        last = f"s{self._per_source - 1}"
        return self._conditional(
            f"budget#source#{source_of(address)}",
            update=self._shift,
            condition=f"attribute_not_exists({last}) OR {last} <= :edge",
            # DynamoDB refuses a value the expressions do not use: a register of one shifts nothing.
            values=self._times(now_ms) | ({":zero": number_value(0)} if self._per_source > 1 else {}),
        )

    def spend_overall(self) -> bool:
        """True if one more email to a stranger fits the stack's hourly budget."""
        now_ms = self._now_ms()
        number = self._next_number(now_ms)
        return self._conditional(
            f"budget#overall#{number % self._overall}",
            update="SET t = :now, #ttl = :ttl",
            condition="attribute_not_exists(t) OR t <= :edge",
            values=self._times(now_ms),
        )

    def _next_number(self, now_ms: int) -> int:
        try:
            answer = self._db.update_item(
                TableName=self._table,
                Key=item_key_value("budget#overall"),
                UpdateExpression="ADD spends :one",
                ExpressionAttributeValues={":one": number_value(1)},
                ReturnValues="UPDATED_NEW",
            )
            return int(answer["Attributes"]["spends"]["N"])
        except (ClientError, BotoCoreError) as error:
            raise StorageUnavailable(error_name(error)) from None
        except (KeyError, TypeError, ValueError):
            raise StorageUnavailable("UnexpectedAnswer") from None

    def _conditional(
        self, key: str, *, update: str, condition: str, values: dict[str, AttributeValueTypeDef]
    ) -> bool:
        return conditional_update(
            self._db, self._table, key, update=update, condition=condition, values=values, names=_TTL
        )

    def _times(self, now_ms: int) -> dict[str, AttributeValueTypeDef]:
        return {
            ":now": number_value(now_ms),
            ":edge": number_value(now_ms - HOUR_MS),
            ":ttl": number_value(now_ms // 1000 + _KEEP_SECONDS),
        }

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)


def _shift_register_update(length: int) -> str:
    # Highest slot first, so the shift is right whether DynamoDB reads the old item for every
    # right-hand side or applies the assignments in order.
    shifts = [f"s{i} = if_not_exists(s{i - 1}, :zero)" for i in range(length - 1, 0, -1)]
    return "SET " + ", ".join([*shifts, "s0 = :now", "#ttl = :ttl"])
