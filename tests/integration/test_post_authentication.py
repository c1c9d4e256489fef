"""PostAuthentication on embedded Cognito (moto): the address is verified once, a failure never fails the
sign-in, and the optional notice lands in the outbox."""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from laptop.aws import REGION, environment
from laptop.handlers import Handler, load_handler
from laptop.invoke import LambdaContextStandIn
from passwordless.email.outbox import read_outbox
from passwordless.settings import Settings
from tests.support.aws_faults import AwsFaults, Fault, aws_faults

UPDATE = "cognito-identity-provider.AdminUpdateUserAttributes"
USERNAME = "7d3f6a52-1c9e-4b8a-9f21-5e0c4a7b9d13"


@dataclass
class Pool:
    cognito: Any
    pool_id: str

    def add_user(self, email: str, *, verified: bool, locale: str = "en") -> None:
        self.cognito.admin_create_user(
            UserPoolId=self.pool_id,
            Username=USERNAME,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": str(verified).lower()},
                {"Name": "locale", "Value": locale},
            ],
        )

    def attribute(self, name: str, username: str = USERNAME) -> str | None:
        user = self.cognito.admin_get_user(UserPoolId=self.pool_id, Username=username)
        values = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
        return values.get(name)

    def event(self, **attributes: str) -> dict[str, Any]:
        return {
            "version": "1",
            "region": REGION,
            "userPoolId": self.pool_id,
            "userName": USERNAME,
            "callerContext": {"awsSdkVersion": "x", "clientId": "client1"},
            "triggerSource": "PostAuthentication_Authentication",
            "request": {"userAttributes": {"sub": USERNAME, **attributes}, "newDeviceUsed": False},
            "response": {},
        }


@dataclass
class Function:
    handler: Handler
    logs: io.StringIO
    outbox: Path

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        with contextlib.redirect_stdout(self.logs):
            return self.handler(event, LambdaContextStandIn.for_function("post_authentication"))

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.logs.getvalue().splitlines() if line.startswith("{")]

    def security_events(self, name: str) -> list[dict[str, Any]]:
        return [r for r in self.records() if r.get("security_event") == name]


@pytest.fixture
def pool(aws: Settings) -> Pool:
    cognito = boto3.client("cognito-idp", region_name=REGION)
    pool_id = cognito.create_user_pool(
        PoolName="passwordless-test", UsernameConfiguration={"CaseSensitive": False}
    )["UserPool"]["Id"]
    return Pool(cognito, pool_id)


def _load(outbox: Path, *, notify: bool) -> Function:
    logs = io.StringIO()
    with environment({"NOTIFY_NEW_SIGN_IN": str(notify).lower()}), contextlib.redirect_stdout(logs):
        handler = load_handler("post_authentication")
    return Function(handler, logs, outbox)


@pytest.fixture
def function(aws: Settings, outbox_dir: Path) -> Function:
    return _load(outbox_dir, notify=False)


@pytest.fixture
def faults() -> Iterator[AwsFaults]:
    with aws_faults() as armed:
        yield armed


def test_an_unverified_address_is_verified_by_the_first_sign_in(pool: Pool, function: Function) -> None:
    # Given a user whose address nobody has proved yet
    pool.add_user("jane@example.com", verified=False)
    event = pool.event(email="jane@example.com", email_verified="false")
    # When they sign in with the emailed code
    returned = function(event)
    # Then Cognito now holds the address as verified, and the event went back unchanged
    assert pool.attribute("email_verified") == "true"
    assert returned is event
    assert returned["response"] == {}
    assert len(function.security_events("email_verified")) == 1


def test_a_verified_address_costs_no_write(pool: Pool, function: Function, faults: AwsFaults) -> None:
    pool.add_user("jane@example.com", verified=True)
    counter = faults.add(Fault(UPDATE))  # no error: only counts the calls that reach Cognito
    function(pool.event(email="jane@example.com", email_verified="true"))
    function(pool.event(email="jane@example.com", email_verified="true"))
    assert counter.hits == 0
    assert pool.attribute("email_verified") == "true"
    assert function.security_events("email_verified") == []


def test_a_missing_email_verified_attribute_counts_as_unverified(pool: Pool, function: Function) -> None:
    pool.add_user("jane@example.com", verified=False)
    function(pool.event(email="jane@example.com"))
    assert pool.attribute("email_verified") == "true"


@pytest.mark.parametrize("error", ["InternalErrorException", "TooManyRequestsException"])
def test_a_failed_update_is_logged_by_class_and_the_sign_in_still_succeeds(
    pool: Pool, function: Function, faults: AwsFaults, error: str
) -> None:
    # Given Cognito refuses the update (every attempt the client makes)
    pool.add_user("jane@example.com", verified=False)
    fault = faults.add(Fault(UPDATE, error=error, status=500 if error.startswith("Internal") else 400))
    event = pool.event(email="jane@example.com", email_verified="false")
    # When the trigger runs, Then it returns the event rather than failing the sign-in
    assert function(event) is event
    assert fault.hits >= 1
    # and the user stays unverified, for the next sign-in to retry
    assert pool.attribute("email_verified") == "false"
    (unavailable,) = function.security_events("unavailable")
    assert unavailable["dependency"] == "cognito"
    assert unavailable["error"] == error  # botocore's modelled exception class, named as the code
    logged = function.logs.getvalue()
    assert "jane@example.com" not in logged
    assert "injected by the test" not in logged


