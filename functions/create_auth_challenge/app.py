"""CreateAuthChallenge trigger: reuse the live secret or issue one and email it
(passwordless.challenge_issuer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from passwordless.funnel_metrics import FunnelMetrics
from passwordless.runtime import TriggerRuntime
from passwordless.security_events import SecurityLog
from passwordless.triggers import respond_to_create

if TYPE_CHECKING:
    # Annotations only: importing it at run time would add to every cold start.
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
metrics = FunnelMetrics()
RUNTIME = TriggerRuntime.from_env(SecurityLog(logger, metrics))


# log_event=False wins over POWERTOOLS_LOGGER_LOG_EVENT: these events carry answers and challenge parameters.
@logger.inject_lambda_context(clear_state=True, log_event=False)
@metrics.flush_per_invocation
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return respond_to_create(event, RUNTIME.issuer, RUNTIME.audit)
