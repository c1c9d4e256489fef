"""Passkeys on the sign-in page, in Debian's Chromium with a virtual authenticator (the DevTools
protocol's WebAuthn domain), against the local stack with passkeys on for `localhost`.

The authenticator stands in for the person's device: it holds discoverable credentials, and it
verifies the user (or, switched, refuses to). docs/security/requirements.md #29: the challenge is
single use, user verification is as configured, a sign count that goes back is refused, adding a
passkey needs a recent sign-in, and each change mails a notice; a passkey sign-in itself never mails.
"""

from __future__ import annotations

import base64
import json
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.sync_api import Browser, CDPSession, Page, Request, Route, expect

from laptop.local_stack.clock import LocalClock
from tests.support.demo import Demo, run_demo
from tests.support.local_stack import JANE_EMAIL, PASSKEY_PARAMETERS, RunningStack, start_stack
from tests.support.visitor import Visitor

pytestmark = pytest.mark.browser

UNKNOWN_EMAIL = "jill@example.com"
NO_PASSKEY_USED = "No passkey was used. Try again, or use email instead."
PASSKEY_REFUSED = "That passkey did not work. Try again, or use email instead."
SIGN_IN_AGAIN = "Sign in again to add a passkey."
AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
}
STALE_SECONDS = 660  # past PasskeyReauthenticationSeconds' default of 600
# A browser without passkey autofill: the page then offers passkeys through its button only. Without
# this, Chromium answers the page's autofill request at once with the virtual authenticator's passkey,
# as if the person had picked it from the address field's suggestions.
NO_AUTOFILL = "PublicKeyCredential.isConditionalMediationAvailable = async () => false;"


@pytest.fixture
def stale_sign_in_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningStack]:
    """passkey_stack with its clock 11 minutes behind: its tokens say the sign-in happened then, while the
    account API reads the real time (as in Lambda), past the 10-minute window for adding a passkey."""
    monkeypatch.setattr(
        "tests.support.local_stack.MovableClock", lambda: LocalClock(lambda: time.time() - STALE_SECONDS)
    )
    yield from start_stack(tmp_path, parameters=PASSKEY_PARAMETERS, RESEND_MIN_SECONDS="0")


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    yield from run_demo(tmp_path)


def page_url(stack: RunningStack) -> str:
    """The stack's sign-in page on localhost (WebAuthn takes no IP address as relying party), whatever
    host the stack names itself by."""
    parts = urlsplit(stack.stack.url)
    return urlunsplit(parts._replace(netloc=f"localhost:{parts.port}"))


def local_config(stack: RunningStack) -> dict[str, Any]:
    return dict(stack.stack.running_config.as_json(""))


def passkey_client_id(stack: RunningStack) -> str:
    client_id = local_config(stack).get("passkeyClientId", "")
    assert client_id, "the local stack names its passkey client"
    return str(client_id)


class Authenticator:
    """A virtual authenticator attached to one page (one tab), driven over the DevTools protocol."""

    def __init__(self, page: Page, **options: Any) -> None:
        self._cdp: CDPSession = page.context.new_cdp_session(page)
        self._cdp.send("WebAuthn.enable")
        reply = self._cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {**AUTHENTICATOR, **options}})
        self.id: str = reply["authenticatorId"]

    def credentials(self) -> list[dict[str, Any]]:
        return list(self._cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.id})["credentials"])

    def add(self, credential: dict[str, Any]) -> None:
        self._cdp.send("WebAuthn.addCredential", {"authenticatorId": self.id, "credential": credential})

    def remove(self, credential_id: str) -> None:
        self._cdp.send(
            "WebAuthn.removeCredential", {"authenticatorId": self.id, "credentialId": credential_id}
        )

    def verify_users(self, verified: bool) -> None:
        self._cdp.send("WebAuthn.setUserVerified", {"authenticatorId": self.id, "isUserVerified": verified})


