"""A person signing in with a real browser (Debian's Chromium) against the local stack: the page, the
outbox and the very trigger handlers `sam deploy` ships. docs/security/requirements.md #16-18 end to end."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from botocore.exceptions import ClientError
from playwright.sync_api import Browser, Response, expect

from tests.support.local_stack import JANE_EMAIL, RunningStack, start_stack
from tests.support.visitor import MASKED, Visitor, outbox_links

pytestmark = pytest.mark.browser


@pytest.fixture
def visitors() -> Iterator[list[Visitor]]:
    made: list[Visitor] = []
    yield made
    for person in made:
        person.page.context.close()
    assert [person.problems for person in made] == [[] for _ in made], "no console errors or CSP violations"


def visitor(visitors: list[Visitor], browser: Browser) -> Visitor:
    made = Visitor(browser.new_context())
    visitors.append(made)
    return made


def ask_by_email(person: Visitor, stack: RunningStack, address: str = JANE_EMAIL) -> None:
    person.page.goto(stack.stack.url)
    person.page.fill("#email", address)
    person.page.click("#ask-submit")
    expect(person.page.locator("#code-title")).to_be_visible()


def emailed_link(stack: RunningStack, browser: Browser, visitors: list[Visitor]) -> str:
    """Someone asks for jane's sign-in on the page; the link from the one email that went out."""
    ask_by_email(visitor(visitors, browser), stack)
    [link] = outbox_links(stack)
    return link


def test_the_link_opened_in_another_browser_signs_in_only_after_the_click(
    local_stack: RunningStack, browser: Browser, visitors: list[Visitor]
) -> None:
    asking = visitor(visitors, browser)
    ask_by_email(asking, local_stack)
    expect(asking.page.locator("#code-email")).to_have_text(MASKED)
    [link] = outbox_links(local_stack)

    other_device = visitor(visitors, browser)
    other_device.page.goto(link)

    expect(other_device.page.locator("#continue-as")).to_have_text(MASKED)
    assert "#" not in other_device.page.url, "the secret is cleared from the address bar"
    other_device.page.wait_for_load_state("networkidle")
    assert other_device.cognito_calls == [], "loading the link spends nothing"

    other_device.page.click("#continue")

    expect(other_device.page.locator("#signed-in-title")).to_be_visible()
    expect(other_device.page.locator("#claims")).to_contain_text(JANE_EMAIL)
    assert other_device.cognito_calls == ["InitiateAuth", "RespondToAuthChallenge"]
    assert len(local_stack.mail()) == 1, "the click reused the emailed secret"


def test_a_mail_scanner_that_runs_the_page_leaves_the_link_working(
    local_stack: RunningStack, browser: Browser, visitors: list[Visitor]
) -> None:
    link = emailed_link(local_stack, browser, visitors)

    scanner = visitor(visitors, browser)
    scanner.page.goto(link)
    scanner.page.wait_for_load_state("networkidle")
    expect(scanner.page.locator("#continue-as")).to_have_text(MASKED)

    person = visitor(visitors, browser)
    person.page.goto(link)
    person.page.click("#continue")

    assert scanner.cognito_calls == []
    expect(person.page.locator("#signed-in-title")).to_be_visible()


def test_the_typed_code_signs_in_after_a_wrong_one(
    local_stack: RunningStack, browser: Browser, visitors: list[Visitor]
) -> None:
    person = visitor(visitors, browser)
    ask_by_email(person, local_stack)
    [mail] = local_stack.mail()
    wrong = "000000" if mail.code != "000000" else "111111"

    person.page.fill("#code", wrong)
    person.page.click("#code-submit")
    expect(person.page.locator("#status")).to_contain_text("did not work")
    person.page.fill("#code", mail.code)
    person.page.click("#code-submit")

    expect(person.page.locator("#signed-in-title")).to_be_visible()
    expect(person.page.locator("#claims")).to_contain_text(JANE_EMAIL)


def test_a_used_link_explains_itself_and_the_new_email_signs_in(
    local_stack: RunningStack, browser: Browser, visitors: list[Visitor]
) -> None:
    link = emailed_link(local_stack, browser, visitors)
    first = visitor(visitors, browser)
    first.page.goto(link)
    first.page.click("#continue")
    expect(first.page.locator("#signed-in-title")).to_be_visible()

    again = visitor(visitors, browser)
    again.page.goto(link)
    again.page.click("#continue")

    expect(again.page.locator("#status")).to_contain_text("expired or was already used")
    expect(again.page.locator("#code-title")).to_be_visible()
    assert len(local_stack.mail()) == 2, "exactly one new email"
    again.page.fill("#code", local_stack.mail()[-1].code)
    again.page.click("#code-submit")
    expect(again.page.locator("#signed-in-title")).to_be_visible()


