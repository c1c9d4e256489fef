"""The one HTTP endpoint: Cognito's JSON protocol (the sign-in operations served here, the rest by
moto or refused, every answer Cognito-shaped), the sign-in page, the JWKS, the local outbox, config
and clock, and moto for every other AWS service's signed requests."""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from laptop.local_stack.api_gateway import HttpApi
from laptop.local_stack.clock import MAX_ADVANCE_SECONDS
from laptop.local_stack.cognito_endpoint import (
    CORS_HEADERS,
    UNKNOWN_TARGET,
    CognitoEndpoint,
    cognito_error,
    credential_service,
    from_another_page,
    json_body,
    raw_body,
)
from laptop.local_stack.custom_auth import CustomAuth
from laptop.local_stack.errors import CognitoError
from laptop.local_stack.moto_calls import MotoCognito
from laptop.local_stack.outbox_page import outbox_page
from laptop.local_stack.tokens import TokenIssuer
from laptop.local_stack.user_creation import UserCreation
from passwordless.email.outbox import read_outbox
from passwordless.settings import DEFAULT_APP_NAME
from passwordless.web.sign_in_page import PageConfig, WebResponse, sign_in_page, static_asset

log = logging.getLogger(__name__)

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
# Paths moto serves itself, before any service: its dashboard and state API, and instance metadata.
MOTO_OWN_PATHS = ("/moto-api", "/latest/")
MAX_BODY_BYTES = 1 << 20
PREFLIGHT_HEADERS = {
    **CORS_HEADERS,
    "Access-Control-Allow-Methods": "POST, GET, OPTIONS",
    # Never authorization or x-amz-security-token: a page's requests carry no AWS credentials, and
    # a cached preflight that allowed them would let the next request send them unasked.
    "Access-Control-Allow-Headers": (
        "content-type, x-amz-target, x-amz-user-agent, x-amz-date, amz-sdk-invocation-id, amz-sdk-request, "
        "cache-control"
    ),
    "Access-Control-Max-Age": "300",
}
LOCAL_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class LocalConfig:
    region: str
    user_pool_id: str
    client_id: str
    endpoint: str
    outbox_dir: Path
    resend_after_seconds: int
    sign_up_url: str = ""
    """The account API's /sign-up on this origin when the functions allow self sign-up, else ""."""
    accept_invitation_url: str = ""
    """The account API's /invitations/accept on this origin in password mode, else ""."""
    app_name: str = DEFAULT_APP_NAME
    """The functions' APP_NAME: the sign-in page names the app as the deployed one does."""
    passkey_client_id: str = ""
    """The passkey app client when passkeys are on (PasskeyRelyingPartyId), else ""."""
    passkey_rp_id: str = ""
    """The passkeys' relying party id (localhost on this machine) when they are on, else ""."""
    account_api_url: str = ""
    """This origin, where the account API's passkey routes are, when passkeys are on, else ""."""

    @property
    def passkeys(self) -> bool:
        return bool(self.passkey_client_id)

    def as_json(self, issuer: str) -> dict[str, str | bool]:
        return {
            "region": self.region,
            "userPoolId": self.user_pool_id,
            "clientId": self.client_id,
            "endpoint": self.endpoint,
            "issuer": issuer,
            "jwksUri": f"{issuer}/.well-known/jwks.json",
            "signInPage": self.endpoint,
            "outbox": f"{self.endpoint}local/outbox",
            # Where the emails are files: `make invite` and other local tools read them there.
            "outboxDir": str(self.outbox_dir),
            "signUpUrl": self.sign_up_url,
            "acceptInvitationUrl": self.accept_invitation_url,
            # Passkeys: off, the two ids are "" and accountApiUrl is "".
            "passkeys": self.passkeys,
            "passkeyClientId": self.passkey_client_id,
            "passkeyRpId": self.passkey_rp_id,
            "accountApiUrl": self.account_api_url,
        }


