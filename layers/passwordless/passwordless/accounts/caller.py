"""Who is calling: the claims API Gateway's authorizer has already verified.

The HTTP API's JWT authorizer accepts any token of this pool whose audience is the app client, and an
ID token's `aud` is the client too; only access tokens are for calling APIs (Cognito revokes them with
the refresh token, and they carry the username), so anything else is refused here. The REST API's
Cognito authorizer checks no app client at all: a token the pool issued to any other client would
pass it, so the `client_id` claim must name the stack's client (checked behind both fronts).

API Gateway passes an access token's claims as strings; a list claim such as `cognito:groups`
arrives as "[admins other]" (or, from other tooling, as a JSON list), so both forms are read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from passwordless.accounts.refusals import NotAuthenticated

USERNAME = re.compile(r"[\w.@+=,-]{1,128}")  # Cognito usernames (UUIDs here) and subs


@dataclass(frozen=True)
class Caller:
    username: str
    groups: frozenset[str]
    auth_time: int = 0
    """When the person last signed in (seconds since the epoch; 0 when the token does not say): a
    refresh keeps it, so it tells a fresh sign-in from a long-lived session."""

    def __repr__(self) -> str:
        return f"Caller(<redacted>, groups={sorted(self.groups)!r})"


def caller_from(
    event: Mapping[str, object], *, claims_at: tuple[str, ...], client_id: str, also_client_id: str = ""
) -> Caller:
    """The verified caller, or NotAuthenticated when the event carries no usable claims at the keys
    `claims_at` (where the front's authorizer puts them) or they are another app client's than
    `client_id` (or `also_client_id`, the passkey client, when set)."""
    claims = _claims(event, claims_at)
    client = claims.get("client_id")
    ours = client == client_id or (bool(also_client_id) and client == also_client_id)
    if claims.get("token_use") != "access" or not ours:
        raise NotAuthenticated
    username = claims.get("username")
    if not isinstance(username, str) or not USERNAME.fullmatch(username):
        raise NotAuthenticated
    return Caller(username, _groups(claims.get("cognito:groups")), _seconds(claims.get("auth_time")))


def _claims(event: Mapping[str, object], keys: tuple[str, ...]) -> Mapping[str, object]:
    found = value_at(event, keys)
    return found if isinstance(found, Mapping) else {}


def value_at(event: Mapping[str, object], keys: tuple[str, ...]) -> object:
    """The value under nested `keys`, or None where one is missing (a public route has no authorizer)."""
    found: object = event
    for key in keys:
        found = found.get(key) if isinstance(found, Mapping) else None
    return found


def _seconds(raw: object) -> int:
    """A time claim: API Gateway passes it as a string of digits, other tooling as a number."""
    if isinstance(raw, bool):
        return 0
    if isinstance(raw, int):
        return max(raw, 0)
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 12:
        return int(raw)
    return 0


def _groups(raw: object) -> frozenset[str]:
    if isinstance(raw, list):
        return frozenset(group for group in raw if isinstance(group, str))
    if not isinstance(raw, str):
        return frozenset()
    text = raw.strip()
    if text.startswith('["'):
        try:
            parsed: object = json.loads(text)
        except ValueError:
            return frozenset()
        return _groups(parsed) if isinstance(parsed, list) else frozenset()
    return frozenset(text.strip("[]").replace(",", " ").split())
