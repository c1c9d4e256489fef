"""Invoke a trigger handler the way Cognito invokes Lambda: synchronously, within 5 seconds, again
after a timeout (three attempts in all), and then fail the API call with Cognito's error."""

from __future__ import annotations

import copy
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from laptop.handlers import Handler
from laptop.invoke import LambdaContextStandIn
from laptop.local_stack.errors import CognitoError, invalid_lambda_response

Event = dict[str, Any]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TriggerPolicy:
    # Cognito's documented budget: "your Lambda function must respond within 5 seconds. If it does
    # not ... Amazon Cognito retries the call. After three unsuccessful attempts, the function times out."
    timeout_seconds: float = 5.0
    attempts: int = 3
    # An exception the function raises reaches the client at once as UserLambdaValidationException
    # ("<Trigger> failed with error <message>."), which is what deployed pools show. Retrying it
    # here would let a trigger that fails once pass locally and fail in AWS, so it is opt-in.
    retry_errors: bool = False


class _Attempt:
    """One invocation on a thread of its own, so a handler that overruns is abandoned, not waited for."""

    def __init__(self, handler: Handler, event: Event, context: object) -> None:
        self.done = threading.Event()
        self.result: object = None
        self.error: BaseException | None = None
        self._job = (handler, event, context)

    def run(self) -> None:
        handler, event, context = self._job
        try:
            self.result = handler(event, context)
        except BaseException as error:
            self.error = error
        finally:
            self.done.set()


class _Threads:
    """Threads that run one attempt at a time and then wait for the next. Starting a thread per
    invocation was a measurable share of the local stack's CPU per sign-in; a thread whose attempt
    overran is simply busy until its handler returns, and a call never waits for a free one."""

    def __init__(self) -> None:
        self._idle: list[queue.SimpleQueue[_Attempt]] = []
        self._lock = threading.Lock()

    def start(self, attempt: _Attempt) -> None:
        with self._lock:
            inbox = self._idle.pop() if self._idle else None
        if inbox is None:
            inbox = queue.SimpleQueue()
            # Daemon: a handler stuck past its budget must not keep the process alive on Ctrl-C.
            threading.Thread(target=self._serve, args=(inbox,), daemon=True).start()
        inbox.put(attempt)

    def _serve(self, inbox: queue.SimpleQueue[_Attempt]) -> None:
        while True:
            inbox.get().run()
            with self._lock:
                self._idle.append(inbox)


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
        self._abandoned: list[_Attempt] = []
        self._lock = threading.Lock()
        self._threads = _Threads()

    def __contains__(self, arn: str) -> bool:
        return arn in self._handlers

    def invoke(self, trigger: str, arn: str, event: Event) -> Event:
        """`trigger` (DefineAuthChallenge, ...) only names the trigger in errors, as Cognito's do."""
        result = self.call(trigger, arn, event)
        if not isinstance(result, dict) or not isinstance(result.get("response"), dict):
            raise invalid_lambda_response()
        return result

    def call(self, trigger: str, arn: str, event: Event) -> object:
        """What the handler returned, whatever its shape (an HTTP API function's answer is no trigger
        event); a timeout or an exception is the CognitoError Cognito would answer with."""
        function, handler = self._handlers[arn]
        timed_out = f"{trigger} invocation failed due to error Socket timeout while invoking Lambda function."
        failure = CognitoError("UnexpectedLambdaException", timed_out)
        for attempt in range(1, self.policy.attempts + 1):
            # A fresh copy each time: a handler that edited the event before failing must not leak
            # its edits into the retry, which Cognito would send from scratch.
            call = _Attempt(handler, copy.deepcopy(event), self._context_for(function))
            self._threads.start(call)
            if not call.done.wait(self.policy.timeout_seconds):
                with self._lock:
                    self._abandoned.append(call)
                log.warning("%s attempt %d/%d timed out", trigger, attempt, self.policy.attempts)
                failure = CognitoError("UnexpectedLambdaException", timed_out)
                continue
            if call.error is not None:
                failure = CognitoError(
                    "UserLambdaValidationException", f"{trigger} failed with error {call.error}."
                )
                log.warning("%s attempt %d raised %s", trigger, attempt, type(call.error).__name__)
                if self.policy.retry_errors:
                    continue
                raise failure
            return call.result
        raise failure

    def drain(self, timeout_seconds: float) -> int:
        """Wait up to `timeout_seconds` for overrun invocations still running (Lambda would have
        stopped them); returns how many are still running, which the caller should report."""
        deadline = time.monotonic() + timeout_seconds
        with self._lock:
            abandoned, self._abandoned = self._abandoned, []
        for call in abandoned:
            call.done.wait(max(0.0, deadline - time.monotonic()))
        return sum(not call.done.is_set() for call in abandoned)
