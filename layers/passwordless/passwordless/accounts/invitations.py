"""Invitations: an administrator names an address; the person gets our email, never a password.

The user is created with Cognito's own message suppressed. In email mode it is CONFIRMED with a random
password nobody keeps; then an invitation secret is stored in the same sign-in item the triggers use,
bound to the app client, and its magic link is emailed. Opening the link is an ordinary sign-in:
create finds the live, sent secret and reuses it (no second email), verify accepts the link token.

If any step after the user's creation fails, the user is deleted again, so the administrator can
simply invite once more.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from passwordless.accounts.account_log import AccountLog, roll_back
from passwordless.accounts.caller import Caller
from passwordless.accounts.refusals import (
    AlreadyExists,
    BadRequest,
    InvitationNotValid,
    NotAllowed,
    PasswordNotAccepted,
    Unavailable,
)
from passwordless.accounts.stranger_mail import spend_for_stranger_email
from passwordless.accounts.user_admin import (
    CognitoRefused,
    PasswordRejected,
    Tokens,
    UserAdmin,
    UserAdminError,
    UserExists,
)
from passwordless.binding import Binding
from passwordless.challenge_issuer import FreshSecret, new_secret
from passwordless.email.locales import app_name_for, resolve_locale
from passwordless.email.message import EmailDeliveryError, EmailSender, InvitationEmail
from passwordless.errors import ConcurrentChange, StorageUnavailable
from passwordless.keyed_hash import KeyedHasher, UnknownKeyVersion, digests_match
from passwordless.links import magic_link
from passwordless.secret_store import EmailQuota, SecretStore, item_key
from passwordless.settings import ApiSettings, Settings
from passwordless.stranger_budget import StrangerBudget

INVITATION_ROUND_KEY = "invitation"
"""The round key an invitation's secret carries. No sign-in round has it (theirs are digests), so a
resend in a later sign-in replaces the invitation as it would any secret sent in an earlier round."""
DAY_SECONDS = 86_400
_T = TypeVar("_T")

KeySource = Callable[[], KeyedHasher]
SenderSource = Callable[[], EmailSender]


class Invitations:
    def __init__(
        self,
        settings: Settings,
        api: ApiSettings,
        users: UserAdmin,
        store: SecretStore,
        log: AccountLog,
        *,
        keys: KeySource,
        sender: SenderSource,
        budget: StrangerBudget,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._budget = budget
        self._api = api
        self._users = users
        self._store = store
        self._log = log
        self._keys = keys
        self._sender = sender
        self._clock = clock

    @property
    def password_mode(self) -> bool:
        return self._settings.sign_in_mode == "password-and-email-code"

    def require_admin(self, caller: Caller) -> None:
        if self._api.admin_group not in caller.groups:
            self._log.event("refused", route="invitations", reason="not_admin")
            raise NotAllowed

    def invite(self, caller: Caller, email: str, *, name: str, locale: str, source: str) -> str:
        """The new user's username, once the invitation email has gone out."""
        self.require_admin(caller)
        # Key and sender first: an outage there must not leave a user behind.
        hasher, sender = self._keys(), self._sender()
        spend_for_stranger_email(self._budget, source, self._log, route="invitations")
        try:
            username = self._users.create_user(email, name=name, locale=locale, self_sign_up=False)
        except UserExists:
            self._log.event("refused", route="invitations", reason="exists")
            raise AlreadyExists from None
        except CognitoRefused as refused:
            self._log.event("refused", route="invitations", reason=refused.code)
            raise BadRequest from None
        except UserAdminError as error:
            self._log.event("unavailable", dependency="cognito", error=error.code)
            raise Unavailable from None
        try:
            # With KMS the user's key is first asked for here: an outage (already logged) must not
            # leave the user behind either.
            user = hasher.pseudonym(self._api.user_pool_id, username)
        except Unavailable:
            roll_back(self._users, username, self._log)
            raise
        try:
            self._issue_and_send(username, email, name, locale, hasher=hasher, sender=sender)
        except (UserAdminError, StorageUnavailable, ConcurrentChange, EmailDeliveryError) as error:
            failed = error.code if isinstance(error, UserAdminError) else type(error).__name__
            self._log.event("unavailable", dependency=_dependency(error), error=failed, user=user)
            roll_back(self._users, username, self._log)
            raise Unavailable from None
        self._log.event("invited", user=user, mode=self._settings.sign_in_mode)
        return username

    def _issue_and_send(
        self, username: str, email: str, name: str, locale: str, *, hasher: KeyedHasher, sender: EmailSender
    ) -> None:
        settings = self._settings
        binding = Binding(self._api.user_pool_id, self._api.user_pool_client_id, username)
        now_ms = int(self._clock() * 1000)
        fresh = new_secret(
            hasher,
            binding,
            code_length=settings.code_length,
            lifetime_seconds=settings.invitation_lifetime_seconds,
            round_key=INVITATION_ROUND_KEY,
            now_ms=now_ms,
        )
        if self.password_mode:
            temporary = temporary_password(hasher, binding, fresh.stored.secret_id, fresh.token)
            self._users.set_password(username, temporary, permanent=False)
        else:
            self._users.set_random_password(username)
        key = item_key(binding)
        # The invitation counts against the user's email throttle like any email we send them.
        self._store.issue(key, fresh.stored, expected_version=None, quota=EmailQuota(now_ms, (now_ms,)))
        sender.send(self._email(email, name, locale, fresh))
        self._store.mark_sent(key, fresh.stored.secret_id)

    def _email(self, email: str, name: str, locale: str, fresh: FreshSecret) -> InvitationEmail:
        settings = self._settings
        written_in = resolve_locale(locale, settings.default_locale)
        return InvitationEmail(
            to=email,
            link=magic_link(
                settings.sign_in_url_for(self._api.user_pool_client_id), email, fresh.token, invitation=True
            ),
            # In password mode the link leads to "choose your password"; a code has nothing to complete.
            code="" if self.password_mode else fresh.code,
            days=max(1, settings.invitation_lifetime_seconds // DAY_SECONDS),
            name=name,
            locale=written_in,
            app_name=app_name_for(settings, written_in),
        )

    def accept(self, email: str, token: str, password: str) -> Tokens:
        """Password mode: the invitation's link token, checked and spent, completes the invitee's
        NEW_PASSWORD_REQUIRED with the password they chose; its temporary password never leaves here."""
        hasher = self._keys()
        user = self._cognito(lambda: self._users.find_by_email(email))
        # The same refusal for an unknown address, a used invitation and a wrong token.
        if user is None or user.status != "FORCE_CHANGE_PASSWORD":
            self._log.event("refused", route="invitations/accept", reason="no_invitation")
            raise InvitationNotValid
        pseudonym = hasher.pseudonym(self._api.user_pool_id, user.username)
        binding = Binding(self._api.user_pool_id, self._api.user_pool_client_id, user.username)
        key = item_key(binding)
        now_ms = int(self._clock() * 1000)
        try:
            record = self._store.load(key)
            secret = record.secret if record is not None else None
            # The invitation's own key version: it may have been issued before a rotation.
            issued_under = hasher.at_version(secret.key_version) if secret is not None else hasher
            usable = (
                secret is not None
                and secret.round_key == INVITATION_ROUND_KEY
                and secret.client_id == binding.client_id
                and secret.is_live(now_ms)
                and digests_match(
                    secret.token_hash, issued_under.digest("token", binding, secret.secret_id, token)
                )
            )
            spent = (
                usable
                and secret is not None
                and self._store.consume(key, secret.secret_id, now_ms, max_code_failures=None)
            )
        except StorageUnavailable as error:
            self._log.event("unavailable", dependency="dynamodb", error=str(error), user=pseudonym)
            raise Unavailable from None
        except UnknownKeyVersion:
            spent = False
        if not spent or secret is None:
            self._log.event("refused", route="invitations/accept", reason="token", user=pseudonym)
            raise InvitationNotValid
        temporary = temporary_password(issued_under, binding, secret.secret_id, token)
        try:
            tokens = self._users.complete_new_password(user.username, temporary, password)
        except PasswordRejected:
            self._log.event("refused", route="invitations/accept", reason="password_policy", user=pseudonym)
            raise PasswordNotAccepted from None
        except CognitoRefused as refused:
            self._log.event("refused", route="invitations/accept", reason=refused.code, user=pseudonym)
            raise InvitationNotValid from None
        except UserAdminError as error:
            self._log.event("unavailable", dependency="cognito", error=error.code, user=pseudonym)
            raise Unavailable from None
        self._log.event("invitation_accepted", user=pseudonym)
        return tokens

    def _cognito(self, call: Callable[[], _T]) -> _T:
        try:
            return call()
        except UserAdminError as error:
            self._log.event("unavailable", dependency="cognito", error=error.code)
            raise Unavailable from None


def temporary_password(hasher: KeyedHasher, binding: Binding, secret_id: str, token: str) -> str:
    """Password mode's temporary password: derived from the invitation's link token under the stack's
    key, so it is never stored or sent, and only the holder of the link (through this API) can use it.
    The NUL keeps the message outside anything a link token or code can be, so it is no answer's digest.
    """
    # Fixed character classes satisfy any password policy; the secret part is the 256-bit digest.
    return "Aa1!" + hasher.digest("token", binding, secret_id, "temporary-password\x00" + token)


def _dependency(error: Exception) -> str:
    if isinstance(error, UserAdminError):
        return "cognito"
    return "email" if isinstance(error, EmailDeliveryError) else "dynamodb"
