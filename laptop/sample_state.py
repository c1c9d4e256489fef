"""The fixed state behind the sample events in events/: one pool, one app client, three users.

Jane already holds a live, emailed secret whose code and link token are known here, so the verify
samples can answer it; John has none, so create for him issues one and sends an email. Jane's secret
expires in 2100, so the static event files keep working without being regenerated. Sam has just
signed up and has not proved the address yet (email_verified "false"), for PostAuthentication.

embedded Cognito holds the pool (under its sample id), the app client and the three users, so a
trigger that calls Cognito (PostAuthentication, the account API) meets the users its events name.

These values open nothing real: they only verify under laptop.aws.LOCAL_HMAC_KEY, in embedded AWS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from moto.backends import get_backend
from moto.core.models import DEFAULT_ACCOUNT_ID

from passwordless.binding import Binding
from passwordless.challenge_issuer import round_key_of
from passwordless.keyed_hash import KeyedHasher
from passwordless.private_parameters import PrivateParameters
from passwordless.secret_store import EmailQuota, SecretStore, StoredSecret, item_key

if TYPE_CHECKING:
    from moto.cognitoidp.models import CognitoIdpUserPool
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

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
    email_verified: bool = True

    @property
    def binding(self) -> Binding:
        return Binding(user_pool_id=SAMPLE_POOL_ID, client_id=SAMPLE_CLIENT_ID, username=self.username)

    def attributes(self) -> dict[str, str]:
        """userAttributes as Cognito passes them to the triggers: every value a string."""
        return {
            "sub": self.username,
            "email": self.email,
            "email_verified": str(self.email_verified).lower(),
            "locale": self.locale,
            "cognito:user_status": "CONFIRMED",
        }


# Usernames are UUIDs, as in a pool that signs people in with an email alias.
JANE = SampleUser(username="7d3f6a52-1c9e-4b8a-9f21-5e0c4a7b9d13", email="jane@example.com", locale="en")
JOHN = SampleUser(username="c2b8e4f1-6a07-4d3c-8e95-0f1a2b3c4d5e", email="john@example.com", locale="en")
SAM = SampleUser(
    username="9a4e2c71-3b5d-4f60-8d1e-2c7b9f0a6e34",
    email="sam@example.com",
    locale="de",
    email_verified=False,
)
USERS = (JANE, JOHN, SAM)


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
        round_key=round_key_of(()),  # every first round (empty session) has the same round key
        sent=False,
        send_failed=False,
        consumed=False,
    )
    key = item_key(JANE.binding)
    quota = EmailQuota(last_email_ms=SAMPLE_ISSUED_MS, email_times_ms=(SAMPLE_ISSUED_MS,))
    store.issue(key, secret, expected_version=None, quota=quota)
    store.mark_sent(key, SAMPLE_SECRET_ID)


def seed_user_pool(cognito: CognitoIdentityProviderClient, region: str) -> None:
    """The sample pool, app client and users in embedded Cognito (moto), under the ids the events use.

    moto picks its own ids, so the pool and client are re-filed under the sample ones (file_pool_as).
    The pool matches addresses case-insensitively, as the template's does; usernames are the sample
    UUIDs."""
    pool_id = cognito.create_user_pool(
        PoolName="passwordless-sample", UsernameConfiguration={"CaseSensitive": False}
    )["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="sample")["UserPoolClient"][
        "ClientId"
    ]
    pool = file_pool_as(region, pool_id, SAMPLE_POOL_ID)
    client = pool.clients.pop(client_id)
    client.id, client.user_pool_id = SAMPLE_CLIENT_ID, SAMPLE_POOL_ID
    pool.clients[SAMPLE_CLIENT_ID] = client
    for user in USERS:
        attributes = user.attributes()
        cognito.admin_create_user(
            UserPoolId=SAMPLE_POOL_ID,
            Username=user.username,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": name, "Value": attributes[name]} for name in ("email", "email_verified", "locale")
            ],
        )


def file_pool_as(region: str, pool_id: str, chosen_id: str) -> CognitoIdpUserPool:
    """Embedded Cognito's pool `pool_id`, re-filed under `chosen_id`, so a static event can name it.

    moto 5 draws pool ids at random (or hashes the pool's settings) and has no way to ask for one,
    so its backend is edited: a private API of the pinned moto, as laptop.local_stack reads it."""
    backend = get_backend("cognito-idp")[DEFAULT_ACCOUNT_ID][region]
    pool = backend.user_pools.pop(pool_id)
    pool.id, pool.arn = chosen_id, pool.arn.replace(pool_id, chosen_id)
    backend.user_pools[chosen_id] = pool
    return pool
