"""Every email the product sends: what it says (message.py), in which language (locales), how it reads
(render), who delivers it.

A sender imports the renderer, and with it Jinja, when it sends its first email: a create trigger
loads its sender at init, and Jinja's import is the one part of the email stack a container that
never emails (a retried round, an unknown address) should not pay for in its cold start.
"""

from passwordless.email.message import (
    EmailChangeCodeEmail,
    EmailChangedEmail,
    EmailDeliveryError,
    EmailSender,
    InvitationEmail,
    NewSignInEmail,
    OutgoingEmail,
    PasskeyChangedEmail,
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
    "PasskeyChangedEmail",
    "RenderedEmail",
    "SignInEmail",
]