class Person(Visitor):
    """A visitor with a device that holds passkeys, and a record of the Cognito requests' bodies."""

    def __init__(self, browser: Browser, *, autofill: bool = False, **authenticator: Any) -> None:
        super().__init__(browser.new_context())
        if not autofill:
            self.page.add_init_script(NO_AUTOFILL)
        self.device = Authenticator(self.page, **authenticator)
        self.bodies: list[tuple[str, dict[str, Any]]] = []
        self.posts: list[str] = []
        self.page.on("request", self._keep_body)

    def _keep_body(self, request: Request) -> None:
        if request.method != "POST":
            return
        target = request.headers.get("x-amz-target", "")
        if target:
            operation = target.rsplit(".", 1)[1]
            self.bodies.append((operation, json.loads(request.post_data or "{}")))
            self.posts.append(operation)
        else:
            self.posts.append(urlsplit(request.url).path)

    def account_calls(self) -> list[tuple[str, str]]:
        """The account API requests, as (method, path)."""
        return [(method, urlsplit(url).path) for method, url in self.requests if "/passkeys" in url]


@pytest.fixture
def people(browser: Browser) -> Iterator[list[Person]]:
    made: list[Person] = []
    yield made
    for person in made:
        person.page.context.close()


def person(people: list[Person], browser: Browser, **options: Any) -> Person:
    made = Person(browser, **options)
    people.append(made)
    return made


@pytest.fixture
def jane(people: list[Person], browser: Browser) -> Person:
    """Jane's browser, without passkey autofill, on a device that verifies her and holds no passkey yet."""
    return person(people, browser)


def ask_by_email(page: Page, url: str, address: str = JANE_EMAIL) -> None:
    page.goto(url)
    page.fill("#email", address)
    page.click("#ask-submit")
    expect(page.locator("#code-title")).to_be_visible()


def sign_in_by_email(who: Person, stack: RunningStack, address: str = JANE_EMAIL) -> None:
    ask_by_email(who.page, page_url(stack), address)
    who.page.fill("#code", stack.mail_to(address)[-1].code)
    who.page.click("#code-submit")
    expect(who.page.locator("#signed-in-title")).to_be_visible()


def add_passkey(who: Person, name: str = "") -> None:
    expect(who.page.locator("#passkey-add")).to_be_visible()
    if name:
        who.page.fill("#passkey-name", name)
    with who.page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/account/passkeys")
    ):
        who.page.click("#passkey-add")
    expect(who.page.locator("#status")).to_have_text("Passkey added. Next time, sign in with it.")


def signed_in_with_a_new_passkey(who: Person, stack: RunningStack, name: str = "") -> None:
    """Jane signs in by email on this device and adds a passkey on it."""
    sign_in_by_email(who, stack)
    add_passkey(who, name)


def registered(who: Person, stack: RunningStack, name: str = "") -> None:
    """Jane signs in by email on this device, adds a passkey on it, and signs out."""
    signed_in_with_a_new_passkey(who, stack, name)
    sign_out(who)


def sign_out(who: Person) -> None:
    with who.page.expect_response(
        lambda r: r.request.headers.get("x-amz-target", "").endswith("RevokeToken")
    ):
        who.page.click("#sign-out")
    expect(who.page.locator("#status")).to_have_text("You are signed out.")


def passkey_button(who: Person, address: str = "") -> None:
    who.page.fill("#email", address)
    who.page.click("#passkey-sign-in")


def sign_in_with_passkey(who: Person, address: str = "") -> None:
    passkey_button(who, address)
    expect(who.page.locator("#signed-in-title")).to_be_visible()


def expect_signed_in_as_jane(who: Person) -> None:
    expect(who.page.locator("#signed-in-title")).to_be_visible()
    expect(who.page.locator('#claims [data-claim="email"]')).to_have_text(JANE_EMAIL)


