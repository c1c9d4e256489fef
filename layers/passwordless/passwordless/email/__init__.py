"""Every email the product sends: what it says (message.py), how it reads (render), who delivers it."""

from passwordless.email.message import (
    EmailChangeCodeEmail,
    EmailChangedEmail,
    EmailDeliveryError,
    EmailSender,
    InvitationEmail,
    NewSignInEmail,
    OutgoingEmail,
    RenderedEmail,
    SignInEmail,
)

__all__ = [
    "EmailChangeCodeEmail",
    "EmailChangedEmail",
    "EmailDeliveryError",
    "EmailSender",
    "InvitationEmail",
    "NewSignInEmail",
    "OutgoingEmail",
    "RenderedEmail",
    "SignInEmail",
]
