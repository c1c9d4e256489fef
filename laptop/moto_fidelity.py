"""Where moto's Cognito and KMS answer differently from AWS, made to answer as AWS does.

- UpdateUserPool: both reset every setting the request leaves out, but Cognito cannot change the
  settings a pool is created with (UsernameAttributes, AliasAttributes, UsernameConfiguration), so
  they survive any update; moto resets those too.
- Aliases: in a pool with AliasAttributes, Cognito finds a user by a verified email or phone number
  (and by preferred_username) wherever it takes a username; moto knows only usernames.
- GenerateMac: KMS names the key that made the MAC by its ARN (KeyId); moto by its bare id. KMS
  refuses a disabled key (DisabledException) or one pending deletion; moto uses either.

It patches private code of the pinned moto; tests/integration/test_trigger_attachment.py relies on
it, and tests/integration/test_moto_fidelity.py shows each difference with and without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.cognitoidp.models import CognitoIdpUserPool
from moto.core.exceptions import JsonRESTError
from moto.kms.models import KmsBackend

CREATE_ONLY_SETTINGS = ("UsernameAttributes", "AliasAttributes", "UsernameConfiguration")
# An alias attribute, and the attribute that must be "true" for it to sign in (None: always).
ALIAS_PROOF = {"email": "email_verified", "phone_number": "phone_number_verified", "preferred_username": None}


@contextmanager
def cognito_as_deployed() -> Iterator[None]:
    original = CognitoIdpUserPool.update_extended_config

    def keep_create_only(self: CognitoIdpUserPool, extended_config: dict[str, Any]) -> None:
        created = getattr(self, "extended_config", {})  # none yet while the pool is being created
        kept = {name: created[name] for name in CREATE_ONLY_SETTINGS if name in created}
        original(self, {**(extended_config or {}), **kept})

    find_by_username = CognitoIdpUserPool._get_user

    def find_by_alias_too(self: CognitoIdpUserPool, username: str) -> Any:  # noqa: ANN401 - moto's user
        found = find_by_username(self, username)
        if found:
            return found
        for alias in self.extended_config.get("AliasAttributes") or []:
            proof = ALIAS_PROOF.get(alias)
            for user in self.users.values():
                attributes = {item["Name"]: item["Value"] for item in user.attributes}
                if attributes.get(alias) == username and (proof is None or attributes.get(proof) == "true"):
                    return user
        return None

    CognitoIdpUserPool.update_extended_config = keep_create_only  # type: ignore[method-assign]
    CognitoIdpUserPool._get_user = find_by_alias_too  # type: ignore[method-assign]
    try:
        yield
    finally:
        CognitoIdpUserPool.update_extended_config = original  # type: ignore[method-assign]
        CognitoIdpUserPool._get_user = find_by_username  # type: ignore[method-assign]


@contextmanager
def kms_as_deployed() -> Iterator[None]:
    original = KmsBackend.generate_mac

    def named_by_arn(self: KmsBackend, *args: Any, **kwargs: Any) -> tuple[str, str, str]:  # noqa: ANN401
        mac, algorithm, key_id = original(self, *args, **kwargs)
        key = self.keys[key_id]
        if key.key_state == "Disabled":
            raise JsonRESTError("DisabledException", f"{key.arn} is disabled.")
        if key.key_state != "Enabled":
            raise JsonRESTError("KMSInvalidStateException", f"{key.arn} is {key.key_state}.")
        return mac, algorithm, key.arn

    KmsBackend.generate_mac = named_by_arn  # type: ignore[method-assign]
    try:
        yield
    finally:
        KmsBackend.generate_mac = original  # type: ignore[method-assign]
