"""PostAuthentication: housekeeping after a sign-in Cognito has already granted.

1. email_verified: an email sign-in proved the person reads the address, so mark it verified (then
   Cognito's own forgot-password and attribute flows work). Only when it is not "true" yet: a
   verified user costs no write. On a pool the stack attached to (EMAIL_SIGN_IN_CLIENT_NAME), only
   after a sign-in through the stack's own client: a password sign-in elsewhere proves no mailbox.
2. When NOTIFY_NEW_SIGN_IN is on, a "new sign-in to your account" email (NewSignInEmail).

Neither may fail the sign-in: a failure is logged by its error class alone and swallowed, and the
next sign-in tries again. A malformed event changes nothing and is logged as rejected.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from passwordless.addresses import BadAddress, normalise_email
from passwordless.email.message import EmailSender, NewSignInEmail
from passwordless.events import MalformedEvent
from passwordless.trigger_requests import parse_user_event

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from passwordless.security_events import SecurityLog
    from passwordless.settings import Settings

TRIGGER_SOURCE = "PostAuthentication_Authentication"
Event = dict[str, Any]


@dataclass(frozen=True)
class SignedIn:
    user_pool_id: str
    username: str
    client_id: str
    email: str
    """As Cognito holds it; normalised only where it is used, so a bad one skips only the notice."""
    email_verified: bool
    locale: str


def parse_post_authentication(event: object) -> SignedIn:
    user = parse_user_event(event, TRIGGER_SOURCE)
    if user.trigger_source != TRIGGER_SOURCE:
        raise MalformedEvent("triggerSource is not PostAuthentication_Authentication")
    return SignedIn(
        user_pool_id=user.user_pool_id,
        username=user.username,
        client_id=user.client_id,
        email=user.attributes.get("email", ""),
        email_verified=user.attributes.get("email_verified") == "true",
        locale=user.attributes.get("locale", ""),
    )


class Housekeeping:
    """Built once per container; `sender` is called on the first notice, so a deployment with
    notices off never builds an email sender."""

    def __init__(
        self,
        settings: Settings,
        cognito: CognitoIdentityProviderClient,
        sender: Callable[[], EmailSender],
        audit: SecurityLog,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._cognito = cognito
        self._sender = sender
        self._audit = audit
        self._clock = clock
        # (pool, client id) -> the client's name: a client's name never changes, so asked once.
        self._client_names: dict[tuple[str, str], str] = {}

    def after_sign_in(self, signed_in: SignedIn) -> None:
        if not signed_in.email_verified and self._proved_the_mailbox(signed_in):
            self._verify_email(signed_in)
        if self._settings.notify_new_sign_in:
            self._notify(signed_in)

    def _proved_the_mailbox(self, signed_in: SignedIn) -> bool:
        ours = self._settings.email_sign_in_client_name
        if not ours:
            return True
        key = (signed_in.user_pool_id, signed_in.client_id)
        if key not in self._client_names:
            try:
                described = self._cognito.describe_user_pool_client(UserPoolId=key[0], ClientId=key[1])
            except Exception as error:  # housekeeping: the next sign-in asks again
                self._audit.event("unavailable", dependency="cognito", error=type(error).__name__)
                return False
            self._client_names[key] = described["UserPoolClient"].get("ClientName", "")
        return self._client_names[key] == ours

    def _verify_email(self, signed_in: SignedIn) -> None:
        try:
            self._cognito.admin_update_user_attributes(
                UserPoolId=signed_in.user_pool_id,
                Username=signed_in.username,
                UserAttributes=[{"Name": "email_verified", "Value": "true"}],
            )
        except Exception as error:  # housekeeping: the next sign-in retries it
            self._audit.event("unavailable", dependency="cognito", error=type(error).__name__)
            return
        self._audit.event("email_verified", client=signed_in.client_id)

    def _notify(self, signed_in: SignedIn) -> None:
        try:
            address = normalise_email(signed_in.email)
        except BadAddress:
            self._audit.event("rejected", trigger="post_authentication", reason="bad_email")
            return
        # Here, not at import: a sign-in without a notice never loads the templates.
        from passwordless.email.locales import app_name_for, resolve_locale  # noqa: PLC0415

        locale = resolve_locale(signed_in.locale, self._settings.default_locale)
        notice = NewSignInEmail(
            to=address,
            when_utc=time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(self._clock())),
            locale=locale,
            app_name=app_name_for(self._settings, locale),
        )
        try:
            self._sender().send(notice)
        except Exception as error:  # housekeeping: a lost notice must not undo the sign-in
            self._audit.event("notified", sent=False, error=type(error).__name__, client=signed_in.client_id)
            return
        self._audit.event("notified", sent=True, client=signed_in.client_id)


def respond_to_post_authentication(event: Event, housekeeping: Housekeeping, audit: SecurityLog) -> Event:
    """Cognito reads nothing from this response: the event goes back as it came."""
    try:
        signed_in = parse_post_authentication(event)
    except MalformedEvent as error:
        audit.event("rejected", trigger="post_authentication", reason=str(error))
        return event
    housekeeping.after_sign_in(signed_in)
    return event