def expect_passkey_refused(who: Person) -> None:
    """The server refused the browser's assertion: the page says so and signs no one in."""
    expect(who.page.locator("#status")).to_have_text(PASSKEY_REFUSED)
    expect(who.page.locator("#signed-in-title")).to_be_hidden()


def bodies_of(who: Person, operation: str) -> list[dict[str, Any]]:
    return [body for made, body in who.bodies if made == operation]


def answer_bodies(who: Person) -> list[dict[str, Any]]:
    return bodies_of(who, "RespondToAuthChallenge")


def b64url_decode(text: str) -> bytes:
    """WebAuthn's JSON drops base64url's padding; Python's decoder wants it back."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def passkey_answer(stack: RunningStack, answer: str) -> dict[str, Any]:
    """Cognito's reply to `answer`, sent for Jane in a fresh session on the passkey client, as anyone
    holding that answer could send it."""
    client = passkey_client_id(stack)
    challenge = stack.idp.initiate_auth(
        AuthFlow="CUSTOM_AUTH", ClientId=client, AuthParameters={"USERNAME": stack.jane}
    )
    return dict(
        stack.idp.respond_to_auth_challenge(
            ClientId=client,
            ChallengeName="CUSTOM_CHALLENGE",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": stack.jane, "ANSWER": answer},
        )
    )


def assert_asked_again(reply: dict[str, Any]) -> None:
    """Cognito's answer to a refused passkey assertion, as to a wrong code: no tokens, another challenge."""
    assert "AuthenticationResult" not in reply
    assert reply["ChallengeName"] == "CUSTOM_CHALLENGE"


# ----------------------------------------------------------------------------------- the whole way


def test_email_then_add_a_passkey_then_sign_in_with_it_typing_nothing(
    passkey_stack: RunningStack, jane: Person
) -> None:
    stack = passkey_stack

    # Given Jane, signed in by email, with no passkey yet
    sign_in_by_email(jane, stack)
    expect(jane.page.locator("#passkeys-none")).to_be_visible()
    expect(jane.page.locator("#passkey-list li")).to_have_count(0)

    # When she adds one on this device
    add_passkey(jane, "Work laptop")

    # Then the device holds it for her account (the user handle is her Cognito username), the page
    # lists it, and a notice went to her address
    [held] = jane.device.credentials()
    assert held["isResidentCredential"] is True
    assert held["rpId"] == "localhost"
    assert base64.b64decode(held["userHandle"]) == stack.jane.encode()
    expect(jane.page.locator("#passkey-list li")).to_have_count(1)
    expect(jane.page.locator("#passkey-list .passkey-name")).to_have_text("Work laptop")
    expect(jane.page.locator("#passkeys-none")).to_be_hidden()
    sign_in_mail, notice = stack.mail_to(JANE_EMAIL)
    assert "passkey was added" in notice.subject
    assert "Work laptop" in notice.text

    # When she signs out and back in with the passkey, with nothing typed
    sign_out(jane)
    calls_before = len(jane.bodies)
    passkey_button(jane)

    # Then she is signed in through the passkey client: the passkey first, then its session, and no email
    expect_signed_in_as_jane(jane)
    initiate, respond = jane.bodies[calls_before:]
    client = passkey_client_id(stack)
    assert initiate == (
        "InitiateAuth",
        {"AuthFlow": "CUSTOM_AUTH", "ClientId": client, "AuthParameters": {"USERNAME": stack.jane}},
    )
    assert respond[0] == "RespondToAuthChallenge"
    assert respond[1]["ClientId"] == client
    answer = json.loads(respond[1]["ChallengeResponses"]["ANSWER"])
    assert answer["id"] == held["credentialId"].replace("+", "-").replace("/", "_").rstrip("=")
    assert answer["type"] == "public-key"
    assert set(answer["response"]) == {"clientDataJSON", "authenticatorData", "signature", "userHandle"}
    assert stack.mail_to(JANE_EMAIL) == [sign_in_mail, notice], "a passkey sign-in sends no email"
    # And the list says the passkey has been used
    expect(jane.page.locator("#passkey-list .passkey-meta")).to_contain_text("Last used")

    # And signing out revokes the passkey client's refresh token with that client
    sign_out(jane)
    operation, revoke = jane.bodies[-1]
    assert operation == "RevokeToken"
    assert revoke["ClientId"] == client
    assert jane.problems == []


