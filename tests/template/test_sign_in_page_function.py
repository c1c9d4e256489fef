"""functions/sign_in_page/app.py invoked in-process with the HTTP API's payload-format-2.0 events, the
way the stack's API calls it: configuration from stage variables, the page's headers on every answer."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from passwordless.settings_reader import SettingsError
from tests.template.cfn import ROOT

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
STAGE = {"region": "eu-west-1", "clientId": "4lq7sp1ptbvl9smtv1j2h8se0r", "resendAfterSeconds": "60"}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self' https://cognito-idp.eu-west-1.amazonaws.com; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


@dataclass(frozen=True)
class Context:
    """What Powertools' inject_lambda_context reads from Lambda's context object."""

    function_name: str = "SignInPageFunction"
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:111122223333:function:SignInPageFunction"
    aws_request_id: str = "5d1f6a43-0000-4000-8000-000000000000"


@dataclass
class Page:
    handler: Handler
    logs: io.StringIO

    def get(self, path: str, stage: dict[str, str] | None = STAGE, method: str = "GET") -> dict[str, Any]:
        self.logs.seek(0)
        self.logs.truncate()
        return self.handler(http_api_event(path, stage, method), Context())

    def log_records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.logs.getvalue().splitlines() if line.startswith("{")]


def http_api_event(path: str, stage: dict[str, str] | None, method: str) -> dict[str, Any]:
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"host": "abc123.execute-api.eu-west-1.amazonaws.com", "accept": "*/*"},
        "requestContext": {
            "apiId": "abc123",
            "stage": "$default",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1"},
        },
        "isBase64Encoded": False,
    }
    if stage is not None:
        event["stageVariables"] = stage
    return event


def load_page(**environment: str) -> Page:
    """The page function as Lambda loads it, with these variables set (the others as the test runs)."""
    # Powertools binds its stream at import and shares it per service name: a name of our own and an
    # import under the redirect give this module's handler a log nobody else writes to.
    logs = io.StringIO()
    path = ROOT / "functions" / "sign_in_page" / "app.py"
    spec = importlib.util.spec_from_file_location(f"_sign_in_page_{uuid.uuid4().hex}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(logs):
        patch.setenv("POWERTOOLS_SERVICE_NAME", f"sign-in-page-{uuid.uuid4().hex}")
        for name, value in environment.items():
            patch.setenv(name, value)
        spec.loader.exec_module(module)
    return Page(module.lambda_handler, logs)


@pytest.fixture(scope="module")
def page() -> Page:
    return load_page()


def embedded_config(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="config">(.*?)</script>', html)
    assert match is not None
    config: dict[str, Any] = json.loads(match.group(1))
    return config


def test_the_page_carries_the_stage_configuration_and_the_locking_headers(page: Page) -> None:
    response = page.get("/")
    assert response["statusCode"] == 200
    assert response["isBase64Encoded"] is False
    headers = response["headers"]
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Security-Policy"] == CSP
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    assert embedded_config(response["body"]) == {
        "region": "eu-west-1",
        "client_id": STAGE["clientId"],
        "endpoint": "https://cognito-idp.eu-west-1.amazonaws.com/",
        "resend_after_seconds": 60,
    }
    assert '<script src="sign-in.js" defer></script>' in response["body"]


def title_and_heading(html: str) -> tuple[str, str]:
    """The document's <title> and the sign-in view's heading, as they stand in the markup."""
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    heading = re.search(r'<h1 id="ask-title"[^>]*>(.*?)</h1>', html, re.S)
    assert title is not None
    assert heading is not None
    return title.group(1), re.sub(r"<[^>]*>", "", heading.group(1))


def test_the_page_names_the_app_of_app_name_in_its_title_and_heading() -> None:
    # Given the page function deployed with an AppName holding characters that mean something in HTML
    named = load_page(APP_NAME='Müller & Söhne "Online"')

    # When the page is asked for
    response = named.get("/")

    # Then its title and heading name the app, escaped as text
    assert response["statusCode"] == 200
    escaped = "Sign in to Müller &amp; Söhne &quot;Online&quot;"
    assert title_and_heading(response["body"]) == (escaped, escaped)
    # And the name adds nothing the page's policy would have to allow
    assert response["headers"]["Content-Security-Policy"] == CSP


def test_with_app_name_left_at_its_default_the_page_reads_sign_in_to_your_account(page: Page) -> None:
    assert title_and_heading(page.get("/")["body"]) == ("Sign in to your account", "Sign in to your account")


@pytest.mark.parametrize("app_name", ["<b>Shop</b>", "Shop\nSet-Cookie: x=1", "S" * 65])
def test_an_app_name_the_emails_would_refuse_fails_the_cold_start_naming_it(app_name: str) -> None:
    with pytest.raises(SettingsError, match="APP_NAME") as refused:
        load_page(APP_NAME=app_name)
    assert app_name not in str(refused.value)


SIGN_UP_URL = "https://k2j3h4g5f6.execute-api.eu-west-1.amazonaws.com/sign-up"


@pytest.mark.parametrize("stage", [STAGE, {**STAGE, "signUpUrl": "", "acceptInvitationUrl": ""}])
def test_without_a_sign_up_url_the_page_offers_no_sign_up_and_connects_to_cognito_only(
    page: Page, stage: dict[str, str]
) -> None:
    response = page.get("/", stage=stage)
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Security-Policy"] == CSP
    assert "sign_up_url" not in embedded_config(response["body"])
    assert "accept_invitation_url" not in embedded_config(response["body"])


def test_a_sign_up_url_reaches_the_page_and_its_origin_joins_connect_src(page: Page) -> None:
    response = page.get("/", stage={**STAGE, "signUpUrl": SIGN_UP_URL})
    assert response["statusCode"] == 200
    assert embedded_config(response["body"])["sign_up_url"] == SIGN_UP_URL
    policy = dict(part.split(" ", 1) for part in response["headers"]["Content-Security-Policy"].split("; "))
    assert policy["connect-src"] == (
        "'self' https://cognito-idp.eu-west-1.amazonaws.com https://k2j3h4g5f6.execute-api.eu-west-1.amazonaws.com"
    )
    assert policy["default-src"] == "'none'"
    # The assets carry no page configuration, so their policy stays the narrow one.
    asset = page.get("/sign-in.js", stage={**STAGE, "signUpUrl": SIGN_UP_URL})
    assert "execute-api" not in asset["headers"]["Content-Security-Policy"]


ACCEPT_INVITATION_URL = "https://k2j3h4g5f6.execute-api.eu-west-1.amazonaws.com/invitations/accept"


def test_an_accept_invitation_url_reaches_the_page_and_its_origin_joins_connect_src(page: Page) -> None:
    response = page.get("/", stage={**STAGE, "acceptInvitationUrl": ACCEPT_INVITATION_URL})
    assert response["statusCode"] == 200
    embedded = embedded_config(response["body"])
    assert embedded["accept_invitation_url"] == ACCEPT_INVITATION_URL
    assert "sign_up_url" not in embedded
    policy = dict(part.split(" ", 1) for part in response["headers"]["Content-Security-Policy"].split("; "))
    assert policy["connect-src"] == (
        "'self' https://cognito-idp.eu-west-1.amazonaws.com https://k2j3h4g5f6.execute-api.eu-west-1.amazonaws.com"
    )


def test_sign_up_and_accept_invitation_on_one_account_api_name_its_origin_once(page: Page) -> None:
    stage = {**STAGE, "signUpUrl": SIGN_UP_URL, "acceptInvitationUrl": ACCEPT_INVITATION_URL}
    response = page.get("/", stage=stage)
    assert response["statusCode"] == 200
    policy = dict(part.split(" ", 1) for part in response["headers"]["Content-Security-Policy"].split("; "))
    assert policy["connect-src"].split() == [
        "'self'",
        "https://cognito-idp.eu-west-1.amazonaws.com",
        "https://k2j3h4g5f6.execute-api.eu-west-1.amazonaws.com",
    ]


ACCOUNT_API_URL = "https://k2j3h4g5f6.execute-api.eu-west-1.amazonaws.com/"
PASSKEYS = {
    "passkeyClientId": "7d1example2passkey3client",
    "passkeyRpId": "example.com",
    "accountApiUrl": ACCOUNT_API_URL,
}


def test_with_passkeys_the_page_gets_their_client_relying_party_and_account_api_and_may_call_it(
    page: Page,
) -> None:
    response = page.get("/", stage={**STAGE, **PASSKEYS})

    assert response["statusCode"] == 200
    embedded = embedded_config(response["body"])
    assert (embedded["passkey_client_id"], embedded["passkey_rp_id"], embedded["account_api_url"]) == (
        PASSKEYS["passkeyClientId"],
        "example.com",
        ACCOUNT_API_URL,
    )
    assert embedded["client_id"] == STAGE["clientId"]
    policy = dict(part.split(" ", 1) for part in response["headers"]["Content-Security-Policy"].split("; "))
    assert policy["connect-src"].split() == [
        "'self'",
        "https://cognito-idp.eu-west-1.amazonaws.com",
        "https://k2j3h4g5f6.execute-api.eu-west-1.amazonaws.com",
    ]


def test_without_passkeys_the_page_configuration_names_none_of_theirs(page: Page) -> None:
    embedded = embedded_config(page.get("/")["body"])

    assert not {"passkey_client_id", "passkey_rp_id", "account_api_url"} & set(embedded)


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/sign-in.js", "text/javascript; charset=utf-8"), ("/sign-in.css", "text/css; charset=utf-8")],
)
def test_each_asset_is_served_with_its_type_and_the_same_headers(
    page: Page, path: str, content_type: str
) -> None:
    response = page.get(path)
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == content_type
    assert response["headers"]["Referrer-Policy"] == "no-referrer"
    assert response["headers"]["X-Content-Type-Options"] == "nosniff"
    assert response["body"] == (ROOT / "layers/passwordless/passwordless/web" / path[1:]).read_text("utf-8")


@pytest.mark.parametrize(
    "path",
    [
        "/index.html",
        "/sign-in.html",
        "/sign_in_page.py",
        "/../settings.py",
        "/%2e%2e/settings.py",
        "//sign-in.js",
        "",
    ],
)
def test_any_other_path_is_not_found(page: Page, path: str) -> None:
    response = page.get(path)
    assert response["statusCode"] == 404
    assert response["body"] == "Not found."
    assert response["headers"]["Content-Security-Policy"].startswith("default-src 'none'")


def test_only_get_is_answered(page: Page) -> None:
    response = page.get("/", method="POST")
    assert response["statusCode"] == 405
    assert response["headers"]["Allow"] == "GET"


@pytest.mark.parametrize(
    ("stage", "reason"),
    [
        (None, "stage variables missing: region, clientId, resendAfterSeconds"),
        ({"region": "eu-west-1"}, "stage variables missing: clientId, resendAfterSeconds"),
        ({**STAGE, "clientId": "not a client id"}, "client_id must be a Cognito app client id"),
        ({**STAGE, "region": "eu-west-1.evil.example#"}, "region must be an AWS region"),
        ({**STAGE, "resendAfterSeconds": "-1"}, "stage variable resendAfterSeconds must be a whole number"),
        ({**STAGE, "signUpUrl": "http://k2j3h4g5f6.example.com/sign-up"}, "stage variable signUpUrl must be"),
        ({**STAGE, "signUpUrl": "http://127.0.0.1:8765/sign-up"}, "stage variable signUpUrl must be"),
        ({**STAGE, "signUpUrl": "javascript:alert(1)"}, "stage variable signUpUrl must be"),
        ({**STAGE, "signUpUrl": "/sign-up"}, "stage variable signUpUrl must be"),
        ({**STAGE, "signUpUrl": "https://u:p@api.example.com/sign-up"}, "sign_up_url must be an https URL"),
        ({**STAGE, "signUpUrl": "https://api.example.com/sign-up?x=1"}, "sign_up_url must be an https URL"),
        ({**STAGE, "signUpUrl": "https://api.example.com;/sign-up"}, "sign_up_url must be an https URL"),
        ({**STAGE, "signUpUrl": "https://api.example.com/sign up"}, "sign_up_url must be an https URL"),
        ({**STAGE, "signUpUrl": "https://"}, "sign_up_url must be an https URL"),
        (
            {**STAGE, "acceptInvitationUrl": "http://127.0.0.1:8765/invitations/accept"},
            "stage variable acceptInvitationUrl must be",
        ),
        (
            {**STAGE, "acceptInvitationUrl": "javascript:alert(1)"},
            "stage variable acceptInvitationUrl must be",
        ),
        (
            {**STAGE, "acceptInvitationUrl": "https://u:p@api.example.com/invitations/accept"},
            "accept_invitation_url must be an https URL",
        ),
        (
            {**STAGE, "acceptInvitationUrl": "https://api.example.com/invitations/accept?x=1"},
            "accept_invitation_url must be an https URL",
        ),
        (
            {**STAGE, "acceptInvitationUrl": "https://api.example.com;script-src */invitations/accept"},
            "accept_invitation_url must be an https URL",
        ),
        # Half a passkey configuration would offer a passkey that cannot work.
        ({**STAGE, "passkeyClientId": "abc123"}, "passkey_client_id, passkey_rp_id and account_api_url go"),
        (
            {**STAGE, **PASSKEYS, "accountApiUrl": ""},
            "passkey_client_id, passkey_rp_id and account_api_url go",
        ),
        ({**STAGE, **PASSKEYS, "passkeyClientId": "a b"}, "passkey_client_id must be empty or a Cognito"),
        ({**STAGE, **PASSKEYS, "passkeyRpId": "127.0.0.1"}, "passkey_rp_id must be empty, localhost or"),
        ({**STAGE, **PASSKEYS, "passkeyRpId": "Example.COM"}, "passkey_rp_id must be empty, localhost or"),
        (
            {**STAGE, **PASSKEYS, "accountApiUrl": "http://127.0.0.1:8765/"},
            "stage variable accountApiUrl must be",
        ),
        (
            {**STAGE, **PASSKEYS, "accountApiUrl": "https://a.example.com/?x=1"},
            "account_api_url must be an https",
        ),
    ],
)
def test_a_misconfigured_stage_is_a_logged_generic_500(
    page: Page, stage: dict[str, str] | None, reason: str
) -> None:
    response = page.get("/", stage=stage)
    assert response["statusCode"] == 500
    assert response["body"] == "The sign-in page is not available right now. Please try again later."
    assert response["headers"]["Referrer-Policy"] == "no-referrer"
    (record,) = page.log_records()
    assert record["level"] == "ERROR"
    assert record["message"] == "sign-in page misconfigured"
    assert record["reason"].startswith(reason)
    assert record["function_name"] == "SignInPageFunction"
