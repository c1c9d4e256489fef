"""docs/security/requirements.md #15 against a public open-redirect payload list (tests/security/data), at
every place the product takes a URL or something a URL could hide in:

1. the link base in configuration (SIGN_IN_URL, SIGN_IN_URLS_BY_CLIENT, and a base with a payload
   for its path): refused, or opened by a real browser on exactly the host configuration names;
2. ClientMetadata a client sends with InitiateAuth and with a resend (redirect, next, return_to ...):
   every email's link is the configured base and a fragment of u and t, nothing else;
3. the sign-in page opened with payloads in its query and fragment: it never leaves its origin,
   not on load and not through a sign-in.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from passwordless.links import magic_link
from passwordless.settings import Settings
from passwordless.settings_reader import SettingsError
from tests.support.attacks import answer, attack_client, initiate, stored_item
from tests.support.local_stack import JANE_EMAIL, RunningStack, start_stack
from tests.support.redirect_payloads import open_redirect_payloads

PAYLOADS = open_redirect_payloads()
TRUSTED = "https://app.example.com"
REDIRECT_KEYS = (
    "redirect", "redirect_uri", "redirectUrl", "next", "return_to", "returnTo", "returnUrl", "url",
    "link", "signInUrl", "sign_in_url", "callback", "continue", "target", "destination",
)  # fmt: skip
BASE_ENV = {
    "TABLE_NAME": "t",
    "HMAC_KEY_SECRET_ID": "k",
    "EMAIL_PROVIDER": "ses",
    "EMAIL_FROM": "no-reply@example.com",
    "SIGN_IN_URL": f"{TRUSTED}/sign-in",
}


def test_the_payload_list_is_the_curated_one() -> None:
    assert len(PAYLOADS) >= 60
    assert {"//evil.com", "/\\evil.com", "https:evil.com", "javascript:alert(1)", "%2F%2Fevil.com"} <= set(
        PAYLOADS
    )
    assert any("\t" in p for p in PAYLOADS)
    assert any("\u3002" in p for p in PAYLOADS)


def configured_bases(payload: str) -> list[dict[str, str]]:
    """The payload as the default link base, as one client's, and as the path of a trusted base."""
    return [
        {"SIGN_IN_URL": payload},
        {"SIGN_IN_URLS_BY_CLIENT": f'{{"client-1": {_json_string(payload)}}}'},
        {"SIGN_IN_URL": TRUSTED + payload},
    ]


def _json_string(text: str) -> str:
    return json.dumps(text)


def test_a_link_base_is_refused_or_opens_the_host_it_names(browser: Browser) -> None:
    refused, accepted = 0, []
    for payload in PAYLOADS:
        for overrides in configured_bases(payload):
            try:
                settings = Settings.from_env({**BASE_ENV, **overrides})
            except SettingsError:
                refused += 1
                continue
            base = settings.sign_in_url_for("client-1")
            accepted.append((payload, base, magic_link(base, JANE_EMAIL, "A" * 43)))
    page = browser.new_page()
    try:
        # The browser's own URL parser is the judge of where a link goes.
        opened = page.evaluate(
            """links => links.map(link => {
                try { const u = new URL(link); return [u.protocol, u.hostname]; }
                catch { return ["unparsable", link]; }
            })""",
            [link for _, _, link in accepted],
        )
    finally:
        page.close()
    misread = [
        (payload, base, browser_reads)
        for (payload, base, _), browser_reads in zip(accepted, opened, strict=True)
        if browser_reads != [urlsplit(base).scheme + ":", urlsplit(base).hostname]
    ]
    print(f"link bases: {refused} refused, {len(accepted)} accepted, {len(misread)} misread by the browser")
    assert misread == []
    assert refused >= 2 * len(PAYLOADS)
    # What is accepted names its host outright, as the browser reads it: the trusted host with the
    # payload as its path, or a well-formed URL on another host (choosing the page is the operator's
    # call; it redirects nobody anywhere the configuration does not say).
    assert any(host == "app.example.com" for _, host in opened)


@pytest.fixture
def mailing_stack(tmp_path: Path) -> Iterator[RunningStack]:
    """A resend per payload: no gap between emails, enough resends per session and emails per hour."""
    yield from start_stack(
        tmp_path, RESEND_MIN_SECONDS="0", MAX_RESENDS_PER_SESSION="10", MAX_EMAILS_PER_HOUR="100"
    )


