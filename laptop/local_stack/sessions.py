"""Cognito's `Session` strings: opaque, single-use, and dead after the app client's AuthSessionValidity."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from laptop.local_stack.errors import (
    SESSION_EXPIRED,
    SESSION_INVALID,
    SESSION_USED,
    invalid_parameter,
    not_authorized,
)
from laptop.local_stack.srp import PasswordVerifierChallenge

# Cognito's default when an app client sets no AuthSessionValidity.
DEFAULT_SESSION_MINUTES = 3


@dataclass
class AuthSession:
    """Where one CUSTOM_AUTH sign-in stands between two API calls."""

    pool_id: str
    client_id: str
    login: str
    """What the client sent as USERNAME in InitiateAuth."""
    username: str
    """The pool's username (or, for an unknown login, the stand-in the client was told)."""
    user_found: bool
    triggers: dict[str, str]
    """The pool's LambdaConfig when the sign-in began: trigger name -> function ARN."""
    entries: list[dict[str, Any]] = field(default_factory=list)
    challenge_name: str = "CUSTOM_CHALLENGE"
    private: dict[str, str] = field(default_factory=dict)
    metadata: str = ""
    expires_at: float = 0.0
    custom: bool = True
    """CUSTOM_AUTH (the triggers decide each round); False for USER_SRP_AUTH."""
    srp_a: str = ""
    """The client's SRP_A, when it sent one (CUSTOM_AUTH with SRP_A, USER_SRP_AUTH)."""
    verifier: PasswordVerifierChallenge | None = None
    """The PASSWORD_VERIFIER challenge the client was sent, once it was."""


class SessionStore:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._live: dict[str, AuthSession] = {}
        # Digests of dead session strings (spent, or expired and swept) and the refusal each gets, so
        # a replay hears Cognito's "can only be used once" rather than a generic refusal.
        self._dead: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def open(self, session: AuthSession, client: Mapping[str, Any], token: str | None = None) -> str:
        """The session's string, alive for the app client's AuthSessionValidity: `token` when given
        (SRP's SECRET_BLOCK doubles as the Session), else a fresh one as long as Cognito's and as
        opaque."""
        token = token or secrets.token_urlsafe(192)
        validity_minutes = int(client.get("AuthSessionValidity") or DEFAULT_SESSION_MINUTES)
        session.expires_at = self._clock() + validity_minutes * 60
        with self._lock:
            self._forget_old()
            self._live[_digest(token)] = session
        return token

    def take(self, token: str, accept: Callable[[AuthSession], None]) -> AuthSession:
        """The session, removed so no second call can use it. `accept` raises to refuse a request
        that does not belong to the session (another client, user or challenge); such a request
        leaves the session as it was, as a malformed one does."""
        key = _digest(token)
        with self._lock:
            session = self._live.get(key)
            if session is None:
                _, refusal = self._dead.get(key, (0.0, SESSION_INVALID))
                raise not_authorized(refusal)
            accept(session)
            del self._live[key]
            expired = session.expires_at <= self._clock()
            self._dead[key] = (session.expires_at, SESSION_EXPIRED if expired else SESSION_USED)
        if expired:
            raise not_authorized(SESSION_EXPIRED)
        return session

    def _forget_old(self) -> None:
        now = self._clock()
        for key in [key for key, session in self._live.items() if session.expires_at <= now]:
            self._dead[key] = (self._live.pop(key).expires_at, SESSION_EXPIRED)
        for key in [key for key, (until, _) in self._dead.items() if until <= now - 3600]:
            del self._dead[key]


def require_answerable(
    session: AuthSession, pool_id: str, client_id: str, named: str, challenge: str
) -> None:
    """Refuses a RespondToAuthChallenge that does not belong to the session: another pool or client,
    another user (USERNAME may be the pool's username or the login, in any case), another challenge."""
    if session.pool_id != pool_id or session.client_id != client_id:
        raise not_authorized(SESSION_INVALID)
    if named not in {session.username, session.login} and named.lower() != session.login.lower():
        raise not_authorized(SESSION_INVALID)
    if session.challenge_name != challenge:
        raise invalid_parameter(f"Invalid challenge name {challenge}")


def _digest(token: str) -> str:
    # Keyed by digest, so the live table holds no usable session string.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
