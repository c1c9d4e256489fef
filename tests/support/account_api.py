"""The account API's real handler (functions/account_api/app.py) deployed on embedded AWS: a moto user
pool with a web client and an admins group, the sign-in table, the HMAC key and the outbox."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from laptop.aws import REGION, environment
from laptop.handlers import ROOT, Handler, load_handlers
from laptop.invoke import LambdaContextStandIn
from laptop.sample_api_events import access_claims, api_event
from passwordless.email.outbox import read_outbox
from passwordless.settings import Settings
from tests.support.aws_calls import on_every_session

_loads = iter(range(1_000_000))


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]
    raw: dict[str, Any]


@dataclass
class AccountApi:
    """The deployed function, the pool it manages, and what it left behind."""

    handler: Handler
    triggers: dict[str, Handler]
    logs: io.StringIO
    outbox: Path
    pool_id: str
    client_id: str
    settings: Settings
    admin_calls: list[dict[str, Any]] = field(default_factory=list)
    cognito: Any = field(default_factory=lambda: boto3.client("cognito-idp", region_name=REGION))
    dynamodb: Any = field(default_factory=lambda: boto3.client("dynamodb", region_name=REGION))

    def post(self, path: str, body: object, claims: dict[str, str] | None = None) -> Answer:
        return self.send(api_event(path, body, claims))

    def send(self, event: dict[str, Any]) -> Answer:
        """The function's answer to any front's event; a preflight's empty body reads as {}, and a REST
        answer's multiValueHeaders as the headers API Gateway sends."""
        result = self.handler(event, LambdaContextStandIn.for_function("account_api"))
        body = json.loads(result["body"]) if result.get("body") else {}
        headers = {name: ", ".join(values) for name, values in result.get("multiValueHeaders", {}).items()}
        return Answer(result["statusCode"], {**headers, **result.get("headers", {})}, body, result)

    def claims(self, username: str, groups: str | None = None) -> dict[str, str]:
        return access_claims(username, groups=groups, client_id=self.client_id, pool_id=self.pool_id)

    def add_user(self, email: str, *, locale: str = "en") -> str:
        created = self.cognito.admin_create_user(
            UserPoolId=self.pool_id,
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "locale", "Value": locale}],
            MessageAction="SUPPRESS",
        )
        return str(created["User"]["Username"])

    def user(self, username: str) -> dict[str, Any]:
        found = self.cognito.admin_get_user(UserPoolId=self.pool_id, Username=username)
        return {
            "status": found["UserStatus"],
            **{a["Name"]: a["Value"] for a in found["UserAttributes"]},
        }

    def users(self) -> list[dict[str, Any]]:
        return list(self.cognito.list_users(UserPoolId=self.pool_id)["Users"])

    def items(self) -> list[dict[str, Any]]:
        """The users' items; the stranger email budgets' counters aside (test_stranger_budget's)."""
        items = self.dynamodb.scan(TableName=self.settings.table_name)["Items"]
        return [item for item in items if not item["pk"]["S"].startswith("budget#")]

    def mail(self) -> list[dict[str, str]]:
        return read_outbox(self.outbox)

    def log_text(self) -> str:
        return self.logs.getvalue()

    def log_records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log_text().splitlines() if line.startswith("{")]


def _import_account_api() -> Handler:
    path = ROOT / "functions" / "account_api" / "app.py"
    spec = importlib.util.spec_from_file_location(f"_lambda_account_api_test_{next(_loads)}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handler: Handler = module.lambda_handler
    return handler


MakeApi = Callable[..., AccountApi]


@pytest.fixture
def key_store() -> str:
    """Where the stack's HMAC key lives (a test parametrizes it to run in kms mode)."""
    return "secretsmanager"


def new_pool() -> tuple[str, str]:
    """A moto user pool as the stack makes it (email as username, admins only), its web client and
    an admins group: (pool id, client id)."""
    cognito = boto3.client("cognito-idp", region_name=REGION)
    pool = cognito.create_user_pool(
        PoolName="passwordless-test",
        UsernameAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
    )["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="web",
        ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    cognito.create_group(UserPoolId=pool, GroupName="admins")
    return pool, client


@pytest.fixture
def make_api(
    key_store: str, request: pytest.FixtureRequest, outbox_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MakeApi]:
    """Deploy the account API with extra variables (SELF_SIGN_UP=true by default)."""
    request.getfixturevalue("kms_aws" if key_store == "kms" else "aws")
    # What an operator could turn on: every level, and the events themselves.
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("POWERTOOLS_LOGGER_LOG_EVENT", "true")
    pool, client = new_pool()
    calls: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        calls.append(dict(params))

    # The function's client is made later, at import, in a session that registers this handler.
    stack = contextlib.ExitStack()
    stack.enter_context(on_every_session(record, "provide-client-params.cognito-idp.AdminCreateUser"))

    def make(**env: str) -> AccountApi:
        variables = {"USER_POOL_ID": pool, "USER_POOL_CLIENT_ID": client, "SELF_SIGN_UP": "true", **env}
        stack.enter_context(environment(variables))
        logs = io.StringIO()
        with contextlib.redirect_stdout(logs):
            triggers = load_handlers(
                "define_auth_challenge", "create_auth_challenge", "verify_auth_challenge"
            )
            handler = _import_account_api()
        return AccountApi(handler, triggers, logs, outbox_dir, pool, client, Settings.from_env(), calls)

    with stack:
        yield make


@pytest.fixture
def api(make_api: MakeApi) -> AccountApi:
    return make_api()
