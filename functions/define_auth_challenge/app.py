"""DefineAuthChallenge trigger: the session state machine (passwordless.session_rules), password first
when SIGN_IN_MODE is password-and-email-code. Touches no AWS service and loads no AWS SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passwordless import init_phase  # noqa: F401 - first: see its docstring
from passwordless.define_trigger import respond_to_define
from passwordless.handler import handler
from passwordless.runtime import FunctionRuntime
from passwordless.session_rules import SessionLimits

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

RUNTIME = FunctionRuntime(reads="session")
_settings = RUNTIME.session_settings
LIMITS = SessionLimits(
    max_wrong_answers=_settings.max_answers_per_session, max_resends=_settings.max_resends_per_session
)
PASSWORD_FIRST = _settings.sign_in_mode == "password-and-email-code"


@handler(RUNTIME)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return respond_to_define(event, LIMITS, RUNTIME.audit, password_first=PASSWORD_FIRST)
