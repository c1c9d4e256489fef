"""The events Cognito sends its triggers, in one place: the local stack sends them and the tests'
small Cognito stand-in (tests/support/cognito.py) builds the custom-auth ones the same way."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from laptop.aws import REGION


def trigger_event(
    *,
    pool_id: str,
    client_id: str,
    user_name: str,
    attributes: Mapping[str, str] | None,
    trigger_source: str,
    entries: Sequence[Mapping[str, Any]] | None,
    client_metadata: Mapping[str, str] | None,
) -> dict[str, Any]:
    """`attributes` None is a login that matches no user (userNotFound); `entries` None leaves out
    the session list, which Cognito sends define and create but not verify; `client_metadata` only
    ever comes from RespondToAuthChallenge (Cognito gives InitiateAuth's to other triggers)."""
    request: dict[str, Any] = {"userAttributes": dict(attributes or {})}
    if entries is not None:
        request["session"] = copy.deepcopy(list(entries))
    if client_metadata is not None:
        request["clientMetadata"] = dict(client_metadata)
    request["userNotFound"] = attributes is None
    return cognito_event(
        pool_id=pool_id,
        client_id=client_id,
        user_name=user_name,
        trigger_source=trigger_source,
        request=request,
    )


def cognito_event(
    *,
    pool_id: str,
    client_id: str,
    user_name: str,
    trigger_source: str,
    request: Mapping[str, Any],
    response: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The parameters Cognito adds to every trigger's event around its own `request` and `response`.
    `client_id` is CLIENT_ID_NOT_APPLICABLE for admin operations, which name no app client."""
    return {
        "version": "1",
        "region": REGION,
        "userPoolId": pool_id,
        "userName": user_name,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        "triggerSource": trigger_source,
        "request": copy.deepcopy(dict(request)),
        "response": copy.deepcopy(dict(response or {})),
    }
