"""The sign-in page behind the stack's optional HTTP API (passwordless.web).

Holds no data permissions and reads no trigger setting: its whole configuration is the API stage's
variables, which name only public things (region, app client id, resend delay).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passwordless.handler import handler
from passwordless.runtime import FunctionRuntime
from passwordless.web.http_api import page_config, route, to_http_api, unavailable
from passwordless.web.sign_in_page import PageConfigError

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

RUNTIME = FunctionRuntime(reads="none", metrics=False)


@handler(RUNTIME)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        config = page_config(event.get("stageVariables"))
    except PageConfigError as error:
        RUNTIME.logger.error("sign-in page misconfigured", extra={"reason": str(error)})
        return to_http_api(unavailable())
    return to_http_api(route(event, config))
