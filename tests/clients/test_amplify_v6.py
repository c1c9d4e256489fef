"""A web app signing in with Amplify v6 (aws-amplify 6.22.1, as `npm ci` installs it) in a real browser,
against the local stack: the app's page on its own origin (localhost), the stack on 127.0.0.1, so
every Cognito call is the cross-origin request a deployed app makes to cognito-idp."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from botocore.exceptions import ClientError
from playwright.sync_api import Browser, Page, Request, Response

from laptop.loopback import LoopbackServer
from tests.clients.client_support import AMPLIFY_BUNDLE, built, verified
from tests.support.local_stack import JANE_EMAIL, RunningStack, start_stack
from tests.support.visitor import MASKED, Visitor

pytestmark = pytest.mark.browser

CUSTOM_CHALLENGE = "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"
PASSWORD = "a known password for jane 1A!"
PAGE = b"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>An app with Amplify v6</title><script src="amplify-app.js"></script></head>
<body><p>The tests drive window.app.</p></body>
</html>
"""


class AppServer(LoopbackServer):
    """The app's page and its Amplify bundle, served from the app's own host, as a web app's are."""

    def __init__(self, bundle: bytes) -> None:
        super().__init__(_handler({"/": ("text/html", PAGE), "/amplify-app.js": ("text/javascript", bundle)}))

    @property
    def url(self) -> str:
        # localhost, not the stack's 127.0.0.1, and another port: another origin.
        return f"http://localhost:{self._server.server_address[1]}/"


