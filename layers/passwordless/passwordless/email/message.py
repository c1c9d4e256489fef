"""The sender seam: one small Protocol, so tests pass an outbox and production passes SES or SendGrid.

Every message the product sends is one frozen dataclass below; its `kind` names its templates
(templates/<locale>/<kind>/...). Fields holding secrets (links, codes) are kept out of `repr`. They
are not NamedTuples, although those cost less to define at cold start: a tuple is serialized as the
list of its fields by a JSON log formatter (Powertools' among them), past the redacting `repr`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol


@dataclass(frozen=True)
class SignInEmail:
    """Everything one sign-in email says. `link` and `code` are secrets: never log or repr them.

    `link` is "" in password-and-email-code mode: the code is a second step inside the session that
    asked, so a link that could be opened anywhere has nothing to complete."""

    kind: ClassVar[str] = "sign_in"

    to: str
    link: str
    code: str
    minutes: int
    locale: str
    app_name: str

    def __repr__(self) -> str:
        return f"SignInEmail(to=<redacted>, locale={self.locale!r}, minutes={self.minutes})"


@dataclass(frozen=True)
class InvitationEmail:
    """An administrator's invitation: a link (and code) that sign the new user in, no password."""

    kind: ClassVar[str] = "invitation"
    to: str
    link: str
    code: str
    days: int
    """How long the invitation works, in whole days (at least 1)."""
    name: str
    """The invitee's name as the administrator gave it ("" for none)."""
    locale: str
    app_name: str

    def __repr__(self) -> str:
        return f"InvitationEmail(to=<redacted>, locale={self.locale!r}, days={self.days})"


@dataclass(frozen=True)
class NewSignInEmail:
    """After a sign-in, when NOTIFY_NEW_SIGN_IN is on: no secret, only when it happened."""

    kind: ClassVar[str] = "new_sign_in"
    to: str
    when_utc: str
    """ISO 8601, UTC, to the minute ("2026-11-22T10:15Z")."""
    locale: str
    app_name: str

    def __repr__(self) -> str:
        return f"NewSignInEmail(to=<redacted>, locale={self.locale!r})"


@dataclass(frozen=True)
class EmailChangeCodeEmail:
    """Sent to the NEW address of an email change: the code that proves the person reads it."""

    kind: ClassVar[str] = "email_change"
    to: str
    code: str
    minutes: int
    locale: str
    app_name: str

    def __repr__(self) -> str:
        return f"EmailChangeCodeEmail(to=<redacted>, locale={self.locale!r}, minutes={self.minutes})"


@dataclass(frozen=True)
class EmailChangedEmail:
    """Sent to the OLD address once a change is confirmed, so a hijack cannot go unnoticed."""

    kind: ClassVar[str] = "email_changed"
    to: str
    new_address_masked: str
    """The new address as passwordless.masking shows it (j•••@example.com)."""
    locale: str
    app_name: str

    def __repr__(self) -> str:
        return f"EmailChangedEmail(to=<redacted>, locale={self.locale!r})"


@dataclass(frozen=True)
class PasskeyChangedEmail:
    """Sent when a passkey is added to or removed from the account, so a passkey an intruder added
    (or a removal the owner did not make) cannot go unnoticed."""

    kind: ClassVar[str] = "passkey_changed"
    to: str
    added: bool
    """True: a passkey was added; False: one (or, by an administrator, every one) was removed."""
    passkey_name: str
    """The name the person gave it ("" when an administrator removed them all)."""
    locale: str
    app_name: str

    def __repr__(self) -> str:
        return f"PasskeyChangedEmail(to=<redacted>, added={self.added}, locale={self.locale!r})"


OutgoingEmail = (
    SignInEmail
    | InvitationEmail
    | NewSignInEmail
    | EmailChangeCodeEmail
    | EmailChangedEmail
    | PasskeyChangedEmail
)


@dataclass(frozen=True)
class RenderedEmail:
    to: str
    subject: str
    html: str
    text: str

    def __repr__(self) -> str:
        return f"RenderedEmail(subject={self.subject!r}, <body redacted>)"


class EmailDeliveryError(RuntimeError):
    """The provider did not accept the message. The text is generic: it never carries message content."""


class EmailSender(Protocol):
    def send(self, email: OutgoingEmail) -> None:
        """Deliver the message or raise EmailDeliveryError (also on timeout)."""
        ...