def test_client_metadata_never_changes_where_the_emailed_link_goes(mailing_stack: RunningStack) -> None:
    stack = mailing_stack
    idp = attack_client(stack)
    first = idp.initiate_auth(
        AuthFlow="CUSTOM_AUTH",
        ClientId=stack.client_id,
        AuthParameters={"USERNAME": JANE_EMAIL},
        ClientMetadata=dict.fromkeys(REDIRECT_KEYS, PAYLOADS[0]),
    )
    session = initiate(idp, stack, JANE_EMAIL)
    assert first["ChallengeName"] == "CUSTOM_CHALLENGE"
    for number, payload in enumerate(PAYLOADS, start=1):
        if number % 10 == 0:
            session = initiate(idp, stack, JANE_EMAIL)  # the session's resend cap
        session = answer(
            idp, stack, session, "resend", {"resend": "true", **dict.fromkeys(REDIRECT_KEYS, payload)}
        )
        assert session.challenged

    mails = stack.mail()
    assert len(mails) == 1 + len(PAYLOADS), "every resend emailed a new link"
    for mail in mails:
        base, fragment = mail.link.split("#", 1)
        assert base == stack.stack.url
        assert set(parse_qs(fragment)) == {"u", "t"}
        assert parse_qs(fragment)["u"] == [JANE_EMAIL]
    # The newest link still signs in: metadata changed where nothing goes, and spent nothing.
    assert answer(idp, stack, initiate(idp, stack, JANE_EMAIL), mails[-1].link_token).signed_in


class Navigation:
    """Every top-level navigation and every request a page makes; off-origin requests are recorded
    and blocked, so nothing leaves the machine whatever the page tried."""

    def __init__(self, page: Page, origin: str) -> None:
        self.origin = origin
        self.navigated: list[str] = []
        self.off_origin: list[str] = []
        page.on(
            "framenavigated", lambda frame: frame.parent_frame is None and self.navigated.append(frame.url)
        )
        page.context.route("**/*", self._only_origin)

    def _only_origin(self, route: Route) -> None:
        url = route.request.url
        if _origin(url) == self.origin:
            route.continue_()
        else:
            self.off_origin.append(url)
            route.abort()

    def left(self) -> list[str]:
        return [url for url in self.navigated if _origin(url) != self.origin] + self.off_origin


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.mark.slow
def test_the_sign_in_page_never_leaves_its_origin(local_stack: RunningStack, browser: Browser) -> None:
    stack = local_stack
    stack.initiate(JANE_EMAIL)
    [mail] = stack.mail()
    before = stored_item(stack, stack.jane)
    origin = _origin(stack.stack.url)
    context = browser.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch = Navigation(page, origin)
    try:
        for number, payload in enumerate(PAYLOADS):
            query = urlencode(dict.fromkeys(REDIRECT_KEYS, payload))
            # Odd payloads stand in for the address too: the one fragment value the page shows.
            address = payload if number % 2 else JANE_EMAIL
            fragment = urlencode({"u": address, "t": mail.link_token, "next": payload, "redirect": payload})
            page.goto(f"{stack.stack.url}?{query}#{fragment}")
            expect(page.locator("#view-continue, #view-ask").locator("visible=true")).to_have_count(1)
            assert _origin(page.url) == origin
            assert "#" not in page.url, "the secret left the address bar"

        # A person clicks a payload-laden link all the way to signed in, and stays on the page.
        fragment = urlencode({"u": JANE_EMAIL, "t": mail.link_token, "next": PAYLOADS[0]})
        page.goto(f"{stack.stack.url}?{urlencode(dict.fromkeys(REDIRECT_KEYS, PAYLOADS[0]))}#{fragment}")
        page.click("#continue")
        expect(page.locator("#signed-in-title")).to_be_visible()
        assert _origin(page.url) == origin
    finally:
        context.close()
    assert watch.left() == []
    assert len(watch.navigated) >= len(PAYLOADS)
    # Loading the page with all those payloads spent nothing; only the click signed in.
    after = stored_item(stack, stack.jane)
    assert after["secret_id"] == before["secret_id"]
    assert "consumed_ms" in after
    assert len(stack.mail()) == 1
