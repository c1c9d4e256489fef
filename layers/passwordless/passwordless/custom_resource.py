"""CloudFormation's custom resource protocol, as the stack's setup function speaks it.

CloudFormation sends Create, Update or Delete and waits for the answer at the request's presigned
ResponseURL: SUCCESS or FAILED with a reason, the resource's physical id, the request's ids. A request
that never gets one keeps the stack waiting an hour, so every request is answered: a refusal with its
reason, an unexpected error with a generic one (the details stay in the function's log), and a
function about to run out of time answers FAILED itself.

The ResponseURL is a credential (anyone holding it can answer for the stack), so it is never logged.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.utilities.typing import LambdaContext

RequestType = Literal["Create", "Update", "Delete"]
REQUEST_TYPES: tuple[RequestType, ...] = ("Create", "Update", "Delete")
# The answer goes out this long before Lambda would stop the function.
ANSWER_MARGIN_SECONDS = 3.0
SEND_TIMEOUT_SECONDS = 10.0
UNEXPECTED = "the stack's setup function failed; its CloudWatch log has the details"
TIMED_OUT = "timed out"


class Refused(Exception):
    """A request this resource refuses; the message is shown in the stack's events."""


@dataclass(frozen=True)
class Request:
    request_type: RequestType
    response_url: str = field(repr=False)
    stack_id: str
    request_id: str
    logical_id: str
    physical_id: str | None
    properties: Mapping[str, Any]
    old_properties: Mapping[str, Any]

    @classmethod
    def from_event(cls, event: object) -> Request:
        """The request in a CloudFormation event; ValueError (naming the field) for anything else."""
        if not isinstance(event, Mapping):
            raise ValueError("the event is not a JSON object")
        texts = {}
        for name in ("RequestType", "ResponseURL", "StackId", "RequestId", "LogicalResourceId"):
            value = event.get(name)
            if not isinstance(value, str) or not value:
                raise ValueError(f"the event has no {name}")
            texts[name] = value
        request_type = texts["RequestType"]
        if request_type not in REQUEST_TYPES:
            raise ValueError("the event's RequestType is not Create, Update or Delete")
        if urlsplit(texts["ResponseURL"]).scheme not in ("https", "http"):
            raise ValueError("the event's ResponseURL is not an HTTP URL")
        physical_id = event.get("PhysicalResourceId")
        properties, old = event.get("ResourceProperties", {}), event.get("OldResourceProperties", {})
        if not isinstance(properties, Mapping) or not isinstance(old, Mapping):
            raise ValueError("the event's resource properties are not objects")
        return cls(
            request_type=request_type,
            response_url=texts["ResponseURL"],
            stack_id=texts["StackId"],
            request_id=texts["RequestId"],
            logical_id=texts["LogicalResourceId"],
            physical_id=physical_id if isinstance(physical_id, str) and physical_id else None,
            properties=properties,
            old_properties=old,
        )


Status = Literal["SUCCESS", "FAILED"]


def answer_body(request: Request, status: Status, reason: str, physical_id: str) -> bytes:
    return json.dumps(
        {
            "Status": status,
            "Reason": reason[:1000],
            "PhysicalResourceId": physical_id,
            "StackId": request.stack_id,
            "RequestId": request.request_id,
            "LogicalResourceId": request.logical_id,
        }
    ).encode()


class Answer:
    """The one answer a request gets: the first `send` goes out, any later one is dropped."""

    def __init__(self, request: Request, logger: Logger) -> None:
        self._request = request
        self._logger = logger
        self._lock = threading.Lock()
        self.sent: str | None = None

    def send(self, status: Status, reason: str, physical_id: str) -> None:
        with self._lock:
            if self.sent is not None:
                return
            self.sent = status
        body = answer_body(self._request, status, reason, physical_id)
        # A presigned S3 PUT: signed without a content type, so none may be sent.
        put = urllib.request.Request(  # noqa: S310 - the scheme was checked in Request.from_event
            self._request.response_url, data=body, method="PUT", headers={"Content-Type": ""}
        )
        try:
            with urllib.request.urlopen(put, timeout=SEND_TIMEOUT_SECONDS):  # noqa: S310  # nosec B310 - checked scheme
                pass
        except OSError as error:
            # Nothing else can reach CloudFormation; the log says why the stack will time out.
            self._logger.error("custom resource answer not delivered", extra={"error": type(error).__name__})
            return
        answered = {"status": status, "request": self._request.request_type}
        self._logger.info("custom resource answered", extra=answered)


def serve(
    event: object,
    context: LambdaContext,
    work: Callable[[Request], str],
    logger: Logger,
    *,
    physical_id_of: Callable[[Request], str],
) -> None:
    """Runs `work` (which returns the resource's physical id) and answers CloudFormation whatever
    happens. `physical_id_of` names the resource when `work` fails, so a Delete can follow."""
    try:
        request = Request.from_event(event)
    except ValueError as error:
        # No valid ResponseURL to answer: not a CloudFormation request. Nothing is changed.
        logger.warning("not a custom resource request", extra={"reason": str(error)})
        return
    answer = Answer(request, logger)
    seconds = context.get_remaining_time_in_millis() / 1000 - ANSWER_MARGIN_SECONDS
    timer = threading.Timer(max(seconds, 0.0), answer.send, ("FAILED", TIMED_OUT, physical_id_of(request)))
    timer.daemon = True
    timer.start()
    try:
        physical_id = work(request)
    except Refused as refusal:
        logger.warning("custom resource request refused", extra={"reason": str(refusal)})
        answer.send("FAILED", str(refusal), physical_id_of(request))
    except Exception:  # every request must be answered, and with no detail
        logger.exception("custom resource request failed")
        answer.send("FAILED", UNEXPECTED, physical_id_of(request))
    else:
        answer.send("SUCCESS", "", physical_id)
    finally:
        timer.cancel()
