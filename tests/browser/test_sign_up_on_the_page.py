"""Self sign-up on the sign-in page, in a real browser, against a stub Cognito and a stub account API on
another origin: the page asks the account API first, then signs in exactly as before, and nothing it
shows depends on whether the account existed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, expect

from tests.browser.page_server import SIGN_UP_PATH, PageServer
from tests.browser.test_sign_in_page import CLAIMS, INITIATE_JANE, JANE, link
from tests.support.browser import ACTION_TIMEOUT_MS, WatchedPage

pytestmark = pytest.mark.browser

GENERIC = "Something went wrong. Please try again."
INVALID = "Enter your email address, like name@example.com."


@pytest.fixture
def server() -> Iterator[PageServer]:
    with PageServer(CLAIMS) as running:
        yield running


@pytest.fixture
def page(watched_page: WatchedPage) -> Page:
    return watched_page.page


@pytest.fixture
def browser_pages(browser: Browser) -> Iterator[list[WatchedPage]]:
    """Two visitors, each in a context of its own, watched like `watched_page`."""
    made = [WatchedPage(browser.new_context().new_page()) for _ in range(2)]
    for watched in made:
        watched.page.context.set_default_timeout(ACTION_TIMEOUT_MS)
        watched.page.on("console", _record_console_error(watched))
        watched.page.on("pageerror", _record_page_error(watched))
    yield made
    for watched in made:
        watched.page.context.close()


def _record_console_error(watched: WatchedPage) -> Callable[[ConsoleMessage], None]:
    def record(message: ConsoleMessage) -> None:
        # Chromium's own favicon probe is not the page's doing (as in tests.support.browser).
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            watched.console_errors.append(message.text)

    return record


def _record_page_error(watched: WatchedPage) -> Callable[[Error], None]:
    return lambda error: watched.page_errors.append(f"{error.name}: {error.message}")


def submit(page: Page, server: PageServer, address: str = JANE) -> None:
    page.goto(server.page_url)
    page.fill("#email", address)
    page.click("#ask-submit")


def view_text(page: Page) -> str:
    """What the page shows, the resend countdown's seconds aside (they tick while a test runs)."""
    return re.sub(r"in \d+ s\.", "in N s.", page.locator("#main").inner_text())


def posts(server: PageServer) -> list[dict[str, object]]:
    return [json.loads(call.body) for call in server.sign_up_calls if call.method == "POST"]


def test_with_sign_up_on_the_page_creates_the_account_then_signs_in_as_usual(
    server: PageServer, watched_page: WatchedPage, page: Page
) -> None:
    # Given a page configured with the account API's sign-up URL on another origin
    server.offer_sign_up(202)
    page.goto(server.page_url)
    # Then its first view says it also creates accounts
    expect(page.locator("#ask-title")).to_have_text("Sign in to your account or create an account")
    expect(page.locator("#ask-intro")).to_contain_text("This creates your account")
    # When the person types their address
    page.fill("#email", "  Jane@Example.com ")
    page.click("#ask-submit")
    # Then the page posted the trimmed address as JSON, without cookies or a Referer, then signed in
    expect(page.locator("#code-title")).to_be_visible()
    assert posts(server) == [{"email": "Jane@Example.com"}]
    [preflight, post] = server.sign_up_calls
    assert preflight.method == "OPTIONS"
    assert preflight.headers["Access-Control-Request-Method"] == "POST"
    assert preflight.headers["Access-Control-Request-Headers"] == "content-type"
    assert post.headers["Content-Type"] == "application/json"
    assert post.headers["Origin"] == server.origin
    assert "Cookie" not in post.headers
    assert "Referer" not in post.headers
    assert server.operations() == ["InitiateAuth"]
    assert server.calls[0].body == {**INITIATE_JANE, "AuthParameters": {"USERNAME": "Jane@Example.com"}}
    # And the page's policy let it reach the sign-up origin, with no console error or CSP violation
    policy = page.request.get(server.page_url).headers["content-security-policy"]
    assert f"connect-src 'self' {server.origin} {server.sign_up_origin};" in policy
    assert watched_page.problems == []
    # And the code signs in as it always did
    page.fill("#code", "123456")
    page.click("#code-submit")
    expect(page.locator('#claims [data-claim="email"]')).to_have_text(JANE)
    assert len(posts(server)) == 1


