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
        # Digest of another string that names a live session -> the session string's digest.
        self._aliases: dict[str, str] = {}
        self._lock = threading.Lock()

    def open(self, session: AuthSession, client: Mapping[str, Any], alias: str | None = None) -> str:
        """A fresh session string, as long as Cognito's and as opaque, alive for the app client's
        AuthSessionValidity. `alias` names the same session (an SRP client may answer with only the
        SECRET_BLOCK it was sent), so the Session itself never has to appear in challenge parameters."""
        token = secrets.token_urlsafe(192)
        validity_minutes = int(client.get("AuthSessionValidity") or DEFAULT_SESSION_MINUTES)
        session.expires_at = self._clock() + validity_minutes * 60
        with self._lock:
            self._forget_old()
            self._live[_digest(token)] = session
            if alias is not None:
                self._aliases[_digest(alias)] = _digest(token)
        return token

    def take(self, token: str, accept: Callable[[AuthSession], None]) -> AuthSession:
        """The session, removed so no second call can use it. `accept` raises to refuse a request
        that does not belong to the session (another client, user or challenge); such a request
        leaves the session as it was, as a malformed one does."""
        with self._lock:
            key = self._aliases.get(_digest(token), _digest(token))
            session = self._live.get(key)
            if session is None:
                _, refusal = self._dead.get(key, (0.0, SESSION_INVALID))
                raise not_authorized(refusal)
            accept(session)
            expired = session.expires_at <= self._clock()
            self._bury(key, SESSION_EXPIRED if expired else SESSION_USED)
        if expired:
            raise not_authorized(SESSION_EXPIRED)
        return session

    def _bury(self, key: str, refusal: str) -> None:
        """The live session `key` dead, its aliases with it (they keep naming it, for the refusal)."""
        until = self._live.pop(key).expires_at
        self._dead[key] = (until, refusal)
        for alias in [alias for alias, named in self._aliases.items() if named == key]:
            del self._aliases[alias]
            self._dead[alias] = (until, refusal)

    def _forget_old(self) -> None:
        now = self._clock()
        for key in [key for key, session in self._live.items() if session.expires_at <= now]:
            self._bury(key, SESSION_EXPIRED)
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
