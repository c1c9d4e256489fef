"""Least privilege for the account API and PostAuthentication, checked against behaviour: with the SES
provider, each function's grants in template.yaml (inline and stand-alone policies naming its role,
conditions resolved for that deployment) are exactly the AWS operations its code performs while
every route and branch that calls AWS runs."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import boto3
import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from laptop.aws import REGION
from laptop.handlers import FUNCTIONS, Handler, load_handlers
from laptop.invoke import LambdaContextStandIn
from laptop.sample_api_events import access_claims, api_event
from laptop.stack_template import load_template
from passwordless.settings import Settings
from tests.support.account_api import new_pool
from tests.support.aws_calls import on_every_session, operation_name
from tests.template.cfn import iam_statements

CODE_IN_HTML = re.compile(r">\s*(\d{6})\s*<")
WATCHED = ("account_api", "post_authentication")
EMAIL_MODE_WITH_SES = {
    "UseSes": True,
    "UseSendGrid": False,
    "GrantSendGridApiKey": False,
    "HasSesConfigurationSet": False,
    "PasswordMode": False,
    "NotifyOnSignIn": True,
    "CreateSignInPage": False,
    "NotifyAlarmTopic": False,
    "CreatePool": True,
    "KnowsPool": True,
    "UseSecretsManagerKey": True,
    "PasskeysOn": False,
    "MakePasskeyClient": False,
}
PASSWORD_MODE_WITH_SES = EMAIL_MODE_WITH_SES | {"PasswordMode": True}


def granted_actions(function: str, conditions: Mapping[str, bool]) -> set[str]:
    """The function's inline grants and those of every stand-alone policy naming its role, in a
    deployment whose template conditions are `conditions` (an unlisted condition is a KeyError)."""
    resources = load_template()["Resources"]
    logical_id = FUNCTIONS[function][0]
    role = {"Ref": f"{logical_id}Role"}
    # Only IAM is resolved, so a condition elsewhere in the template needs no value here; a policy
    # whose own Condition fails is not created and grants nothing.
    policies = [_resolved(resources[logical_id]["Properties"].get("Policies", []), conditions)]
    for resource in resources.values():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        if "Condition" not in resource or conditions[resource["Condition"]]:
            properties = _resolved(resource["Properties"], conditions)
            if role in properties["Roles"]:
                policies.append(properties["PolicyDocument"])
    actions: set[str] = set()
    for statement in iam_statements(policies):
        action = statement["Action"]
        actions.update([action] if isinstance(action, str) else action)
    return actions


_NO_VALUE = {"Ref": "AWS::NoValue"}


def _resolved(node: Any, conditions: Mapping[str, bool]) -> Any:
    """node with every Fn::If replaced by its branch, and AWS::NoValue dropped, as CloudFormation does."""
    if isinstance(node, list):
        resolved = [_resolved(item, conditions) for item in node]
        return [item for item in resolved if item != _NO_VALUE]
    if isinstance(node, dict):
        if set(node) == {"Fn::If"}:
            name, when_true, when_false = node["Fn::If"]
            return _resolved(when_true if conditions[name] else when_false, conditions)
        fields = {key: _resolved(value, conditions) for key, value in node.items()}
        return {key: value for key, value in fields.items() if value != _NO_VALUE}
    return node


class Watched:
    """The deployed functions, each call of theirs to AWS recorded as "service:Operation"."""

    def __init__(self, pool_id: str, client_id: str) -> None:
        self.pool_id = pool_id
        self.client_id = client_id
        self.running: list[str] = []
        self.used: dict[str, set[str]] = {name: set() for name in WATCHED}
        with contextlib.redirect_stdout(io.StringIO()), on_every_session(self._record):
            self._handlers: dict[str, Handler] = load_handlers(*WATCHED)

    def _record(self, model: Any, **_: Any) -> None:
        if self.running:
            self.used[self.running[-1]].add(operation_name(model))

    def invoke(self, function: str, event: dict[str, Any]) -> dict[str, Any]:
        self.running.append(function)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                return self._handlers[function](event, LambdaContextStandIn.for_function(function))
        finally:
            self.running.pop()

    def post(self, path: str, body: object, username: str | None = None, groups: str | None = None) -> int:
        claims = None
        if username is not None:
            claims = access_claims(username, groups=groups, client_id=self.client_id, pool_id=self.pool_id)
        status: int = self.invoke("account_api", api_event(path, body, claims))["statusCode"]
        return status


def ses_mail() -> list[tuple[str, str]]:
    """(recipient, HTML body) of each message SES accepted, in sending order."""
    sent = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    return [(message.destinations["ToAddresses"][0], message.body) for message in sent]


Deploy = Callable[..., Watched]


@pytest.fixture
def deploy(aws: Settings, monkeypatch: pytest.MonkeyPatch) -> Deploy:
    """A pool, SES ready to send as EMAIL_FROM, and a fresh default boto3 session (restored afterwards)
    under watch before the functions make their clients."""
    monkeypatch.setenv("EMAIL_PROVIDER", "ses")
    monkeypatch.setenv("RESEND_MIN_SECONDS", "0")
    boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=aws.email_from)
    pool_id, client_id = new_pool()

    def make(**env: str) -> Watched:
        stack = {
            "USER_POOL_ID": pool_id,
            "USER_POOL_CLIENT_ID": client_id,
            "EMAIL_SIGN_IN_CLIENT_NAME": "web",
        }
        for name, value in {**stack, **env}.items():
            monkeypatch.setenv(name, value)
        return Watched(pool_id, client_id)

    return make


def add_user(pool_id: str, email: str, *, verified: bool) -> str:
    created = boto3.client("cognito-idp", region_name=REGION).admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": str(verified).lower()},
        ],
    )
    return str(created["User"]["Username"])


def post_authentication_event(pool_id: str, client_id: str, username: str, email: str) -> dict[str, Any]:
    return {
        "version": "1",
        "region": REGION,
        "userPoolId": pool_id,
        "userName": username,
        "callerContext": {"awsSdkVersion": "x", "clientId": client_id},
        "triggerSource": "PostAuthentication_Authentication",
        "request": {
            "userAttributes": {"sub": username, "email": email, "email_verified": "false"},
            "newDeviceUsed": False,
        },
        "response": {},
    }


@contextlib.contextmanager
def ses_refusing(sender: str) -> Iterator[None]:
    """SES refuses every send while the sender's identity is unverified (MessageRejected)."""
    ses = boto3.client("ses", region_name=REGION)
    ses.delete_identity(Identity=sender)
    try:
        yield
    finally:
        ses.verify_email_identity(EmailAddress=sender)


