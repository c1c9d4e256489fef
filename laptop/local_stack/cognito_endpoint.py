"""Cognito's JSON protocol on the stack's endpoint, for every cognito-idp operation: the ones the stack
serves, the ones moto answers, and Cognito-shaped refusals for the rest. What needs IAM credentials in
AWS needs a SigV4-shaped signature for cognito-idp here, and never comes from another origin's page."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Collection, Mapping
from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from laptop.local_stack.body_shape import shape_refusal
from laptop.local_stack.errors import CognitoError
from laptop.local_stack.moto_calls import MotoCognito
from laptop.local_stack.operations import SERVED, Answer, Operation, catalogue, refusal_message

log = logging.getLogger(__name__)
Operations = Mapping[str, Callable[[Mapping[str, Any]], dict[str, Any]]]
JSON_CONTENT = "application/x-amz-json-1.1"
# What a browser app on another origin needs to call this endpoint, as it calls Cognito.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date",
}
# Cognito's deepest input (a map of lists of structures) nests a handful of levels.
MAX_DEPTH = 20
UNKNOWN_TARGET = CognitoError("UnknownOperationException", "Missing or unknown X-Amz-Target header.")


class CognitoEndpoint:
    def __init__(self, operations: Operations, moto: MotoCognito, own_origins: Collection[str]) -> None:
        """`operations`: the handlers of what the stack serves (a subset of SERVED); `own_origins`:
        this endpoint's origins, the only pages that may call what needs IAM credentials."""
        if not set(operations) <= SERVED:
            raise ValueError(f"serving operations the table does not list: {set(operations) - SERVED}")
        self._operations = operations
        self._moto = moto
        self._own_origins = own_origins

    def answer(self, name: str, request: Request) -> Response:
        operation = catalogue().get(name)
        if operation is None:
            return cognito_error(CognitoError("UnknownOperationException", f"Unknown operation {name}."))
        public = operation.public
        try:
            if request.method != "POST":
                raise CognitoError("UnknownOperationException", "Cognito's operations are POSTs.")
            if not public:
                self._require_iam(request)
            raw = raw_body(request)
            body = json_body(raw)
            served = operation.answer is Answer.SERVED and name in self._operations
            if not served and operation.answer is not Answer.MOTO:
                raise CognitoError("UnsupportedOperationException", refusal_message(operation))
            # Served operations check their own required members; their types are checked here too,
            # as some hand the body on to moto (AdminCreateUser, after the triggers).
            shape = operation.model.input_shape
            if (refusal := shape_refusal(body, shape, required=not served)) is not None:
                raise CognitoError("InvalidParameterException", refusal)
            if served:
                return cognito_json(self._operations[name](body), 200, public=public)
            return self._moto_answer(operation, raw)
        except CognitoError as error:
            return cognito_error(error, public=public)
        except Exception:
            # Our bug, not the caller's: say so generically (the traceback stays in this terminal).
            log.exception("%s failed inside the local stack", name)
            internal = CognitoError("InternalErrorException", "Internal server error.", status=500)
            return cognito_error(internal, public=public)

    def _require_iam(self, request: Request) -> None:
        if from_another_page(request, self._own_origins):
            raise CognitoError(
                "AccessDeniedException",
                "Operations that need IAM credentials are not callable from a web page.",
                status=403,
            )
        service = credential_service(request)
        if not service:
            raise CognitoError(
                "MissingAuthenticationTokenException", "Missing Authentication Token", status=403
            )
        if service != "cognito-idp":
            raise CognitoError(
                "InvalidSignatureException",
                "Credential should be scoped to correct service: 'cognito-idp'.",
                403,
            )

    def _moto_answer(self, operation: Operation, raw: bytes) -> Response:
        """moto's answer to the operation alone (nothing else of the request reaches it), checked to be
        Cognito-shaped JSON: moto answers what it cannot do with an HTML page."""
        try:
            code, answer = self._moto.send(operation.name, raw)
            document = json.loads(answer or b"{}")
        except Exception as error:  # moto raised on values it did not expect, or answered in HTML
            log.warning("the embedded Cognito failed on %s: %s", operation.name, type(error).__name__)
            code, document = 500, None
        if code >= 500 or not isinstance(document, dict):
            # The body fitted the operation's model, so moto failed on values it did not expect.
            log.warning("the embedded Cognito could not process %s (HTTP %d)", operation.name, code)
            refusal = CognitoError("InvalidParameterException", "The request could not be processed.")
            return cognito_error(refusal, public=operation.public)
        if code >= 400:
            error_type = str(document.get("__type", "InternalErrorException")).rsplit("#", 1)[-1]
            refusal = CognitoError(error_type, str(document.get("message", "")), status=code)
            return cognito_error(refusal, public=operation.public)
        return cognito_json(document, code, public=operation.public)


def cognito_json(
    document: object, status: int, *, error_type: str | None = None, public: bool = False
) -> Response:
    """Cognito's JSON answer; `public` ones carry the CORS headers pages need to read them."""
    headers = {**(CORS_HEADERS if public else {}), "x-amzn-RequestId": str(uuid.uuid4())}
    if error_type:
        headers["x-amzn-ErrorType"] = f"{error_type}:"
    return Response(json.dumps(document), status=status, headers=headers, content_type=JSON_CONTENT)


def cognito_error(error: CognitoError, *, public: bool = True) -> Response:
    return cognito_json(error.body(), error.status, error_type=error.error_type, public=public)


def from_another_page(request: Request, own_origins: Collection[str]) -> bool:
    """Sent by a browser for a page of another origin (what browsers add to a request says so; SDKs
    and this stack's own pages add nothing, or their own origin)."""
    origin = request.headers.get("Origin")
    foreign = origin is not None and origin not in own_origins
    return foreign or request.headers.get("Sec-Fetch-Site") in {"cross-site", "same-site"}


def credential_service(request: Request) -> str | None:
    """The service a SigV4 signature is scoped to, read as moto reads it (any scheme word, the
    Authorization header before the query string, lower case); "" for a credential in no SigV4 shape,
    None for a request without one."""
    authorization = request.headers.get("Authorization")
    if authorization:
        words = authorization.split(",")[0].split()
        credential = words[1] if len(words) > 1 else ""
    elif "X-Amz-Credential" in request.args:
        credential = request.args["X-Amz-Credential"]
    else:
        return None
    scope = credential.split("/")
    return scope[3].strip().lower() if len(scope) == 5 else ""


def raw_body(request: Request) -> bytes:
    try:
        return request.get_data(cache=False)
    except RequestEntityTooLarge:
        raise CognitoError("SerializationException", "Request body is too large.", status=413) from None


def json_body(raw: bytes) -> dict[str, Any]:
    """A JSON object, or Cognito's SerializationException."""
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
        # JSON's \ud800-style escapes can smuggle text that is not UTF-8 past the decode above;
        # refusing it here keeps every field, and every trigger event, valid text.
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise CognitoError("SerializationException", "The request body is nested too deeply.") from None
    except (UnicodeError, ValueError):
        raise CognitoError("SerializationException", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise CognitoError("SerializationException", "Start of structure or map found where not expected.")
    if _depth(body) > MAX_DEPTH:
        raise CognitoError("SerializationException", "The request body is nested too deeply.")
    return body


def _depth(document: object) -> int:
    """How deep lists and objects nest, counted without recursion (a body may nest thousands deep)."""
    deepest, level = 0, [(document, 1)]
    while level:
        value, depth = level.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            level.extend((item, depth + 1) for item in (value.values() if isinstance(value, dict) else value))
    return deepest


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not JSON")
