"""The fixed state behind the sample events in events/: one pool, one app client, two users.

Jane already holds a live, emailed secret whose code and link token are known here, so the verify
samples can answer it; John has none, so create for him issues one and sends an email. Jane's secret
expires in 2100, so the static event files keep working without being regenerated.

These values open nothing real: they only verify under laptop.aws.LOCAL_HMAC_KEY, in embedded AWS.
"""

from __future__ import annotations

from dataclasses import dataclass

from passwordless.events import CreateRequest, TriggerContext
from passwordless.keyed_hash import Binding, KeyedHasher
from passwordless.private_parameters import PrivateParameters
from passwordless.secret_store import EmailQuota, SecretStore, StoredSecret, item_key

SAMPLE_POOL_ID = "us-east-1_SampLe123"
SAMPLE_CLIENT_ID = "3sample5c1ient7id9for0docs"

SAMPLE_SECRET_ID = "5a0e1c2d3b4f4a6b8c7d9e0f1a2b3c4d"  # noqa: S105  # nosec B105 - an id, not a secret value
SAMPLE_CODE = "123456"
SAMPLE_TOKEN = "SampLe-Link_T0ken-for-Jane-00001"  # noqa: S105  # nosec B105 - a public sample, no credential
SAMPLE_ISSUED_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
SAMPLE_EXPIRES_MS = 4_102_444_800_000  # 2100-01-01T00:00:00Z


@dataclass(frozen=True)
class SampleUser:
    username: str
    email: str
    locale: str

    @property
    def binding(self) -> Binding:
        return Binding(user_pool_id=SAMPLE_POOL_ID, client_id=SAMPLE_CLIENT_ID, username=self.username)

    def attributes(self) -> dict[str, str]:
        """userAttributes as Cognito passes them to the triggers: every value a string."""
        return {
            "sub": self.username,
            "email": self.email,
            "email_verified": "true",
            "locale": self.locale,
            "cognito:user_status": "CONFIRMED",
        }


# Usernames are UUIDs, as in a pool that signs people in with an email alias.
JANE = SampleUser(username="7d3f6a52-1c9e-4b8a-9f21-5e0c4a7b9d13", email="jane@example.com", locale="en")
JOHN = SampleUser(username="c2b8e4f1-6a07-4d3c-8e95-0f1a2b3c4d5e", email="john@example.com", locale="en")


def sample_private_parameters(hasher: KeyedHasher, *, expires_ms: int = SAMPLE_EXPIRES_MS) -> dict[str, str]:
    """What create returns as privateChallengeParameters for Jane's live secret."""
    binding = JANE.binding
    return PrivateParameters(
        secret_id=SAMPLE_SECRET_ID,
        token_hash=hasher.digest("token", binding, SAMPLE_SECRET_ID, SAMPLE_TOKEN),
        code_hash=hasher.digest("code", binding, SAMPLE_SECRET_ID, SAMPLE_CODE),
        expires_ms=expires_ms,
    ).encode()


def seed(store: SecretStore, hasher: KeyedHasher) -> None:
    """Store Jane's secret as create would have after issuing and emailing it in a first round."""
    parameters = sample_private_parameters(hasher)
    secret = StoredSecret(
        secret_id=SAMPLE_SECRET_ID,
        client_id=SAMPLE_CLIENT_ID,
        token_hash=parameters["tokenHash"],
        code_hash=parameters["codeHash"],
        issued_ms=SAMPLE_ISSUED_MS,
        expires_ms=SAMPLE_EXPIRES_MS,
        round_key=_first_round_key(),
        sent=False,
        send_failed=False,
        consumed=False,
    )
    key = item_key(JANE.binding)
    quota = EmailQuota(last_email_ms=SAMPLE_ISSUED_MS, email_times_ms=(SAMPLE_ISSUED_MS,))
    store.issue(key, secret, expected_version=None, quota=quota)
    store.mark_sent(key, SAMPLE_SECRET_ID)


def _first_round_key() -> str:
    # Every first round (empty session) has the same round key.
    request = CreateRequest(
        context=TriggerContext(JANE.binding, user_not_found=False, client_metadata={}),
        session=(),
        email=JANE.email,
        locale=JANE.locale,
    )
    return request.round_key()
