"""Which app client is the passkey client, as the triggers learn it.

The local stack and the account API are given the id. The deployed create and verify triggers are
given the name of an SSM parameter holding it (the pool names the triggers, so naming the pool's
client in their environment would be a cycle), read once per container and then kept.

While passkeys are being switched on, CloudFormation may update the triggers before it creates that
parameter: until it exists the answer is "" (no client is the passkey client, so every sign-in is an
email sign-in as before), asked again at most once a minute. Any other failure to read it fails the
sign-in closed: without knowing the passkey client, create cannot tell whether to email.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from passwordless.dynamodb_values import error_name
from passwordless.errors import StorageUnavailable

RETRY_SECONDS = 60.0


class PasskeyClientId:
    def __init__(
        self,
        known: str,
        parameter: str,
        ssm: Callable[[], Any],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._known = known
        self._parameter = parameter
        self._ssm = ssm
        self._clock = clock
        self._next_try = 0.0

    def __call__(self) -> str:
        """The id, or "" while the parameter does not exist; StorageUnavailable if SSM fails."""
        if self._known or not self._parameter or self._clock() < self._next_try:
            return self._known
        try:
            value = self._ssm().get_parameter(Name=self._parameter)["Parameter"]["Value"]
        except ClientError as error:
            if error_name(error) != "ParameterNotFound":
                raise StorageUnavailable(f"ssm:{error_name(error)}") from None
            self._next_try = self._clock() + RETRY_SECONDS
            return ""
        except BotoCoreError as error:
            raise StorageUnavailable(f"ssm:{error_name(error)}") from None
        self._known = str(value)
        return self._known
