"""CloudFormation's side of a custom resource, on 127.0.0.1: the request events it sends and the
presigned URL it waits at for the answer. The local stack attaches its triggers to an existing pool
through it, and the tests read each answer the setup function gave."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler
from typing import Any

from laptop.aws import REGION
from laptop.loopback import LoopbackServer

ACCOUNT_ID = "123456789012"
STACK_ID = (
    f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/passwordless/5b6c7d8e-0000-4000-8000-000000000001"
)
MAX_ANSWER_BYTES = 8192


def custom_resource_event(
    request_type: str,
    properties: dict[str, Any],
    *,
    response_url: str,
    physical_id: str | None = None,
    old_properties: dict[str, Any] | None = None,
    logical_id: str = "TriggerAttachment",
) -> dict[str, Any]:
    """A request as CloudFormation sends it (every property value is text, as CloudFormation's are)."""
    event: dict[str, Any] = {
        "RequestType": request_type,
        "ServiceToken": f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:TriggerAttachmentFunction",
        "ResponseURL": response_url,
        "StackId": STACK_ID,
        "RequestId": str(uuid.uuid4()),
        "LogicalResourceId": logical_id,
        "ResourceType": "Custom::TriggerAttachment",
        "ResourceProperties": {"ServiceToken": "…", **properties},
    }
    if physical_id is not None:
        event["PhysicalResourceId"] = physical_id
    if old_properties is not None:
        event["OldResourceProperties"] = {"ServiceToken": "…", **old_properties}
    return event


class ResponseSink(LoopbackServer):
    """Where the answers go: each PUT to `url` is kept, in order, as the JSON it carried."""

    def __init__(self) -> None:
        self.answers: list[dict[str, Any]] = []
        self._arrived = threading.Condition()
        super().__init__(_handler_for(self))

    @property
    def url(self) -> str:
        # A presigned URL's query string: credentials only in appearance.
        return f"{self.origin}/cloudformation-answer?X-Amz-Signature=local"

    def keep(self, answer: dict[str, Any]) -> None:
        with self._arrived:
            self.answers.append(answer)
            self._arrived.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The first `count` answers, once they have come."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.answers) >= count, timeout):
                raise TimeoutError(f"{len(self.answers)} of {count} custom resource answers came")
            return self.answers[:count]


def _handler_for(sink: ResponseSink) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(min(length, MAX_ANSWER_BYTES))
            sink.keep(json.loads(body) if body else {})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: ANN401 - http.server's signature
            return

    return Handler
