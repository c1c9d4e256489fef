"""ID, access and refresh tokens shaped like Cognito's: RS256 JWTs signed with a key made at start-up,
whose public half the stack serves as a JWKS, so an app verifies them exactly as it would in AWS.

Refresh follows the app client's RefreshTokenRotation: without it a refresh returns no refresh token
and the one sent stays valid; with it each refresh returns a new one, and the one sent works only for
the client's RetryGracePeriodSeconds more (a retry after a lost answer), then is refused."""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from laptop.local_stack.errors import CognitoError, not_authorized

INVALID_REFRESH_TOKEN = "Invalid Refresh Token"  # noqa: S105  # an error message  # nosec B105
INVALID_ACCESS_TOKEN = "Invalid Access Token"  # noqa: S105  # an error message  # nosec B105
ACCESS_SCOPE = "aws.cognito.signin.user.admin"
# The claims an ID token never takes from user attributes: Cognito sets these itself.
_RESERVED = {"sub", "iss", "aud", "exp", "iat", "auth_time", "token_use", "jti", "origin_jti", "event_id"}


@dataclass(frozen=True)
class TokenLifetimes:
    access_seconds: int = 3600
    id_seconds: int = 3600
    refresh_seconds: int = 30 * 86400

    @classmethod
    def of_client(cls, client: Mapping[str, Any]) -> TokenLifetimes:
        """From an app client's AccessTokenValidity etc. and TokenValidityUnits, as Cognito reads them."""
        units = client.get("TokenValidityUnits") or {}
        seconds = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}

        def lifetime(key: str, unit_key: str, default_unit: str, default: int) -> int:
            value = client.get(key)
            if value is None:
                return default
            return int(value) * seconds[str(units.get(unit_key, default_unit))]

        return cls(
            access_seconds=lifetime("AccessTokenValidity", "AccessToken", "hours", 3600),
            id_seconds=lifetime("IdTokenValidity", "IdToken", "hours", 3600),
            refresh_seconds=lifetime("RefreshTokenValidity", "RefreshToken", "days", 30 * 86400),
        )


@dataclass(frozen=True)
class Origin:
    """The sign-in tokens descend from: a refresh keeps its auth_time (step-up checks read it) and its
    origin_jti (revoking the refresh token revokes every token issued under it)."""

    jti: str
    auth_time: int


@dataclass(frozen=True)
class Refresh:
    username: str
    origin: Origin
    jti: str
    """This refresh token's own id: what rotation retires."""


@dataclass(frozen=True)
class Holder:
    """Who a token is for: the pool's username (a UUID when the pool signs in by email) and attributes."""

    username: str
    attributes: Mapping[str, str]
    groups: tuple[str, ...] = ()
    """Cognito puts the user's groups in both the ID and the access token, when there are any."""


