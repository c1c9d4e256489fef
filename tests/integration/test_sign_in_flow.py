"""The sign-in a person does, through the three triggers over moto: code, link, resend, reuse."""

from __future__ import annotations

from tests.support.flow import JANE, JOHN, Flow


def test_code_typed_in_the_asking_session_signs_in(flow: Flow) -> None:
    # Given Jane asks to sign in
    asked = flow.cognito.initiate_auth(JANE.email)
    # Then she gets a challenge and exactly one email holding a code and a link
    assert asked.kind == "challenge"
    assert asked.public == {"email": "j\u2022\u2022\u2022@example.com", "codeLength": "6"}
    assert [m.to for m in flow.sender.sent] == [JANE.email]
    # When she types the code in the same session
    done = flow.cognito.respond(asked, flow.code())
    # Then Cognito is told to issue tokens
    assert done.kind == "tokens"


def test_link_opened_in_a_fresh_session_signs_in_without_a_second_email(flow: Flow) -> None:
    flow.cognito.initiate_auth(JANE.email)
    # The link page starts its own session (another browser, another device) ...
    fresh = flow.cognito.initiate_auth(JANE.email)
    # ... which reuses the live secret: no second email
    assert len(flow.sender.sent) == 1
    assert flow.cognito.respond(fresh, flow.token()).kind == "tokens"


def test_link_carries_the_secret_only_in_the_fragment(flow: Flow) -> None:
    flow.cognito.initiate_auth(JANE.email)
    link = flow.sender.last().link
    base, _, fragment = link.partition("#")
    assert base == flow.settings.sign_in_url
    assert flow.token() in fragment
    assert flow.token() not in base


def test_a_secret_signs_in_once(flow: Flow) -> None:
    asked = flow.cognito.initiate_auth(JANE.email)
    assert flow.cognito.respond(asked, flow.code()).kind == "tokens"
    again = flow.cognito.initiate_auth(JANE.email)
    # The spent secret is not reused: a new one is issued and sent after the resend gap
    flow.clock.advance(flow.settings.resend_min_seconds)
    assert flow.cognito.respond(again, flow.code(0)).kind == "challenge"


def test_resend_sends_a_new_secret_and_voids_the_old_one(flow: Flow) -> None:
    asked = flow.cognito.initiate_auth(JOHN.email)
    flow.clock.advance(flow.settings.resend_min_seconds)
    resent = flow.cognito.respond(asked, "resend", {"resend": "true"})
    assert resent.kind == "challenge"
    assert len(flow.sender.sent) == 2
    old_code, new_code = flow.code(0), flow.code(1)
    # The first secret no longer works (one live secret per user) ...
    if old_code != new_code:
        assert flow.cognito.respond(resent, old_code).kind == "challenge"
    # ... the new one does
    assert flow.cognito.respond(resent, new_code).kind == "tokens"


def test_email_uses_the_users_locale(flow: Flow) -> None:
    flow.cognito.initiate_auth(JOHN.email)
    assert flow.sender.last().locale == "de"
    assert flow.sender.last().minutes == 10


def test_an_expired_code_gets_no_email_by_itself_and_resend_brings_one(flow: Flow) -> None:
    asked = flow.cognito.initiate_auth(JOHN.email)
    flow.clock.advance(flow.settings.secret_lifetime_seconds + 1)
    # Typing the expired code is a wrong answer; nobody asked for a new email, so none goes out
    retry = flow.cognito.respond(asked, flow.code())
    assert retry.kind == "challenge"
    assert len(flow.sender.sent) == 1
    assert flow.log.events("nothing")
    # Asking for it does
    resent = flow.cognito.respond(retry, "resend", {"resend": "true"})
    assert len(flow.sender.sent) == 2
    assert flow.cognito.respond(resent, flow.code()).kind == "tokens"