class LocalCognitoApp:
    def __init__(
        self,
        auth: CustomAuth,
        tokens: TokenIssuer,
        config: LocalConfig,
        moto_app: DomainDispatcherApplication,
        moto_lock: threading.RLock,
        *,
        users: UserCreation | None = None,
        api: HttpApi | None = None,
        advance_clock: Callable[[float], None] | None = None,
        region: str = "us-east-1",
    ) -> None:
        """`users` serves AdminCreateUser and SignUp with the pool's triggers (refused without);
        `api` serves the account API's routes on this origin; `advance_clock(seconds)` moves the
        stack's time forward for POST /local/clock."""
        self._config = config
        self._moto_app = moto_app
        self._moto_lock = moto_lock
        self._api = api
        self._advance_clock = advance_clock
        signed_in = auth.signed_in
        operations: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
            "InitiateAuth": auth.initiate_auth,
            "AdminInitiateAuth": lambda body: auth.initiate_auth(body, admin=True),
            "RespondToAuthChallenge": auth.respond_to_auth_challenge,
            "AdminRespondToAuthChallenge": lambda body: auth.respond_to_auth_challenge(body, admin=True),
            "GetTokensFromRefreshToken": signed_in.get_tokens_from_refresh_token,
            "GetUser": signed_in.get_user,
            "RevokeToken": signed_in.revoke_token,
            "GlobalSignOut": signed_in.global_sign_out,
            "AdminUserGlobalSignOut": signed_in.admin_user_global_sign_out,
            "ChangePassword": signed_in.change_password,
        }
        if users is not None:
            operations |= {"AdminCreateUser": users.admin_create_user, "SignUp": users.sign_up}
        port = urlsplit(config.endpoint).port
        self._hosts = {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}
        self._origins = {f"http://{host}" for host in self._hosts}
        self._cognito = CognitoEndpoint(operations, MotoCognito(moto_app, moto_lock, region), self._origins)
        issuer = tokens.issuer(config.user_pool_id)
        well_known = f"/{config.user_pool_id}/.well-known/"
        page: Callable[[Request], Response] = lambda _: _web(sign_in_page(self._page_config()))  # noqa: E731
        self._routes: dict[str, Callable[[Request], Response]] = {
            "/": page,
            "/index.html": page,
            # Browsers ask every origin for one; "no content" keeps their consoles free of a 404.
            "/favicon.ico": lambda _: Response(status=204),
            "/local/config": lambda _: _plain_json(config.as_json(issuer)),
            "/local/outbox": self._outbox,
            f"{well_known}jwks.json": lambda _: _plain_json(tokens.jwks(), cross_origin=True),
            f"{well_known}openid-configuration": lambda _: _plain_json(
                _openid_configuration(issuer), cross_origin=True
            ),
        }

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = MAX_BODY_BYTES
        target = request.headers.get("X-Amz-Target")
        service = credential_service(request)
        if request.host not in self._hosts:
            # A web page that rebinds its own domain to 127.0.0.1 still sends its own name as Host.
            response = Response(
                "Use http://127.0.0.1 or http://localhost.", status=403, headers=LOCAL_PAGE_HEADERS
            )
        elif request.method == "OPTIONS":
            response = _preflight(request)
        elif request.path.startswith(MOTO_OWN_PATHS):
            # moto's dashboard dumps (and resets) every service's state, secrets included.
            response = Response("Not found.", status=404, headers=LOCAL_PAGE_HEADERS)
        elif target is not None and target.startswith(TARGET_PREFIX):
            response = self._cognito.answer(target.removeprefix(TARGET_PREFIX), request)
        elif self._api is not None and self._api.serves(request.path) and target is None:
            response = self._account_api(request)
        elif service and service != "cognito-idp" and (target is None or "." in target):
            # Another embedded service's SDK call (S3's GETs included) is moto's, whatever its path.
            return self._moto(request, environ, start_response)
        elif request.method in {"GET", "HEAD"} and (local := self._local(request)) is not None:
            response = local
        elif request.method == "POST" and request.path == "/local/clock":
            response = self._move_clock(request)
        elif request.method == "POST":
            # The Cognito endpoint without a Cognito operation: what Cognito answers such a request.
            response = cognito_error(UNKNOWN_TARGET)
        else:
            response = Response("Not found.", status=404, headers=LOCAL_PAGE_HEADERS)
        return response(environ, start_response)

    def _move_clock(self, request: Request) -> Response:
        """POST /local/clock {"seconds": n}: the stack's time n seconds later, at once. Loopback and
        this origin only, as the outbox: a page elsewhere must not expire someone's sign-in."""
        if self._advance_clock is None:
            return Response("Not found.", status=404, headers=LOCAL_PAGE_HEADERS)
        if from_another_page(request, self._origins) or request.mimetype != "application/json":
            return _plain_json({"message": "Send JSON from this origin."}, status=403)
        try:
            body = json_body(raw_body(request))
        except CognitoError as error:
            return _plain_json({"message": error.message}, status=error.status)
        seconds = body.get("seconds") if isinstance(body, dict) else None
        if (
            not isinstance(seconds, int | float)
            or isinstance(seconds, bool)
            or not math.isfinite(seconds)
            or not 0 <= seconds <= MAX_ADVANCE_SECONDS
        ):
            message = f'Send {{"seconds": n}} with 0 <= n <= {MAX_ADVANCE_SECONDS}.'
            return _plain_json({"message": message}, status=400)
        self._advance_clock(float(seconds))
        return _plain_json({"advancedSeconds": seconds})

    # --- the account API -------------------------------------------------------------------

    def _account_api(self, request: Request) -> Response:
        if self._api is None:  # only routed here when there is one; a 404 if that ever changes
            return Response("Not found.", status=404, headers=LOCAL_PAGE_HEADERS)
        try:
            body = request.get_data(cache=False)
        except RequestEntityTooLarge:
            return Response(
                json.dumps({"message": "Request Entity Too Large"}),
                status=413,
                content_type="application/json",
            )
        # Same origin only: no CORS headers, so another site's page cannot read an answer, and its
        # preflight for a bearer token is refused above.
        return self._api.handle(request, body)

    # --- pages and local endpoints ------------------------------------------------------------

    def _local(self, request: Request) -> Response | None:
        path = request.path
        route = self._routes.get(path)
        if route is not None:
            return route(request)
        if path.startswith("/") and "/" not in path[1:] and (asset := static_asset(path[1:])) is not None:
            return _web(asset)
        return None

    def _outbox(self, request: Request) -> Response:
        messages = read_outbox(self._config.outbox_dir)
        if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
            return Response(
                outbox_page(messages, self._config.endpoint),
                headers=LOCAL_PAGE_HEADERS,
                content_type="text/html; charset=utf-8",
            )
        return _plain_json(messages)

    def _page_config(self) -> PageConfig:
        return PageConfig(
            region=self._config.region,
            client_id=self._config.client_id,
            endpoint=self._config.endpoint,
            resend_after_seconds=self._config.resend_after_seconds,
            sign_up_url=self._config.sign_up_url,
            accept_invitation_url=self._config.accept_invitation_url,
            app_name=self._config.app_name,
            passkey_client_id=self._config.passkey_client_id,
            passkey_rp_id=self._config.passkey_rp_id,
            account_api_url=self._config.account_api_url,
        )

    # --- everything else ----------------------------------------------------------------------

    def _moto(
        self, request: Request, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """An AWS SDK's call to another embedded service. Never a web page's: SDKs send no Origin, and a
        page's simple request (no preflight) could otherwise write to them blind. Never Cognito's
        either, whatever moto would make of the request: Cognito is the endpoint's own."""
        if from_another_page(request, self._origins):
            refused = Response("Not from a web page.", status=403, headers=LOCAL_PAGE_HEADERS)
            return refused(environ, start_response)
        try:
            with self._moto_lock:
                host = self._moto_app.infer_service_region_host(environ, request.path)
        except Exception:  # a request moto cannot place (a DynamoDB call without its target, say)
            host = None
        if host is None or host.startswith("cognito-idp."):
            return cognito_error(UNKNOWN_TARGET)(environ, start_response)
        captured: list[tuple[str, list[tuple[str, str]]]] = []

        def keep(status: str, headers: list[tuple[str, str]], *_: Any) -> None:  # noqa: ANN401
            captured.append((status, headers))

        # moto is not atomic under threads; the in-process handlers take this same lock
        # (laptop.aws.atomic_requests), so a conditional write stays all-or-nothing across both paths.
        try:
            with self._moto_lock:
                body = b"".join(self._moto_app(environ, keep))
        except Exception as error:  # moto's dispatcher raises on requests it cannot place
            log.warning("the embedded AWS failed on a request: %s", type(error).__name__)
            captured, body = [("500 INTERNAL SERVER ERROR", [])], b""
        status, headers = captured[0] if captured else ("500 INTERNAL SERVER ERROR", [])
        if int(status.split()[0]) >= 500:
            refused = Response(
                json.dumps({"message": "The embedded AWS could not process the request."}),
                status=400,
                content_type="application/json",
            )
            return refused(environ, start_response)
        # moto allows every origin; here only the sign-in operations do, so a web page cannot read the
        # embedded services (Secrets Manager's keys among them) cross-origin.
        kept = [(name, value) for name, value in headers if not name.lower().startswith("access-control-")]
        start_response(status, kept)
        return [body]


def _preflight(request: Request) -> Response:
    """Cross-origin pages may call the unauthenticated sign-in operations, as they may call Cognito;
    a request that wants to send AWS credentials is for the embedded services, which they may not."""
    asked = {
        name.strip().lower() for name in request.headers.get("Access-Control-Request-Headers", "").split(",")
    }
    if asked & {"authorization", "x-amz-security-token"}:
        return Response(status=403)
    return Response(status=204, headers=PREFLIGHT_HEADERS)


def _web(page: WebResponse) -> Response:
    return Response(page.body, status=page.status, headers=page.headers)


def _openid_configuration(issuer: str) -> dict[str, object]:
    """The discovery document JWT libraries read to find the keys, as Cognito publishes it."""
    return {
        "issuer": issuer,
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "id_token_signing_alg_values_supported": ["RS256"],
        "subject_types_supported": ["public"],
        "response_types_supported": ["code", "token"],
    }


def _plain_json(document: object, *, cross_origin: bool = False, status: int = 200) -> Response:
    """`cross_origin` for public documents only (the JWKS): the outbox holds working links."""
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        status=status,
        headers={**LOCAL_PAGE_HEADERS, **(CORS_HEADERS if cross_origin else {})},
        content_type="application/json; charset=utf-8",
    )
