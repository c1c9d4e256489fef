"""Cognito API calls the stack makes into the embedded Cognito (moto) on a client's behalf, after its
own checks and triggers: through moto's HTTP emulation, so moto validates and answers as it would
for the client, and under the lock every request into moto takes."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder

from laptop.local_stack.errors import CognitoError

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_TARGET_PREFIX = "AWSCognitoIdentityProviderService."


class MotoCognito:
    def __init__(self, moto_app: WsgiApp, lock: threading.RLock, region: str) -> None:
        self._app = moto_app
        self._lock = lock
        self._region = region

    def call(self, operation: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """moto's answer to `operation`; its refusal as the CognitoError the client then sees."""
        code, raw = self.send(operation, json.dumps(dict(body)).encode())
        answer = json.loads(raw) if raw else {}
        if code >= 400:
            error_type = str(answer.get("__type", "InternalErrorException")).rsplit("#", 1)[-1]
            raise CognitoError(error_type, str(answer.get("message", "")), status=code)
        return dict(answer)

    def send(self, operation: str, body: bytes) -> tuple[int, bytes]:
        """(status, body) of moto's answer to a request built here from the operation and body alone:
        nothing else of a client's request (query string, path, credentials) reaches moto, so moto can
        only run the operation it is named."""
        builder = EnvironBuilder(
            method="POST",
            path="/",
            headers=Headers(
                {
                    "Host": f"cognito-idp.{self._region}.amazonaws.com",
                    "X-Amz-Target": f"{_TARGET_PREFIX}{operation}",
                    # moto picks the service from the credential scope; it checks no signature.
                    "Authorization": (
                        "AWS4-HMAC-SHA256 "
                        f"Credential=local/20240101/{self._region}/cognito-idp/aws4_request, "
                        "SignedHeaders=host, Signature=0"
                    ),
                }
            ),
            content_type="application/x-amz-json-1.1",
            data=body,
        )
        status: list[str] = []

        def start_response(line: str, headers: list[tuple[str, str]], *_: Any) -> None:  # noqa: ANN401
            status.append(line)

        with self._lock:
            raw = b"".join(self._app(builder.get_environ(), start_response))
        return (int(status[0].split()[0]) if status else 500), raw