def test_on_make_demo_email_then_a_passkey_then_a_sign_in_with_it_typing_nothing(
    demo: Demo, jane: Person
) -> None:
    mail_to_jane = rf"^mail to {re.escape(JANE_EMAIL)}: "
    # Given `make demo` running, its page on localhost, and Jane (one of its sample users) at Chromium
    url = demo.wait_for(r"Sign-in page\s+(http://localhost:\d+/)").group(1)
    passkey_client = demo.wait_for(r"PasskeyClientId (\S+)").group(1)

    # When she asks for a sign-in by email in one tab and opens the link the demo printed in another,
    # as a click on it does (pasted into the tab that asked, a link that differs from it in the
    # fragment alone would not load the page again); the second is the tab her device is attached to
    ask_by_email(jane.page.context.new_page(), url)
    jane.page.bring_to_front()  # WebAuthn works in the focused tab only, and the new one took the focus
    jane.page.goto(demo.wait_for(mail_to_jane + r"(\S+)").group(1))
    jane.page.click("#continue")
    expect_signed_in_as_jane(jane)
    # And adds a passkey (whose notice is the demo's second email to her), then signs out
    add_passkey(jane)
    demo.wait_for(mail_to_jane + r"\(no link or code in this email\)")
    sign_out(jane)
    # And signs back in with the passkey button, nothing typed
    passkey_button(jane)

    # Then she is signed in, by the passkey on the passkey client, and no further email went out
    expect_signed_in_as_jane(jane)
    assert answer_bodies(jane)[-1]["ClientId"] == passkey_client
    printed = demo.printed_after(seconds=1)
    assert len([line for line in printed if re.search(mail_to_jane, line)]) == 2, "".join(printed)
    assert jane.problems == []

    # And Ctrl-C stops the demo cleanly
    demo.process.send_signal(signal.SIGINT)
    assert demo.process.wait(15) == 0
    demo.wait_for(r"^stopped")


def test_with_autofill_the_passkey_signs_in_from_the_address_field(
    passkey_stack: RunningStack, browser: Browser, people: list[Person]
) -> None:
    stack = passkey_stack
    jane = person(people, browser, autofill=True)

    # Given a browser with passkey autofill: the page asks for it quietly as it opens
    jane.page.goto(page_url(stack))
    expect(jane.page.locator("#email")).to_have_attribute("autocomplete", "username webauthn")
    # When Jane asks by email instead (that aborts the quiet request), then adds a passkey
    sign_in_by_email(jane, stack)
    add_passkey(jane)
    # And signs out: the address field offers her passkey again, and she picks it (the virtual
    # authenticator picks for her at once)
    jane.page.click("#sign-out")
    # Then she is signed in again without typing or clicking anything else
    expect_signed_in_as_jane(jane)
    assert answer_bodies(jane)[-1]["ClientId"] == passkey_client_id(stack)
    assert len(stack.mail_to(JANE_EMAIL)) == 2, "the sign-in email and the notice, nothing more"
    assert jane.problems == []


