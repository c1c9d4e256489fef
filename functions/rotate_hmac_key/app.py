"""Secrets Manager rotation of the HMAC key secret (passwordless.key_rotation), KEY_STORE
secretsmanager with HmacKeyRotationDays set. Cognito never invokes it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passwordless import init_phase  # noqa: F401 - first: see its docstring
from passwordless.handler import handler
from passwordless.key_rotation import rotate
from passwordless.runtime import FunctionRuntime

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

RUNTIME = FunctionRuntime("secretsmanager", role="setup", reads="none", metrics=False)


@handler(RUNTIME)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    rotate(RUNTIME.client("secretsmanager"), event)
    RUNTIME.logger.info("hmac key rotation step done", extra={"step": str(event.get("Step"))})
    return {}
