"""Deliver every email the product sends through the SendGrid v3 API with the official client.

Named `sendgrid_sender` so that `import sendgrid` below finds the library, not this module. Only the
factory's SendGrid branch imports it: SES deployments never pay for loading the library.
"""

from __future__ import annotations

import logging
from http.client import HTTPException

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import From, Mail, To

from passwordless.email.message import EmailDeliveryError, OutgoingEmail, SignInEmail


class _NothingBelowWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


# python_http_client logs every request's headers (the API key) and payload (the code and the link) at
# DEBUG. A filter on its logger drops those records even if someone turns DEBUG on for it later.
_HTTP_LOGGER = logging.getLogger("python_http_client.client")
if not any(isinstance(existing, _NothingBelowWarning) for existing in _HTTP_LOGGER.filters):
    _HTTP_LOGGER.addFilter(_NothingBelowWarning())


class SendGridSender:
    """An EmailSender over SendGrid: our rendered content, or for sign-in emails a dynamic template
    when `template_id` is set.

    `timeout_seconds` bounds connecting and each wait for data (urllib's socket timeout), which is what
    keeps a stalled API inside Cognito's 5 s trigger budget.
    """

    def __init__(
        self,
        api_key: str,
        from_address: str,
        *,
        from_name: str = "",
        template_id: str = "",
        api_host: str = "https://api.sendgrid.com",
        timeout_seconds: float = 3.0,
    ) -> None:
        # SendGridAPIClient falls back to $SENDGRID_API_KEY for a missing key; an empty secret must fail
        # here instead of quietly using whatever the environment holds.
        if not api_key or any(c.isspace() for c in api_key):
            raise ValueError("the SendGrid API key is empty or malformed")
        if timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")
        self._from = From(from_address, from_name or None)
        self._template_id = template_id
        self._api = SendGridAPIClient(api_key=api_key, host=api_host.rstrip("/"))
        # SendGridAPIClient takes no timeout, but its python_http_client.Client has one that every
        # derived request client (client.mail.send) inherits.
        self._api.client.timeout = timeout_seconds

    def send(self, email: OutgoingEmail) -> None:
        message = self._message(email)
        try:
            response = self._api.send(message)
            status = int(response.status_code)
        except HTTPError as error:
            failure = f"SendGrid refused the email (HTTP {int(error.status_code)})"
        # URLError, socket timeouts and resets are OSErrors; a garbled reply is an HTTPException.
        except (OSError, HTTPException) as error:
            failure = f"SendGrid could not be reached ({type(error).__name__})"
        else:
            if 200 <= status < 300:
                return
            failure = f"SendGrid refused the email (HTTP {status})"
        # Raised outside the handler, so the error has neither a cause nor a context: the library's
        # exceptions hold the response body, and our request (the code and the link) is in the frames.
        raise EmailDeliveryError(failure) from None

    def _message(self, email: OutgoingEmail) -> Mail:
        # The dynamic template is the sign-in email's design; every other kind is ours to word.
        if self._template_id and isinstance(email, SignInEmail):
            message = Mail(from_email=self._from, to_emails=To(email.to))
            message.template_id = self._template_id
            message.dynamic_template_data = {
                "link": email.link,
                "code": email.code,
                "minutes": email.minutes,
                "app_name": email.app_name,
                "locale": email.locale,
            }
            return message
        from passwordless.email.render import render  # noqa: PLC0415 - see passwordless.email

        rendered = render(email)
        return Mail(
            from_email=self._from,
            to_emails=To(rendered.to),
            subject=rendered.subject,
            plain_text_content=rendered.text,
            html_content=rendered.html,
        )
