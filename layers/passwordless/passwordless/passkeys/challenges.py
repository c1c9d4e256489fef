"""WebAuthn challenges: 32 random bytes handed to the browser, kept only as their SHA-256.

One item per challenge, pk "passkey-challenge#<sha256 hex>", naming its purpose (a sign-in, or one
user's registration) and its expiry. Spending one is ONE conditional DeleteItem: it exists, has this
purpose (and owner), and has not expired. Two redemptions of one challenge cannot both win, and a
challenge that was never issued, or was issued for something else, spends nothing.

A plain hash suffices: a challenge is 256 random bits, so its digest cannot be reversed or guessed,
and the challenge itself is public once the browser has it.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from botocore.exceptions import BotoCoreError, ClientError

from passwordless.dynamodb_values import conditional_delete, error_name, number_value, string_value
from passwordless.errors import StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

Purpose = Literal["sign-in", "register"]
CHALLENGE_BYTES = 32
_PREFIX = "passkey-challenge#"


def challenge_key(challenge: bytes) -> str:
    return _PREFIX + hashlib.sha256(challenge).hexdigest()


class ChallengeStore:
    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        lifetime_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = client
        self._table = table_name
        self._lifetime_ms = lifetime_seconds * 1000
        self._clock = clock

    def issue(self, purpose: Purpose, owner: str = "") -> bytes:
        """A new challenge for `purpose`; `owner` ("<pool>#<username>") binds a registration's to its user."""
        challenge = secrets.token_bytes(CHALLENGE_BYTES)
        expires_ms = self._now_ms() + self._lifetime_ms
        item = {
            "pk": string_value(challenge_key(challenge)),
            "purpose": string_value(purpose),
            "owner": string_value(owner),
            "expires_ms": number_value(expires_ms),
            "ttl": number_value(expires_ms // 1000 + 60),
        }
        try:
            self._db.put_item(
                TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(pk)"
            )
        except (ClientError, BotoCoreError) as error:
            raise StorageUnavailable(error_name(error)) from None
        return challenge

    def spend(self, challenge: bytes, purpose: Purpose, owner: str = "") -> bool:
        """True once for a live challenge issued for `purpose` (and `owner`); False ever after."""
        if len(challenge) != CHALLENGE_BYTES:
            return False  # never one of ours: no request to make
        return conditional_delete(
            self._db,
            self._table,
            challenge_key(challenge),
            condition="attribute_exists(pk) AND purpose = :p AND #owner = :o AND expires_ms > :now",
            names={"#owner": "owner"},
            values={
                ":p": string_value(purpose),
                ":o": string_value(owner),
                ":now": number_value(self._now_ms()),
            },
        )

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)
