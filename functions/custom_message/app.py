"""CustomMessage trigger: Cognito's own emails and SMS in our templates (passwordless.custom_message).

Touches no AWS service and holds no secret: Cognito sends placeholders and fills in the codes itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passwordless import init_phase  # noqa: F401 - first: see its docstring
from passwordless.custom_message import respond_to_custom_message
from passwordless.handler import handler
from passwordless.runtime import FunctionRuntime

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

RUNTIME = FunctionRuntime(metrics=False)


@handler(RUNTIME)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return respond_to_custom_message(event, RUNTIME.audit, RUNTIME.settings)
