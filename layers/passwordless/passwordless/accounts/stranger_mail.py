"""The stranger email budgets (passwordless.stranger_budget) for the routes whose callers are signed in.

An invitation and an email change each mail an address that has not proven it wants our mail, so each
spends the caller's per-source budget and the stack's overall one. Their callers are signed in and are
told plainly when a budget is spent (429): an administrator may list the pool's users anyway, and a
person changing their address learns nothing about anyone else's. Self sign-up's anonymous callers are
never told (see sign_up).
"""

from __future__ import annotations

from collections.abc import Callable

from passwordless.accounts.account_log import AccountLog
from passwordless.accounts.refusals import TooManyNewAddresses, Unavailable
from passwordless.errors import StorageUnavailable
from passwordless.stranger_budget import StrangerBudget


def has_room(spend: Callable[[], bool], log: AccountLog) -> bool:
    """`spend`'s answer; Unavailable when its counter cannot be written (no email goes out unaccounted)."""
    try:
        return spend()
    except StorageUnavailable as error:
        log.event("unavailable", dependency="dynamodb", error=str(error))
        raise Unavailable from None


def spend_for_stranger_email(budget: StrangerBudget, source: str, log: AccountLog, *, route: str) -> None:
    """Spend one email of both budgets, or refuse: TooManyNewAddresses over either, Unavailable when a
    counter cannot be written."""
    if not has_room(lambda: budget.spend_for_source(source), log):
        scope = "source"
    elif not has_room(budget.spend_overall, log):
        scope = "overall"
    else:
        return
    log.event("stranger_budget", route=route, scope=scope)
    raise TooManyNewAddresses