def test_with_an_address_typed_the_passkey_of_that_account_signs_in(
    passkey_stack: RunningStack, jane: Person
) -> None:
    stack = passkey_stack
    registered(jane, stack)
    posts_before = len(jane.posts)

    # When Jane types her address and asks for a passkey sign-in, she is signed in
    sign_in_with_passkey(jane, JANE_EMAIL)

    # And the session came first (for the typed address, on the passkey client), then the challenge
    assert jane.posts[posts_before : posts_before + 3] == [
        "InitiateAuth",
        "/passkeys/sign-in-options",
        "RespondToAuthChallenge",
    ]
    initiate = bodies_of(jane, "InitiateAuth")[-1]
    assert initiate["ClientId"] == passkey_client_id(stack)
    assert initiate["AuthParameters"] == {"USERNAME": JANE_EMAIL}
    assert len(stack.mail_to(JANE_EMAIL)) == 2
    assert jane.problems == []


# ------------------------------------------------------------------------------------ refusals


def test_a_device_that_does_not_verify_the_user_is_refused(passkey_stack: RunningStack, jane: Person) -> None:
    registered(jane, passkey_stack)

    # Given a device that no longer verifies her (no PIN, no fingerprint)
    jane.device.verify_users(False)
    # When she tries her passkey: the browser itself refuses, since the server asks for verification
    passkey_button(jane)
    expect(jane.page.locator("#status")).to_have_text(NO_PASSKEY_USED)
    expect(jane.page.locator("#passkey-retry")).to_be_focused()
    assert len(answer_bodies(jane)) == 1, "only the email code's answer ever went out"

    # And when a tampered page asks the browser for no verification, the server still refuses the
    # assertion that comes back without it
    def without_verification(route: Route) -> None:
        fetched = route.fetch()
        body = fetched.json()
        body["options"]["userVerification"] = "discouraged"
        route.fulfill(response=fetched, json=body)

    jane.page.route("**/passkeys/sign-in-options", without_verification)
    jane.page.click("#passkey-retry")
    expect_passkey_refused(jane)
    expect(jane.page.locator("#view-passkey")).to_be_visible()
    [_, tampered] = answer_bodies(jane)
    data = json.loads(tampered["ChallengeResponses"]["ANSWER"])["response"]["authenticatorData"]
    flags = b64url_decode(data)[32]
    assert flags & 0x04 == 0, "the assertion really lacked user verification"
    assert jane.problems == []


def test_a_removed_passkey_no_longer_signs_in(passkey_stack: RunningStack, jane: Person) -> None:
    stack = passkey_stack
    signed_in_with_a_new_passkey(jane, stack, "Old phone")

    # When she removes it from the list
    jane.page.locator("#passkey-list li", has_text="Old phone").get_by_role("button", name="Remove").click()

    # Then the list is empty, a notice went out, and the device (which still holds it) cannot use it
    expect(jane.page.locator("#status")).to_have_text("Passkey removed. It no longer signs you in.")
    expect(jane.page.locator("#passkey-list li")).to_have_count(0)
    expect(jane.page.locator("#passkeys-none")).to_be_visible()
    assert "passkey was removed" in stack.mail_to(JANE_EMAIL)[-1].subject
    assert len(jane.device.credentials()) == 1
    sign_out(jane)
    passkey_button(jane)
    expect_passkey_refused(jane)
    assert jane.problems == []


def test_a_passkey_can_be_renamed(passkey_stack: RunningStack, jane: Person) -> None:
    signed_in_with_a_new_passkey(jane, passkey_stack, "Laptop")

    jane.page.get_by_role("button", name="Rename").click()
    field = jane.page.get_by_label("New name")
    expect(field).to_be_focused()
    field.fill("Home laptop")
    jane.page.get_by_role("button", name="Save").click()

    expect(jane.page.locator("#status")).to_have_text("Passkey renamed.")
    expect(jane.page.locator("#passkey-list .passkey-name")).to_have_text("Home laptop")
    assert (
        "PATCH",
        f"/account/passkeys/{jane.page.locator('#passkey-list li').get_attribute('data-passkey-id')}",
    ) in (jane.account_calls())
    assert jane.problems == []


