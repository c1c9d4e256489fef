"""Build the one EmailSender a container uses, from Settings.

Called once per container (when the runtime first builds the issuer, on the first create), so clients
are built and the SendGrid API key is read once, not per sign-in. Each provider's libraries are imported
inside its own branch: the create trigger has a 5 s budget including cold start, and an SES deployment
should not load SendGrid (nor an outbox run boto3).
"""

# Imports inside the branches are the point of this module (see above).
# ruff: noqa: PLC0415

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from passwordless.email.message import EmailDeliveryError, EmailSender
from passwordless.settings import Settings, SettingsError

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient


_MAX_CONNECT_TIMEOUT_SECONDS = 1.0


def build_sender(settings: Settings, *, secrets: SecretsManagerClient | None = None) -> EmailSender:
    """The sender settings.email_provider names; SendGrid's API key is read through `secrets` (the
    runtime passes its own short-timeout client), or a client built with the same short config.

    Raises EmailDeliveryError when the SendGrid API key cannot be read, SettingsError when it is empty.
    """
    if settings.email_provider == "ses":
        return _ses(settings)
    if settings.email_provider == "sendgrid":
        return _sendgrid(settings, secrets)
    from passwordless.email.outbox import OutboxSender

    return OutboxSender(Path(settings.outbox_dir))


def _ses(settings: Settings) -> EmailSender:
    import boto3
    from botocore.config import Config

    from passwordless.email.ses import SesSender
    from passwordless.runtime import USER_AGENT

    timeout = settings.email_timeout_seconds
    client = boto3.client(
        "sesv2",
        config=Config(
            # Reaching the regional endpoint takes milliseconds; most of the budget is for SES to answer.
            connect_timeout=min(_MAX_CONNECT_TIMEOUT_SECONDS, timeout),
            read_timeout=timeout,
            # No retries here: Cognito retries the whole trigger, and a retry inside would outlive it.
            retries={"total_max_attempts": 1},
            user_agent=USER_AGENT,
        ),
    )
    return SesSender(
        client,
        from_address=settings.email_from,
        from_name=settings.email_from_name,
        configuration_set=settings.ses_configuration_set,
    )


def _sendgrid(settings: Settings, secrets: SecretsManagerClient | None) -> EmailSender:
    from aws_lambda_powertools.utilities.parameters import GetParameterError, SecretsProvider

    from passwordless.email.sendgrid_sender import SendGridSender

    if secrets is None:
        import boto3

        from passwordless.runtime import client_config

        secrets = boto3.client("secretsmanager", config=client_config("trigger"))
    # Powertools' own default client has botocore's 60 s timeouts and retries: a stalled Secrets
    # Manager would outlive Cognito's 5 s, so the key is read through a short-timeout client.
    provider = SecretsProvider(boto3_client=secrets)
    secret: object = None
    with suppress(GetParameterError):
        secret = provider.get(settings.sendgrid_api_key_secret_id)
    if secret is None:
        # Raised outside the handler: a generic error with no context, like the senders' own errors.
        raise EmailDeliveryError("could not read the SendGrid API key from Secrets Manager") from None
    api_key = secret.strip() if isinstance(secret, str) else ""
    if not api_key:
        raise SettingsError("SENDGRID_API_KEY_SECRET_ID must name a secret holding the API key as text")
    return SendGridSender(
        api_key,
        from_address=settings.email_from,
        from_name=settings.email_from_name,
        template_id=settings.sendgrid_template_id,
        api_host=settings.sendgrid_api_host,
        timeout_seconds=settings.email_timeout_seconds,
    )
