"""The account API's routes as API Gateway's HTTP API serves them: a payload format 2.0 event for the
function, and for routes behind the JWT authorizer the access token checked first (signature, issuer,
expiry, revocation, and an app client among the authorizer's audiences), its claims handed over as
strings. A request without a valid token gets 401 and the function never runs, as with API Gateway.
A route's path may hold {name} segments, each matching one non-empty path segment, handed over in
pathParameters."""

from __future__ import annotations

import base64
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from laptop.invoke import ACCOUNT_ID
from laptop.local_stack.errors import CognitoError
from laptop.local_stack.tokens import TokenIssuer
from laptop.local_stack.trigger_runner import TriggerRunner
from laptop.stack_template import ApiRoute

log = logging.getLogger(__name__)
API_ID = "localapi"
_NO_STORE = {"Cache-Control": "no-store"}
_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


class HttpApi:
    def __init__(
        self,
        routes: Mapping[str, ApiRoute],
        runner: TriggerRunner,
        arns: Mapping[str, str],
        tokens: TokenIssuer,
        pool_and_clients: tuple[str, Sequence[str]],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`routes`: "METHOD /path" -> route; `arns`: function folder -> the ARN `runner` knows it by;
        `pool_and_clients`: the pool whose access tokens the authorizer accepts, and the app clients
        it takes them from (its audiences)."""
        self._routes = dict(routes)
        self._runner = runner
        self._arns = dict(arns)
        self._tokens = tokens
        pool_id, clients = pool_and_clients
        self._pool_id, self._client_ids = pool_id, tuple(clients)
        self._clock = clock
        self.paths = frozenset(route.path for route in self._routes.values())
        self._templates = [(_path_pattern(path), path) for path in sorted(self.paths) if "{" in path]

    def serves(self, path: str) -> bool:
        """Whether any route, of any method, has this path (a literal one, or a template it fills)."""
        return path in self.paths or any(pattern.fullmatch(path) for pattern, _ in self._templates)

    def handle(self, request: Request, body: bytes) -> Response:
        route = self._route(request.method, request.path)
        if route is None:
            return _json(404, {"message": "Not Found"})
        claims: dict[str, str] | None = None
        if route.authorized:
            claims = self._authorize(request)
            if claims is None:
                return _json(401, {"message": "Unauthorized"})
        event = self._event(request, route, body, claims)
        try:
            result = self._runner.call(route.function, self._arns[route.function], event)
        except CognitoError as error:
            # API Gateway answers for a function that failed or timed out; the log has the reason.
            log.warning("%s %s: the function failed (%s)", route.method, route.path, error.error_type)
            if error.error_type == "UnexpectedLambdaException":
                return _json(503, {"message": "Service Unavailable"})
            return _json(500, {"message": "Internal Server Error"})
        return _response(result)

    def _route(self, method: str, path: str) -> ApiRoute | None:
        """As API Gateway picks: the route of this method with exactly this path, else one of this
        method whose template the path fills (PATCH /account/passkeys/options is {id} = "options")."""
        if (route := self._routes.get(f"{method} {path}")) is not None:
            return route
        for pattern, template in self._templates:
            if pattern.fullmatch(path) and (route := self._routes.get(f"{method} {template}")) is not None:
                return route
        return None

    def _authorize(self, request: Request) -> dict[str, str] | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        for client_id in self._client_ids:
            try:
                claims = self._tokens.access_claims(self._pool_id, client_id, token.strip())
            except CognitoError:
                continue
            return {name: _claim_text(value) for name, value in claims.items()}
        return None

    def _event(
        self, request: Request, route: ApiRoute, body: bytes, claims: Mapping[str, str] | None
    ) -> dict[str, Any]:
        now = self._clock()
        headers: dict[str, str] = {}
        for name, value in request.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]},{value}" if key in headers else value
        cookies = headers.pop("cookie", None)
        context: dict[str, Any] = {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "domainName": request.host,
            "domainPrefix": request.host.split(".")[0],
            "http": {
                "method": request.method,
                "path": request.path,
                "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
                "sourceIp": request.remote_addr or "127.0.0.1",
                "userAgent": request.headers.get("User-Agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": f"{route.method} {route.path}",
            "stage": "$default",
            "time": datetime.fromtimestamp(now, tz=UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now * 1000),
        }
        if claims is not None:
            context["authorizer"] = {"jwt": {"claims": dict(claims), "scopes": None}}
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": f"{route.method} {route.path}",
            "rawPath": request.path,
            "rawQueryString": request.query_string.decode("latin-1"),
            "headers": headers,
            "requestContext": context,
            "isBase64Encoded": False,
        }
        if cookies:
            event["cookies"] = [cookie.strip() for cookie in cookies.split(";") if cookie.strip()]
        if parameters := _path_parameters(route.path, request.path):
            event["pathParameters"] = parameters
        if request.args:
            event["queryStringParameters"] = {
                key: ",".join(request.args.getlist(key)) for key in request.args
            }
        if body:
            try:
                event["body"] = body.decode("utf-8")
            except UnicodeDecodeError:
                event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
        return event


def _path_pattern(template: str) -> re.Pattern[str]:
    """`/users/{username}/passkeys` -> a pattern whose named groups are the path's parameters."""
    parts = _PATH_PARAMETER.split(template)
    # split() alternates literal text and parameter names: even indexes literal, odd names.
    return re.compile(
        "".join(
            re.escape(part) if index % 2 == 0 else f"(?P<{part}>[^/]+)" for index, part in enumerate(parts)
        )
    )


def _path_parameters(template: str, path: str) -> dict[str, str]:
    """API Gateway's pathParameters: each {name} segment's value, percent-decoded as it decodes it."""
    if "{" not in template:
        return {}
    match = _path_pattern(template).fullmatch(path)
    return dict(match.groupdict()) if match else {}


def _claim_text(value: object) -> str:
    """How API Gateway hands a JWT claim to the function: a string; a list as "[a b]"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(str(item) for item in value) + "]"
    return str(value)


def _response(result: object) -> Response:
    """Payload format 2.0's answer: a dict with statusCode as given, anything else as a JSON 200."""
    if not isinstance(result, dict) or "statusCode" not in result:
        return Response(json.dumps(result), status=200, content_type="application/json")
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode("utf-8")
    response = Response(raw, status=int(result["statusCode"]))
    for name, value in (result.get("headers") or {}).items():
        response.headers[str(name)] = str(value)
    for cookie in result.get("cookies") or []:
        response.headers.add("Set-Cookie", str(cookie))
    return response


def _json(status: int, document: Mapping[str, str]) -> Response:
    return Response(json.dumps(document), status=status, headers=_NO_STORE, content_type="application/json")