def test_a_replayed_assertion_is_refused(passkey_stack: RunningStack, jane: Person) -> None:
    stack = passkey_stack
    registered(jane, stack)
    sign_in_with_passkey(jane)
    spent = answer_bodies(jane)[-1]["ChallengeResponses"]["ANSWER"]

    # When someone who captured that answer sends it again, in a session of their own
    reply = passkey_answer(stack, spent)

    # Then Cognito asks again, as after a wrong code: no tokens
    assert_asked_again(reply)


def test_a_cloned_authenticator_whose_sign_count_went_back_is_refused(
    passkey_stack: RunningStack, jane: Person
) -> None:
    registered(jane, passkey_stack)
    sign_in_with_passkey(jane)
    sign_out(jane)

    # Given a copy of the key on a device whose counter starts over
    [held] = jane.device.credentials()
    assert held["signCount"] > 1
    jane.device.remove(held["credentialId"])
    jane.device.add({**held, "signCount": 0})

    # When the copy is used, its counter is behind the one the server saw
    passkey_button(jane)
    expect_passkey_refused(jane)


# In the page's context: a challenge from the stack's API (a path on this origin), the browser's
# assertion for it, as PublicKeyCredential.toJSON() writes it; `later` seconds on the stack's clock
# pass in between (POST /local/clock, on the stack's own page only).
ASSERT_ON_THIS_ORIGIN = """
async (later = 0) => {
  const b64 = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const post = (path, body) => fetch(path, {method: "POST", body: JSON.stringify(body),
                                            headers: {"Content-Type": "application/json"}});
  const {options} = await (await post("/passkeys/sign-in-options", {})).json();
  if (later) {
    await post("/local/clock", {seconds: later});
  }
  const publicKey = {...options, challenge: b64(options.challenge)};
  const credential = await navigator.credentials.get({publicKey});
  return JSON.stringify(credential.toJSON());
}
"""


def client_data(answer: str) -> dict[str, Any]:
    """The clientDataJSON the browser signed, from an ANSWER."""
    return dict(json.loads(b64url_decode(json.loads(answer)["response"]["clientDataJSON"])))


def test_an_assertion_made_on_another_origin_is_refused(passkey_stack: RunningStack, jane: Person) -> None:
    stack = passkey_stack
    registered(jane, stack)

    # Given a page on another origin of the same relying party (localhost, another port), which
    # relays the stack's challenges so the browser signs one
    other = "http://localhost:9"

    def relay(route: Route) -> None:
        path = urlsplit(route.request.url).path
        if path == "/passkeys/sign-in-options":
            route.fulfill(response=route.fetch(url=page_url(stack) + path.lstrip("/")))
        else:
            route.fulfill(content_type="text/html", body="<!doctype html><title>Elsewhere</title>")

    jane.page.route(f"{other}/**", relay)
    jane.page.goto(f"{other}/")
    elsewhere = jane.page.evaluate(ASSERT_ON_THIS_ORIGIN)
    assert client_data(elsewhere)["origin"] == other

    # When that assertion is answered on the passkey client, it is refused
    assert_asked_again(passkey_answer(stack, elsewhere))
    # While the same steps on the stack's own page sign in (the refusal was the origin's)
    jane.page.goto(page_url(stack))
    assert "AuthenticationResult" in passkey_answer(stack, jane.page.evaluate(ASSERT_ON_THIS_ORIGIN))


def test_a_challenge_past_its_lifetime_is_refused(passkey_stack: RunningStack, jane: Person) -> None:
    stack = passkey_stack
    registered(jane, stack)
    jane.page.goto(page_url(stack))

    # When the browser signs a challenge that is older than PasskeyTimeoutSeconds (120 by default)
    late = jane.page.evaluate(ASSERT_ON_THIS_ORIGIN, 121)

    # Then the answer is refused, while a fresh one signs in
    assert "AuthenticationResult" not in passkey_answer(stack, late)
    assert "AuthenticationResult" in passkey_answer(stack, jane.page.evaluate(ASSERT_ON_THIS_ORIGIN))


