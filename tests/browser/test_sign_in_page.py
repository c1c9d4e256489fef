"""The sign-in page in a real browser, against a stub Cognito: what it sends, when, and what it shows.

docs/security/requirements.md #16-18: the page locks itself down with headers, a link spends nothing until the
person clicks, and the page names the account a link signs in to.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, Response, expect

from passwordless.masking import mask_email
from tests.browser.page_server import (
    CLIENT_ID,
    USERNAME,
    PageServer,
    challenge,
    cognito_error,
    signed_in,
    unsigned_jwt,
)
from tests.support.browser import WatchedPage

pytestmark = pytest.mark.browser

TOKEN = "tOkEn_from-the-link_0123456789abcdefghij"
JANE = "jane@example.com"
CLAIMS = {
    "sub": USERNAME,
    "email": JANE,
    "email_verified": True,
    "auth_time": 1_800_000_000,
    "exp": 1_800_003_600,
}
MASKED = "j\u2022\u2022\u2022@example.com"


@pytest.fixture
def server() -> Iterator[PageServer]:
    with PageServer(CLAIMS) as running:
        yield running


@pytest.fixture
def page(watched_page: WatchedPage) -> Page:
    return watched_page.page


def link(server: PageServer, address: str = JANE, token: str = TOKEN, query: str = "") -> str:
    # The fragment exactly as passwordless.links.magic_link writes it.
    return f"{server.page_url}{query}#{urlencode({'u': address, 't': token})}"


def ask(page: Page, server: PageServer, address: str = JANE) -> None:
    page.goto(server.page_url)
    page.fill("#email", address)
    page.click("#ask-submit")
    expect(page.locator("#code-title")).to_be_visible()


def paste(page: Page, selector: str, text: str) -> None:
    page.locator(selector).evaluate(
        """(input, text) => {
            const data = new DataTransfer();
            data.setData("text", text);
            input.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, cancelable: true}));
        }""",
        text,
    )


def cognito_bodies(server: PageServer, operation: str) -> list[dict[str, Any]]:
    return [call.body for call in server.calls if call.operation == operation]


def answer(session: str, response: str, **extra: Any) -> dict[str, Any]:
    """A RespondToAuthChallenge body as the page must send it."""
    return {
        "ChallengeName": "CUSTOM_CHALLENGE",
        "ClientId": CLIENT_ID,
        "Session": session,
        "ChallengeResponses": {"USERNAME": USERNAME, "ANSWER": response},
        **extra,
    }


INITIATE_JANE = {"AuthFlow": "CUSTOM_AUTH", "ClientId": CLIENT_ID, "AuthParameters": {"USERNAME": JANE}}


# ----------------------------------------------------------------------------------- the headers


def test_page_and_assets_carry_the_locking_headers(
    server: PageServer, watched_page: WatchedPage, page: Page
) -> None:
    # Given a browser recording every response
    responses: dict[str, Response] = {}
    page.on("response", lambda response: responses.setdefault(response.url, response))
    # When it opens the page under a path prefix
    page.goto(server.page_url)
    expect(page.locator("#email")).to_be_focused()
    # Then the relative asset references resolved under the prefix, and every response locks down
    assert set(responses) == {
        server.page_url,
        server.page_url + "sign-in.js",
        server.page_url + "sign-in.css",
    }
    kinds = {"": "text/html", "sign-in.js": "text/javascript", "sign-in.css": "text/css"}
    for name, kind in kinds.items():
        headers = responses[server.page_url + name].all_headers()
        assert headers["content-type"] == f"{kind}; charset=utf-8"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-store"
        assert headers["cross-origin-opener-policy"] == "same-origin"
        assert "default-src 'none'" in headers["content-security-policy"]
    assert responses[server.page_url].all_headers()["content-security-policy"] == (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src 'self' {server.origin}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    # And the page's own script and stylesheet ran under that policy without a single complaint
    assert page.locator("#ask-submit").evaluate("b => getComputedStyle(b).cursor") == "pointer"
    assert watched_page.problems == []


def test_the_page_names_the_app_in_its_title_and_heading_as_text(
    server: PageServer, watched_page: WatchedPage, page: Page
) -> None:
    # Given a stack whose AppName holds characters that mean something in HTML
    server.app_name = 'Müller & Söhne "Online"'
    # When the page opens
    page.goto(server.page_url)
    # Then the tab's title and the first heading name the app, as the text it is
    expect(page).to_have_title('Sign in to Müller & Söhne "Online"')
    expect(page.locator("h1:visible")).to_have_text('Sign in to Müller & Söhne "Online"')
    assert page.locator("#ask-title strong, #ask-title b, #ask-title script").count() == 0
    assert watched_page.problems == []


# ----------------------------------------------------------------------------------- magic links


def test_a_link_names_the_account_and_spends_nothing_until_the_click(
    server: PageServer, watched_page: WatchedPage, page: Page
) -> None:
    # When a mail scanner, or a person, opens the link
    page.goto(link(server))
    # Then the page says whose account it is, and the secret has left the address bar
    expect(page.locator("#continue")).to_have_text(f"Continue as {MASKED}")
    expect(page.locator("#continue")).to_be_focused()
    page.wait_for_load_state("networkidle")
    assert page.url == server.page_url
    assert page.evaluate("location.hash") == ""
    assert TOKEN not in page.content()
    # And nothing at all went to Cognito
    assert server.calls == []

    # When the person clicks
    page.click("#continue")
    # Then the page asked for a challenge for the link's address and answered it with the token
    expect(page.locator("#signed-in-title")).to_be_visible()
    assert server.operations() == ["InitiateAuth", "RespondToAuthChallenge"]
    initiate, respond = server.calls
    assert initiate.body == INITIATE_JANE
    assert respond.body == answer("session-1", TOKEN)
    for call in server.calls:
        assert call.headers["Content-Type"] == "application/x-amz-json-1.1"
        assert call.headers["X-Amz-Target"] == f"AWSCognitoIdentityProviderService.{call.operation}"
        assert "Referer" not in call.headers
    # And it shows the ID token's claims, and nowhere the token that was spent
    expect(page.locator('#claims [data-claim="email"]')).to_have_text(JANE)
    expect(page.locator('#claims [data-claim="sub"]')).to_have_text(USERNAME)
    expires = datetime.fromtimestamp(CLAIMS["exp"], UTC).isoformat(timespec="milliseconds")
    expect(page.locator('#claims [data-claim="exp"] time')).to_have_attribute(
        "datetime", expires.replace("+00:00", "Z")
    )
    assert TOKEN not in page.content()
    assert watched_page.problems == []


def test_a_link_pasted_into_the_tab_that_asked_names_the_account_and_spends_nothing(
    server: PageServer, watched_page: WatchedPage, page: Page
) -> None:
    # Given the page a person asked from, open in its tab
    page.goto(server.page_url)
    expect(page.locator("#email")).to_be_focused()
    # When they paste the emailed link there: only the part after "#" changes, so nothing reloads
    page.evaluate("(url) => { location.href = url; }", link(server))
    # Then the page reads it as if it had been opened: whose account, the secret out of the address bar
    expect(page.locator("#continue")).to_have_text(f"Continue as {MASKED}")
    assert page.evaluate("location.hash") == ""
    assert server.calls == []
    page.click("#continue")
    expect(page.locator("#signed-in-title")).to_be_visible()
    assert server.calls[-1].body == answer("session-1", TOKEN)
    assert watched_page.problems == []


@pytest.mark.parametrize(
    "address",
    [
        "jane@example.com",
        "Jane.Doe@Example.COM",
        "a@b@Example.org",
        "  bob@example.com ",
        "\u00e9mile@Ex\u00e4mple.fr",
        "\U0001f600x@example.com",
        "x+tag@sub.example.co.uk",
    ],
)
def test_the_page_masks_an_address_exactly_as_the_server_does(
    server: PageServer, page: Page, address: str
) -> None:
    page.goto(link(server, address))
    expect(page.locator("#continue-as")).to_have_text(mask_email(address))
    assert server.calls == []


@pytest.mark.parametrize(
    "fragment", [{"u": "not-an-address", "t": TOKEN}, {"u": JANE}, {"u": JANE, "t": ""}, {"t": TOKEN}]
)
def test_an_incomplete_link_asks_for_the_address_and_keeps_nothing(
    server: PageServer, page: Page, fragment: dict[str, str]
) -> None:
    page.goto(f"{server.page_url}?from=mail#{urlencode(fragment)}")
    expect(page.locator("#status")).to_contain_text("link is incomplete")
    expect(page.locator("#email")).to_be_focused()
    assert page.url == f"{server.page_url}?from=mail"
    assert server.calls == []


def test_a_refused_link_on_a_live_session_says_a_new_email_is_coming_and_sends_no_second(
    server: PageServer, page: Page
) -> None:
    # Given a link whose token was already used: Cognito answers with another challenge. Its first
    # round already emailed a fresh secret, so a resend now would be a second email.
    server.queue("RespondToAuthChallenge", challenge("session-2"))
    page.goto(link(server))
    page.click("#continue")
    # Then the page explains and goes straight to the code for the new email, on the live session
    expect(page.locator("#status")).to_contain_text("expired or was already used")
    expect(page.locator("#code")).to_be_focused()
    expect(page.locator("#code-email")).to_have_text(MASKED)
    assert cognito_bodies(server, "RespondToAuthChallenge") == [answer("session-1", TOKEN)]
    # And the code it then gets is answered on the session Cognito handed back
    server.queue("RespondToAuthChallenge", signed_in(CLAIMS))
    page.fill("#code", "123456")
    page.click("#code-submit")
    expect(page.locator("#signed-in-title")).to_be_visible()
    assert cognito_bodies(server, "RespondToAuthChallenge")[-1] == answer("session-2", "123456")


def test_a_link_refused_outright_starts_a_fresh_sign_in_for_that_address(
    server: PageServer, watched_page: WatchedPage, page: Page
) -> None:
    # Given a link Cognito refuses with NotAuthorizedException (the session failed)
    server.queue("RespondToAuthChallenge", cognito_error("NotAuthorizedException", "Incorrect username"))
    page.goto(link(server))
    page.click("#continue")
    expect(page.locator("#link-refused-title")).to_be_visible()
    # When the person asks for a new link, there is no live session: a new first round emails one
    page.click("#new-link")
    expect(page.locator("#code")).to_be_focused()
    assert server.operations() == ["InitiateAuth", "RespondToAuthChallenge", "InitiateAuth"]
    assert cognito_bodies(server, "InitiateAuth") == [INITIATE_JANE, INITIATE_JANE]
    # The 400 shows in the console as a failed load; nothing threw
    assert watched_page.page_errors == []


# ------------------------------------------------------------------------------------- the code


def test_asking_by_email_then_a_wrong_then_a_right_code(
    server: PageServer, watched_page: WatchedPage, page: Page
) -> None:
    # Given a server asking for 8 digits and showing its own mask of the address
    server.queue(
        "InitiateAuth", challenge("session-1", masked="j\u2022\u2022\u2022@example.com", code_length=8)
    )
    server.queue("RespondToAuthChallenge", challenge("session-2", code_length=8))
    # When the person types their address (as they like to write it)
    ask(page, server, "  Jane@Example.com ")
    # Then the page sent the trimmed address and shows the server's mask, not its own
    assert cognito_bodies(server, "InitiateAuth") == [
        {**INITIATE_JANE, "AuthParameters": {"USERNAME": "Jane@Example.com"}}
    ]
    expect(page.locator("#code-email")).to_have_text(MASKED)
    code = page.locator("#code")
    expect(code).to_be_focused()
    expect(code).to_have_attribute("inputmode", "numeric")
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    expect(code).to_have_attribute("maxlength", "15")  # eight digits and a separator between each
    # When a wrong code, pasted with a space in it, comes back as a new challenge
    paste(page, "#code", "1111 2222")
    page.click("#code-submit")
    # Then the page says so and lets them retry, on the new session
    expect(page.locator("#status")).to_have_text(
        "That code did not work. Check the newest email and try again."
    )
    expect(code).to_be_focused()
    code.fill("87654321")
    page.click("#code-submit")
    expect(page.locator('#claims [data-claim="email"]')).to_have_text(JANE)
    assert cognito_bodies(server, "RespondToAuthChallenge") == [
        answer("session-1", "11112222"),
        answer("session-2", "87654321"),
    ]
    assert watched_page.problems == []


@pytest.mark.parametrize(
    ("length", "written"),
    [(6, "123 456"), (6, "123-456"), (6, " 12 34 56 "), (8, "1234 5678"), (10, "12-34-56-78-90")],
)
@pytest.mark.parametrize("how", ["typed", "pasted"])
def test_a_code_written_with_spaces_or_dashes_is_sent_whole(
    server: PageServer, page: Page, length: int, written: str, how: str
) -> None:
    # Given a challenge for a code of this length
    server.queue("InitiateAuth", challenge("session-1", code_length=length))
    server.queue("RespondToAuthChallenge", signed_in(CLAIMS))
    ask(page, server)
    # When the person types it key by key (the box's maxlength applies) or pastes it
    if how == "typed":
        page.locator("#code").press_sequentially(written.strip())
    else:
        paste(page, "#code", written)
    page.click("#code-submit")
    # Then every digit reaches Cognito, and nothing else
    expect(page.locator('#claims [data-claim="email"]')).to_have_text(JANE)
    digits = "".join(c for c in written if c.isdigit())
    assert len(digits) == length
    assert cognito_bodies(server, "RespondToAuthChallenge") == [answer("session-1", digits)]


def below(page: Page, lower: str, upper: str) -> bool:
    """Whether `lower` starts at or below the bottom of `upper` on the page as laid out."""
    low, up = page.locator(lower).bounding_box(), page.locator(upper).bounding_box()
    assert low is not None
    assert up is not None
    return low["y"] >= up["y"] + up["height"]


def test_messages_read_under_the_heading_of_the_view_they_belong_to(server: PageServer, page: Page) -> None:
    # Given the first view, asked to send a code to something that is no address
    page.goto(server.page_url)
    page.fill("#email", "not an address")
    page.click("#ask-submit")
    # Then the complaint sits under that view's heading
    expect(page.locator("#status")).not_to_be_empty()
    assert below(page, "#status", "#ask-title")
    # And in the code view, a wrong code's message sits under its heading
    server.queue("InitiateAuth", challenge("session-1"))
    server.queue("RespondToAuthChallenge", challenge("session-2"))
    page.fill("#email", JANE)
    page.click("#ask-submit")
    page.fill("#code", "111111")
    page.click("#code-submit")
    expect(page.locator("#status")).to_have_text(
        "That code did not work. Check the newest email and try again."
    )
    assert below(page, "#status", "#code-title")


def test_a_code_of_the_wrong_shape_is_not_sent(server: PageServer, page: Page) -> None:
    ask(page, server)
    for typed in ("12345", "resend", "12a456"):
        page.fill("#code", typed)
        page.click("#code-submit")
        expect(page.locator("#status")).to_have_text("Enter the 6-digit code from the email.")
    assert server.operations() == ["InitiateAuth"]


def test_resend_waits_for_the_configured_gap_then_asks_for_a_new_email(
    server: PageServer, page: Page
) -> None:
    # Given a server whose resend gap is one second
    server.resend_after_seconds = 1
    server.queue("RespondToAuthChallenge", challenge("session-2"))
    ask(page, server)
    resend = page.locator("#resend")
    expect(resend).to_be_disabled()
    expect(page.locator("#resend-wait")).to_have_text("You can ask for a new email in 1 s.")
    # When the gap has passed and the person asks again
    expect(resend).to_be_enabled(timeout=3_000)
    resend.click()
    # Then the page sent a resend on the live session, and the next answer uses the new session
    expect(page.locator("#status")).to_contain_text("We sent a new email")
    expect(resend).to_be_disabled()
    page.fill("#code", "123456")
    page.click("#code-submit")
    expect(page.locator("#signed-in-title")).to_be_visible()
    assert cognito_bodies(server, "RespondToAuthChallenge") == [
        answer("session-1", "resend", ClientMetadata={"resend": "true"}),
        answer("session-2", "123456"),
    ]


def test_a_failed_sign_in_explains_and_starts_again(server: PageServer, page: Page) -> None:
    server.queue(
        "RespondToAuthChallenge", cognito_error("NotAuthorizedException", "Incorrect username or password.")
    )
    ask(page, server)
    page.fill("#code", "123456")
    page.click("#code-submit")
    expect(page.locator("#failed-title")).to_be_visible()
    page.click("#restart")
    expect(page.locator("#email")).to_be_focused()
    expect(page.locator("#email")).to_have_value(JANE)


# ------------------------------------------------------------------------------- signed in / out


def test_sign_out_forgets_the_tokens_and_nothing_was_ever_stored(server: PageServer, page: Page) -> None:
    ask(page, server)
    page.fill("#code", "123456")
    page.click("#code-submit")
    expect(page.locator('#claims [data-claim="email"]')).to_have_text(JANE)
    with page.expect_response(
        lambda response: response.request.headers.get("x-amz-target", "").endswith("RevokeToken")
    ):
        page.click("#sign-out")
    expect(page.locator("#status")).to_have_text("You are signed out.")
    expect(page.locator("#email")).to_be_focused()
    expect(page.locator("#claims dd")).to_have_count(0)
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    assert page.evaluate("document.cookie") == ""
    id_token = unsigned_jwt(CLAIMS)
    assert id_token not in page.content()
    # And the refresh token was revoked at Cognito, not only forgotten
    assert server.operations()[-1] == "RevokeToken"
    assert cognito_bodies(server, "RevokeToken") == [
        {"Token": "refresh-token-for-tests", "ClientId": CLIENT_ID}
    ]


def test_claims_are_shown_as_text_never_as_markup(
    server: PageServer, watched_page: WatchedPage, page: Page
) -> None:
    hostile = '<img src=x onerror="document.title=1">'
    server.queue("RespondToAuthChallenge", signed_in({**CLAIMS, "email": hostile}))
    ask(page, server)
    page.fill("#code", "123456")
    page.click("#code-submit")
    expect(page.locator('#claims [data-claim="email"]')).to_have_text(hostile)
    assert page.locator("#claims img").count() == 0
    assert watched_page.problems == []
