"""Each kind of email with ordinary defaults; each test file supplies its own recipient, link and code."""

from __future__ import annotations

from typing import Any

from passwordless.email import (
    EmailChangeCodeEmail,
    EmailChangedEmail,
    InvitationEmail,
    NewSignInEmail,
    OutgoingEmail,
    SignInEmail,
)

_COMMON: dict[str, Any] = {"locale": "en", "app_name": "Example Shop"}


def sign_in_email(**fields: Any) -> SignInEmail:
    return SignInEmail(**{**_COMMON, "minutes": 10, **fields})


def invitation_email(**fields: Any) -> InvitationEmail:
    return InvitationEmail(**{**_COMMON, "days": 3, "name": "", **fields})


def new_sign_in_email(**fields: Any) -> NewSignInEmail:
    return NewSignInEmail(**{**_COMMON, "when_utc": "2026-11-22T10:15Z", **fields})


def email_change_code_email(**fields: Any) -> EmailChangeCodeEmail:
    return EmailChangeCodeEmail(**{**_COMMON, "minutes": 10, **fields})


def email_changed_email(**fields: Any) -> EmailChangedEmail:
    return EmailChangedEmail(**{**_COMMON, "new_address_masked": "j\u2022\u2022\u2022@example.net", **fields})


def one_of_each(*, to: str, link: str, code: str, **common: Any) -> list[OutgoingEmail]:
    """One email of every kind for `to`, with `link` and `code` wherever a kind carries them."""
    return [
        sign_in_email(to=to, link=link, code=code, **common),
        sign_in_email(to=to, link="", code=code, **common),
        invitation_email(to=to, link=link, code=code, name="Jane", **common),
        new_sign_in_email(to=to, **common),
        email_change_code_email(to=to, code=code, **common),
        email_changed_email(to=to, **common),
    ]
