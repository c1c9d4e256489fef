"""PostAuthentication trigger: mark the email verified after an email sign-in, and send the optional
new-sign-in notice (passwordless.post_authentication). Never fails a sign-in that has succeeded."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passwordless import init_phase  # noqa: F401 - first: see its docstring
from passwordless.handler import handler
from passwordless.post_authentication import Housekeeping, respond_to_post_authentication
from passwordless.runtime import FunctionRuntime

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

RUNTIME = FunctionRuntime("cognito-idp")
# The sender is built on the first notice only (a failed build is not kept: the next one tries again).
HOUSEKEEPING = Housekeeping(
    RUNTIME.settings, RUNTIME.client("cognito-idp"), RUNTIME.build_sender, RUNTIME.audit
)


@handler(RUNTIME)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return respond_to_post_authentication(event, HOUSEKEEPING, RUNTIME.audit)