def _handler(files: dict[str, tuple[str, bytes]]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/favicon.ico":
                # Chromium asks every origin for one; "no content" keeps the console free of a 404.
                self.send_response(204)
                self.end_headers()
                return
            content_type, body = files.get(self.path, ("text/plain", b"Not found."))
            self.send_response(200 if self.path in files else 404)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    return Handler


class AmplifyApp:
    """One device: a browser context with the app loaded and Amplify configured for the stack."""

    def __init__(self, visitor: Visitor) -> None:
        self.visitor = visitor

    @property
    def page(self) -> Page:
        return self.visitor.page

    @property
    def calls(self) -> list[str]:
        """The Cognito operations the app has sent, in order."""
        return self.visitor.cognito_calls

    def call(self, function: str, *args: object) -> dict[str, Any]:
        """window.app.<function>(...args): Amplify's answer as plain JSON, or {error, message}."""
        result: dict[str, Any] = self.page.evaluate(
            "([name, args]) => window.app[name](...args)", [function, list(args)]
        )
        return result

    def signed_in_by_code(self, stack: RunningStack, email: str = JANE_EMAIL) -> dict[str, Any]:
        """Ask for the email, answer with its code; the signed-in session's tokens."""
        assert self.call("signIn", email)["nextStep"]["signInStep"] == CUSTOM_CHALLENGE
        assert self.call("confirm", stack.mail_to(email)[-1].code)["isSignedIn"] is True
        return self.call("currentSession")


@pytest.fixture
def app_server() -> Iterator[AppServer]:
    with AppServer(built(AMPLIFY_BUNDLE).read_bytes()) as server:
        yield server


@pytest.fixture
def password_stack(tmp_path: Path) -> Iterator[RunningStack]:
    """SignInMode=password-and-email-code (Amplify's CUSTOM_WITH_SRP), no gap between emails, and jane
    with the known PASSWORD."""
    for stack in start_stack(
        tmp_path, parameters={"SignInMode": "password-and-email-code"}, RESEND_MIN_SECONDS="0"
    ):
        stack.stack.client().admin_set_user_password(
            UserPoolId=stack.pool_id, Username=stack.jane, Password=PASSWORD, Permanent=True
        )
        yield stack


@pytest.fixture
def open_app(browser: Browser, app_server: AppServer) -> Iterator[Callable[[RunningStack], AmplifyApp]]:
    """open_app(stack): the app on a new device, configured with the stack's pool, client and URL.
    Every device's page must end with no console error and no uncaught exception."""
    opened: list[AmplifyApp] = []

    def open_on_new_device(stack: RunningStack) -> AmplifyApp:
        app = AmplifyApp(Visitor(browser.new_context()))
        opened.append(app)
        app.page.goto(app_server.url)
        app.page.wait_for_function("() => window.app !== undefined")
        assert app.call(
            "configure",
            {
                "userPoolId": stack.pool_id,
                "userPoolClientId": stack.client_id,
                "userPoolEndpoint": stack.stack.url,
            },
        ) == {"configured": True}
        return app

    yield open_on_new_device
    for app in opened:
        app.page.context.close()
    assert [app.visitor.problems for app in opened] == [[] for _ in opened]


def is_operation(operation: str) -> Callable[[Request], bool]:
    return lambda request: request.headers.get("x-amz-target", "").endswith(f".{operation}")


def answers(operation: str) -> Callable[[Response], bool]:
    return lambda response: is_operation(operation)(response.request)


def refusal(call: Callable[[], object]) -> str:
    """The error code of a boto3 call the endpoint refuses."""
    with pytest.raises(ClientError) as caught:
        call()
    return str(caught.value.response["Error"]["Code"])


def test_a_code_signs_in_across_origins_and_the_id_token_verifies(
    local_stack: RunningStack, open_app: Callable[[RunningStack], AmplifyApp], app_server: AppServer
) -> None:
    app = open_app(local_stack)

    with app.page.expect_request(is_operation("InitiateAuth")) as sent:
        asked = app.call("signIn", JANE_EMAIL)

    assert asked == {
        "isSignedIn": False,
        "nextStep": {
            "signInStep": CUSTOM_CHALLENGE,
            "additionalInfo": {"USERNAME": local_stack.jane, "email": MASKED, "codeLength": "6"},
        },
    }
    assert sent.value.url == local_stack.stack.url
    assert sent.value.all_headers()["origin"] == app_server.url.rstrip("/"), "a cross-origin call"
    assert json.loads(sent.value.post_data or "{}")["AuthFlow"] == "CUSTOM_AUTH"
    [mail] = local_stack.mail()
    assert mail.to == JANE_EMAIL

    answered = app.call("confirm", mail.code)

    assert answered == {"isSignedIn": True, "nextStep": {"signInStep": "DONE", "additionalInfo": None}}
    assert app.calls == ["InitiateAuth", "RespondToAuthChallenge"]
    session = app.call("currentSession")
    claims = verified(local_stack, session["idToken"], "id")
    assert claims["email"] == JANE_EMAIL
    assert claims["cognito:username"] == local_stack.jane
    assert session["userSub"] == claims["sub"]
    assert verified(local_stack, session["accessToken"], "access")["username"] == local_stack.jane


def test_a_link_opened_on_another_device_signs_in_with_its_u_and_t(
    local_stack: RunningStack, open_app: Callable[[RunningStack], AmplifyApp]
) -> None:
    asking = open_app(local_stack)
    assert asking.call("signIn", JANE_EMAIL)["nextStep"]["signInStep"] == CUSTOM_CHALLENGE
    [mail] = local_stack.mail()
    fragment = parse_qs(mail.link.split("#", 1)[1])
    [login], [token] = fragment["u"], fragment["t"]

    clicked = open_app(local_stack)
    assert clicked.call("signIn", login)["nextStep"]["signInStep"] == CUSTOM_CHALLENGE
    answered = clicked.call("confirm", token)

    assert answered["isSignedIn"] is True
    assert len(local_stack.mail()) == 1, "the click's signIn reused the emailed secret"
    claims = verified(local_stack, clicked.call("currentSession")["idToken"], "id")
    assert (claims["email"], claims["cognito:username"]) == (JANE_EMAIL, local_stack.jane)
    assert asking.call("currentSession")["idToken"] is None, "the asking device is not signed in"


def test_a_forced_refresh_gives_new_tokens_for_the_same_sign_in(
    local_stack: RunningStack, open_app: Callable[[RunningStack], AmplifyApp]
) -> None:
    app = open_app(local_stack)
    before = app.signed_in_by_code(local_stack)

    refreshed = app.call("refresh")

    assert app.calls[-1] == "GetTokensFromRefreshToken", app.calls
    assert "error" not in refreshed, refreshed
    assert refreshed["accessToken"] != before["accessToken"]
    assert refreshed["idToken"] != before["idToken"]
    old = verified(local_stack, before["idToken"], "id")
    new = verified(local_stack, refreshed["idToken"], "id")
    assert (new["sub"], new["email"], new["auth_time"]) == (old["sub"], old["email"], old["auth_time"])
    access = verified(local_stack, refreshed["accessToken"], "access")
    assert (access["username"], access["auth_time"]) == (local_stack.jane, old["auth_time"])
    assert app.call("currentSession") == refreshed, "Amplify keeps the refreshed tokens"


def test_sign_out_revokes_the_refresh_token_and_leaves_no_session(
    local_stack: RunningStack, open_app: Callable[[RunningStack], AmplifyApp]
) -> None:
    app = open_app(local_stack)
    app.call("signIn", JANE_EMAIL)
    with app.page.expect_response(answers("RespondToAuthChallenge")) as answered:
        app.call("confirm", local_stack.mail()[0].code)
    issued = answered.value.json()["AuthenticationResult"]

    with app.page.expect_response(answers("RevokeToken")) as revoked:
        assert app.call("signOut") == {"signedOut": True}

    assert revoked.value.status == 200
    assert revoked.value.request.post_data_json == {
        "ClientId": local_stack.client_id,
        "Token": issued["RefreshToken"],
    }
    assert app.call("currentSession") == {"userSub": None, "accessToken": None, "idToken": None}
    assert app.call("refresh") == {"userSub": None, "accessToken": None, "idToken": None}
    assert app.calls == ["InitiateAuth", "RespondToAuthChallenge", "RevokeToken"], "nothing left to refresh"
    # The endpoint refuses what the app held: the refresh token, and the access token issued under it.
    refresh_token = {"REFRESH_TOKEN": issued["RefreshToken"]}

    def refresh() -> object:
        return local_stack.idp.initiate_auth(
            AuthFlow="REFRESH_TOKEN_AUTH", ClientId=local_stack.client_id, AuthParameters=refresh_token
        )

    assert refusal(refresh) == "NotAuthorizedException"
    assert (
        refusal(lambda: local_stack.idp.get_user(AccessToken=issued["AccessToken"]))
        == "NotAuthorizedException"
    )


def test_an_unknown_address_gets_the_same_custom_challenge_and_no_email(
    local_stack: RunningStack, open_app: Callable[[RunningStack], AmplifyApp]
) -> None:
    known = open_app(local_stack).call("signIn", JANE_EMAIL)
    unknown_app = open_app(local_stack)

    unknown = unknown_app.call("signIn", "jill@example.com")

    assert unknown["isSignedIn"] is False
    assert unknown["nextStep"]["signInStep"] == CUSTOM_CHALLENGE
    info, known_info = unknown["nextStep"]["additionalInfo"], known["nextStep"]["additionalInfo"]
    assert sorted(info) == sorted(known_info)
    assert (info["email"], info["codeLength"]) == (MASKED, known_info["codeLength"])
    assert info["USERNAME"] != local_stack.jane
    assert [mail.to for mail in local_stack.mail()] == [JANE_EMAIL]
    # A guess is a wrong answer like any other: the same step again, not an error naming the user.
    again = unknown_app.call("confirm", "123456")
    assert again["isSignedIn"] is False
    assert again["nextStep"]["signInStep"] == CUSTOM_CHALLENGE


def test_in_password_mode_the_password_then_the_emailed_code_signs_in(
    password_stack: RunningStack, open_app: Callable[[RunningStack], AmplifyApp]
) -> None:
    stack = password_stack
    app = open_app(stack)

    asked = app.call("signInWithPassword", JANE_EMAIL, PASSWORD)

    assert asked.get("nextStep", {}).get("signInStep") == CUSTOM_CHALLENGE, (asked, app.calls)
    assert app.calls == ["InitiateAuth", "RespondToAuthChallenge"], "SRP_A, then PASSWORD_VERIFIER"
    [mail] = stack.mail()
    assert mail.to == JANE_EMAIL
    answered = app.call("confirm", mail.code)
    assert answered["isSignedIn"] is True
    claims = verified(stack, app.call("currentSession")["idToken"], "id")
    assert (claims["email"], claims["cognito:username"]) == (JANE_EMAIL, stack.jane)


def test_in_password_mode_a_wrong_password_is_refused_before_any_email(
    password_stack: RunningStack, open_app: Callable[[RunningStack], AmplifyApp]
) -> None:
    stack = password_stack
    app = open_app(stack)

    refused = app.call("signInWithPassword", JANE_EMAIL, "not jane's password 1A!")

    assert refused["error"] == "NotAuthorizedException", refused
    assert app.calls == ["InitiateAuth", "RespondToAuthChallenge"], "refused at PASSWORD_VERIFIER"
    assert stack.mail() == []
    assert app.call("currentSession")["idToken"] is None
    # The browser logs the refused request itself; that one line is the only problem on the page.
    assert [problem for problem in app.visitor.problems if "status of 400" not in problem] == []
    app.visitor.problems.clear()
