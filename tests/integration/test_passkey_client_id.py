"""How the deployed triggers learn the passkey client's id from its SSM parameter (moto's SSM): kept
once read; "" (every sign-in an email sign-in) while the parameter does not exist yet, asked again
after a minute; any other failure fails the sign-in closed."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from laptop.aws import REGION
from laptop.local_stack.trigger_events import trigger_event
from passwordless.errors import SignInUnavailable, StorageUnavailable
from passwordless.passkeys.client_id import RETRY_SECONDS, PasskeyClientId
from passwordless.security_events import SecurityLog
from passwordless.settings import Settings
from passwordless.triggers import respond_to_create
from tests.support.cognito import CLIENT_ID, POOL_ID
from tests.support.fakes import FakeClock, RecordingLogger

NAME = "/passwordless/stack/passkey-client-id"


class CountingSsm:
    def __init__(self) -> None:
        self.client = boto3.client("ssm", region_name=REGION)
        self.calls = 0

    def __call__(self) -> Any:
        self.calls += 1
        return self.client


def test_the_id_is_read_once_and_kept(aws: Settings) -> None:
    ssm = CountingSsm()
    ssm.client.put_parameter(Name=NAME, Value="passkeyclient123", Type="String")
    resolve = PasskeyClientId("", NAME, ssm)

    assert [resolve(), resolve(), resolve()] == ["passkeyclient123"] * 3
    assert ssm.calls == 1


def test_until_the_parameter_exists_no_client_is_the_passkey_client_and_it_is_asked_again_later(
    aws: Settings, clock: FakeClock
) -> None:
    ssm = CountingSsm()
    resolve = PasskeyClientId("", NAME, ssm, clock=clock)

    assert resolve() == ""
    assert resolve() == ""
    assert ssm.calls == 1  # not on every invocation
    ssm.client.put_parameter(Name=NAME, Value="passkeyclient123", Type="String")
    clock.advance(RETRY_SECONDS)

    assert resolve() == "passkeyclient123"
    assert ssm.calls == 2


class RefusingSsm:
    def get_parameter(self, **_: Any) -> Any:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetParameter")


def test_any_other_failure_is_storage_unavailable_and_create_fails_closed_without_email(
    aws: Settings,
) -> None:
    resolve = PasskeyClientId("", NAME, RefusingSsm)
    with pytest.raises(StorageUnavailable, match="ssm:AccessDeniedException"):
        resolve()

    class Passkeys:
        def serves(self, _: object) -> bool:
            return resolve() == CLIENT_ID

    class NeverIssues:
        def create(self, _: object) -> Any:
            raise AssertionError("the email issuer must not run when the client cannot be told")

    log = RecordingLogger()
    event = trigger_event(
        pool_id=POOL_ID,
        client_id=CLIENT_ID,
        user_name="jane",
        attributes={"email": "jane@example.com"},
        trigger_source="CreateAuthChallenge_Authentication",
        entries=[],
        client_metadata=None,
    )
    with pytest.raises(SignInUnavailable):
        respond_to_create(event, NeverIssues(), SecurityLog(log), Passkeys())  # type: ignore[arg-type]
    assert any(r.get("dependency") == "ssm" for r in log.records)


def test_a_given_id_asks_nothing() -> None:
    def no_ssm() -> Any:
        raise AssertionError("no SSM request with the id given")

    assert PasskeyClientId("passkeyclient123", NAME, no_ssm)() == "passkeyclient123"
