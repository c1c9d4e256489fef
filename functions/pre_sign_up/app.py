"""PreSignUp trigger: who may become a user (passwordless.sign_up_rules).

Touches no AWS service: the rules read only the event and SIGN_UP_ALLOWED_DOMAINS. A refusal raises
SignUpRefused, whose one generic text Cognito returns to the caller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passwordless import init_phase  # noqa: F401 - first: see its docstring
from passwordless.handler import handler
from passwordless.pre_sign_up_trigger import respond_to_pre_sign_up
from passwordless.runtime import FunctionRuntime

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

RUNTIME = FunctionRuntime()
ALLOWED_DOMAINS = RUNTIME.settings.sign_up_allowed_domains


@handler(RUNTIME)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return respond_to_pre_sign_up(event, ALLOWED_DOMAINS, RUNTIME.audit)