def test_an_unknown_user_is_logged_and_the_event_returned(pool: Pool, function: Function) -> None:
    event = pool.event(email="ghost@example.com", email_verified="false")
    assert function(event) is event
    (unavailable,) = function.security_events("unavailable")
    assert unavailable["error"] == "UserNotFoundException"


def test_notice_off_sends_nothing(pool: Pool, function: Function, outbox_dir: Path) -> None:
    pool.add_user("jane@example.com", verified=True)
    function(pool.event(email="jane@example.com", email_verified="true"))
    assert read_outbox(outbox_dir) == []


def test_notice_on_sends_a_new_sign_in_email_in_the_users_locale(pool: Pool, outbox_dir: Path) -> None:
    function = _load(outbox_dir, notify=True)
    pool.add_user("jane@example.com", verified=True, locale="de")
    function(pool.event(email="Jane@Example.com", email_verified="true", locale="de"))
    (mail,) = read_outbox(outbox_dir)
    assert mail["to"] == "jane@example.com"
    assert mail["subject"] == "Neue Anmeldung für die Passwordless-Demo"
    assert re.search(r"\b20\d\d-\d\d-\d\d\b", mail["text"])  # when it happened, as the template shows it
    assert function.security_events("notified")[0]["sent"] is True


def test_notice_on_with_an_unusable_address_sends_nothing(pool: Pool, outbox_dir: Path) -> None:
    function = _load(outbox_dir, notify=True)
    pool.add_user("jane@example.com", verified=False)
    event = pool.event(email="jane@@example.com", email_verified="false")
    assert function(event) is event
    assert read_outbox(outbox_dir) == []
    assert pool.attribute("email_verified") == "true"
    assert function.security_events("rejected")[0]["reason"] == "bad_email"


def test_a_failed_notice_never_fails_the_sign_in(pool: Pool, outbox_dir: Path, tmp_path: Path) -> None:
    # Given the outbox cannot be written (a file where its folder should be)
    blocked = tmp_path / "blocked"
    blocked.write_text("not a folder", encoding="utf-8")
    with environment({"OUTBOX_DIR": str(blocked)}):
        function = _load(blocked, notify=True)
    pool.add_user("jane@example.com", verified=False)
    event = pool.event(email="jane@example.com", email_verified="false")
    # When a sign-in completes, Then the event comes back, the address is still verified
    assert function(event) is event
    assert pool.attribute("email_verified") == "true"
    (notified,) = function.security_events("notified")
    assert notified["sent"] is False
    assert "jane@example.com" not in function.logs.getvalue()


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"request": "x"},
        {"triggerSource": "PostAuthentication_Authentication", "request": {}, "response": {}},
        {
            "version": "1",
            "userPoolId": "p",
            "userName": "u" * 200,
            "callerContext": {"clientId": "c"},
            "triggerSource": "PostAuthentication_Authentication",
            "request": {"userAttributes": {"email_verified": "false"}},
            "response": {},
        },
        {
            "version": "1",
            "userPoolId": "p",
            "userName": USERNAME,
            "callerContext": {"clientId": "c"},
            "triggerSource": "PreSignUp_SignUp",
            "request": {"userAttributes": {"email_verified": "false"}},
            "response": {},
        },
    ],
    ids=["empty", "request not an object", "no user", "oversized userName", "other trigger"],
)
def test_a_malformed_event_changes_nothing(
    pool: Pool, function: Function, faults: AwsFaults, event: dict[str, Any]
) -> None:
    counter = faults.add(Fault(UPDATE))
    assert function(event) is event
    assert counter.hits == 0
    assert function.security_events("rejected")[0]["trigger"] == "post_authentication"


def test_on_an_attached_pool_only_a_sign_in_through_the_stacks_client_verifies_the_address(
    pool: Pool, outbox_dir: Path
) -> None:
    # Given a pool this stack attached to: its own client, and the team's password client
    ours = pool.cognito.create_user_pool_client(UserPoolId=pool.pool_id, ClientName="passwordless-web")
    theirs = pool.cognito.create_user_pool_client(UserPoolId=pool.pool_id, ClientName="their-web")
    pool.add_user("jane@example.com", verified=False)
    logs = io.StringIO()
    with environment({"EMAIL_SIGN_IN_CLIENT_NAME": "passwordless-web"}), contextlib.redirect_stdout(logs):
        function = Function(load_handler("post_authentication"), logs, outbox_dir)

    def signed_in_through(client: dict[str, Any]) -> dict[str, Any]:
        event = pool.event(email="jane@example.com", email_verified="false")
        return {
            **event,
            "callerContext": {**event["callerContext"], "clientId": client["UserPoolClient"]["ClientId"]},
        }

    # When she signs in with her password on their client, nothing proves the mailbox
    function(signed_in_through(theirs))
    assert pool.attribute("email_verified") == "false"
    # And when she signs in by email through the stack's, it does
    function(signed_in_through(ours))
    assert pool.attribute("email_verified") == "true"
    assert len(function.security_events("email_verified")) == 1
