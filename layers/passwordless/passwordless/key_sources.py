"""Where the HMAC key lives (KEY_STORE): the two KeySources passwordless.keyed_hash hashes with.

secretsmanager: the stack's key is read into the function; its version is the secret's VersionId, and
each version read is kept for the container's life (a rotation adds versions, it never changes one).

kms: the stack's key is an HMAC key in KMS that never leaves it. One GenerateMac per invocation derives
the key for the one user it serves, K_user = HMAC(stack key, "user-key-v2", pool, username); every
digest and pseudonym of that user is then a local HMAC under K_user. Its version is the key ARN that
GenerateMac reports, so the functions name the alias and a rotation (the alias pointed at a new key)
leaves every recorded ARN usable. K_user is held for one user and a few seconds at most: someone who
reads a function's memory learns that one user's hashes, never the key that makes everyone's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from botocore.exceptions import ClientError

from passwordless.keyed_hash import KeySource, UnknownKeyVersion, VersionedKey, length_prefixed
from passwordless.rehearsal import rehearse

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

    from passwordless.settings import Settings

USER_KEY_LABEL = "user-key-v2"
HOLD_SECONDS = 5.0
"""How long a derived key is kept: one invocation (a trigger has 5 s), never the next user's."""
MAX_VERSIONS_HELD = 8
# What the key's holder answers for a version that is not (or no longer, or never was) one of ours.
_NOT_OURS = frozenset({"ResourceNotFoundException", "NotFoundException", "AccessDeniedException"})


def _version_refused(error: ClientError, version: str) -> bool:
    """A named version the key's holder does not know: a bad secret, not an outage."""
    return bool(version) and error.response.get("Error", {}).get("Code") in _NOT_OURS


class _Held(NamedTuple):
    """The one derived key, for its user, for a few seconds."""

    user: tuple[str, str]
    current: bool
    """Derived under the current key (no version asked for)."""
    key: VersionedKey
    until: float


class MacClient(Protocol):
    """The one KMS operation used (boto3's KMS client)."""

    def generate_mac(self, **request: str | bytes) -> Mapping[str, Any]: ...


def key_source(settings: Settings, client: Callable[[str], Any]) -> KeySource:
    """The configured store's KeySource; Secrets Manager's current key is read now (and may raise)."""
    if settings.key_store == "kms":
        return KmsKeys(client("kms"), settings.hmac_key_id)
    return SecretsManagerKeys(client("secretsmanager"), settings.hmac_key_secret_id)


def rehearse_key_read(settings: Settings, client: Callable[[str], Any]) -> bool:
    """Rehearse, at init, the request the key source makes first (passwordless.rehearsal)."""
    if settings.key_store == "kms":
        return rehearse(
            client("kms"),
            "GenerateMac",
            KeyId=settings.hmac_key_id,
            MacAlgorithm="HMAC_SHA_256",
            Message=b"-",
        )
    return rehearse(client("secretsmanager"), "GetSecretValue", SecretId=settings.hmac_key_secret_id)


class SecretsManagerKeys:
    def __init__(self, client: SecretsManagerClient, secret_id: str) -> None:
        self._client = client
        self._secret_id = secret_id
        self._held: dict[str, VersionedKey] = {}
        self._current = self._read("")

    def __repr__(self) -> str:
        return f"SecretsManagerKeys({self._secret_id!r}, <keys redacted>)"

    def user_key(self, user_pool_id: str, username: str, version: str) -> VersionedKey:
        if not version:
            return self._current
        return self._held.get(version) or self._read(version)

    def _read(self, version: str) -> VersionedKey:
        try:
            if version:
                secret = self._client.get_secret_value(SecretId=self._secret_id, VersionId=version)
            else:
                secret = self._client.get_secret_value(SecretId=self._secret_id, VersionStage="AWSCURRENT")
        except ClientError as error:
            if _version_refused(error, version):
                raise UnknownKeyVersion from None
            raise
        key = VersionedKey(secret["VersionId"], secret["SecretString"].encode())
        if len(self._held) < MAX_VERSIONS_HELD:
            self._held[key.version] = key
        return key


class KmsKeys:
    def __init__(
        self, client: MacClient, key_id: str, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._client = client
        self._key_id = key_id
        self._clock = clock
        self._held: _Held | None = None

    def __repr__(self) -> str:
        return f"KmsKeys({self._key_id!r}, <derived key redacted>)"

    def user_key(self, user_pool_id: str, username: str, version: str) -> VersionedKey:
        now = self._clock()
        held = self._held
        if (
            held is not None
            and held.user == (user_pool_id, username)
            and now < held.until
            and (version == held.key.version or (not version and held.current))
        ):
            return held.key
        self._held = None
        try:
            response = self._client.generate_mac(
                KeyId=version or self._key_id,
                MacAlgorithm="HMAC_SHA_256",
                Message=length_prefixed(USER_KEY_LABEL, user_pool_id, username),
            )
        except ClientError as error:
            if _version_refused(error, version):
                raise UnknownKeyVersion from None
            raise
        key = VersionedKey(response["KeyId"], response["Mac"])
        self._held = _Held((user_pool_id, username), not version, key, now + HOLD_SECONDS)
        return key
