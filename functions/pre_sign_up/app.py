"""PreSignUp trigger: who may become a user (passwordless.sign_up_rules).

Touches no AWS service: the rules read only the event and SIGN_UP_ALLOWED_DOMAINS. A refusal raises
SignUpRefused, whose one generic text Cognito returns to the caller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from passwordless.funnel_metrics import FunnelMetrics
from passwordless.pre_sign_up_trigger import respond_to_pre_sign_up
from passwordless.security_events import SecurityLog
from passwordless.settings import Settings

if TYPE_CHECKING:
    # Annotations only: importing it at run time would add to every cold start.
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
metrics = FunnelMetrics()
ALLOWED_DOMAINS = Settings.from_env().sign_up_allowed_domains
AUDIT = SecurityLog(logger, metrics)


# log_event=False wins over POWERTOOLS_LOGGER_LOG_EVENT: the event carries the person's address and name.
@logger.inject_lambda_context(clear_state=True, log_event=False)
@metrics.flush_per_invocation
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return respond_to_pre_sign_up(event, ALLOWED_DOMAINS, AUDIT)
