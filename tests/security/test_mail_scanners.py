"""docs/security/requirements.md #17: what mail scanners do to a link before its owner clicks it. Link
checkers fetch it (HEAD, then GET, with and without the page's assets); sandboxing scanners open it in a
headless browser, run its JavaScript, wait for the network to settle, reload it; some do all of this several
times. None of it may spend, replace or count against the secret: the stored item is byte for byte what it
was, no email goes out, and the owner's click still signs in.

(tests/local_stack/test_browser_sign_in.py shows one JavaScript-running visit leaves the click
working; this adds the fetchers, repeated and reloaded visits, and the stored state.)"""

from __future__ import annotations

import urllib.request

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.support.attacks import stored_item
from tests.support.local_stack import JANE_EMAIL, RunningStack

SCANNER_VISITS = 3


def fetch(method: str, url: str) -> tuple[int, dict[str, str]]:
    # urllib drops the fragment, as every HTTP client does: the server never sees the token.
    request = urllib.request.Request(url, method=method, headers={"User-Agent": "LinkScanner/1.0"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - 127.0.0.1
        response.read()
        return response.status, dict(response.headers)


def cognito_calls_while(context: BrowserContext) -> list[str]:
    calls: list[str] = []
    context.on(
        "request",
        lambda request: (
            request.method == "POST"
            and (target := request.headers.get("x-amz-target"))
            and calls.append(target)
        ),
    )
    return calls


@pytest.mark.slow
def test_scanners_that_fetch_and_run_the_link_leave_it_usable(
    local_stack: RunningStack, browser: Browser
) -> None:
    stack = local_stack
    stack.initiate(JANE_EMAIL)
    [mail] = stack.mail()
    issued = stored_item(stack, stack.jane)

    # Link checkers: HEAD and GET of the link and of what the page loads.
    for method in ("HEAD", "GET"):
        for url in (mail.link, f"{stack.stack.url}sign-in.js", f"{stack.stack.url}sign-in.css"):
            status, headers = fetch(method, url)
            assert status == 200
            assert headers["Cache-Control"] == "no-store", "a proxy keeps no copy"
    # Sandboxing scanners: fresh browsers that run the page, wait, and reload it.
    scanners = [browser.new_context() for _ in range(SCANNER_VISITS)]
    try:
        calls = [cognito_calls_while(context) for context in scanners]
        for context in scanners:
            page = context.new_page()
            page.goto(mail.link)
            page.wait_for_load_state("networkidle")
            expect(page.locator("#continue-as")).to_have_text("j\u2022\u2022\u2022@example.com")
            page.reload()
            expect(page.locator("#view-ask")).to_be_visible()  # the token left with the first load
        assert calls == [[] for _ in scanners], "no scanner called Cognito"
    finally:
        for context in scanners:
            context.close()

    assert stored_item(stack, stack.jane) == issued, "nothing stored changed"
    assert len(stack.mail()) == 1

    person = browser.new_context()
    try:
        page = person.new_page()
        page.goto(mail.link)
        page.click("#continue")
        expect(page.locator("#signed-in-title")).to_be_visible()
    finally:
        person.close()
    spent = stored_item(stack, stack.jane)
    assert spent["secret_id"] == issued["secret_id"]
    assert "consumed_ms" in spent
    assert len(stack.mail()) == 1, "the click reused the emailed secret"
