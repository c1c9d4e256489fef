"""The sign-in page behind the stack's optional HTTP API (passwordless.web).

Holds no data permissions and reads no trigger setting: its whole configuration is the API stage's
variables, which name only public things (region, app client id, resend delay).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from passwordless.web.http_api import page_config, route, to_http_api, unavailable
from passwordless.web.sign_in_page import PageConfigError

if TYPE_CHECKING:
    # Annotations only: importing it at run time would add to every cold start.
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()


# log_event=False wins over POWERTOOLS_LOGGER_LOG_EVENT: a request's headers are the visitor's business.
@logger.inject_lambda_context(clear_state=True, log_event=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        config = page_config(event.get("stageVariables"))
    except PageConfigError as error:
        logger.error("sign-in page misconfigured", extra={"reason": str(error)})
        return to_http_api(unavailable())
    return to_http_api(route(event, config))
