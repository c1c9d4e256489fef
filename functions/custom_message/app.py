"""CustomMessage trigger: Cognito's own emails and SMS in our templates (passwordless.custom_message).

Touches no AWS service and holds no secret: Cognito sends placeholders and fills in the codes itself.
Reads APP_NAME and DEFAULT_LOCALE (through Settings, like every trigger).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from passwordless.custom_message import respond_to_custom_message
from passwordless.security_events import SecurityLog
from passwordless.settings import Settings

if TYPE_CHECKING:
    # Annotations only: importing it at run time would add to every cold start.
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
_settings = Settings.from_env()
APP_NAME = _settings.app_name
DEFAULT_LOCALE = _settings.default_locale
AUDIT = SecurityLog(logger)


# log_event=False wins over POWERTOOLS_LOGGER_LOG_EVENT: the event carries the person's attributes.
@logger.inject_lambda_context(clear_state=True, log_event=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return respond_to_custom_message(event, AUDIT, app_name=APP_NAME, default_locale=DEFAULT_LOCALE)
