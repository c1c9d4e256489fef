"""A passkey sign-in through the real define, create and verify handlers on the passkey client, after a
registration through the real account API: tokens for the right assertion, and for everything else
(another origin, a replay, a clone, a deleted credential, no user verification, an unknown user) a
refusal that changes nothing a later sign-in depends on. The passkey client never sends mail."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from laptop.aws import REGION
from passwordless.passkeys.challenges import ChallengeStore
from passwordless.settings import Settings
from tests.integration.test_passkey_registration import call, passkey_items, register
from tests.support.account_api import AccountApi, MakeApi
from tests.support.aws_calls import on_every_session, operation_name
from tests.support.fakes import FakeClock
from tests.support.passkey_stack import (
    ORIGIN,
    TriggerSession,
    answer,
    new_passkey_client,
    passkey_environment,
    recent_claims,
)
from tests.support.soft_authenticator import SoftAuthenticator, unb64url


@dataclass
class Person:
    api: AccountApi
    session: TriggerSession
    username: str
    attributes: dict[str, str]
    authenticator: SoftAuthenticator
    credential_id: str

    def options(self) -> dict[str, Any]:
        answered = self.api.post("/passkeys/sign-in-options", {}, None)
        assert answered.status == 200
        options: dict[str, Any] = answered.body["options"]
        return options

    def sign_in(self, assertion: str, username: str | None = None) -> Any:
        return self.session.sign_in(username or self.username, self.attributes, assertion)

    def log_events(self) -> list[str]:
        return [r.get("security_event", "") for r in self.api.log_records()]

    def log_reasons(self) -> list[str]:
        return [
            r.get("reason", "") for r in self.api.log_records() if r.get("security_event") == "passkey_failed"
        ]


@pytest.fixture
def jane(make_api: MakeApi) -> Person:
    pool = make_api().pool_id
    passkey_client = new_passkey_client(pool)
    api = make_api(**passkey_environment(passkey_client))
    username = api.add_user("jane@example.com")
    authenticator = SoftAuthenticator(ORIGIN)
    added = register(api, recent_claims(api.claims(username)), authenticator)
    assert added.status == 201
    attributes = {"sub": username, "email": "jane@example.com", "email_verified": "true"}
    session = TriggerSession(api.triggers, api.pool_id, passkey_client)
    return Person(api, session, username, attributes, authenticator, added.body["passkey"]["id"])


def sign_count(person: Person) -> int:
    [item] = passkey_items(person.api)
    return int(item[f"c_{person.credential_id}"]["M"]["sign_count"]["N"])


def test_a_usernameless_passkey_sign_in_gets_tokens_moves_the_count_and_sends_no_mail(jane: Person) -> None:
    mail_before = len(jane.api.mail())
    options = jane.options()
    assertion = jane.authenticator.assertion(options)
    # The browser's user handle names the user the page then starts the Cognito session for
    assert unb64url(assertion["response"]["userHandle"]).decode() == jane.username

    signed_in = jane.sign_in(json.dumps(assertion))

    assert (signed_in.correct, signed_in.tokens) == (True, True)
    assert signed_in.public == {"passkey": "1"}  # no credential ids: the browser offers its own
    assert sign_count(jane) == 1
    assert len(jane.api.mail()) == mail_before
    assert "passkey_signed_in" in jane.log_events()
    # The secrets of the ceremony are not in the log
    assert options["challenge"] not in jane.api.log_text()
    assert assertion["response"]["signature"] not in jane.api.log_text()


def test_a_typed_address_signs_in_with_any_of_the_accounts_passkeys(jane: Person) -> None:
    second = SoftAuthenticator(ORIGIN)
    register(jane.api, recent_claims(jane.api.claims(jane.username)), second, "phone")

    # Cognito gives the triggers the username an address is the alias of, as for a user handle.
    with_second = jane.sign_in(answer(second, jane.options()))
    with_first = jane.sign_in(answer(jane.authenticator, jane.options()))

    assert with_second.public == with_first.public == {"passkey": "1"}
    assert with_second.tokens
    assert with_first.tokens


def test_a_replayed_assertion_is_refused(jane: Person) -> None:
    assertion = answer(jane.authenticator, jane.options())
    assert jane.sign_in(assertion).tokens

    replayed = jane.sign_in(assertion)

    assert (replayed.correct, replayed.tokens) == (False, False)
    assert "challenge_spent" in jane.log_reasons() or "possible_clone" in jane.log_reasons()
    assert sign_count(jane) == 1


def test_an_assertion_for_another_origin_or_rp_id_is_refused(jane: Person) -> None:
    options = jane.options()

    wrong_origin = jane.sign_in(answer(jane.authenticator, options, origin="http://localhost:9999"))
    jane.authenticator.credentials[-1].sign_count = 0
    wrong_rp = jane.sign_in(answer(jane.authenticator, options, rp_id="example.com"))

    assert not wrong_origin.correct
    assert not wrong_rp.correct
    assert sign_count(jane) == 0
    # The challenge is still live for the real origin
    jane.authenticator.credentials[-1].sign_count = 0
    assert jane.sign_in(answer(jane.authenticator, options)).tokens


def test_a_cloned_authenticator_whose_count_goes_back_is_refused_and_logged(jane: Person) -> None:
    for _ in range(3):
        assert jane.sign_in(answer(jane.authenticator, jane.options())).tokens
    assert sign_count(jane) == 3
    jane.authenticator.credentials[-1].sign_count = 1  # a copy of the key made after the first use

    cloned = jane.sign_in(answer(jane.authenticator, jane.options()))

    assert not cloned.correct
    assert "possible_clone" in jane.log_events()
    assert sign_count(jane) == 3


def test_an_authenticator_that_keeps_no_count_signs_in_again_and_again(make_api: MakeApi) -> None:
    pool = make_api().pool_id
    passkey_client = new_passkey_client(pool)
    api = make_api(**passkey_environment(passkey_client))
    username = api.add_user("jane@example.com")
    synced = SoftAuthenticator(ORIGIN, counts=False)
    register(api, recent_claims(api.claims(username)), synced)
    session = TriggerSession(api.triggers, pool, passkey_client)
    attributes = {"sub": username, "email": "jane@example.com", "email_verified": "true"}

    for _ in range(2):
        options = api.post("/passkeys/sign-in-options", {}, None).body["options"]
        assert session.sign_in(username, attributes, answer(synced, options)).tokens


def test_without_user_verification_a_passkey_is_refused_when_it_is_required(jane: Person) -> None:
    jane.authenticator.user_verified = False

    refused = jane.sign_in(answer(jane.authenticator, jane.options()))

    assert not refused.correct
    assert sign_count(jane) == 0


def test_a_deleted_passkey_no_longer_signs_in(jane: Person) -> None:
    claims = recent_claims(jane.api.claims(jane.username))
    assert call(jane.api, "DELETE", f"/account/passkeys/{jane.credential_id}", None, claims).status == 200

    refused = jane.sign_in(answer(jane.authenticator, jane.options()))

    assert not refused.correct
    assert "unknown_credential" in jane.log_reasons()


def test_someone_elses_passkey_does_not_sign_in_as_this_user(jane: Person) -> None:
    john = jane.api.add_user("john@example.com")
    johns = SoftAuthenticator(ORIGIN)
    register(jane.api, recent_claims(jane.api.claims(john)), johns)

    as_jane = jane.sign_in(answer(johns, jane.options()))

    assert not as_jane.correct


def test_an_unknown_user_gets_the_same_challenge_the_same_requests_and_no_tokens(jane: Person) -> None:
    # A known user with no passkey, a known user with one, and a name nobody has
    jane.api.add_user("nopasskey@example.com")
    known = jane.session.sign_in("nopasskey@example.com", {"email": "nopasskey@example.com"}, "{}")
    with_passkey = jane.session.sign_in(jane.username, jane.attributes, "{}")
    unknown = jane.session.sign_in("nobody@example.com", None, answer(jane.authenticator, jane.options()))

    assert known.public == with_passkey.public == unknown.public == {"passkey": "1"}
    assert (unknown.correct, unknown.tokens) == (False, False)
    assert jane.api.mail()[1:] == []  # only the registration's notice


def test_create_and_verify_ask_aws_the_same_for_a_known_and_an_unknown_user(make_api: MakeApi) -> None:
    calls: list[str] = []

    def record(model: Any, **_: Any) -> None:
        calls.append(operation_name(model))

    # The functions' sessions are made as they load: each one made here keeps the handler.
    with on_every_session(record):
        pool = make_api().pool_id
        passkey_client = new_passkey_client(pool)
        api = make_api(**passkey_environment(passkey_client))
    username = api.add_user("jane@example.com")
    register(api, recent_claims(api.claims(username)), SoftAuthenticator(ORIGIN))
    session = TriggerSession(api.triggers, pool, passkey_client)
    session.sign_in(username, {"email": "jane@example.com"}, "{}")  # the key is read once, first
    calls.clear()

    session.sign_in(username, {"email": "jane@example.com"}, "{}")
    known, calls[:] = list(calls), []
    session.sign_in("nobody@example.com", None, "{}")

    assert known == calls
    assert known.count("dynamodb:GetItem") == 1  # verify's read of the passkeys (create reads nothing)


@pytest.mark.parametrize(
    "bad",
    ["", "123456", "{", "[" * 4000, json.dumps({"id": 5}), "x" * 5000, "é" * 10, json.dumps({"id": "abc"})],
)
def test_malformed_answers_are_wrong_answers_and_change_nothing(jane: Person, bad: str) -> None:
    before = passkey_items(jane.api)

    refused = jane.sign_in(bad)

    assert (refused.correct, refused.tokens) == (False, False)
    assert passkey_items(jane.api) == before


def test_the_web_client_still_emails_and_refuses_an_assertion(jane: Person, make_api: MakeApi) -> None:
    web = TriggerSession(jane.api.triggers, jane.api.pool_id, jane.api.client_id)

    emailed = web.sign_in(jane.username, jane.attributes, answer(jane.authenticator, jane.options()))

    assert not emailed.correct
    assert "codeLength" in emailed.public
    assert jane.api.mail()[-1]["to"] == "jane@example.com"
    assert "sign" in jane.api.mail()[-1]["subject"].lower()


def test_a_challenge_works_once_and_not_after_its_lifetime(aws: Settings, clock: FakeClock) -> None:
    challenges = ChallengeStore(
        boto3.client("dynamodb", region_name=REGION), aws.table_name, lifetime_seconds=120, clock=clock
    )
    spent_once, expired = challenges.issue("sign-in"), challenges.issue("sign-in")
    registration = challenges.issue("register", "pool#jane")

    assert challenges.spend(spent_once, "sign-in")
    assert not challenges.spend(spent_once, "sign-in")
    # Another purpose, or another owner, spends nothing
    assert not challenges.spend(registration, "sign-in")
    assert not challenges.spend(registration, "register", "pool#john")
    clock.advance(120)
    assert not challenges.spend(expired, "sign-in")
    assert not challenges.spend(registration, "register", "pool#jane")
    assert not challenges.spend(b"short", "sign-in")
