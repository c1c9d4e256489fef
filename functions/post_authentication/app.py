"""PostAuthentication trigger: mark the email verified after an email sign-in, and send the optional
new-sign-in notice (passwordless.post_authentication). Never fails a sign-in that has succeeded."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import boto3
from aws_lambda_powertools import Logger

from passwordless.email.factory import build_sender
from passwordless.email.message import EmailSender
from passwordless.funnel_metrics import FunnelMetrics
from passwordless.post_authentication import Housekeeping, respond_to_post_authentication
from passwordless.runtime import AWS_CLIENT_CONFIG
from passwordless.security_events import SecurityLog
from passwordless.settings import Settings

if TYPE_CHECKING:
    # Annotations only: importing it at run time would add to every cold start.
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
metrics = FunnelMetrics()
AUDIT = SecurityLog(logger, metrics)
_settings = Settings.from_env()


@functools.cache
def _sender() -> EmailSender:
    # Built on the first notice only; a failed build is not cached, so the next sign-in tries again.
    return build_sender(_settings, secrets=boto3.client("secretsmanager", config=AWS_CLIENT_CONFIG))


HOUSEKEEPING = Housekeeping(_settings, boto3.client("cognito-idp", config=AWS_CLIENT_CONFIG), _sender, AUDIT)


# log_event=False wins over POWERTOOLS_LOGGER_LOG_EVENT: the event carries the person's address.
@logger.inject_lambda_context(clear_state=True, log_event=False)
@metrics.flush_per_invocation
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return respond_to_post_authentication(event, HOUSEKEEPING, AUDIT)
