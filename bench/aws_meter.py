"""Count the AWS requests trigger handlers make, and the CPU they spend outside moto.

Embedded moto answers a handler's boto3 request on the handler's own thread (botocore's before-send
hook), so a thread's CPU time mixes the handler's work with moto's. Wrapping moto's request entry
point separates the two: the CPU spent inside it is moto's, the rest (the handler, and botocore
building, signing and parsing its requests, as in Lambda) is the trigger's.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from moto.core.botocore_stubber import BotocoreStubber

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass(frozen=True)
class Call:
    function: str
    cpu_seconds: float
    """Thread CPU of the invocation minus what moto spent answering its requests."""
    requests: Counter[tuple[str, str]]
    """(service, operation) -> requests this invocation sent."""
    returned: dict[str, Any] | None


@dataclass
class _Invocation:
    function: str
    moto_seconds: float = 0.0
    requests: Counter[tuple[str, str]] = field(default_factory=Counter)


def request_name(url: str, headers: Any) -> tuple[str, str]:  # noqa: ANN401 - botocore's header map
    """("dynamodb", "UpdateItem") for a JSON-protocol request; REST ones (SES v2) by path.

    The service is the endpoint's first label: `email` for SES v2, as its endpoint names it.
    """
    parts = urlsplit(url)
    service = (parts.hostname or "").split(".", 1)[0]
    target = headers.get("X-Amz-Target")
    if isinstance(target, bytes):
        target = target.decode()
    if target:
        return service, str(target).rsplit(".", 1)[-1]
    if service == "email" and parts.path.endswith("/outbound-emails"):
        return service, "SendEmail"
    return service, parts.path


class AwsMeter:
    """Install with `with meter.installed():` once moto is running; wrap handlers with `meter.wrap`."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self.calls: list[Call] = []

    @contextmanager
    def installed(self) -> Iterator[AwsMeter]:
        """Patch moto's request entry point (whatever is there now, e.g. laptop.aws's serialising
        wrapper) and put it back on exit, before the patch under it is undone."""
        original = BotocoreStubber.process_request
        local = self._local

        def metered(stubber: BotocoreStubber, request: Any) -> Any:  # noqa: ANN401 - moto's types
            invocation: _Invocation | None = getattr(local, "invocation", None)
            if invocation is None:
                return original(stubber, request)
            invocation.requests[request_name(request.url, request.headers)] += 1
            start = time.thread_time()
            try:
                return original(stubber, request)
            finally:
                invocation.moto_seconds += time.thread_time() - start

        BotocoreStubber.process_request = metered  # type: ignore[method-assign,assignment]
        try:
            yield self
        finally:
            BotocoreStubber.process_request = original  # type: ignore[method-assign]

    def wrap(self, function: str, handler: Handler) -> Handler:
        """The local stack's `wrap_handler`: the same handler, measured on the thread it runs on."""

        def measured(event: dict[str, Any], context: Any) -> dict[str, Any]:  # noqa: ANN401
            invocation = _Invocation(function)
            self._local.invocation = invocation
            returned: dict[str, Any] | None = None
            start = time.thread_time()
            try:
                returned = handler(event, context)
                return returned
            finally:
                spent = time.thread_time() - start - invocation.moto_seconds
                self._local.invocation = None
                with self._lock:
                    self.calls.append(Call(function, spent, invocation.requests, returned))

        return measured

    def take(self) -> list[Call]:
        """The calls recorded since the last take."""
        with self._lock:
            calls, self.calls = self.calls, []
        return calls
