"""Where moto's Cognito answers differently from Cognito, made to answer as Cognito does.

- UpdateUserPool: both reset every setting the request leaves out, but Cognito cannot change the
  settings a pool is created with (UsernameAttributes, AliasAttributes, UsernameConfiguration), so
  they survive any update; moto resets those too.

It patches private code of the pinned moto; tests/integration/test_trigger_attachment.py relies on
it, and tests/integration/test_moto_fidelity.py shows each difference with and without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.cognitoidp.models import CognitoIdpUserPool

CREATE_ONLY_SETTINGS = ("UsernameAttributes", "AliasAttributes", "UsernameConfiguration")


@contextmanager
def cognito_as_deployed() -> Iterator[None]:
    original = CognitoIdpUserPool.update_extended_config

    def keep_create_only(self: CognitoIdpUserPool, extended_config: dict[str, Any]) -> None:
        created = getattr(self, "extended_config", {})  # none yet while the pool is being created
        kept = {name: created[name] for name in CREATE_ONLY_SETTINGS if name in created}
        original(self, {**(extended_config or {}), **kept})

    CognitoIdpUserPool.update_extended_config = keep_create_only  # type: ignore[method-assign]
    try:
        yield
    finally:
        CognitoIdpUserPool.update_extended_config = original  # type: ignore[method-assign]