def test_a_domain_closed_to_sign_up_sees_the_same_check_your_email_as_an_open_one(
    server: PageServer, browser_pages: list[WatchedPage]
) -> None:
    # Given one visitor whose sign-up is accepted (202) and one whose domain is not open (403)
    server.offer_sign_up(202, 403)
    accepted, refused = browser_pages
    submit(accepted.page, server)
    expect(accepted.page.locator("#code-title")).to_be_visible()
    submit(refused.page, server)
    # Then both went on to the same InitiateAuth and see the very same view, focus included
    expect(refused.page.locator("#code-title")).to_be_visible()
    assert [call.body for call in server.calls] == [INITIATE_JANE, INITIATE_JANE]
    assert view_text(accepted.page) == view_text(refused.page)
    expect(refused.page.locator("#code")).to_be_focused()
    expect(refused.page.locator("#status")).to_have_text("")
    # The 403 is a failed load in the console; nothing threw
    assert refused.page_errors == []
    assert accepted.problems == []


def test_an_address_the_account_api_refuses_as_invalid_is_not_sent_to_cognito(
    server: PageServer, watched_page: WatchedPage, page: Page
) -> None:
    server.offer_sign_up(400)
    submit(page, server, "jane@-example.com")
    expect(page.locator("#status")).to_have_text(INVALID)
    expect(page.locator("#email")).to_be_focused()
    expect(page.locator("#ask-title")).to_be_visible()
    assert posts(server) == [{"email": "jane@-example.com"}]
    assert server.calls == []
    assert watched_page.page_errors == []


@pytest.mark.parametrize("status", [429, 500, 503, 404])
def test_when_sign_up_cannot_answer_the_page_says_try_again_and_does_not_sign_in(
    server: PageServer, watched_page: WatchedPage, page: Page, status: int
) -> None:
    server.offer_sign_up(status)
    submit(page, server)
    expect(page.locator("#status")).to_have_text(GENERIC)
    expect(page.locator("#ask-submit")).to_be_enabled()
    assert len(posts(server)) == 1
    assert server.calls == []
    assert watched_page.page_errors == []
    # And trying again, once the service answers, goes through
    page.click("#ask-submit")
    expect(page.locator("#code-title")).to_be_visible()
    assert server.operations() == ["InitiateAuth"]


def test_when_the_sign_up_service_is_unreachable_the_page_says_try_again_and_does_not_sign_in(
    server: PageServer, watched_page: WatchedPage, page: Page
) -> None:
    server.offer_sign_up(0, 0)  # the connection closes without an answer
    submit(page, server)
    expect(page.locator("#status")).to_have_text(GENERIC)
    assert posts(server) != []
    assert server.calls == []
    assert watched_page.page_errors == []


def test_with_sign_up_off_the_page_never_calls_sign_up(
    server: PageServer, watched_page: WatchedPage, page: Page
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    submit(page, server)
    expect(page.locator("#code-title")).to_be_visible()
    page.click("#start-over")
    expect(page.locator("#ask-title")).to_have_text("Sign in to your account")
    assert server.sign_up_calls == []
    assert not [url for url in requested if url.endswith(SIGN_UP_PATH)]
    assert server.operations() == ["InitiateAuth"]
    assert watched_page.problems == []


def test_a_magic_link_signs_in_without_asking_for_sign_up(
    server: PageServer, watched_page: WatchedPage, page: Page
) -> None:
    server.offer_sign_up()
    page.goto(link(server))
    page.click("#continue")
    expect(page.locator("#signed-in-title")).to_be_visible()
    assert server.sign_up_calls == []
    assert watched_page.problems == []
