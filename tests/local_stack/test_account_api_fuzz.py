"""The account API fuzzed from its OpenAPI document (openapi/account-api.yaml) with Schemathesis, over
HTTP on the local stack: the real function behind the emulated JWT authorizer.

Every generated request, valid (positive) or not (negative), must be answered below 500 with a status,
content type, headers and body the document lists; a negative one must be refused; and a refused one
(any 4xx) must leave the pool's users, the functions' table and the outbox exactly as they were. The
bodies Schemathesis would not think of (too deep, too large, not UTF-8, a key twice, a wrong type) are
sent by hand to every route and held to the same rules."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
import requests
import schemathesis
import yaml
from hypothesis import settings
from openapi_spec_validator import validate
from schemathesis import checks

from laptop.handlers import ROOT
from passwordless.accounts.routes import AccountServices, build_app
from passwordless.settings import ApiSettings
from tests.support.local_stack import RunningStack, start_stack

SCHEMA_PATH = ROOT / "openapi" / "account-api.yaml"
PASSWORD = "Fuzz-Passw0rd-long"
MIA_EMAIL = "mia@example.com"
MAX_EXAMPLES = 25  # per operation and generation mode: five operations, two modes

# Nothing from schemathesis.toml or the environment: the run is the same on every machine.
_CONFIG = """
[generation]
max-examples = {max_examples}
mode = "{mode}"
# The same cases on every run, so make test cannot fail one day and pass the next.
deterministic = true
# The bearer token is the test's (below): generated Authorization headers would make most cases 401s.
with-security-parameters = false

