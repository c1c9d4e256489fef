"""Invoke a trigger handler the way Cognito invokes Lambda: synchronously, within 5 seconds, and again
after a failure, up to three attempts in all, before the API call itself fails."""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from laptop.handlers import Handler
from laptop.invoke import LambdaContextStandIn
from laptop.local_stack.errors import CognitoError

Event = dict[str, Any]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TriggerPolicy:
    # Cognito's documented budget: "your Lambda function must respond within 5 seconds. If it does
    # not ... Amazon Cognito retries the call. After three unsuccessful attempts, the function times out."
    timeout_seconds: float = 5.0
    attempts: int = 3


class _Attempt:
    """One invocation on its own thread, so a handler that overruns is abandoned, not waited for."""

    def __init__(self, handler: Handler, event: Event, context: object) -> None:
        self.done = threading.Event()
        self.result: Event | None = None
        self.error: BaseException | None = None
        # Daemon: a handler stuck past its budget must not keep the process alive on Ctrl-C. Lambda
        # would freeze it; here it runs on unobserved, which the README notes.
        thread = threading.Thread(target=self._run, args=(handler, event, context), daemon=True)
        thread.start()

    def _run(self, handler: Handler, event: Event, context: object) -> None:
        try:
            self.result = handler(event, context)
        except BaseException as error:
            self.error = error
        finally:
            self.done.set()


class TriggerRunner:
    """Runs the handler a pool's LambdaConfig names (by function ARN) with Cognito's rules."""

    def __init__(
        self,
        handlers: Mapping[str, tuple[str, Handler]],
        policy: TriggerPolicy = TriggerPolicy(),
        context_for: Callable[[str], object] = LambdaContextStandIn.for_function,
    ) -> None:
        """`handlers` maps a function ARN to (function folder, handler)."""
        self._handlers = dict(handlers)
        self.policy = policy
        self._context_for = context_for

    def __contains__(self, arn: str) -> bool:
        return arn in self._handlers

    def invoke(self, trigger: str, arn: str, event: Event) -> Event:
        """`trigger` (DefineAuthChallenge, ...) only names the trigger in errors, as Cognito's do."""
        function, handler = self._handlers[arn]
        failure = CognitoError("UnexpectedLambdaException", f"{trigger} invocation failed.")
        timed_out = f"{trigger} invocation failed due to error Socket timeout while invoking Lambda function."
        for attempt in range(1, self.policy.attempts + 1):
            # A fresh copy each time: a handler that edited the event before failing must not leak
            # its edits into the retry, which Cognito would send from scratch.
            call = _Attempt(handler, copy.deepcopy(event), self._context_for(function))
            if not call.done.wait(self.policy.timeout_seconds):
                failure = CognitoError("UnexpectedLambdaException", timed_out)
                log.warning("%s attempt %d/%d timed out", trigger, attempt, self.policy.attempts)
                continue
            if call.error is not None:
                failure = CognitoError(
                    "UserLambdaValidationException", f"{trigger} failed with error {call.error}."
                )
                log.warning(
                    "%s attempt %d/%d raised %s",
                    trigger,
                    attempt,
                    self.policy.attempts,
                    type(call.error).__name__,
                )
                continue
            if not isinstance(call.result, dict) or not isinstance(call.result.get("response"), dict):
                raise CognitoError("InvalidLambdaResponseException", "Invalid lambda response received.")
            return call.result
        raise failure
