"""Sign-in email: what to say (SignInEmail), how it reads (render), and who delivers it (EmailSender)."""

from passwordless.email.message import EmailDeliveryError, EmailSender, RenderedEmail, SignInEmail

__all__ = ["EmailDeliveryError", "EmailSender", "RenderedEmail", "SignInEmail"]
