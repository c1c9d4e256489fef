"""A user's passkeys: one item per user, pk "passkeys#<pool>#<username>", one attribute per credential.

Each credential is an attribute "c_<credential id, base64url>" holding a map (public key, sign count,
transports, AAGUID, created, last used, the name the person gave it), and `count` says how many there
are, so adding checks the cap and the absence of that id in ONE conditional write. A sign-in moves the
sign count on with one write whose condition is the count it verified against: of two sign-ins with
one assertion, or a clone racing its original, one wins.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from passwordless.dynamodb_values import (
    conditional_delete,
    conditional_update,
    number_value,
    read_item,
    string_value,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

MAX_PASSKEYS = 20
MAX_NAME_LENGTH = 64
_ATTRIBUTE = "c_"


class Passkey(NamedTuple):
    credential_id: str
    """base64url, unpadded, as the browser's `id`."""
    public_key: bytes
    """The COSE key py_webauthn verified the registration with (public: no secret here)."""
    sign_count: int
    transports: tuple[str, ...]
    aaguid: str
    created_ms: int
    last_used_ms: int
    name: str
    backed_up: bool


def passkeys_key(user_pool_id: str, username: str) -> str:
    # A leading prefix: no username (an attached pool's may hold "#") can make another item's key.
    return f"passkeys#{user_pool_id}#{username}"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class PasskeyStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def load(self, user_pool_id: str, username: str) -> list[Passkey]:
        """The user's passkeys, oldest first ([] for a user with none, or no such user)."""
        item = read_item(self._db, self._table, passkeys_key(user_pool_id, username)) or {}
        found = [
            _passkey(name[len(_ATTRIBUTE) :], value)
            for name, value in item.items()
            if name.startswith(_ATTRIBUTE)
        ]
        return sorted((p for p in found if p is not None), key=lambda p: (p.created_ms, p.credential_id))

    def add(self, user_pool_id: str, username: str, passkey: Passkey) -> bool:
        """Store a new credential; False if the user already has it or has MAX_PASSKEYS."""
        return conditional_update(
            self._db,
            self._table,
            passkeys_key(user_pool_id, username),
            update="SET #c = :c ADD #n :one",
            condition="attribute_not_exists(#c) AND (attribute_not_exists(#n) OR #n < :max)",
            names={"#c": _ATTRIBUTE + passkey.credential_id, "#n": "count"},
            values={":c": _stored(passkey), ":one": number_value(1), ":max": number_value(MAX_PASSKEYS)},
        )

    def rename(self, user_pool_id: str, username: str, credential_id: str, name: str) -> bool:
        return conditional_update(
            self._db,
            self._table,
            passkeys_key(user_pool_id, username),
            update="SET #c.#name = :name",
            condition="attribute_exists(#c)",
            names={"#c": _ATTRIBUTE + credential_id, "#name": "name"},
            values={":name": string_value(name)},
        )

    def remove(self, user_pool_id: str, username: str, credential_id: str) -> bool:
        return conditional_update(
            self._db,
            self._table,
            passkeys_key(user_pool_id, username),
            update="REMOVE #c ADD #n :minus",
            condition="attribute_exists(#c)",
            names={"#c": _ATTRIBUTE + credential_id, "#n": "count"},
            values={":minus": number_value(-1)},
        )

    def remove_all(self, user_pool_id: str, username: str) -> int:
        """Delete every passkey of the user; how many there were."""
        held = self.load(user_pool_id, username)
        if held and not conditional_delete(
            self._db, self._table, passkeys_key(user_pool_id, username), condition="attribute_exists(pk)"
        ):
            return 0
        return len(held)

    def record_use(
        self,
        user_pool_id: str,
        username: str,
        credential_id: str,
        *,
        verified_count: int,
        new_count: int,
        backed_up: bool,
        now_ms: int,
    ) -> bool:
        """Move the sign count from the one the assertion was verified against (and keep the backup
        state the authenticator reports now); False if another sign-in moved it first or the
        credential is gone."""
        return conditional_update(
            self._db,
            self._table,
            passkeys_key(user_pool_id, username),
            update="SET #c.sign_count = :new, #c.used_ms = :now, #c.backed_up = :bu",
            condition="attribute_exists(#c) AND #c.sign_count = :old",
            names={"#c": _ATTRIBUTE + credential_id},
            values={
                ":new": number_value(new_count),
                ":old": number_value(verified_count),
                ":now": number_value(now_ms),
                ":bu": {"BOOL": backed_up},
            },
        )


def _stored(passkey: Passkey) -> AttributeValueTypeDef:
    fields: dict[str, AttributeValueTypeDef] = {
        "public_key": {"B": passkey.public_key},
        "sign_count": number_value(passkey.sign_count),
        "transports": {"L": [string_value(t) for t in passkey.transports]},
        "aaguid": string_value(passkey.aaguid),
        "created_ms": number_value(passkey.created_ms),
        "used_ms": number_value(passkey.last_used_ms),
        "name": string_value(passkey.name),
        "backed_up": {"BOOL": passkey.backed_up},
    }
    return {"M": fields}


def _passkey(credential_id: str, value: Mapping[str, Any]) -> Passkey | None:
    """The stored credential, or None for an attribute of another shape (never trusted blindly)."""
    fields = value.get("M")
    if not isinstance(fields, Mapping):
        return None
    try:
        return Passkey(
            credential_id=credential_id,
            public_key=bytes(fields["public_key"]["B"]),
            sign_count=int(fields["sign_count"]["N"]),
            transports=tuple(str(t["S"]) for t in fields["transports"]["L"]),
            aaguid=str(fields["aaguid"]["S"]),
            created_ms=int(fields["created_ms"]["N"]),
            last_used_ms=int(fields["used_ms"]["N"]),
            name=str(fields["name"]["S"]),
            backed_up=bool(fields["backed_up"]["BOOL"]),
        )
    except (KeyError, TypeError, ValueError):
        return None
