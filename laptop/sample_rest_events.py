"""Account API events as API Gateway's REST API hands them to the function (proxy integration,
payload format 1.0): the front the template puts behind the WAF web ACL when a rate is set.

The same requests as laptop.sample_api_events, in the other shape: the caller's address is in
`requestContext.identity` and the Cognito authorizer's claims (every value a string) in
`requestContext.authorizer.claims`.
"""

from __future__ import annotations

import json

from laptop.sample_api_events import ACCOUNT_ID, API_ID, REQUEST_EPOCH_MS, REQUEST_TIME, SOURCE_IP, Event

STAGE = "api"


def rest_api_event(
    path: str,
    body: object = None,
    claims: dict[str, str] | None = None,
    *,
    method: str = "POST",
    origin: str | None = None,
    source_ip: str = SOURCE_IP,
) -> Event:
    """A request to `path` on the REST API's stage; `body` a string is sent as it is, None as no
    body, anything else as JSON; `claims` None is a public route's request (no authorizer);
    `origin` the browser's Origin header, when a page sends it."""
    headers = {
        "Content-Type": "application/json",
        "Host": f"{API_ID}.execute-api.us-east-1.amazonaws.com",
        "User-Agent": "sample-client/1.0",
    }
    if origin is not None:
        headers["Origin"] = origin
    context: Event = {
        "accountId": ACCOUNT_ID,
        "apiId": API_ID,
        "domainName": f"{API_ID}.execute-api.us-east-1.amazonaws.com",
        "httpMethod": method,
        "identity": {"sourceIp": source_ip, "userAgent": "sample-client/1.0"},
        "path": f"/{STAGE}{path}",
        "protocol": "HTTP/1.1",
        "requestId": "c0ffee00-0000-4000-8000-000000000002",
        "requestTime": REQUEST_TIME,
        "requestTimeEpoch": REQUEST_EPOCH_MS,
        "resourceId": "abc123",
        "resourcePath": path,
        "stage": STAGE,
    }
    if claims is not None:
        context["authorizer"] = {"claims": dict(claims)}
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": context,
        "body": body if body is None or isinstance(body, str) else json.dumps(body),
        "isBase64Encoded": False,
    }
