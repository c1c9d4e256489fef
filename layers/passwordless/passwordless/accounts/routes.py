"""The account API's HTTP routes, on Powertools' resolver for the front that invokes the function:
API Gateway's HTTP API (payload format 2.0), or the REST API that replaces it behind the WAF web ACL.

    POST /sign-up                  public; 404 unless SELF_SIGN_UP          {"email", "name"?, "locale"?}
    POST /invitations              JWT, member of ADMIN_GROUP               {"email", "name"?, "locale"?}
    POST /invitations/accept       public; 404 unless password mode         {"email", "token", "password"}
    POST /account/email            JWT                                       {"email"}
    POST /account/email/confirm    JWT                                       {"email", "code"}
    POST /passkeys/sign-in-options public; 404 unless passkeys are on       {}
    POST /account/passkeys/options JWT, a recent sign-in                     {}
    POST /account/passkeys         JWT, a recent sign-in                     {"credential", "name"?}
    GET  /account/passkeys         JWT
    PATCH /account/passkeys/<id>   JWT                                       {"name"}
    DELETE /account/passkeys/<id>  JWT
    DELETE /users/<username>/passkeys  JWT, member of ADMIN_GROUP

Access tokens of the web client and, with passkeys on, of the passkey client are accepted.

Every answer is JSON with Cache-Control: no-store. A refusal is {"message": "<generic sentence>"};
anything unexpected is a 503 whose log line names only the error's class.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from aws_lambda_powertools.event_handler import (
    APIGatewayHttpResolver,
    APIGatewayRestResolver,
    CORSConfig,
    Response,
)

from passwordless.accounts.account_log import AccountLog
from passwordless.accounts.bodies import MAX_BODY_BYTES, Body, parse_body
from passwordless.accounts.caller import Caller, caller_from, value_at
from passwordless.accounts.email_change import EmailChange
from passwordless.accounts.invitations import Invitations
from passwordless.accounts.refusals import NotFound, Refusal, Unavailable
from passwordless.accounts.sign_up import SignUp
from passwordless.settings import ApiPayload, ApiSettings

if TYPE_CHECKING:
    from passwordless.passkeys.account import PasskeyAccount

HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
_PROFILE_FIELDS = frozenset({"email", "name", "locale"})


@dataclass(frozen=True)
class AccountServices:
    sign_up: SignUp
    invitations: Invitations
    email_change: EmailChange
    log: AccountLog
    code_length: int
    api: ApiSettings
    passkeys: PasskeyAccount | None = None
    """None when passkeys are off: their routes answer 404."""
    passkey_client_id: str = ""


Resolver = APIGatewayHttpResolver | APIGatewayRestResolver


class Front(NamedTuple):
    """Where each API Gateway front puts what the routes read: API Gateway's view of the connection's
    address (a client cannot set it by a header) and the claims its authorizer verified."""

    source_at: tuple[str, ...]
    claims_at: tuple[str, ...]


FRONTS: dict[ApiPayload, Front] = {
    "http": Front(("requestContext", "http", "sourceIp"), ("requestContext", "authorizer", "jwt", "claims")),
    "rest": Front(("requestContext", "identity", "sourceIp"), ("requestContext", "authorizer", "claims")),
}


def _resolver(api: ApiSettings) -> Resolver:
    if api.account_api_payload == "http":
        return APIGatewayHttpResolver()  # the HTTP API answers preflights and adds CORS headers itself
    # A REST API's proxy answers reach the browser as the function wrote them.
    origin = api.account_api_allowed_origin
    cors = CORSConfig(allow_origin=origin, allow_headers=["authorization", "content-type"], max_age=300)
    return APIGatewayRestResolver(cors=cors)


def json_response(status: int, payload: dict[str, Any]) -> Response[str]:
    return Response(status, "application/json", json.dumps(payload), dict(HEADERS))


def build_app(services: AccountServices) -> Resolver:
    app = _resolver(services.api)
    front = FRONTS[services.api.account_api_payload]

    def body(allowed: frozenset[str], max_bytes: int = MAX_BODY_BYTES) -> Body:
        event = app.current_event
        return parse_body(
            event.body, is_base64=bool(event.is_base64_encoded), allowed=allowed, max_bytes=max_bytes
        )

    def caller() -> Caller:
        return caller_from(
            app.current_event.raw_event,
            claims_at=front.claims_at,
            client_id=services.api.user_pool_client_id,
            also_client_id=services.passkey_client_id,
        )

    def source() -> str:
        return str(value_at(app.current_event.raw_event, front.source_at) or "")

    @app.post("/sign-up")
    def sign_up() -> Response[str]:
        fields = body(_PROFILE_FIELDS)
        services.sign_up.sign_up(fields.email(), name=fields.name(), locale=fields.locale(), source=source())
        # The same words whether the account was just made or already there.
        return json_response(202, {"message": "Now sign in with this email address."})

    @app.post("/invitations")
    def invite() -> Response[str]:
        who = caller()
        services.invitations.require_admin(who)
        fields = body(_PROFILE_FIELDS)
        username = services.invitations.invite(
            who, fields.email(), name=fields.name(), locale=fields.locale(), source=source()
        )
        return json_response(201, {"username": username, "message": "Invitation sent."})

    @app.post("/invitations/accept")
    def accept() -> Response[str]:
        if not services.invitations.password_mode:
            raise NotFound
        fields = body(frozenset({"email", "token", "password"}))
        tokens = services.invitations.accept(fields.email(), fields.token(), fields.password())
        return json_response(200, {"authenticationResult": dict(tokens.fields)})

    @app.post("/account/email")
    def request_email_change() -> Response[str]:
        who = caller()
        fields = body(frozenset({"email"}))
        services.email_change.request(who, fields.email(), source=source())
        return json_response(202, {"message": "A code is on its way to the new address."})

    @app.post("/account/email/confirm")
    def confirm_email_change() -> Response[str]:
        who = caller()
        fields = body(frozenset({"email", "code"}))
        services.email_change.confirm(who, fields.email(), fields.code(services.code_length))
        return json_response(200, {"message": "Your email address was changed."})

    if services.passkeys is not None:
        _passkey_routes(app, services, services.passkeys, body, caller)
    _answer_errors(app, services.log)
    return app


def _passkey_routes(
    app: Resolver,
    services: AccountServices,
    passkeys: PasskeyAccount,
    body: Callable[..., Body],
    caller: Callable[[], Caller],
) -> None:
    from passwordless.passkeys.account import passkey_name  # noqa: PLC0415 - only with passkeys on
    from passwordless.passkeys.ceremonies import MAX_CREDENTIAL_JSON  # noqa: PLC0415

    @app.post("/passkeys/sign-in-options")
    def sign_in_options() -> Response[str]:
        body(frozenset())
        return json_response(200, {"options": passkeys.sign_in_options()})

    @app.post("/account/passkeys/options")
    def registration_options() -> Response[str]:
        who = caller()
        body(frozenset())
        return json_response(200, {"options": passkeys.registration_options(who)})

    @app.post("/account/passkeys")
    def register() -> Response[str]:
        who = caller()
        fields = body(frozenset({"credential", "name"}), MAX_CREDENTIAL_JSON)
        added = passkeys.register(who, fields.object("credential"), passkey_name(fields.fields.get("name")))
        return json_response(201, {"passkey": added})

    @app.get("/account/passkeys")
    def listed() -> Response[str]:
        return json_response(200, {"passkeys": passkeys.list(caller())})

    @app.patch("/account/passkeys/<credential_id>")
    def rename(credential_id: str) -> Response[str]:
        who = caller()
        name = passkey_name(body(frozenset({"name"})).fields.get("name"))
        return json_response(200, {"passkey": passkeys.rename(who, credential_id, name)})

    @app.delete("/account/passkeys/<credential_id>")
    def remove(credential_id: str) -> Response[str]:
        passkeys.remove(caller(), credential_id)
        return json_response(200, {"message": "The passkey was removed."})

    @app.delete("/users/<username>/passkeys")
    def remove_all(username: str) -> Response[str]:
        removed = passkeys.remove_all(caller(), services.api.admin_group, username)
        return json_response(200, {"removed": removed})


def _answer_errors(app: Resolver, log: AccountLog) -> None:
    @app.not_found
    def not_found(_: Exception) -> Response[str]:
        return _refusal(NotFound())

    def refused(refusal: Refusal) -> Response[str]:
        if refusal.status < 500:  # the service logged its own 503s with the failing dependency
            event = app.current_event
            log.event("refused", route=f"{event.http_method} {event.path}", reason=type(refusal).__name__)
        return _refusal(refusal)

    def unexpected(error: Exception) -> Response[str]:
        # The class only: an exception's text may hold what the caller sent.
        log.event("unavailable", dependency="account_api", error=type(error).__name__)
        return _refusal(Unavailable())

    # Registered by call: Powertools' decorator is untyped, and would make the handlers untyped.
    app.exception_handler(Refusal)(refused)
    app.exception_handler(Exception)(unexpected)


def _refusal(refusal: Refusal) -> Response[str]:
    return json_response(refusal.status, {"message": refusal.message})
