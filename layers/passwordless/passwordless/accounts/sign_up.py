"""Self sign-up without Cognito's public SignUp, which tells anyone that an address is taken.

A new address becomes a CONFIRMED user with a random password nobody keeps (email_verified stays
"false" until the first email sign-in proves the mailbox); an address that already has an account
changes nothing. The caller cannot tell the two apart: both answer the same, and in about the same
time (creating takes two Cognito calls, finding the address taken one; the quicker answer waits).
"""

from __future__ import annotations

from passwordless.accounts.account_log import AccountLog, roll_back
from passwordless.accounts.refusals import BadRequest, DomainNotAllowed, NotFound, Unavailable
from passwordless.accounts.stranger_mail import has_room
from passwordless.accounts.user_admin import CognitoRefused, UserAdmin, UserAdminError, UserExists
from passwordless.addresses import domain_of
from passwordless.response_pacer import ResponsePacer
from passwordless.stranger_budget import StrangerBudget


class SignUp:
    def __init__(
        self,
        users: UserAdmin,
        log: AccountLog,
        budget: StrangerBudget,
        *,
        enabled: bool,
        allowed_domains: tuple[str, ...],
        pacer: ResponsePacer | None = None,
    ) -> None:
        self._users = users
        self._pacer = pacer or ResponsePacer()
        self._log = log
        self._budget = budget
        self._enabled = enabled
        self._allowed_domains = frozenset(allowed_domains)

    def sign_up(self, email: str, *, name: str, locale: str, source: str) -> None:
        """Returns the same way whether the account was created, already existed, or `source` (the
        caller's IP address) has spent its hour's budget of new accounts: a new account is an email
        to a stranger as soon as anyone asks it to sign in."""
        if not self._enabled:
            raise NotFound
        if self._allowed_domains and domain_of(email) not in self._allowed_domains:
            self._log.event("refused", route="sign-up", reason="domain")
            raise DomainNotAllowed
        started = self._pacer.start()
        if not has_room(lambda: self._budget.spend_for_source(source), self._log):
            self._log.event("stranger_budget", route="sign-up", scope="source")
            self._pacer.pad_quiet_call(started)
            return
        try:
            username = self._users.create_user(email, name=name, locale=locale, self_sign_up=True)
        except UserExists:
            self._log.event("sign_up_existing")
            self._pacer.pad_quiet_call(started)
            return
        except CognitoRefused as refused:
            # PreSignUp's refusal or a parameter Cognito would not take; nothing was created.
            self._log.event("refused", route="sign-up", reason=refused.code)
            raise BadRequest from None
        except UserAdminError as error:
            self._log.event("unavailable", dependency="cognito", error=error.code)
            raise Unavailable from None
        try:
            self._users.set_random_password(username)
        except UserAdminError as error:
            # A user left in FORCE_CHANGE_PASSWORD could never sign in by email: take it back, so
            # the next attempt starts clean.
            self._log.event("unavailable", dependency="cognito", error=error.code)
            roll_back(self._users, username, self._log)
            raise Unavailable from None
        self._pacer.observe_sending_call(started)
        self._log.event("signed_up")