class TokenIssuer:
    def __init__(self, issuer_base: str, clock: Callable[[], float] = time.time) -> None:
        self._issuer_base = issuer_base.rstrip("/")
        self._clock = clock
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        # Refresh tokens are opaque to clients (Cognito's are encrypted; only Cognito reads them), so an
        # HMAC key of the stack's own signs them: an RSA signature cost a third of the tokens' CPU.
        self._refresh_key = secrets.token_bytes(32)
        self.key_id = secrets.token_hex(8)
        self._revoked: set[str] = set()
        # Rotated-out refresh tokens (jti) and when their grace period ends.
        self._retired: dict[str, float] = {}
        # Every sign-in's origin_jti by (pool, username), so a global sign-out can revoke them all.
        self._origins: dict[tuple[str, str], set[str]] = {}
        self._lock = threading.Lock()

    def issuer(self, pool_id: str) -> str:
        return f"{self._issuer_base}/{pool_id}"

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.key_id, "alg": "RS256", "use": "sig"}]}

    def issue(
        self,
        pool_id: str,
        client_id: str,
        holder: Holder,
        lifetimes: TokenLifetimes,
        *,
        refreshed: Origin | None = None,
        rotate: bool = False,
    ) -> dict[str, Any]:
        """An AuthenticationResult as Cognito returns it after a completed sign-in, or after a
        refresh of the sign-in `refreshed` (then with a new refresh token only when `rotate`)."""
        now = int(self._clock())
        origin = refreshed or Origin(str(uuid.uuid4()), now)
        if refreshed is None:
            with self._lock:
                self._origins.setdefault((pool_id, holder.username), set()).add(origin.jti)
        common: dict[str, Any] = {
            "sub": holder.attributes.get("sub", holder.username),
            "iss": self.issuer(pool_id),
            "origin_jti": origin.jti,
            "event_id": str(uuid.uuid4()),
            "auth_time": origin.auth_time,
            "iat": now,
        }
        if holder.groups:
            common["cognito:groups"] = list(holder.groups)
        # cognito:user_status and the like describe the account to triggers; tokens never carry them.
        attributes = {
            key: value
            for key, value in holder.attributes.items()
            if key not in _RESERVED and not key.startswith("cognito:")
        }
        if "email_verified" in attributes:
            attributes["email_verified"] = attributes["email_verified"] == "true"  # type: ignore[assignment]
        id_claims = {
            **attributes,
            **common,
            "cognito:username": holder.username,
            "aud": client_id,
            "token_use": "id",  # a claim name, not a password  # nosec B105
            "exp": now + lifetimes.id_seconds,
            "jti": str(uuid.uuid4()),
        }
        access_claims = {
            **common,
            "client_id": client_id,
            "token_use": "access",  # a claim name, not a password  # nosec B105
            "scope": ACCESS_SCOPE,
            "exp": now + lifetimes.access_seconds,
            "jti": str(uuid.uuid4()),
            "username": holder.username,
        }
        result: dict[str, Any] = {
            "AccessToken": self._sign(access_claims),
            "ExpiresIn": lifetimes.access_seconds,
            "TokenType": "Bearer",
            "IdToken": self._sign(id_claims),
        }
        if refreshed is None or rotate:
            refresh_claims = {
                "sub": common["sub"],
                "iss": common["iss"],
                "origin_jti": origin.jti,
                "auth_time": origin.auth_time,
                "client_id": client_id,
                "username": holder.username,
                "token_use": "refresh",  # a claim name, not a password  # nosec B105
                "iat": now,
                "exp": now + lifetimes.refresh_seconds,
                "jti": str(uuid.uuid4()),
            }
            result["RefreshToken"] = jwt.encode(refresh_claims, self._refresh_key, algorithm="HS256")
        return result

    def read_refresh(
        self, pool_id: str, client_id: str, token: str, *, retire_after: int | None = None
    ) -> Refresh:
        """Whose sign-in a live, unrevoked refresh token of this client continues. `retire_after`
        (rotation's grace period, in seconds) also retires the token, in the same step as the check,
        so two refreshes racing with one token cannot both outlive the grace period."""
        claims = self._read(pool_id, token, "refresh", INVALID_REFRESH_TOKEN)
        if claims.get("client_id") != client_id:
            raise not_authorized(INVALID_REFRESH_TOKEN)
        jti, now = str(claims["jti"]), self._clock()
        with self._lock:
            if claims.get("origin_jti") in self._revoked:
                raise not_authorized("Refresh Token has been revoked")
            retired_at = self._retired.get(jti)
            if retired_at is not None and retired_at <= now:
                raise CognitoError("RefreshTokenReuseException", "Refresh token has already been used.")
            if retire_after is not None:
                # A retry within the grace period does not extend it.
                self._retired.setdefault(jti, now + retire_after)
        origin = Origin(str(claims["origin_jti"]), int(claims["auth_time"]))
        return Refresh(str(claims["username"]), origin, jti)

    def sign_out_everywhere(self, pool_id: str, username: str) -> None:
        """GlobalSignOut: every refresh and access token of every sign-in of the user is revoked."""
        with self._lock:
            self._revoked |= self._origins.pop((pool_id, username), set())

    def read_access_any_pool(self, token: str) -> tuple[str, str]:
        """(pool id, username) of a live access token; GetUser names no pool, the token's issuer does."""
        try:
            issuer = str(jwt.decode(token, options={"verify_signature": False}).get("iss", ""))
        except jwt.PyJWTError:
            raise not_authorized(INVALID_ACCESS_TOKEN) from None
        prefix = f"{self._issuer_base}/"
        if not issuer.startswith(prefix):
            raise not_authorized(INVALID_ACCESS_TOKEN)
        pool_id = issuer.removeprefix(prefix)
        # The signature check below is what makes this pool id trustworthy.
        claims = self._read(pool_id, token, "access", INVALID_ACCESS_TOKEN)
        if self._is_revoked(claims):
            raise not_authorized("Access Token has been revoked")
        return pool_id, str(claims["username"])

    def access_claims(self, pool_id: str, client_id: str, token: str) -> dict[str, Any]:
        """The claims of a live, unrevoked access token this pool issued to `client_id`: what API
        Gateway's JWT authorizer checks (signature, issuer, expiry, client) before a route runs."""
        claims = self._read(pool_id, token, "access", INVALID_ACCESS_TOKEN)
        if claims.get("client_id") != client_id or self._is_revoked(claims):
            raise not_authorized(INVALID_ACCESS_TOKEN)
        return claims

    def revoke(self, pool_id: str, client_id: str, token: str) -> None:
        claims = self._read(pool_id, token, "refresh", INVALID_REFRESH_TOKEN)
        if claims.get("client_id") != client_id:
            raise not_authorized(INVALID_REFRESH_TOKEN)
        with self._lock:
            self._revoked.add(str(claims["origin_jti"]))

    def _is_revoked(self, claims: Mapping[str, Any]) -> bool:
        with self._lock:
            return claims.get("origin_jti") in self._revoked

    def _sign(self, claims: Mapping[str, Any]) -> str:
        return jwt.encode(dict(claims), self._key, algorithm="RS256", headers={"kid": self.key_id})

    def _read(self, pool_id: str, token: str, use: str, refusal: str) -> dict[str, Any]:
        key, algorithm = (
            (self._refresh_key, "HS256") if use == "refresh" else (self._key.public_key(), "RS256")
        )
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                issuer=self.issuer(pool_id),
                # Expiry is checked below against the stack's clock, which tests move forward.
                options={
                    "require": ["exp", "iat", "jti", "token_use", "origin_jti", "auth_time"],
                    "verify_aud": False,
                    "verify_exp": False,
                },
            )
        except jwt.PyJWTError:
            raise not_authorized(refusal) from None
        if claims.get("token_use") != use or int(claims["exp"]) <= self._clock():
            raise not_authorized(refusal)
        return claims
