"""The sign-in page behind the stack's optional HTTP API (passwordless.web).

Holds no data permissions. Its configuration is the API stage's variables, which name only public
things (region, app client id, resend delay), and APP_NAME, the one shared setting it shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passwordless import init_phase  # noqa: F401 - first: see its docstring
from passwordless.handler import handler
from passwordless.runtime import FunctionRuntime
from passwordless.settings import PageSettings
from passwordless.web.http_api import page_config, route, to_http_api, unavailable
from passwordless.web.sign_in_page import PageConfigError

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

RUNTIME = FunctionRuntime(reads="none", metrics=False)
# Read now, so a bad APP_NAME fails the cold start naming it, as it fails the triggers'.
SETTINGS = PageSettings.from_env()


@handler(RUNTIME)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        config = page_config(event.get("stageVariables"), app_name=SETTINGS.app_name)
    except PageConfigError as error:
        RUNTIME.logger.error("sign-in page misconfigured", extra={"reason": str(error)})
        return to_http_api(unavailable())
    return to_http_api(route(event, config))
