"""The sender seam: one small Protocol, so tests pass an outbox and production passes SES or SendGrid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SignInEmail:
    """Everything one sign-in email says. `link` and `code` are secrets: never log or repr them."""

    to: str
    link: str
    code: str
    minutes: int
    locale: str
    app_name: str

    def __repr__(self) -> str:
        return f"SignInEmail(to=<redacted>, locale={self.locale!r}, minutes={self.minutes})"


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
    def send(self, email: SignInEmail) -> None:
        """Deliver the message or raise EmailDeliveryError (also on timeout)."""
        ...
