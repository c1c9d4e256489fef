"""Account API (HTTP API, payload 2.0): self sign-up, invitations and email change
(passwordless.accounts; routes in passwordless.accounts.routes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passwordless import init_phase  # noqa: F401 - first: see its docstring
from passwordless.accounts.routes import build_app
from passwordless.handler import handler
from passwordless.runtime import FunctionRuntime

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

RUNTIME = FunctionRuntime("cognito-idp", "dynamodb", "secretsmanager", role="account_api")
app = build_app(RUNTIME.account_services)


@handler(RUNTIME)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
