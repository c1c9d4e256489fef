"""VerifyAuthChallengeResponse trigger: check the answer and spend the secret once
(passwordless.answer_checker)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passwordless import init_phase  # noqa: F401 - first: see its docstring
from passwordless.handler import handler
from passwordless.runtime import FunctionRuntime
from passwordless.triggers import respond_to_verify

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

RUNTIME = FunctionRuntime("dynamodb", "secretsmanager", prepares=("checker",))


@handler(RUNTIME)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return respond_to_verify(event, RUNTIME.checker, RUNTIME.audit, RUNTIME.passkeys)