def test_an_unknown_address_sees_the_same_page_as_a_known_one(
    local_stack: RunningStack, browser: Browser, visitors: list[Visitor]
) -> None:
    known, unknown = visitor(visitors, browser), visitor(visitors, browser)

    ask_by_email(known, local_stack, JANE_EMAIL)
    ask_by_email(unknown, local_stack, "jill@example.com")

    assert known.page.locator("#view-code").inner_text().replace(MASKED, "X") == (
        unknown.page.locator("#view-code").inner_text().replace(MASKED, "X")
    )
    assert [mail.to for mail in local_stack.mail()] == [JANE_EMAIL]


def test_signing_out_revokes_the_refresh_token_at_the_endpoint(
    local_stack: RunningStack, browser: Browser, visitors: list[Visitor]
) -> None:
    person = visitor(visitors, browser)
    ask_by_email(person, local_stack)
    person.page.fill("#code", local_stack.mail()[0].code)

    def is_answer(response: Response) -> bool:
        return response.request.headers.get("x-amz-target", "").endswith("RespondToAuthChallenge")

    with person.page.expect_response(is_answer) as answered:
        person.page.click("#code-submit")
    refresh_token = answered.value.json()["AuthenticationResult"]["RefreshToken"]
    expect(person.page.locator("#signed-in-title")).to_be_visible()

    with person.page.expect_response(
        lambda response: response.request.headers.get("x-amz-target", "").endswith("RevokeToken")
    ):
        person.page.click("#sign-out")

    assert person.cognito_calls[-1] == "RevokeToken"
    with pytest.raises(ClientError) as caught:
        local_stack.idp.initiate_auth(
            AuthFlow="REFRESH_TOKEN_AUTH",
            ClientId=local_stack.client_id,
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )
    assert caught.value.response["Error"]["Code"] == "NotAuthorizedException"


# --------------------------------------------------------------------------------- self sign-up

NEW_ADDRESS = "mia@newcomer.example.org"


@pytest.fixture
def sign_up_stack(tmp_path: Path) -> Iterator[RunningStack]:
    """Self sign-up on for any domain (as `make demo` runs it), no gap between emails."""
    yield from start_stack(tmp_path, parameters={"SelfSignUp": "true"}, RESEND_MIN_SECONDS="0")


def sign_up_posts(person: Visitor, stack: RunningStack) -> list[tuple[str, str]]:
    return [request for request in person.requests if request[1] == f"{stack.stack.url}sign-up"]


def test_with_sign_up_on_a_new_and_an_existing_address_see_the_same_pages_and_both_sign_in(
    sign_up_stack: RunningStack, browser: Browser, visitors: list[Visitor]
) -> None:
    stack = sign_up_stack
    users_before = stack.idp.list_users(UserPoolId=stack.pool_id)["Users"]
    newcomer, member = visitor(visitors, browser), visitor(visitors, browser)
    views: dict[str, list[str]] = {}

    for person, address in ((newcomer, NEW_ADDRESS), (member, JANE_EMAIL)):
        person.page.goto(stack.stack.url)
        expect(person.page.locator("#ask-title")).to_have_text(
            "Sign in to the passwordless demo or create an account"
        )
        seen = [person.page.locator("#main").inner_text()]
        person.page.fill("#email", address)
        person.page.click("#ask-submit")
        expect(person.page.locator("#code-title")).to_be_visible()
        masked = person.page.locator("#code-email").inner_text()
        seen.append(person.page.locator("#main").inner_text().replace(masked, "<masked>"))
        [mail] = stack.mail_to(address)
        person.page.fill("#code", mail.code)
        person.page.click("#code-submit")
        expect(person.page.locator("#signed-in-title")).to_be_visible()
        expect(person.page.locator('#claims [data-claim="email"]')).to_have_text(address)
        views[address] = seen
        assert sign_up_posts(person, stack) == [("POST", f"{stack.stack.url}sign-up")]
        assert person.cognito_calls == ["InitiateAuth", "RespondToAuthChallenge"]

    # The same views, word for word, whether the account was created or already there
    assert views[NEW_ADDRESS] == views[JANE_EMAIL]
    # One email each, nothing else sent
    assert sorted(mail.to for mail in stack.mail()) == sorted([NEW_ADDRESS, JANE_EMAIL])
    # The newcomer's account exists now, its address proven by the emailed code; jane's is untouched
    assert stack.attributes(NEW_ADDRESS)["email_verified"] == "true"
    users_after = stack.idp.list_users(UserPoolId=stack.pool_id)["Users"]
    assert len(users_after) == len(users_before) + 1
    assert [user for user in users_after if user["Username"] == stack.jane] == [
        user for user in users_before if user["Username"] == stack.jane
    ]


