"""Sample events for the account API (functions/account_api), merged into events/ by laptop.sample_events.

Each is what API Gateway's HTTP API (payload format 2.0) hands the function: JWT routes carry the
claims its JWT authorizer verified, with `cognito:groups` as the "[a b]" string API Gateway makes of
a list claim.
"""

from __future__ import annotations

import json
from typing import Any

from laptop.sample_state import JANE, JOHN, SAMPLE_CLIENT_ID, SAMPLE_CODE, SAMPLE_POOL_ID, SampleUser

Event = dict[str, Any]

API_ID = "a1b2c3d4e5"
ACCOUNT_ID = "111122223333"
REQUEST_TIME = "01/Jan/2026:00:00:00 +0000"
REQUEST_EPOCH_MS = 1_767_225_600_000
SOURCE_IP = "203.0.113.7"  # TEST-NET-3: documentation only


def build_api_events() -> dict[str, Event]:
    """File stem -> event."""
    jane, john = _claims(JANE), _claims(JOHN)
    return {
        "api_sign_up": api_event("/sign-up", {"email": "new.person@example.com", "name": "New Person"}),
        "api_invitation_by_admin": api_event(
            "/invitations",
            {"email": "invitee@example.com", "name": "Invited Person"},
            _claims(JANE, groups="[admins]"),
        ),
        "api_invitation_by_non_admin": api_event("/invitations", {"email": "invitee@example.com"}, john),
        "api_email_change_request": api_event("/account/email", {"email": "jane.new@example.com"}, jane),
        "api_email_change_confirm": api_event(
            "/account/email/confirm", {"email": "jane.new@example.com", "code": SAMPLE_CODE}, jane
        ),
        "api_malformed_body": api_event("/sign-up", "{'email': not json"),
    }


def api_event(path: str, body: object, claims: dict[str, str] | None = None) -> Event:
    """A POST to `path`; `body` a string is sent as it is, anything else as JSON; `claims` None is a
    public route's request (no authorizer)."""
    route = f"POST {path}"
    context: Event = {
        "accountId": ACCOUNT_ID,
        "apiId": API_ID,
        "domainName": f"{API_ID}.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": API_ID,
        "http": {
            "method": "POST",
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": SOURCE_IP,
            "userAgent": "sample-client/1.0",
        },
        "requestId": "c0ffee00-0000-4000-8000-000000000001",
        "routeKey": route,
        "stage": "$default",
        "time": REQUEST_TIME,
        "timeEpoch": REQUEST_EPOCH_MS,
    }
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": dict(claims), "scopes": None}}
    return {
        "version": "2.0",
        "routeKey": route,
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            "content-type": "application/json",
            "host": f"{API_ID}.execute-api.us-east-1.amazonaws.com",
            "user-agent": "sample-client/1.0",
        },
        "requestContext": context,
        "body": body if isinstance(body, str) else json.dumps(body),
        "isBase64Encoded": False,
    }


def _claims(user: SampleUser, groups: str | None = None) -> dict[str, str]:
    return access_claims(user.username, groups=groups)


def access_claims(
    username: str,
    *,
    groups: str | None = None,
    client_id: str = SAMPLE_CLIENT_ID,
    pool_id: str = SAMPLE_POOL_ID,
) -> dict[str, str]:
    """An access token's claims as API Gateway passes them: every value a string."""
    claims = {
        "auth_time": "1767225600",
        "client_id": client_id,
        "exp": "1767229200",
        "iat": "1767225600",
        "iss": f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}",
        "jti": "0e0e0e0e-0000-4000-8000-000000000001",
        "scope": "aws.cognito.signin.user.admin",
        "sub": username,
        "token_use": "access",  # nosec B105 - which kind of token, not a token
        "username": username,
    }
    if groups is not None:
        claims["cognito:groups"] = groups
    return claims
