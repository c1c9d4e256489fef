"""One structured log record per account change or refusal: a keyed pseudonym for the user, never an address,
a code, a link token or a raw username (docs/security/requirements.md #22, as the triggers' security
events)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from passwordless.accounts.refusals import Unavailable
from passwordless.errors import StorageUnavailable

if TYPE_CHECKING:
    from passwordless.accounts.user_admin import UserAdmin

_T = TypeVar("_T")

AccountEvent = Literal[
    "signed_up",  # self sign-up created a user
    "sign_up_existing",  # self sign-up for an address that already has an account: nothing changed
    "invited",  # an administrator's invitation created a user and its email went out
    "invitation_accepted",  # password mode: the invitee chose a password and was signed in
    "email_change_requested",  # a code went to the new address
    "email_change_failed",  # a wrong code (or address) was counted
    "email_changed",  # the pool now holds the new, verified address
    "refused",  # a request was refused; `reason` says why in a word
    "stranger_budget",  # an email to an unverified address was due, but a budget (`scope`) is spent
    "unavailable",  # a dependency failed; `dependency` and `error` (a class or code name) say which
    "rolled_back",  # a half-made user was deleted again after a later step failed
    "passkey_added",  # a verified passkey was stored, and the person was told
    "passkey_renamed",  # a person renamed one of their passkeys
    "passkey_removed",  # a person removed one of their passkeys, and was told
    "passkeys_removed",  # an administrator removed every passkey of a user (`count` of them)
]


class _InfoLogger(Protocol):
    def info(self, msg: object, *args: Any, **kwargs: Any) -> None: ...  # noqa: ANN401


class AccountLog:
    def __init__(self, logger: _InfoLogger) -> None:
        self._logger = logger

    def event(self, name: AccountEvent, **fields: str | int | bool) -> None:
        # stacklevel 3: the record names the code that raised the event, not this wrapper.
        self._logger.info("account_event", extra={"account_event": name, **fields}, stacklevel=3)


def roll_back(users: UserAdmin, username: str, log: AccountLog) -> None:
    """Delete a half-made user after a later step failed, and log how that went."""
    error = users.roll_back(username)
    if error is None:
        log.event("rolled_back")
    else:
        log.event("unavailable", dependency="cognito", error=error, step="roll_back")


def stored(log: AccountLog, call: Callable[[], _T]) -> _T:
    """`call()`, a DynamoDB request; its failure logged by the error's name and answered with the
    generic, retryable 503."""
    try:
        return call()
    except StorageUnavailable as error:
        log.event("unavailable", dependency="dynamodb", error=str(error))
        raise Unavailable from None
