"""The pool's users and app clients, as the embedded Cognito (moto) holds them, read through its API."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from laptop.local_stack.errors import CognitoError

# Per process: stand-in names must not be computable from the login by anyone outside.
_STAND_IN_KEY = secrets.token_bytes(32)


@dataclass(frozen=True)
class PoolUser:
    username: str
    attributes: dict[str, str]
    enabled: bool
    status: str


class UserDirectory:
    def __init__(self, idp: Any) -> None:  # noqa: ANN401 - a boto3 cognito-idp client
        self._idp = idp

    def find(self, pool_id: str, login: str) -> PoolUser | None:
        """The user a sign-in name means: the username, or the email of a pool that signs in by email.

        Pools made from template.yaml match case-insensitively (UsernameConfiguration CaseSensitive
        false), so an address typed with capitals still finds its lower-case account.
        """
        for candidate in dict.fromkeys((login, login.lower())):
            try:
                found = self._idp.admin_get_user(UserPoolId=pool_id, Username=candidate)
            except ClientError as error:
                if error.response["Error"]["Code"] == "UserNotFoundException":
                    continue
                raise
            attributes = {item["Name"]: item["Value"] for item in found.get("UserAttributes", [])}
            return PoolUser(found["Username"], attributes, bool(found["Enabled"]), found["UserStatus"])
        return None

    def client(self, pool_id: str | None, client_id: str) -> tuple[str, dict[str, Any]]:
        """(pool id, client settings) of an app client, found by id alone when no pool is named."""
        pools = [pool_id] if pool_id else [pool["Id"] for pool in self._pools()]
        for pool in pools:
            try:
                described = self._idp.describe_user_pool_client(UserPoolId=pool, ClientId=client_id)
            except ClientError as error:
                if error.response["Error"]["Code"] in {
                    "ResourceNotFoundException",
                    "InvalidParameterException",
                }:
                    continue
                raise
            return pool, dict(described["UserPoolClient"])
        raise CognitoError("ResourceNotFoundException", f"User pool client {client_id} does not exist.")

    def triggers(self, pool_id: str) -> dict[str, str]:
        """The pool's LambdaConfig: trigger name -> function ARN."""
        config = self._idp.describe_user_pool(UserPoolId=pool_id)["UserPool"].get("LambdaConfig", {})
        return {name: value for name, value in config.items() if isinstance(value, str)}

    def _pools(self) -> list[dict[str, Any]]:
        pools: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"MaxResults": 60}
        while True:
            page = self._idp.list_user_pools(**kwargs)
            pools.extend(page.get("UserPools", []))
            if not page.get("NextToken"):
                return pools
            kwargs["NextToken"] = page["NextToken"]


def stand_in_username(pool_id: str, login: str) -> str:
    """What an unknown login is called in ChallengeParameters.USERNAME.

    A known user's is the pool's UUID username; an e-mail address echoed back instead would tell the
    caller the account does not exist. A keyed digest of the login looks like a fresh UUID, yet stays
    the same when the same login asks again, as a real account's name would.
    """
    digest = hmac.new(_STAND_IN_KEY, f"{pool_id}\n{login.lower()}".encode(), hashlib.sha256).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))
