"""The sign-in page served on 127.0.0.1 the way a deployment serves it, next to a stub Cognito.

The page lives under a path prefix (/app/), which proves its asset references are relative. The stub
answers Cognito's JSON API at /cognito/ (same origin, as on the laptop stack) with canned replies,
and records every request it gets, so a test can show what the page sent and when. With
`offer_sign_up()` it also plays the account API's POST /sign-up on another origin (localhost instead
of 127.0.0.1, as the deployed account API has its own host), with API Gateway's CORS answers.
"""

from __future__ import annotations

import base64
import json
import threading
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from laptop.loopback import LoopbackServer
from passwordless.settings import DEFAULT_APP_NAME
from passwordless.web.sign_in_page import PageConfig, WebResponse, plain_text, sign_in_page, static_asset

REGION = "eu-west-1"
CLIENT_ID = "browsertestclient1234567890"
# Cognito's USERNAME challenge parameter is the user's internal name, not the address typed: the page
# must send back this value, which it could not have made up.
USERNAME = "9f6a1c2e-0000-4000-8000-00000000abcd"
TARGET_PREFIX = "AWSCognitoIdentityProviderService."
PAGE_PREFIX = "/app/"
ENDPOINT_PATH = "/cognito/"
SIGN_UP_PATH = "/sign-up"

Reply = tuple[int, dict[str, Any]]


@dataclass(frozen=True)
class CognitoCall:
    operation: str
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass(frozen=True)
class SignUpCall:
    method: str
    body: bytes
    headers: dict[str, str]


def challenge(session: str, masked: str = "j\u2022\u2022\u2022@example.com", code_length: int = 6) -> Reply:
    return 200, {
        "ChallengeName": "CUSTOM_CHALLENGE",
        "Session": session,
        "ChallengeParameters": {"USERNAME": USERNAME, "email": masked, "codeLength": str(code_length)},
    }


def signed_in(claims: dict[str, Any]) -> Reply:
    return 200, {
        "ChallengeParameters": {},
        "AuthenticationResult": {
            "IdToken": unsigned_jwt(claims),
            "AccessToken": unsigned_jwt({"token_use": "access", "sub": claims.get("sub", "")}),
            "RefreshToken": "refresh-token-for-tests",
            "ExpiresIn": 3600,
            "TokenType": "Bearer",
        },
    }


def cognito_error(kind: str, message: str) -> Reply:
    # Cognito names the type with a namespace prefix the page has to strip.
    return 400, {"__type": f"com.amazonaws.cognito.identity.idp.model#{kind}", "message": message}


def unsigned_jwt(claims: dict[str, Any]) -> str:
    """A JWT-shaped token with alg "none": the page only reads claims, it never verifies."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


class PageServer(LoopbackServer):
    """Use as a context manager. Replies queued with `queue` go out first, per operation; then the
    defaults: InitiateAuth opens a challenge ("session-1"), RespondToAuthChallenge signs in."""

    def __init__(self, id_claims: dict[str, Any]) -> None:
        self.resend_after_seconds = 60
        self.app_name = DEFAULT_APP_NAME
        self._id_claims = id_claims
        self._lock = threading.Lock()
        self._calls: list[CognitoCall] = []
        self._queued: defaultdict[str, deque[Reply]] = defaultdict(deque)
        self._sign_up_url = ""
        self._sign_up_calls: list[SignUpCall] = []
        self._sign_up_statuses: deque[int] = deque()
        super().__init__(_handler_for(self))

    @property
    def page_url(self) -> str:
        return self.origin + PAGE_PREFIX

    @property
    def calls(self) -> list[CognitoCall]:
        with self._lock:
            return list(self._calls)

    def operations(self) -> list[str]:
        return [call.operation for call in self.calls]

    def queue(self, operation: str, *replies: Reply) -> None:
        with self._lock:
            self._queued[operation].extend(replies)

    @property
    def sign_up_origin(self) -> str:
        return f"http://localhost:{self._server.server_address[1]}"

    def offer_sign_up(self, *statuses: int) -> None:
        """Configure the page with this stub's sign-up URL; its answers are `statuses` in turn, then 202
        (0: close the connection without answering)."""
        with self._lock:
            self._sign_up_url = self.sign_up_origin + SIGN_UP_PATH
            self._sign_up_statuses.extend(statuses)

    @property
    def sign_up_calls(self) -> list[SignUpCall]:
        """Every request to the sign-up path, preflights (OPTIONS) included, on either host."""
        with self._lock:
            return list(self._sign_up_calls)

    def answer_sign_up(self, method: str, body: bytes, headers: dict[str, str]) -> int:
        with self._lock:
            self._sign_up_calls.append(SignUpCall(method, body, headers))
            if method != "POST":
                return 204
            return self._sign_up_statuses.popleft() if self._sign_up_statuses else 202

    def config(self) -> PageConfig:
        return PageConfig(
            REGION,
            CLIENT_ID,
            self.origin + ENDPOINT_PATH,
            self.resend_after_seconds,
            self._sign_up_url,
            app_name=self.app_name,
        )

    def answer(self, operation: str, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        with self._lock:
            self._calls.append(CognitoCall(operation, body, headers))
            if self._queued[operation]:
                return self._queued[operation].popleft()
        if operation == "InitiateAuth":
            return challenge("session-1")
        if operation == "RespondToAuthChallenge":
            return signed_in(self._id_claims)
        if operation == "RevokeToken":
            return 200, {}
        return cognito_error("InvalidParameterException", f"the stub does not do {operation}")


def _handler_for(server: PageServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == PAGE_PREFIX:
                self._send(sign_in_page(server.config()))
                return
            asset = static_asset(path.removeprefix(PAGE_PREFIX)) if path.startswith(PAGE_PREFIX) else None
            self._send(asset or plain_text(404, "Not found."))

        def do_OPTIONS(self) -> None:
            if self.path != SIGN_UP_PATH:
                self._send(plain_text(404, "Not found."))
                return
            server.answer_sign_up("OPTIONS", b"", dict(self.headers.items()))
            # What API Gateway's CorsConfiguration answers for the page's origin: POST with a JSON body,
            # nothing else (no credentials, no other header).
            self.send_response(204)
            self.send_header("Access-Control-Allow-Origin", server.origin)
            self.send_header("Access-Control-Allow-Methods", "POST")
            self.send_header("Access-Control-Allow-Headers", "content-type")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:
            if self.path == SIGN_UP_PATH:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = server.answer_sign_up("POST", raw, dict(self.headers.items()))
                if status == 0:
                    self.close_connection = True  # no answer at all: the browser sees a network error
                    return
                body = json.dumps({"message": f"status {status}"}).encode()
                self.send_response(status)
                self.send_header("Access-Control-Allow-Origin", server.origin)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if self.path != ENDPOINT_PATH:
                self._send(plain_text(404, "Not found."))
                return
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            target = self.headers.get("X-Amz-Target", "")
            status, reply = server.answer(
                target.removeprefix(TARGET_PREFIX), json.loads(raw or b"{}"), dict(self.headers.items())
            )
            body = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _send(self, response: WebResponse) -> None:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: a test reads `calls`, not a log."""

    return Handler
