"""Every email the product sends: what it says (message.py), in which language (locales), how it reads
(render), who delivers it.

Importing this package loads no template engine. The renderer, and with it Jinja, loads where it is
first needed: a create trigger renders a sign-in email at init (email/factory), so its first sign-in
finds Jinja and the default language's templates ready; any other function that emails loads them
with its first email.
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