def test_email_mode_grants_are_exactly_the_operations_performed(aws: Settings, deploy: Deploy) -> None:
    # Given both functions deployed with SES, self sign-up and the new-sign-in notice on
    watched = deploy(SELF_SIGN_UP="true", NOTIFY_NEW_SIGN_IN="true")
    admin = add_user(watched.pool_id, "admin@example.com", verified=True)
    jane = add_user(watched.pool_id, "jane@example.com", verified=False)
    # When every account route that reaches AWS runs, including an invitation rolled back because
    # its email failed
    statuses = [
        watched.post("/sign-up", {"email": "signer@example.com"}),
        watched.post("/invitations", {"email": "invitee@example.com"}, admin, "[admins]"),
    ]
    with ses_refusing(aws.email_from):
        statuses.append(watched.post("/invitations", {"email": "unlucky@example.com"}, admin, "[admins]"))
    statuses.append(watched.post("/account/email", {"email": "jane.new@example.com"}, jane))
    [code] = CODE_IN_HTML.findall([body for to, body in ses_mail() if to == "jane.new@example.com"][-1])
    statuses.append(
        watched.post("/account/email/confirm", {"email": "jane.new@example.com", "code": code}, jane)
    )
    # and an unverified user signs in with the notice on
    signer = add_user(watched.pool_id, "unverified@example.com", verified=False)
    watched.invoke(
        "post_authentication",
        post_authentication_event(watched.pool_id, watched.client_id, signer, "unverified@example.com"),
    )
    # Then each route did what it should
    assert statuses == [202, 201, 503, 202, 200]
    users = boto3.client("cognito-idp", region_name=REGION).list_users(UserPoolId=watched.pool_id)["Users"]
    emails = {a["Value"] for user in users for a in user["Attributes"] if a["Name"] == "email"}
    assert "unlucky@example.com" not in emails  # the rollback really deleted the user
    assert "jane.new@example.com" in emails
    assert [to for to, _ in ses_mail()] == [
        "invitee@example.com",
        "jane.new@example.com",
        "jane@example.com",  # the old address is told of the change
        "unverified@example.com",  # the new-sign-in notice
    ]
    # and each function used exactly what it is granted
    assert {"ses:SendEmail", "cognito-idp:AdminDeleteUser"} <= watched.used["account_api"]
    for function in WATCHED:
        assert watched.used[function] == granted_actions(function, EMAIL_MODE_WITH_SES), function


TOKEN_IN_HTML_LINK = re.compile(r"[#;&]t=([A-Za-z0-9_-]+)")


def test_password_mode_adds_exactly_the_operations_accepting_an_invitation_performs(
    aws: Settings, deploy: Deploy
) -> None:
    # Given the account API in password mode with SES
    watched = deploy(SELF_SIGN_UP="true", SIGN_IN_MODE="password-and-email-code")
    admin = add_user(watched.pool_id, "admin@example.com", verified=True)
    jane = add_user(watched.pool_id, "jane@example.com", verified=True)
    # When every route runs, the invitation is accepted with a chosen password, and one invitation's
    # email fails
    statuses = [
        watched.post("/sign-up", {"email": "signer@example.com"}),
        watched.post("/invitations", {"email": "invitee@example.com"}, admin, "[admins]"),
    ]
    [token] = set(TOKEN_IN_HTML_LINK.findall(ses_mail()[-1][1]))
    accept = {"email": "invitee@example.com", "token": token, "password": "Chosen-passw0rd!"}
    statuses.append(watched.post("/invitations/accept", accept))
    with ses_refusing(aws.email_from):
        statuses.append(watched.post("/invitations", {"email": "unlucky@example.com"}, admin, "[admins]"))
    statuses.append(watched.post("/account/email", {"email": "jane.new@example.com"}, jane))
    [code] = CODE_IN_HTML.findall(ses_mail()[-1][1])
    statuses.append(
        watched.post("/account/email/confirm", {"email": "jane.new@example.com", "code": code}, jane)
    )
    # Then each route did what it should, and the function used exactly its password-mode grants
    assert statuses == [202, 201, 200, 503, 202, 200]
    assert {"cognito-idp:AdminInitiateAuth", "cognito-idp:AdminRespondToAuthChallenge"} <= watched.used[
        "account_api"
    ]
    assert watched.used["account_api"] == granted_actions("account_api", PASSWORD_MODE_WITH_SES)
