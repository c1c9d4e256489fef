"""Faults in the AWS calls the trigger handlers make, injected where moto answers them in-process.

moto answers an in-process boto3 call from botocore's `before-send.<service>.<Operation>` event; a
fault answers it first, with the HTTP error response the service would send (so botocore parses it
into the real ClientError and applies the client's real retry rules), with a connection-level
exception as botocore raises it, or after running a hook (a stall, a concurrent change). Calls over
HTTP to the local stack (the test's own clients, with a 127.0.0.1 endpoint) are let through, so
reading state back is unaffected.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from moto.core.botocore_stubber import BotocoreStubber, MockRawResponse

Hook = Callable[[], None]
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})


@dataclass
class Fault:
    """One armed fault. `call` is `<service id>.<Operation>` as botocore names it ("dynamodb.UpdateItem",
    "secrets-manager.GetSecretValue", "sesv2.SendEmail"); `when` narrows it to requests whose body
    contains that text; `times` counts how many matching calls it hits (None: every one)."""

    call: str
    error: str | None = None
    status: int = 400
    raises: Callable[[str], Exception] | None = None
    before: Hook | None = None
    when: str = ""
    times: int | None = None
    hits: int = field(default=0, init=False)

    def matches(self, call: str, body: str) -> bool:
        spent = self.times is not None and self.hits >= self.times
        return not spent and call == self.call and self.when in body


class AwsFaults:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def answer(self, event_name: str, request: AWSPreparedRequest) -> AWSResponse | None:
        if urlsplit(str(request.url)).hostname in _LOCAL_HOSTS:
            return None  # the test's own client reading the stack over HTTP: never a fault
        call = event_name.removeprefix("before-send.")
        body = _text(request.body)
        with self._lock:
            fault = next((f for f in self._faults if f.matches(call, body)), None)
            if fault is not None:
                fault.hits += 1
        if fault is None:
            return None
        if fault.before is not None:
            fault.before()  # outside the lock: a hook may make calls of its own
        if fault.raises is not None:
            raise fault.raises(str(request.url))
        if fault.error is None:
            return None
        return _error_response(str(request.url), fault.error, fault.status)


def _error_response(url: str, code: str, status: int) -> AWSResponse:
    # Every protocol these services use (JSON 1.0/1.1, REST-JSON) finds the code in one of these.
    payload = json.dumps({"__type": code, "message": f"{code} (injected by the test)"})
    headers = {"x-amzn-ErrorType": code, "Content-Type": "application/x-amz-json-1.0"}
    return AWSResponse(url, status, headers, MockRawResponse(payload))  # type: ignore[arg-type]


def _text(body: Any) -> str:
    """botocore's request body (bytes, text, a stream or None) as text to match on."""
    if isinstance(body, bytes):
        return body.decode(errors="replace")
    return body if isinstance(body, str) else ""


@contextmanager
def aws_faults() -> Iterator[AwsFaults]:
    """Arm faults (none at first) on every in-process AWS call until the block ends."""
    faults = AwsFaults()
    original = BotocoreStubber.__call__

    def faulty(
        self: BotocoreStubber, event_name: str, request: AWSPreparedRequest, **kwargs: Any
    ) -> AWSResponse | None:
        if self.enabled and (answer := faults.answer(event_name, request)) is not None:
            return answer
        return original(self, event_name, request, **kwargs)

    BotocoreStubber.__call__ = faulty  # type: ignore[method-assign]
    try:
        yield faults
    finally:
        BotocoreStubber.__call__ = original  # type: ignore[method-assign]