[checks.negative_data_rejection]
# What the document says a refused body gets; 413 is a body over 4 KiB.
expected-statuses = [400, 401, 403, 404, 409, 413, 429]
"""


def _schema(mode: str) -> Any:
    config = schemathesis.Config.from_str(_CONFIG.format(max_examples=MAX_EXAMPLES, mode=mode))
    return schemathesis.openapi.from_path(SCHEMA_PATH, config=config)


positive = _schema("positive")
negative = _schema("negative")

# Whatever the mode: the answer is documented (status, content type, headers, body) and no 5xx.
CONFORMANCE = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
# A body the document does not allow is refused (ignored by Schemathesis for positive cases).
GENERATED = [*CONFORMANCE, checks.negative_data_rejection]

ran: Counter[str] = Counter()


class Fuzzed:
    """The stack and the access token each authenticated route is called with."""

    def __init__(self, stack: RunningStack) -> None:
        self.stack = stack
        self.url = stack.stack.url
        fuzzed_users = (stack.jane, stack.john, self.user(MIA_EMAIL))
        for username in fuzzed_users[:2]:
            self._give_password(username)
        stack.add_to_group(stack.jane, "admins")
        # Each route its own user: john's email changes (a 202, then 429s) never give mia a pending
        # change, so every code sent to confirm is a wrong code for nothing, which stores nothing.
        self.tokens = {
            path: self.access_token(stack.attributes(username)["email"])
            for path, username in zip(
                ("/invitations", "/account/email", "/account/email/confirm"), fuzzed_users, strict=True
            )
        }

    def user(self, email: str) -> str:
        """A new user who signs in with PASSWORD; the username."""
        username = self.stack.stack.add_user(email)
        self._give_password(username)
        return username

    def _give_password(self, username: str) -> None:
        self.stack.idp.admin_set_user_password(
            UserPoolId=self.stack.pool_id, Username=username, Password=PASSWORD, Permanent=True
        )

    def access_token(self, login: str) -> str:
        return str(self.stack.password_sign_in(login, PASSWORD)["AuthenticationResult"]["AccessToken"])

    def headers(self, path: str) -> dict[str, str]:
        token = self.tokens.get(path)
        return {"Authorization": f"Bearer {token}"} if token else {}

    def stored(self) -> tuple[object, ...]:
        """Everything a request could leave behind: the pool's users, the table's items, the mail."""
        stack = self.stack
        users = [
            (user["Username"], user["UserStatus"], user["Enabled"], sorted(map(str, user["Attributes"])))
            for page in stack.idp.get_paginator("list_users").paginate(UserPoolId=stack.pool_id)
            for user in page["Users"]
        ]
        table = boto3.client("dynamodb", region_name="us-east-1")
        items = [
            json.dumps(item, sort_keys=True)
            for page in table.get_paginator("scan").paginate(TableName="passwordless-local")
            for item in page["Items"]
            # A source's spent budget counts its attempts, refused ones too, as any rate limit does.
            if not item["pk"]["S"].startswith("budget#")
        ]
        return sorted(users), sorted(items), len(stack.mail())

    def send(self, case: Any, checks_run: list[Any], send: Callable[[], Any]) -> Any:
        """Send once; the answer documented and below 500, and a 4xx stored nothing."""
        before = self.stored()
        response = send()
        ran[f"{case.method} {case.operation.path} {response.status_code}"] += 1
        assert response.status_code < 500, response.text
        case.validate_response(response, checks=checks_run)
        if 400 <= response.status_code < 500:
            assert self.stored() == before, f"a {response.status_code} stored something"
        return response


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    """Every route served: self sign-up on, password mode (for /invitations/accept)."""
    stacks = start_stack(
        tmp_path_factory.mktemp("fuzz"),
        parameters={"SelfSignUp": "true", "SignInMode": "password-and-email-code"},
        # Hundreds of valid requests from one address: the budgets would soon answer them all 429
        # (test_stranger_budget_over_http tests those answers).
        STRANGER_EMAILS_PER_SOURCE_PER_HOUR="100",
        STRANGER_EMAILS_PER_HOUR="100000",
    )
    yield Fuzzed(next(stacks))
    stacks.close()
    print(f"\naccount API fuzz: {sum(ran.values())} requests; by method, route and status: {dict(ran)}")


def _fuzz(fuzzed: Fuzzed, case: Any) -> None:
    path = case.operation.path
    fuzzed.send(case, GENERATED, lambda: case.call(base_url=fuzzed.url, headers=fuzzed.headers(path)))


# The fixture is module-scoped (one stack for every case), so no health check needs suppressing.
@positive.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None)
def test_valid_requests_are_answered_as_documented(fuzzed: Fuzzed, case: Any) -> None:
    _fuzz(fuzzed, case)


@negative.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None)
def test_invalid_requests_are_refused_as_documented_and_store_nothing(fuzzed: Fuzzed, case: Any) -> None:
    _fuzz(fuzzed, case)


# --- bodies a generator would not send -------------------------------------------------------------

ROUTES = ["/sign-up", "/invitations", "/invitations/accept", "/account/email", "/account/email/confirm"]
PASSKEY_ROUTES = {
    ("POST", "/passkeys/sign-in-options"),
    ("POST", "/account/passkeys/options"),
    ("POST", "/account/passkeys"),
    ("GET", "/account/passkeys"),
    ("PATCH", "/account/passkeys/{}"),
    ("DELETE", "/account/passkeys/{}"),
    ("DELETE", "/users/{}/passkeys"),
}
NESTED = b'{"email": ' + b"[" * 1500 + b"]" * 1500 + b"}"
MALFORMED: dict[str, tuple[bytes, int]] = {
    "nested 1,500 deep in 3 KB": (NESTED, 400),
    "over 4 KiB": (json.dumps({"email": "a" * 4100 + "@example.com"}).encode(), 413),
    "not UTF-8": (b'{"email": "\xff\xfe@example.com"}', 400),
    "a key twice": (b'{"email": "jane@example.com", "email": "new.jane@example.com"}', 400),
    "a wrong type": (b'{"email": ["new.jane@example.com"]}', 400),
    "not an object": (b'"new.jane@example.com"', 400),
}


def test_the_nested_body_is_the_size_it_says() -> None:
    assert 3000 <= len(NESTED) < 4096


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("kind", MALFORMED)
def test_a_malformed_body_is_refused_as_documented_and_stores_nothing(
    fuzzed: Fuzzed, route: str, kind: str
) -> None:
    body, status = MALFORMED[kind]
    case = positive[route]["POST"].Case(body={})
    headers = {"Content-Type": "application/json", **fuzzed.headers(route)}

    response = fuzzed.send(
        case,
        CONFORMANCE,
        lambda: requests.post(f"{fuzzed.url}{route.lstrip('/')}", data=body, headers=headers, timeout=15),
    )

    assert response.status_code == status, response.text
    assert response.headers["Cache-Control"] == "no-store"


# --- what the fuzzer found ------------------------------------------------------------------------

# A valid address too long for Cognito's ListUsers filter (256 characters, `email = "..."` included).
LONG_ADDRESS = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 53 + ".com"


def test_accepting_an_invitation_for_an_address_too_long_to_search_is_an_invalid_invitation(
    fuzzed: Fuzzed,
) -> None:
    """It was a 503: the lookup sent Cognito a filter it refuses."""
    assert len(LONG_ADDRESS) == 250
    body = {"email": LONG_ADDRESS, "token": "A" * 32, "password": PASSWORD}
    case = positive["/invitations/accept"]["POST"].Case(body=body)

    response = fuzzed.send(case, CONFORMANCE, lambda: case.call(base_url=fuzzed.url))

    assert response.status_code == 400
    assert response.json() == {"message": "That invitation is not valid. Ask for a new one."}


def test_an_email_change_to_an_address_too_long_to_search_is_confirmed(fuzzed: Fuzzed) -> None:
    """It was a 503 after the code was spent: the uniqueness check sent Cognito a filter it refuses."""
    stack = fuzzed.stack
    lea = fuzzed.user("lea@example.com")
    token = fuzzed.access_token("lea@example.com")
    assert stack.api("/account/email", {"email": LONG_ADDRESS}, token=token)[0] == 202
    [mail] = stack.mail_to(LONG_ADDRESS)

    status, answer = stack.api(
        "/account/email/confirm", {"email": LONG_ADDRESS, "code": mail.code}, token=token
    )

    assert (status, answer) == (200, {"message": "Your email address was changed."})
    assert stack.attributes(lea)["email"] == LONG_ADDRESS


# --- the document and the code -------------------------------------------------------------------


def test_the_document_describes_exactly_the_routes_the_code_serves() -> None:
    document = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    validate(document)  # a valid OpenAPI 3.0 document (openapi-spec-validator, pinned through moto)
    described = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    }
    api = ApiSettings("us-east-1_Abc123", "3sample5c1ient7id9for0docs")
    # With passkeys on, every route is served (the services are only called by requests).
    services = AccountServices(None, None, None, None, 6, api, passkeys=object())  # type: ignore[arg-type]
    app = build_app(services)
    served = {(route.method, _template(route.path)) for route in app._static_routes + app._dynamic_routes}

    assert {(method, _template(path)) for method, path in described} == served
    # And Schemathesis read every one of them (so every one is fuzzed above).
    loaded = {(op.ok().method.upper(), _template(op.ok().path)) for op in positive.get_all_operations()}
    assert loaded == served == {*(("POST", route) for route in ROUTES), *PASSKEY_ROUTES}


def _template(path: str) -> str:
    """A path with its parameters unnamed: Powertools writes /a/<id>, OpenAPI /a/{id}."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)
