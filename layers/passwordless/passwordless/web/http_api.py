"""The sign-in page behind an API Gateway HTTP API (payload format 2.0).

Region, app client and resend delay arrive as stage variables, not environment variables: the app
client depends on the user pool, the pool on its triggers, and the create trigger on this API's URL
(its magic links open the page), so the page function itself may not name the client. The API's
stage may, because nothing depends on the stage. The optional `signUpUrl` is the account API's
POST /sign-up when the stack allows self sign-up, and `acceptInvitationUrl` its POST
/invitations/accept in password mode; each is empty (or absent) when the stack does not offer it.
With passkeys on, `passkeyClientId`, `passkeyRpId` and `accountApiUrl` (the account API's base URL)
arrive too; all three are absent while they are off.
The app's name is the function's APP_NAME instead: a stage variable's value may not hold a space.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from passwordless.web.sign_in_page import (
    PageConfig,
    PageConfigError,
    WebResponse,
    plain_text,
    sign_in_page,
    static_asset,
)

STAGE_VARIABLES = ("region", "clientId", "resendAfterSeconds")
SIGN_UP_URL = "signUpUrl"
ACCEPT_INVITATION_URL = "acceptInvitationUrl"
PASSKEY_CLIENT_ID = "passkeyClientId"
PASSKEY_RP_ID = "passkeyRpId"
ACCOUNT_API_URL = "accountApiUrl"
NOT_FOUND = "Not found."
UNAVAILABLE = "The sign-in page is not available right now. Please try again later."


def page_config(stage_variables: Mapping[str, Any] | None, *, app_name: str) -> PageConfig:
    """The page's configuration from the stage and APP_NAME; PageConfigError names what is missing
    or wrong."""
    variables = stage_variables or {}
    missing = [name for name in STAGE_VARIABLES if not isinstance(variables.get(name), str)]
    if missing:
        raise PageConfigError(f"stage variables missing: {', '.join(missing)}")
    resend = variables["resendAfterSeconds"]
    if not resend.isdigit():
        raise PageConfigError("stage variable resendAfterSeconds must be a whole number")
    region = variables["region"]
    return PageConfig(
        region=region,
        client_id=variables["clientId"],
        endpoint=f"https://cognito-idp.{region}.amazonaws.com/",
        resend_after_seconds=int(resend),
        sign_up_url=_optional_https_url(variables, SIGN_UP_URL),
        accept_invitation_url=_optional_https_url(variables, ACCEPT_INVITATION_URL),
        app_name=app_name,
        passkey_client_id=_optional_text(variables, PASSKEY_CLIENT_ID),
        passkey_rp_id=_optional_text(variables, PASSKEY_RP_ID),
        account_api_url=_optional_https_url(variables, ACCOUNT_API_URL),
    )


def _optional_text(variables: Mapping[str, Any], name: str) -> str:
    value = variables.get(name, "")
    if not isinstance(value, str):
        raise PageConfigError(f"stage variable {name} must be text")
    return value


def _optional_https_url(variables: Mapping[str, Any], name: str) -> str:
    url = variables.get(name, "")
    # A deployed page reaches the account API over the internet only: https, never loopback http.
    if not isinstance(url, str) or (url and not url.startswith("https://")):
        raise PageConfigError(f"stage variable {name} must be empty or an https URL")
    return url


def route(event: Mapping[str, Any], config: PageConfig) -> WebResponse:
    """GET / is the page, GET /<asset> an asset; anything else is 404 (or 405 for another method)."""
    http = event.get("requestContext", {}).get("http", {})
    path = event.get("rawPath", "")
    if http.get("method") != "GET":
        response = plain_text(405, "Method not allowed.")
        return WebResponse(response.status, {**response.headers, "Allow": "GET"}, response.body)
    if path == "/":
        return sign_in_page(config)
    asset = static_asset(path[1:]) if path.startswith("/") else None
    return asset if asset is not None else plain_text(404, NOT_FOUND)


def unavailable() -> WebResponse:
    """What a visitor sees when the stage is misconfigured: no detail, the log has it."""
    return plain_text(500, UNAVAILABLE)


def to_http_api(response: WebResponse) -> dict[str, Any]:
    """A payload-format-2.0 response; every body here is UTF-8 text."""
    return {
        "statusCode": response.status,
        "headers": response.headers,
        "body": response.body.decode("utf-8"),
        "isBase64Encoded": False,
    }
