"""DefineAuthChallenge trigger: the session state machine (passwordless.session_rules), password first
when SIGN_IN_MODE is password-and-email-code.

Imports no boto3: define touches no AWS service, and its cold start is measured against that floor.
Importing Powertools' Logger already loads its metrics provider, so metrics add only
passwordless.funnel_metrics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from passwordless.define_trigger import respond_to_define
from passwordless.funnel_metrics import FunnelMetrics
from passwordless.security_events import SecurityLog
from passwordless.session_rules import SessionLimits
from passwordless.settings_reader import SessionSettings

if TYPE_CHECKING:
    # Annotations only: importing it at run time would add to every cold start.
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
metrics = FunnelMetrics()
_settings = SessionSettings.from_env()
LIMITS = SessionLimits(
    max_wrong_answers=_settings.max_answers_per_session, max_resends=_settings.max_resends_per_session
)
PASSWORD_FIRST = _settings.sign_in_mode == "password-and-email-code"
AUDIT = SecurityLog(logger, metrics)


# log_event=False wins over POWERTOOLS_LOGGER_LOG_EVENT: these events carry answers and challenge parameters.
@logger.inject_lambda_context(clear_state=True, log_event=False)
@metrics.flush_per_invocation
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return respond_to_define(event, LIMITS, AUDIT, password_first=PASSWORD_FIRST)
