"""A local stand-in for the SendGrid v3 mail API, for driving the official client without a network.

It answers POST /v3/mail/send like SendGrid does (202, empty body) and records what it was sent, so
tests assert on the message a real client produced. It can be told to fail (any status, N times or
until healthy again) or to stall, to prove timeouts and error handling.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

MAIL_SEND_PATH = "/v3/mail/send"


class SendGridSink:
    """Use as a context manager; `url` is the base to give the client as its host."""

    def __init__(self, api_key: str | None = None) -> None:
        """With `api_key`, requests without `Authorization: Bearer <api_key>` get 401 like SendGrid's."""
        self._api_key = api_key
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._messages: list[dict[str, Any]] = []
        self._requests: list[dict[str, Any]] = []
        self._fail_status: int | None = None
        self._fail_times: int | None = None
        self._stall_seconds = 0.0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> SendGridSink:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="sendgrid-sink", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        self._closing.set()  # wakes stalled handlers so nothing outlives the sink
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> SendGridSink:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- what tests read ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sink is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def messages(self) -> list[dict[str, Any]]:
        """v3 JSON bodies of the requests answered 202, oldest first."""
        with self._lock:
            return list(self._messages)

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every request received: {"method", "path", "headers", "json"}, oldest first."""
        with self._lock:
            return list(self._requests)

    # -- behaviour switches ------------------------------------------------------------------------
    def fail_with(self, status: int, times: int | None = None) -> None:
        """Answer the next `times` requests (all, if None) with `status` and a SendGrid-style error."""
        with self._lock:
            self._fail_status = status
            self._fail_times = times

    def stall(self, seconds: float) -> None:
        """Hold every request `seconds` before answering (the answer then goes nowhere useful)."""
        with self._lock:
            self._stall_seconds = seconds

    def healthy(self) -> None:
        with self._lock:
            self._fail_status = None
            self._fail_times = None
            self._stall_seconds = 0.0

    # -- used by the request handler ---------------------------------------------------------------
    def _record(self, request: dict[str, Any]) -> tuple[int | None, float]:
        """Store the request; return the failure status to answer with (if any) and the stall."""
        with self._lock:
            self._requests.append(request)
            status = self._fail_status
            if status is not None and self._fail_times is not None:
                self._fail_times -= 1
                if self._fail_times <= 0:
                    self._fail_status = None
                    self._fail_times = None
            return status, self._stall_seconds

    def _accept(self, body: dict[str, Any]) -> None:
        with self._lock:
            self._messages.append(body)

    def _verdict(
        self, path: str, authorization: str | None, body: Any, failure: int | None, stall: float
    ) -> tuple[int, str | None]:
        """The status SendGrid would answer with, and its error message (None for success)."""
        if path != MAIL_SEND_PATH:
            return 404, "not found"
        if self._api_key is not None and authorization != f"Bearer {self._api_key}":
            return 401, "The provided authorization grant is invalid, expired, or revoked"
        if failure is not None:
            return failure, "sink told to fail"
        if not _looks_like_mail(body):
            return 400, "bad request body"
        # A stalled request is answered 202 when the stall ends, but the client gave up long before:
        # it counts as not delivered (the handler does not record it).
        return 202, None

    def _wait(self, seconds: float) -> bool:
        """Sleep, cut short by close(); True if the sink is closing."""
        return self._closing.wait(seconds)


def _handler_for(sink: SendGridSink) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = None
            status, stall = sink._record(
                {
                    "method": "POST",
                    "path": self.path,
                    "headers": dict(self.headers.items()),
                    "json": body,
                }
            )
            if stall > 0 and sink._wait(stall):
                return
            answer, error = sink._verdict(self.path, self.headers.get("Authorization"), body, status, stall)
            if answer == 202 and error is None and stall <= 0:
                sink._accept(body)
            self._answer(answer, error)

        def do_GET(self) -> None:
            sink._record({"method": "GET", "path": self.path, "headers": dict(self.headers.items())})
            self._answer(405, "method not allowed")

        def _answer(self, status: int, error: str | None) -> None:
            payload = b"" if error is None else json.dumps({"errors": [{"message": error}]}).encode()
            try:
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "1")
                if payload:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the client timed out and hung up; nobody is listening

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep pytest output clean

    return Handler


def _looks_like_mail(body: Any) -> bool:
    """The checks SendGrid makes before accepting: recipients, a sender, and content or a template."""
    if not isinstance(body, dict):
        return False
    personalizations = body.get("personalizations")
    has_recipients = isinstance(personalizations, list) and all(
        isinstance(p, dict) and p.get("to") for p in personalizations
    )
    has_body = bool(body.get("content")) or bool(body.get("template_id"))
    return has_recipients and bool(personalizations) and "from" in body and has_body