def test_adding_a_passkey_needs_a_recent_sign_in(stale_sign_in_stack: RunningStack, jane: Person) -> None:
    # Given a sign-in older than the reauthentication window
    sign_in_by_email(jane, stale_sign_in_stack)
    # When she asks to add a passkey
    jane.page.click("#passkey-add")

    # Then the page asks her to sign in again, and the device holds no passkey
    expect(jane.page.locator("#status")).to_have_text(SIGN_IN_AGAIN)
    assert jane.device.credentials() == []
    assert ("POST", "/account/passkeys") not in jane.account_calls()
    # Chromium logs the 403 to the console itself; that line is all the refusal produced
    assert [problem for problem in jane.problems if "status of 403" not in problem] == []


# ---------------------------------------------------------------------------- email as fallback


def test_use_email_instead_sends_exactly_one_email_and_its_code_signs_in(
    passkey_stack: RunningStack, jane: Person
) -> None:
    stack = passkey_stack
    jane.page.goto(page_url(stack))

    # Given a device with no passkey for her: the typed-address attempt finds none
    passkey_button(jane, JANE_EMAIL)
    expect(jane.page.locator("#status")).to_have_text(NO_PASSKEY_USED)
    assert stack.mail() == [], "the passkey client never mails"

    # When she chooses email instead
    jane.page.click("#passkey-use-email")

    # Then today's email flow runs on the web client: one email, whose code signs her in
    expect(jane.page.locator("#code-title")).to_be_visible()
    [mail] = stack.mail()
    assert mail.to == JANE_EMAIL
    initiate = bodies_of(jane, "InitiateAuth")
    assert [body["ClientId"] for body in initiate] == [passkey_client_id(stack), stack.client_id]
    jane.page.fill("#code", mail.code)
    jane.page.click("#code-submit")
    expect(jane.page.locator("#signed-in-title")).to_be_visible()
    assert len(stack.mail()) == 1
    assert jane.problems == []


def test_an_unknown_address_looks_like_an_account_without_a_passkey(
    passkey_stack: RunningStack, browser: Browser, people: list[Person]
) -> None:
    stack = passkey_stack
    known, unknown = person(people, browser), person(people, browser)
    seen: dict[str, tuple[str, list[str], dict[str, Any]]] = {}

    for who, address in ((known, JANE_EMAIL), (unknown, UNKNOWN_EMAIL)):
        who.page.goto(page_url(stack))
        with who.page.expect_response(
            lambda r: r.request.headers.get("x-amz-target", "").endswith("InitiateAuth")
        ) as initiated:
            passkey_button(who, address)
        expect(who.page.locator("#status")).to_have_text(NO_PASSKEY_USED)
        parameters = initiated.value.json()["ChallengeParameters"]
        shape = {name: (len(value) if name == "credentials" else value) for name, value in parameters.items()}
        shape.pop("USERNAME", None)
        seen[address] = (who.page.locator("#main").inner_text(), who.cognito_calls, shape)

    # The same page, the same calls and the same challenge shape; no email to anyone
    assert seen[JANE_EMAIL] == seen[UNKNOWN_EMAIL]
    assert seen[JANE_EMAIL][2]["passkey"] == "1"
    assert stack.mail() == []
    assert known.problems == unknown.problems == []


def test_passkeys_off_the_page_offers_none(
    local_stack: RunningStack, browser: Browser, people: list[Person]
) -> None:
    who = person(people, browser)
    who.page.goto(page_url(local_stack))
    expect(who.page.locator("#email")).to_be_focused()
    expect(who.page.locator("#passkey-sign-in")).to_be_hidden()
    expect(who.page.locator("#email")).to_have_attribute("autocomplete", "email")
    who.page.wait_for_load_state("networkidle")
    assert who.account_calls() == []
    assert who.problems == []
