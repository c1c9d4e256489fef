"""Build the one EmailSender a container uses, from Settings, in two steps.

`prepare_sender` does, in Lambda's init phase, everything that touches no network: it imports the
provider's modules and builds SES's client, and when it rehearses, renders a sign-in email in the
default language (email/render.rehearse_render) so that Jinja and those templates are loaded at init.
The function it returns finishes the job on the first email: it reads SendGrid's API key, the one
step that calls AWS and so must fail closed inside an invocation, not crash a cold start. Each
provider's libraries are imported inside its own branch: an SES deployment does not load SendGrid.
"""

# Imports inside the branches are the point of this module (see above).
# ruff: noqa: PLC0415

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from passwordless.email.message import EmailDeliveryError, EmailSender
from passwordless.settings import Settings
from passwordless.settings_reader import SettingsError

if TYPE_CHECKING:
    from botocore.config import Config
    from mypy_boto3_secretsmanager import SecretsManagerClient

    from passwordless.email.ses import SesSender

ClientMaker = Callable[[str, "Config"], Any]
"""(service, config) -> a client: the runtime's, so every client shares one botocore session."""
FinishSender = Callable[["SecretsManagerClient | None"], EmailSender]

_MAX_CONNECT_TIMEOUT_SECONDS = 1.0


def prepare_sender(
    settings: Settings, new_client: ClientMaker | None = None, *, rehearse: bool = False
) -> FinishSender:
    """Do now what building settings.email_provider's sender needs without the network (and, with
    `rehearse`, render a sign-in email and rehearse SES's send: passwordless.rehearsal); the function
    returned builds the sender, reading SendGrid's API key through the Secrets Manager client it is
    given (the runtime's own short-timeout client) or one built with the same short config.

    That function raises EmailDeliveryError when the key cannot be read, SettingsError when it is empty.
    """
    make = new_client or _session_client
    # SendGrid with a dynamic template renders sign-in emails itself: nothing of ours to load early.
    if rehearse and not (settings.email_provider == "sendgrid" and settings.sendgrid_template_id):
        from passwordless.email.render import rehearse_render

        rehearse_render(settings.default_locale)
    if settings.email_provider == "ses":
        sender = _ses(settings, make)
        if rehearse:
            sender.rehearse()
        return lambda _secrets: sender
    if settings.email_provider == "sendgrid":
        import aws_lambda_powertools.utilities.parameters  # noqa: F401 - loaded now, used on the first send

        import passwordless.email.sendgrid_sender  # noqa: F401

        return lambda secrets: _sendgrid(settings, secrets, make)
    from passwordless.email.outbox import OutboxSender

    # Made on the first email: a folder it cannot create fails that sign-in closed, not the cold start.
    return lambda _secrets: OutboxSender(Path(settings.outbox_dir))


def build_sender(settings: Settings, *, secrets: SecretsManagerClient | None = None) -> EmailSender:
    """Both steps at once, for callers with no init phase to spend."""
    return prepare_sender(settings)(secrets)


def _session_client(service: str, config: Config) -> Any:  # noqa: ANN401 - as boto3.client's
    from botocore.session import get_session

    return get_session().create_client(service, config=config)


def _ses(settings: Settings, new_client: ClientMaker) -> SesSender:
    from botocore.config import Config

    from passwordless.email.ses import SesSender
    from passwordless.runtime import USER_AGENT

    timeout = settings.email_timeout_seconds
    client = new_client(
        "sesv2",
        Config(
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


def _sendgrid(
    settings: Settings, secrets: SecretsManagerClient | None, new_client: ClientMaker
) -> EmailSender:
    from aws_lambda_powertools.utilities.parameters import GetParameterError, SecretsProvider

    from passwordless.email.sendgrid_sender import SendGridSender

    if secrets is None:
        from passwordless.runtime import client_config

        secrets = new_client("secretsmanager", client_config("trigger"))
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