def test_with_sign_up_on_the_page_may_reach_only_its_own_origin(sign_up_stack: RunningStack) -> None:
    # The account API shares the stack's origin, so the page's policy needs nothing more than 'self'.
    with urllib.request.urlopen(sign_up_stack.stack.url, timeout=5) as response:  # noqa: S310
        policy = response.headers["Content-Security-Policy"]
        page = response.read().decode()
    origin = sign_up_stack.stack.url.rstrip("/")
    assert f"connect-src 'self' {origin};" in policy
    assert f'"sign_up_url":"{sign_up_stack.stack.url}sign-up"' in page
    assert sign_up_stack.stack.running_config.sign_up_url == f"{sign_up_stack.stack.url}sign-up"


def test_with_sign_up_off_the_page_never_calls_sign_up(
    local_stack: RunningStack, browser: Browser, visitors: list[Visitor]
) -> None:
    person = visitor(visitors, browser)
    users_before = local_stack.idp.list_users(UserPoolId=local_stack.pool_id)["Users"]

    ask_by_email(person, local_stack, NEW_ADDRESS)
    person.page.click("#start-over")
    expect(person.page.locator("#ask-title")).to_have_text("Sign in to the passwordless demo")
    ask_by_email(person, local_stack, JANE_EMAIL)

    assert local_stack.stack.running_config.sign_up_url == ""
    assert sign_up_posts(person, local_stack) == []
    assert not [url for _, url in person.requests if "sign-up" in url]
    assert person.cognito_calls == ["InitiateAuth", "InitiateAuth"]
    assert [mail.to for mail in local_stack.mail()] == [JANE_EMAIL], "the unknown address got nothing"
    assert local_stack.idp.list_users(UserPoolId=local_stack.pool_id)["Users"] == users_before


# ------------------------------------------------------------------- invitations in password mode

INVITED = "ann@example.org"
INVITED_MASKED = "a\u2022\u2022\u2022@example.org"
CHOSEN_PASSWORD = "correct horse battery staple"


@pytest.fixture
def password_stack(tmp_path: Path) -> Iterator[RunningStack]:
    """SignInMode=password-and-email-code, no gap between emails."""
    yield from start_stack(
        tmp_path, parameters={"SignInMode": "password-and-email-code"}, RESEND_MIN_SECONDS="0"
    )


def invite_over_http(stack: RunningStack, address: str) -> str:
    """Jane, an administrator with a password, invites `address` through the account API; the link
    in the invitation email, as the outbox serves it."""
    stack.add_to_group(stack.jane, "admins")
    stack.idp.admin_set_user_password(
        UserPoolId=stack.pool_id, Username=stack.jane, Password="Admin-Passw0rd-long", Permanent=True
    )
    admin = stack.password_sign_in(JANE_EMAIL, "Admin-Passw0rd-long")["AuthenticationResult"]
    status, answer = stack.api("/invitations", {"email": address}, token=admin["AccessToken"])
    assert status == 201, answer
    [link] = outbox_links(stack)
    return link


def accept_posts(person: Visitor, stack: RunningStack) -> list[tuple[str, str]]:
    return [request for request in person.requests if request[1] == f"{stack.stack.url}invitations/accept"]


def choose_password(person: Visitor, password: str, confirmation: str | None = None) -> None:
    person.page.fill("#new-password", password)
    person.page.fill("#confirm-password", password if confirmation is None else confirmation)
    person.page.click("#accept-submit")


def is_accept(response: Response) -> bool:
    return response.url.endswith("/invitations/accept")


