"""The one wrapper every function's lambda_handler wears: Powertools' Lambda context in the logs,
state cleared per invocation, and the funnel metrics (where the function counts them) written when
the invocation ends."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from passwordless.runtime import FunctionRuntime

Handler = TypeVar("Handler", bound="Callable[[dict[str, Any], LambdaContext], dict[str, Any]]")


def handler(runtime: FunctionRuntime) -> Callable[[Handler], Handler]:
    """`@handler(RUNTIME)` above `def lambda_handler(event, context)`."""

    def wrap(function: Handler) -> Handler:
        if runtime.metrics is not None:
            function = runtime.metrics.flush_per_invocation(function)
        # log_event=False wins over POWERTOOLS_LOGGER_LOG_EVENT: every event these functions get
        # carries an answer, challenge parameters, an address or a request body.
        wrapped: Handler = runtime.logger.inject_lambda_context(function, clear_state=True, log_event=False)
        return wrapped

    return wrap
