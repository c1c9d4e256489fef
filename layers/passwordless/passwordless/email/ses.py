"""Deliver every email the product sends through Amazon SES (API v2), as we render it."""

from __future__ import annotations

import re
from email.utils import formataddr
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from passwordless.email.message import EmailDeliveryError, OutgoingEmail, RenderedEmail
from passwordless.rehearsal import rehearse

if TYPE_CHECKING:
    from mypy_boto3_sesv2.client import SESV2Client
    from mypy_boto3_sesv2.type_defs import SendEmailRequestTypeDef

# AWS error codes are identifiers ("MessageRejected"); their messages may quote addresses, so only a
# code of this shape is ever copied into our error.
_SAFE_CODE = re.compile(r"[A-Za-z][A-Za-z0-9.]{0,63}")
_UTF8 = "UTF-8"


class SesSender:
    """An EmailSender over an SESv2 client the caller built once (with its timeouts and no retries)."""

    def __init__(
        self, client: SESV2Client, from_address: str, from_name: str = "", configuration_set: str = ""
    ) -> None:
        self._client = client
        self._from = formataddr((from_name, from_address)) if from_name else from_address
        self._configuration_set = configuration_set

    def send(self, email: OutgoingEmail) -> None:
        from passwordless.email.render import render  # noqa: PLC0415 - see passwordless.email

        request = self._request(render(email))
        try:
            self._client.send_email(**request)
        except (ClientError, BotoCoreError) as error:
            failure = _describe(error)
        else:
            return
        # Raised outside the handler, so the error has neither a cause nor a context: the botocore
        # exception holds the request parameters, i.e. the address, the code and the link.
        raise EmailDeliveryError(failure) from None

    def rehearse(self) -> bool:
        """Rehearse a send at init (passwordless.rehearsal): nothing is sent."""
        placeholder = RenderedEmail(to="rehearsal@example.com", subject="-", html="-", text="-")
        return rehearse(self._client, "SendEmail", **self._request(placeholder))

    def _request(self, rendered: RenderedEmail) -> SendEmailRequestTypeDef:
        request: SendEmailRequestTypeDef = {
            "FromEmailAddress": self._from,
            "Destination": {"ToAddresses": [rendered.to]},
            "Content": {
                "Simple": {
                    "Subject": {"Data": rendered.subject, "Charset": _UTF8},
                    "Body": {
                        "Text": {"Data": rendered.text, "Charset": _UTF8},
                        "Html": {"Data": rendered.html, "Charset": _UTF8},
                    },
                }
            },
        }
        if self._configuration_set:
            request["ConfigurationSetName"] = self._configuration_set
        return request


def _describe(error: ClientError | BotoCoreError) -> str:
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        detail = f" ({code})" if _SAFE_CODE.fullmatch(code) else ""
        return f"SES did not accept the email{detail}"
    # Class names (ReadTimeoutError, EndpointConnectionError) say what failed and nothing more.
    return f"SES could not be reached ({type(error).__name__})"
