"""Account API (HTTP API, payload 2.0): self sign-up, invitations and email change
(passwordless.accounts; routes in passwordless.accounts.routes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from passwordless.accounts.account_log import AccountLog
from passwordless.accounts.api_runtime import AccountRuntime
from passwordless.accounts.routes import build_app

if TYPE_CHECKING:
    # Annotations only: importing it at run time would add to every cold start.
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
RUNTIME = AccountRuntime(AccountLog(logger))
app = build_app(RUNTIME.services)


# log_event=False wins over POWERTOOLS_LOGGER_LOG_EVENT: request bodies hold codes, tokens and passwords.
@logger.inject_lambda_context(clear_state=True, log_event=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
