"""The pool's users and app clients, read straight from the embedded Cognito (moto's backend).

Going through boto3 would cost each lookup a signed request, moto's HTTP emulation and its response
serialisation: 7 such round trips were about a quarter of a sign-in's CPU in the local stack. The
backend holds the same objects those calls describe, and reads take the lock moto's requests run
under, so a lookup never sees a request half-applied.
"""

from __future__ import annotations

import contextlib
import copy
import enum
import hashlib
import hmac
import secrets
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.model import StructureShape
from moto.cognitoidp.exceptions import InvalidPasswordException, ResourceNotFoundError, UserNotFoundError

from laptop.local_stack.errors import CognitoError

if TYPE_CHECKING:
    from moto.cognitoidp.models import CognitoIdpBackend

# Per process: stand-in names must not be computable from the login by anyone outside.
_STAND_IN_KEY = secrets.token_bytes(32)


@dataclass(frozen=True)
class PoolUser:
    username: str
    attributes: dict[str, str]
    enabled: bool
    status: str
    groups: tuple[str, ...] = ()
    """The groups the user is in, by precedence (lowest first, as Cognito lists them in tokens)."""


class UserDirectory:
    def __init__(self, backend: CognitoIdpBackend, lock: threading.RLock) -> None:
        """`backend`: moto's Cognito for the stack's account and region; `lock`: the one every
        request into moto takes (laptop.aws.atomic_requests)."""
        self._backend = backend
        self._lock = lock
        # moto keeps whatever a client was created with (GenerateSecret too); the API answers with
        # the members of its UserPoolClientType, and so does this.
        model = botocore.session.get_session().get_service_model("cognito-idp")
        shape = model.shape_for("UserPoolClientType")
        if not isinstance(shape, StructureShape):
            raise TypeError("botocore's Cognito model has no UserPoolClientType structure")
        self._client_fields = frozenset(shape.members)

    def find(self, pool_id: str, login: str) -> PoolUser | None:
        """The user a sign-in name means: the username, or the email of a pool that signs in by email.

        Pools made from template.yaml match case-insensitively (UsernameConfiguration CaseSensitive
        false), so an address typed with capitals still finds its lower-case account.
        """
        with self._lock:
            for candidate in dict.fromkeys((login, login.lower())):
                # AdminGetUser's lookup: the username, or an alias the pool signs in with.
                try:
                    user = self._backend.admin_get_user(pool_id, candidate)
                except UserNotFoundError:
                    continue
                except ResourceNotFoundError:
                    raise _no_such_pool(pool_id) from None
                attributes = {str(item["Name"]): str(item["Value"]) for item in user.attributes}
                return PoolUser(
                    str(user.username),
                    attributes,
                    bool(user.enabled),
                    _text(user.status),
                    _group_names(user.groups),
                )
        return None

    def password_matches(self, pool_id: str, username: str, password: str) -> bool:
        """Whether `password` is the one the pool stores for the user (temporary or permanent)."""
        stored = self.stored_password(pool_id, username)
        # Compared in constant time; a user with no password matches nothing.
        return stored is not None and hmac.compare_digest(stored.encode(), password.encode())

    def stored_password(self, pool_id: str, username: str) -> str | None:
        """The password the embedded Cognito keeps in plaintext (what SRP derives its verifier from)."""
        with self._lock:
            try:
                stored = self._backend.admin_get_user(pool_id, username).password
            except UserNotFoundError:
                return None
        return stored if isinstance(stored, str) and stored else None

    def check_password_policy(self, pool_id: str, password: str) -> None:
        """Cognito's InvalidPasswordException for a password the pool's policy refuses."""
        with self._lock, _policy_refusal():
            self._backend._validate_password(pool_id, password)

    def set_permanent_password(self, pool_id: str, username: str, password: str) -> None:
        """What completing NEW_PASSWORD_REQUIRED does: the pool's password policy applies, the user
        becomes CONFIRMED."""
        with self._lock, _policy_refusal():
            self._backend.admin_set_user_password(pool_id, username, password, permanent=True)

    def pool_settings(self, pool_id: str) -> dict[str, Any]:
        """What CreateUserPool was given (AdminCreateUserConfig, UsernameAttributes, ...), as a copy."""
        with self._lock, _known_pool(pool_id):
            return copy.deepcopy(dict(self._backend.describe_user_pool(pool_id).extended_config))

    def client(self, pool_id: str | None, client_id: str) -> tuple[str, dict[str, Any]]:
        """(pool id, client settings) of an app client, found by id alone when no pool is named.

        The settings are what DescribeUserPoolClient returns: ClientId, ClientSecret when it has one,
        and what it was created or last updated with.
        """
        with self._lock:
            pools = [pool_id] if pool_id else list(self._backend.user_pools)
            for candidate in pools:
                try:
                    found = self._backend.describe_user_pool_client(candidate, client_id)
                except ResourceNotFoundError:
                    continue
                described = found.to_json(extended=True)
                settings = {
                    key: value
                    for key, value in described.items()
                    if key in self._client_fields and value is not None
                }
                # A copy: the caller must not be able to change the pool's stored settings.
                return candidate, copy.deepcopy(settings)
        raise CognitoError("ResourceNotFoundException", f"User pool client {client_id} does not exist.")

    def triggers(self, pool_id: str) -> dict[str, str]:
        """The pool's LambdaConfig: trigger name -> function ARN."""
        with self._lock, _known_pool(pool_id):
            # DescribeUserPool's LambdaConfig (an unknown pool is refused, as that call refuses it).
            config = self._backend.describe_user_pool(pool_id).extended_config.get("LambdaConfig") or {}
            return {name: value for name, value in config.items() if isinstance(value, str)}


@contextlib.contextmanager
def _known_pool(pool_id: str) -> Iterator[None]:
    try:
        yield
    except ResourceNotFoundError:
        raise _no_such_pool(pool_id) from None


def _no_such_pool(pool_id: str) -> CognitoError:
    return CognitoError("ResourceNotFoundException", f"User pool {pool_id} does not exist.")


@contextlib.contextmanager
def _policy_refusal() -> Iterator[None]:
    try:
        yield
    except InvalidPasswordException:
        raise CognitoError("InvalidPasswordException", "Password does not conform to policy.") from None


def _group_names(groups: object) -> tuple[str, ...]:
    ordered = sorted(
        groups,  # type: ignore[call-overload]  # moto's set of CognitoIdpGroup
        key=lambda group: (group.precedence is None, group.precedence or 0, group.group_name),
    )
    return tuple(str(group.group_name) for group in ordered)


def _text(status: object) -> str:
    # moto keeps statuses as a str enum; Cognito's API sends its value.
    return str(status.value) if isinstance(status, enum.Enum) else str(status)


def stand_in_username(pool_id: str, login: str) -> str:
    """What an unknown login is called in ChallengeParameters.USERNAME.

    A known user's is the pool's UUID username; an e-mail address echoed back instead would tell the
    caller the account does not exist. A keyed digest of the login looks like a fresh UUID, yet stays
    the same when the same login asks again, as a real account's name would.
    """
    digest = hmac.new(_STAND_IN_KEY, f"{pool_id}\n{login.lower()}".encode(), hashlib.sha256).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))
