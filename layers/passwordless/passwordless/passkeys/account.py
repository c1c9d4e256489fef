"""The account API's passkey routes: a challenge for a sign-in, and a person's own passkeys (add,
list, rename, remove), plus an administrator's "remove them all".

Adding needs a recent sign-in (the access token's auth_time, which a refresh keeps): a stolen
long-lived session must not be able to plant a passkey of its own. Every add and every removal
emails the person, so neither can happen unnoticed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from passwordless.accounts.account_log import AccountLog, stored
from passwordless.accounts.caller import USERNAME, Caller
from passwordless.accounts.refusals import (
    BadRequest,
    NotAllowed,
    NotFound,
    PasskeyLimit,
    PasskeyNotAccepted,
    SignInAgain,
    Unavailable,
)
from passwordless.accounts.user_admin import PoolUser, UserAdmin, UserAdminError
from passwordless.email.locales import app_name_for, resolve_locale
from passwordless.email.message import EmailDeliveryError, EmailSender, PasskeyChangedEmail
from passwordless.keyed_hash import KeyedHasher
from passwordless.passkeys.ceremonies import (
    CeremonyRefused,
    authentication_options,
    client_challenge,
    registration_options,
    verify_registration,
)
from passwordless.passkeys.challenges import ChallengeStore
from passwordless.passkeys.config import PasskeySettings
from passwordless.passkeys.credentials import MAX_NAME_LENGTH, Passkey, PasskeyStore
from passwordless.settings import Settings

_T = TypeVar("_T")
CREDENTIAL_ID = re.compile(r"[A-Za-z0-9_-]{22,1364}")
"""A credential id as registration stores it: base64url, unpadded, of 16 to 1023 bytes."""
DEFAULT_NAME = "Passkey"
MAX_USER_HANDLE_BYTES = 64
"""WebAuthn's limit on user.id, which holds the username (Cognito's own usernames are 36-byte UUIDs)."""


def passkey_summary(passkey: Passkey) -> dict[str, Any]:
    """What the API shows of a passkey: never its public key (no use to the page)."""
    return {
        "id": passkey.credential_id,
        "name": passkey.name,
        "createdAt": _iso(passkey.created_ms),
        "lastUsedAt": _iso(passkey.last_used_ms) if passkey.last_used_ms else None,
        "transports": list(passkey.transports),
        "aaguid": passkey.aaguid,
        "backedUp": passkey.backed_up,
    }


def passkey_name(raw: object) -> str:
    """The name a person gave, trimmed; DEFAULT_NAME for none; BadRequest for anything unprintable
    or longer than MAX_NAME_LENGTH."""
    if raw is None:
        return DEFAULT_NAME
    if not isinstance(raw, str):
        raise BadRequest
    name = raw.strip()
    if len(name) > MAX_NAME_LENGTH or not name.isprintable():
        raise BadRequest
    return name or DEFAULT_NAME


class PasskeyAccount:
    def __init__(
        self,
        settings: Settings,
        passkeys: PasskeySettings,
        *,
        user_pool_id: str,
        users: UserAdmin,
        store: PasskeyStore,
        challenges: ChallengeStore,
        log: AccountLog,
        keys: Callable[[], KeyedHasher],
        sender: Callable[[], EmailSender],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._passkeys = passkeys
        self._pool = user_pool_id
        self._users = users
        self._store = store
        self._challenges = challenges
        self._log = log
        self._keys = keys
        self._sender = sender
        self._clock = clock

    def sign_in_options(self) -> dict[str, Any]:
        challenge = self._storage(lambda: self._challenges.issue("sign-in"))
        return authentication_options(self._passkeys, challenge=challenge)

    def registration_options(self, caller: Caller) -> dict[str, Any]:
        self._require_recent(caller)
        user = self._existing(caller)
        if len(user.username.encode()) > MAX_USER_HANDLE_BYTES:
            # Browsers refuse a longer user handle, and the handle must be the username.
            self._log.event("refused", route="account/passkeys", reason="username_too_long")
            raise PasskeyNotAccepted
        held = self._storage(lambda: self._store.load(self._pool, user.username))
        challenge = self._storage(lambda: self._challenges.issue("register", self._owner(user.username)))
        return registration_options(
            self._passkeys, username=user.username, email=user.email, challenge=challenge, existing=held
        )

    def register(self, caller: Caller, credential: Mapping[str, Any], name: str) -> dict[str, Any]:
        self._require_recent(caller)
        user = self._existing(caller)
        challenge = client_challenge(credential)
        if challenge is None:
            self._log.event("refused", route="account/passkeys", reason="malformed_credential")
            raise PasskeyNotAccepted
        try:
            passkey = verify_registration(
                self._passkeys, credential, challenge=challenge, name=name, now_ms=self._now_ms()
            )
        except CeremonyRefused as refusal:
            self._log.event("refused", route="account/passkeys", reason=str(refusal))
            raise PasskeyNotAccepted from None
        if not self._storage(
            lambda: self._challenges.spend(challenge, "register", self._owner(user.username))
        ):
            self._log.event("refused", route="account/passkeys", reason="challenge_spent")
            raise PasskeyNotAccepted
        if not self._storage(lambda: self._store.add(self._pool, user.username, passkey)):
            self._log.event("refused", route="account/passkeys", reason="exists_or_limit")
            raise PasskeyLimit
        self._log.event("passkey_added", user=self._pseudonym(user.username))
        self._notify(user, added=True, name=passkey.name)
        return passkey_summary(passkey)

    def list(self, caller: Caller) -> list[dict[str, Any]]:
        held = self._storage(lambda: self._store.load(self._pool, caller.username))
        return [passkey_summary(p) for p in held]

    def rename(self, caller: Caller, credential_id: str, name: str) -> dict[str, Any]:
        _check_id(credential_id)
        if not self._storage(lambda: self._store.rename(self._pool, caller.username, credential_id, name)):
            raise NotFound
        held = self._storage(lambda: self._store.load(self._pool, caller.username))
        renamed = next((p for p in held if p.credential_id == credential_id), None)
        if renamed is None:  # removed in between
            raise NotFound
        self._log.event("passkey_renamed", user=self._pseudonym(caller.username))
        return passkey_summary(renamed)

    def remove(self, caller: Caller, credential_id: str) -> None:
        _check_id(credential_id)
        user = self._existing(caller)
        held = self._storage(lambda: self._store.load(self._pool, user.username))
        removed = next((p for p in held if p.credential_id == credential_id), None)
        if removed is None or not self._storage(
            lambda: self._store.remove(self._pool, user.username, credential_id)
        ):
            raise NotFound
        self._log.event("passkey_removed", user=self._pseudonym(user.username))
        self._notify(user, added=False, name=removed.name)

    def remove_all(self, admin: Caller, admin_group: str, username: str) -> int:
        if admin_group not in admin.groups:
            self._log.event("refused", route="users/passkeys", reason="not_admin")
            raise NotAllowed
        user = self._user(username) if USERNAME.fullmatch(username) else None
        if user is None:
            raise NotFound
        removed = self._storage(lambda: self._store.remove_all(self._pool, user.username))
        self._log.event("passkeys_removed", user=self._pseudonym(user.username), count=removed)
        if removed and user.email:
            self._notify(user, added=False, name="")
        return removed

    def _require_recent(self, caller: Caller) -> None:
        age = self._clock() - caller.auth_time
        if not caller.auth_time or not 0 <= age <= self._passkeys.reauth_seconds:
            self._log.event("refused", route="account/passkeys", reason="sign_in_not_recent")
            raise SignInAgain

    def _existing(self, caller: Caller) -> PoolUser:
        user = self._user(caller.username)
        if user is None or not user.enabled:
            self._log.event("refused", route="account/passkeys", reason="no_user")
            raise NotAllowed
        return user

    def _user(self, username: str) -> PoolUser | None:
        try:
            return self._users.get_user(username)
        except UserAdminError as error:
            self._log.event("unavailable", dependency="cognito", error=error.code)
            raise Unavailable from None

    def _notify(self, user: PoolUser, *, added: bool, name: str) -> None:
        locale = resolve_locale(user.locale, self._settings.default_locale)
        notice = PasskeyChangedEmail(
            to=user.email,
            added=added,
            passkey_name=name,
            locale=locale,
            app_name=app_name_for(self._settings, locale),
        )
        try:
            self._sender().send(notice)
        except (EmailDeliveryError, Unavailable):
            # The change is made; the person sees it in the list at their next sign-in.
            self._log.event("unavailable", dependency="email", error="notice_not_sent")

    def _pseudonym(self, username: str) -> str:
        return self._keys().pseudonym(self._pool, username)

    def _owner(self, username: str) -> str:
        return f"{self._pool}#{username}"

    def _storage(self, call: Callable[[], _T]) -> _T:
        return stored(self._log, call)

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)


def _check_id(credential_id: str) -> None:
    if not CREDENTIAL_ID.fullmatch(credential_id):
        raise NotFound


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
