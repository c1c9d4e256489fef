"""Email change with proof: a code goes to the NEW address; only that code changes the address.

request: one conditional write stores digests of the new address and a fresh code, then the code is
emailed to the new address. A request inside the resend gap, or beyond the hourly cap of the send
log, is refused and sends nothing. The wrong-code count carries over to the new change unless the
last change was spent or nothing (request or wrong code) happened for an hour: otherwise each new
request would buy five more guesses, so at most five wrong codes count in any rolling hour.
confirm: both digests are compared in constant time; a wrong answer is counted, and the fifth voids
the change; one conditional write spends it. Only then is the address checked for uniqueness and
written to Cognito (verified), and the OLD address is told, with the new one masked.

Nothing in Cognito changes before the code is confirmed, and the app client itself cannot write
`email` (template.yaml gives it name and locale only).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from passwordless import secret_values
from passwordless.accounts.account_log import AccountLog, stored
from passwordless.accounts.caller import Caller
from passwordless.accounts.email_change_store import EmailChangeStore, PendingChange, change_key
from passwordless.accounts.invitations import KeySource, SenderSource
from passwordless.accounts.refusals import (
    AddressUnusable,
    NotAllowed,
    TooSoon,
    Unavailable,
    WrongCode,
)
from passwordless.accounts.stranger_mail import spend_for_stranger_email
from passwordless.accounts.user_admin import AddressTaken, NoSuchUser, PoolUser, UserAdmin, UserAdminError
from passwordless.binding import Binding
from passwordless.email.locales import app_name_for, resolve_locale
from passwordless.email.message import EmailChangeCodeEmail, EmailChangedEmail, EmailDeliveryError
from passwordless.keyed_hash import KeyedHasher, UnknownKeyVersion, digests_match
from passwordless.masking import mask_email
from passwordless.secret_store import HOUR_MS
from passwordless.settings import Settings
from passwordless.stranger_budget import StrangerBudget

_T = TypeVar("_T")
MAX_FAILURES = 5
PURPOSE = "email-change"
"""Stands in for the app client in the digests' binding: no client id has a hyphen, so no sign-in
secret's digest can ever equal an email change's."""


class EmailChange:
    def __init__(
        self,
        settings: Settings,
        user_pool_id: str,
        users: UserAdmin,
        store: EmailChangeStore,
        log: AccountLog,
        *,
        keys: KeySource,
        sender: SenderSource,
        budget: StrangerBudget,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._budget = budget
        self._pool = user_pool_id
        self._users = users
        self._store = store
        self._log = log
        self._keys = keys
        self._sender = sender
        self._clock = clock

    def request(self, caller: Caller, new_email: str, *, source: str) -> None:
        user = self._existing(caller)
        hasher, sender = self._keys(), self._sender()
        pseudonym = hasher.pseudonym(self._pool, user.username)
        if new_email == user.email:
            self._log.event("refused", route="account/email", reason="same_address", user=pseudonym)
            raise AddressUnusable
        binding = self._binding(user.username)
        key = change_key(self._pool, user.username)
        read = self._storage(lambda: self._store.load(key))
        now_ms = self._now_ms()
        log = _sends_in_the_hour(read, now_ms)
        too_soon = read is not None and now_ms - read.requested_ms < self._settings.resend_min_seconds * 1000
        if too_soon or len(log) >= self._settings.max_emails_per_hour:
            self._log.event("refused", route="account/email", reason="too_soon", user=pseudonym)
            raise TooSoon
        failures, failed_ms = _carried_failures(read, now_ms)
        if failures >= MAX_FAILURES:
            # The hour's wrong codes are spent: a new code could not work, so none is mailed.
            self._log.event("refused", route="account/email", reason="locked", user=pseudonym)
            raise TooSoon
        spend_for_stranger_email(self._budget, source, self._log, route="account/email")
        change_id = secret_values.new_secret_id()
        code = secret_values.new_code(self._settings.code_length)
        change = PendingChange(
            change_id=change_id,
            address_hash=_address_digest(hasher, binding, change_id, new_email),
            code_hash=hasher.digest("code", binding, change_id, code),
            expires_ms=now_ms + self._settings.secret_lifetime_seconds * 1000,
            failures=failures,
            requested_ms=now_ms,
            consumed=False,
            failed_ms=failed_ms,
            request_times_ms=(now_ms, *log),
            key_version=hasher.key_version(self._pool, user.username),
        )
        if not self._storage(lambda: self._store.request(key, change, read=read)):
            # Another request or answer wrote in between; its effect may have been to use up the hour.
            self._log.event("refused", route="account/email", reason="raced", user=pseudonym)
            raise TooSoon
        locale, app_name = self._written_for(user)
        email = EmailChangeCodeEmail(
            to=new_email,
            code=code,
            minutes=self._settings.secret_lifetime_seconds // 60,
            locale=locale,
            app_name=app_name,
        )
        try:
            sender.send(email)
        except EmailDeliveryError:
            self._log.event("unavailable", dependency="email", error="EmailDeliveryError", user=pseudonym)
            self._storage(lambda: self._store.void(key, change_id))
            raise Unavailable from None
        self._log.event("email_change_requested", user=pseudonym)

    def confirm(self, caller: Caller, new_email: str, code: str) -> None:
        user = self._existing(caller)
        hasher = self._keys()
        pseudonym = hasher.pseudonym(self._pool, user.username)
        key = change_key(self._pool, user.username)
        pending = self._storage(lambda: self._store.load(key))
        now_ms = self._now_ms()
        if pending is None or pending.consumed or pending.failures >= MAX_FAILURES:
            self._log.event("refused", route="account/email/confirm", reason="no_change", user=pseudonym)
            raise WrongCode
        if now_ms >= pending.expires_ms:
            self._log.event("refused", route="account/email/confirm", reason="expired", user=pseudonym)
            raise WrongCode
        binding = self._binding(user.username)
        try:
            # The change's own key version: it may have been requested before a rotation.
            requested_under = hasher.at_version(pending.key_version)
            address_digest = _address_digest(requested_under, binding, pending.change_id, new_email)
            code_digest = requested_under.digest("code", binding, pending.change_id, code)
        except UnknownKeyVersion:
            self._log.event("refused", route="account/email/confirm", reason="unknown_key", user=pseudonym)
            raise WrongCode from None
        address_ok = digests_match(pending.address_hash, address_digest)
        code_ok = digests_match(pending.code_hash, code_digest)
        if not (address_ok and code_ok):
            self._storage(
                lambda: self._store.count_failure(key, pending.change_id, now_ms, max_failures=MAX_FAILURES)
            )
            self._log.event("email_change_failed", user=pseudonym)
            raise WrongCode
        spent = self._storage(
            lambda: self._store.consume(key, pending.change_id, now_ms, max_failures=MAX_FAILURES)
        )
        if not spent:  # a concurrent answer won, or the last allowed failure came in between
            self._log.event("refused", route="account/email/confirm", reason="spent", user=pseudonym)
            raise WrongCode
        self._apply(user, new_email, pseudonym)

    def _apply(self, user: PoolUser, new_email: str, pseudonym: str) -> None:
        try:
            holder = self._users.find_by_email(new_email)
            if holder is not None and holder.username != user.username:
                raise AddressTaken("held")
            self._users.change_email(user.username, new_email)
        except AddressTaken:
            self._log.event("refused", route="account/email/confirm", reason="taken", user=pseudonym)
            raise AddressUnusable from None
        except NoSuchUser:
            self._log.event("refused", route="account/email/confirm", reason="no_user", user=pseudonym)
            raise NotAllowed from None
        except UserAdminError as error:
            self._log.event("unavailable", dependency="cognito", error=error.code, user=pseudonym)
            raise Unavailable from None
        self._log.event("email_changed", user=pseudonym)
        locale, app_name = self._written_for(user)
        notice = EmailChangedEmail(
            to=user.email,
            new_address_masked=mask_email(new_email),
            locale=locale,
            app_name=app_name,
        )
        try:
            self._sender().send(notice)
        except (EmailDeliveryError, Unavailable):
            # The change is made and cannot be unmade here; the person sees it at their next sign-in.
            self._log.event("unavailable", dependency="email", error="notice_not_sent", user=pseudonym)

    def _existing(self, caller: Caller) -> PoolUser:
        """The caller as the pool knows them now; a deleted or disabled user's token is refused."""
        try:
            user = self._users.get_user(caller.username)
        except UserAdminError as error:
            self._log.event("unavailable", dependency="cognito", error=error.code)
            raise Unavailable from None
        if user is None or not user.enabled or not user.email:
            self._log.event("refused", route="account/email", reason="no_user")
            raise NotAllowed
        return user

    def _storage(self, call: Callable[[], _T]) -> _T:
        return stored(self._log, call)

    def _binding(self, username: str) -> Binding:
        return Binding(self._pool, PURPOSE, username)

    def _written_for(self, user: PoolUser) -> tuple[str, str]:
        """The language this user's emails are written in, and what they call the app in it."""
        locale = resolve_locale(user.locale, self._settings.default_locale)
        return locale, app_name_for(self._settings, locale)

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)


def _sends_in_the_hour(read: PendingChange | None, now_ms: int) -> tuple[int, ...]:
    """The send log's entries inside the rolling hour, newest first."""
    if read is None:
        return ()
    # An item written before the log existed stands for its one request.
    log = read.request_times_ms or ((read.requested_ms,) if read.requested_ms else ())
    return tuple(sent for sent in log if now_ms - sent < HOUR_MS)


def _carried_failures(read: PendingChange | None, now_ms: int) -> tuple[int, int]:
    """(failures, when the last one came) the new change starts with."""
    if read is None or read.consumed:
        return 0, 0
    last_activity = max(read.requested_ms, read.failed_ms, *read.request_times_ms[:1])
    if now_ms - last_activity >= HOUR_MS:
        return 0, 0
    return read.failures, read.failed_ms


def _address_digest(hasher: KeyedHasher, binding: Binding, change_id: str, address: str) -> str:
    # The "token" kind holds the address: an address has an "@", which no link token can.
    return hasher.digest("token", binding, change_id, address)