def test_in_password_mode_the_invitation_link_chooses_a_password_and_signs_in_once(
    password_stack: RunningStack, browser: Browser, visitors: list[Visitor]
) -> None:
    stack = password_stack
    link = invite_over_http(stack, INVITED)
    person = visitor(visitors, browser)

    person.page.goto(link)

    expect(person.page.locator("#accept-as")).to_have_text(INVITED_MASKED)
    expect(person.page.locator("#view-accept")).to_contain_text(f"Choose your password for {INVITED_MASKED}")
    assert "#" not in person.page.url, "the secret is cleared from the address bar"
    assert person.page.get_attribute("#new-password", "autocomplete") == "new-password"
    assert person.page.get_attribute("#new-password", "minlength") == "12"
    person.page.wait_for_load_state("networkidle")
    assert accept_posts(person, stack) == [], "landing sends nothing"
    assert person.cognito_calls == []

    # Too short: the form refuses it before anything is sent; so do two different passwords
    choose_password(person, "short-pw")
    expect(person.page.locator("#status")).to_contain_text("at least 12 characters")
    choose_password(person, CHOSEN_PASSWORD, "correct horse battery stapler")
    expect(person.page.locator("#status")).to_contain_text("not the same")
    assert accept_posts(person, stack) == []

    with person.page.expect_request(lambda request: request.url.endswith("/invitations/accept")) as sent:
        choose_password(person, CHOSEN_PASSWORD)

    expect(person.page.locator("#signed-in-title")).to_be_visible()
    expect(person.page.locator('#claims [data-claim="email"]')).to_have_text(INVITED)
    assert accept_posts(person, stack) == [("POST", f"{stack.stack.url}invitations/accept")]
    assert json.loads(sent.value.post_data or "") == {
        "email": INVITED,
        "token": parse_qs(link.split("#", 1)[1])["t"][0],
        "password": CHOSEN_PASSWORD,
    }
    assert sent.value.headers.get("referer", "") == "", "no referrer"
    assert "cookie" not in sent.value.headers
    assert person.cognito_calls == [], "no CUSTOM_AUTH sign-in, which define refuses in this mode"
    # The account is CONFIRMED with the chosen password
    user = stack.idp.admin_get_user(UserPoolId=stack.pool_id, Username=INVITED)
    assert user["UserStatus"] == "CONFIRMED"
    assert "AuthenticationResult" in stack.password_sign_in(INVITED, CHOSEN_PASSWORD)
    assert person.page.evaluate("localStorage.length + sessionStorage.length") == 0, "tokens in memory only"

    # The link's second use is refused, the API's message shown and the form kept for another try
    again = visitor(visitors, browser)
    again.page.goto(link)
    with again.page.expect_response(is_accept) as refused:
        choose_password(again, "another long enough password")
    assert refused.value.status == 400
    message = refused.value.json()["message"]
    expect(again.page.locator("#status")).to_have_text(message)
    expect(again.page.locator("#view-accept")).to_be_visible()
    expect(again.page.locator("#new-password")).to_be_editable()
    assert "AuthenticationResult" in stack.password_sign_in(INVITED, CHOSEN_PASSWORD), "password unchanged"
    # Chromium logs every 4xx answer to the console itself; that one line, and no script error or
    # CSP report, is all the refused visit produced.
    assert again.problems == [
        "Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"
    ]
    again.problems.clear()


def test_in_password_mode_the_page_is_told_where_to_accept_invitations(password_stack: RunningStack) -> None:
    url = f"{password_stack.stack.url}invitations/accept"
    with urllib.request.urlopen(password_stack.stack.url, timeout=5) as response:  # noqa: S310
        policy = response.headers["Content-Security-Policy"]
        page = response.read().decode()
    assert password_stack.stack.running_config.accept_invitation_url == url
    assert f'"accept_invitation_url":"{url}"' in page
    # Same origin as the stack: the policy needs nothing more than before.
    assert f"connect-src 'self' {password_stack.stack.url.rstrip('/')};" in policy


def test_in_email_mode_an_invitation_link_is_an_ordinary_sign_in_link(
    local_stack: RunningStack, browser: Browser, visitors: list[Visitor]
) -> None:
    with urllib.request.urlopen(local_stack.stack.url, timeout=5) as response:  # noqa: S310
        page = response.read().decode()
    assert local_stack.stack.running_config.accept_invitation_url == ""
    assert "accept_invitation_url" not in page
    link = emailed_link(local_stack, browser, visitors)
    person = visitor(visitors, browser)

    person.page.goto(link)

    expect(person.page.locator("#continue-as")).to_have_text(MASKED)
    expect(person.page.locator("#view-accept")).to_be_hidden()


def test_an_invitation_link_says_accept_the_invitation_as_its_email_did(
    local_stack: RunningStack, browser: Browser, visitors: list[Visitor]
) -> None:
    # Given an administrator's invitation, mailed with an "Accept the invitation" button
    local_stack.add_to_group(local_stack.jane, "admins")
    admin = local_stack.sign_in_by_link(JANE_EMAIL)
    status, _ = local_stack.api("/invitations", {"email": "pia@example.org"}, token=admin["AccessToken"])
    assert status == 201
    [invitation] = local_stack.mail_to("pia@example.org")
    assert "Accept the invitation" in invitation.html
    # When the invitee opens its link
    person = visitor(visitors, browser)
    person.page.goto(invitation.link)
    # Then the page speaks of the invitation, names the address, and accepting signs them in
    expect(person.page.locator("#continue-title")).to_have_text("Accept your invitation")
    expect(person.page.locator("#continue-intro")).to_contain_text("You opened an invitation")
    expect(person.page.locator("#continue")).to_have_text("Accept as p\u2022\u2022\u2022@example.org")
    person.page.click("#continue")
    expect(person.page.locator('#claims [data-claim="email"]')).to_have_text("pia@example.org")
    # And a sign-in link (the administrator's, opening spends nothing) still reads as one
    reader = visitor(visitors, browser)
    reader.page.goto(local_stack.mail_to(JANE_EMAIL)[-1].link)
    expect(reader.page.locator("#continue-title")).to_have_text("Sign in")
    expect(reader.page.locator("#continue")).to_have_text(f"Continue as {MASKED}")
