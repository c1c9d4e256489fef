"""docs/security/requirements.md #9 the send throttle is silent, #10 unknown users look like known ones."""

from __future__ import annotations

import re

import boto3

from passwordless.binding import Binding
from passwordless.keyed_hash import KeyedHasher
from passwordless.secret_store import SecretStore, item_key
from passwordless.settings import Settings
from tests.support.cognito import CLIENT_ID, POOL_ID, Outcome, User
from tests.support.flow import JANE, JOHN, Flow, build_flow

PRIVATE_SHAPE = {
    "v": re.compile(r"1"),
    "secretId": re.compile(r"[0-9a-f]{32}"),
    "tokenHash": re.compile(r"[0-9a-f]{64}"),
    "codeHash": re.compile(r"[0-9a-f]{64}"),
    "expiresMs": re.compile(r"[0-9]{13}"),
}


def shape(parameters: dict[str, str]) -> dict[str, str]:
    return {
        key: next(k for k, p in PRIVATE_SHAPE.items() if p.fullmatch(value))
        for key, value in parameters.items()
    }


def test_a_resend_inside_the_gap_sends_nothing_and_looks_the_same(flow: Flow) -> None:
    asked = flow.cognito.initiate_auth(JOHN.email)
    first_public = dict(asked.public)
    # When John asks again 10 s later (inside the 60 s gap)
    flow.clock.advance(10)
    again = flow.cognito.respond(asked, "resend", {"resend": "true"})
    # Then no provider call is made, and the answer is the same as an accepted resend's
    assert flow.sender.attempts == 1
    assert again.kind == "challenge"
    assert again.public == first_public
    assert set(again.session.private) == set(PRIVATE_SHAPE)
    # The live secret keeps working
    assert flow.cognito.respond(again, flow.code()).kind == "tokens"
    assert len(flow.log.events("throttled")) == 1


def test_the_hourly_cap_holds_even_with_the_gap_respected(flow: Flow) -> None:
    outcome = flow.cognito.initiate_auth(JOHN.email)
    for _ in range(flow.settings.max_emails_per_hour + 3):
        flow.clock.advance(flow.settings.resend_min_seconds + 1)
        if outcome.kind != "challenge":
            outcome = flow.cognito.initiate_auth(JOHN.email)
        outcome = flow.cognito.respond(outcome, "resend", {"resend": "true"})
    assert len(flow.sender.sent) == flow.settings.max_emails_per_hour
    # An hour after the first email, sending resumes
    flow.clock.advance(3600)
    if outcome.kind != "challenge":
        outcome = flow.cognito.initiate_auth(JOHN.email)
    flow.cognito.respond(outcome, "resend", {"resend": "true"})
    assert len(flow.sender.sent) == flow.settings.max_emails_per_hour + 1


def ask_again(flow: Flow, outcome: Outcome) -> Outcome:
    """Request another email: a resend in the session, or in a new one once the session is used up."""
    if outcome.kind != "challenge":
        outcome = flow.cognito.initiate_auth(JOHN.email)
    return flow.cognito.respond(outcome, "resend", {"resend": "true"})


def johns_log(flow: Flow) -> list[int]:
    key = {"pk": {"S": item_key(Binding(POOL_ID, CLIENT_ID, JOHN.username))}}
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    item = dynamodb.get_item(TableName=flow.settings.table_name, Key=key, ConsistentRead=True)["Item"]
    return [int(entry["N"]) for entry in item["email_times_ms"]["L"]]


def test_the_cap_is_per_rolling_hour_not_per_window(
    aws: Settings, store: SecretStore, hasher: KeyedHasher
) -> None:
    """Cap emails spread over the hour: the next waits until the oldest leaves the hour, and then
    only one more goes out, since the others are still inside it. (One session asks for them all.)"""
    flow = build_flow(aws, store, hasher, max_resends_per_session=20)
    cap = flow.settings.max_emails_per_hour
    assert cap == 5
    start = flow.clock.now
    outcome = flow.cognito.initiate_auth(JOHN.email)
    for minute in (15, 30, 45, 55):
        flow.clock.now = start + minute * 60
        outcome = ask_again(flow, outcome)
    assert len(flow.sender.sent) == cap
    # A fixed window opened by the first email would close at start + 3600 and take 5 more
    flow.clock.now = start + 3599
    outcome = ask_again(flow, outcome)
    assert len(flow.sender.sent) == cap, "the first email is still inside the hour"
    flow.clock.now = start + 3600
    outcome = ask_again(flow, outcome)
    assert len(flow.sender.sent) == cap + 1, "the first email has left the hour: room for one"
    minutes = [15, 30, 45, 55]
    assert johns_log(flow) == [int((start + s) * 1000) for s in (3600, *(m * 60 for m in reversed(minutes)))]
    for seconds in (3600 + 61, 3600 + 600, 15 * 60 + 3599):
        flow.clock.now = start + seconds
        outcome = ask_again(flow, outcome)
        assert len(flow.sender.sent) == cap + 1, "five emails are inside the hour"
    flow.clock.now = start + 15 * 60 + 3600
    ask_again(flow, outcome)
    assert len(flow.sender.sent) == cap + 2, "the second email has left the hour"
    assert len(flow.log.events("throttled")) == 4


def test_unknown_users_get_the_same_shapes_no_email_and_nothing_stored(flow: Flow) -> None:
    known = flow.cognito.initiate_auth(JANE.email)
    unknown = flow.cognito.initiate_auth("jack@example.com")
    # Same outcome kind and public parameters of the same shape (masked address, code length)
    assert unknown.kind == known.kind == "challenge"
    assert unknown.public == {"email": "j\u2022\u2022\u2022@example.com", "codeLength": "6"}
    assert unknown.public == known.public
    # Private parameters are non-empty and shaped like real ones
    assert shape(unknown.session.private) == shape(known.session.private)
    assert unknown.session.metadata.split(":")[:2] == known.session.metadata.split(":")[:2]
    # No email went to the unknown address; wrong answers and even "right-looking" ones fail
    assert [m.to for m in flow.sender.sent] == [JANE.email]
    outcome = unknown
    for answer in ["123456", "A" * 32, "resend"]:
        outcome = flow.cognito.respond(outcome, answer)
    assert outcome.kind == "failed"
    table = boto3.client("dynamodb", region_name="us-east-1").scan(TableName=flow.settings.table_name)
    assert len(table["Items"]) == 1, "only Jane's item exists"


def test_unknown_user_answers_fail_like_wrong_ones(flow: Flow) -> None:
    known = flow.cognito.initiate_auth(JANE.email)
    unknown = flow.cognito.initiate_auth("nobody@example.org")
    after_known = flow.cognito.respond(known, "000001")
    after_unknown = flow.cognito.respond(unknown, "000001")
    assert after_known.kind == after_unknown.kind == "challenge"
    assert after_unknown.public["codeLength"] == after_known.public["codeLength"]


def test_a_user_without_an_email_attribute_is_treated_as_unknown(flow: Flow) -> None:
    class NoEmail(User):
        def attributes(self) -> dict[str, str]:
            return {"sub": self.username}

    flow.cognito.users["phone-only"] = NoEmail("phone-only-user", "phone-only")
    outcome = flow.cognito.initiate_auth("phone-only")
    assert outcome.kind == "challenge"
    assert outcome.public == {"email": "", "codeLength": "6"}
    assert flow.sender.sent == []


def test_a_successful_sign_in_lifts_the_gap_but_not_the_hourly_cap(flow: Flow) -> None:
    # Jane signs in, signs out, and asks again at once: proving the mailbox earns a fresh email now
    asked = flow.cognito.initiate_auth(JANE.email)
    assert flow.cognito.respond(asked, flow.code()).kind == "tokens"
    again = flow.cognito.initiate_auth(JANE.email)
    assert len(flow.sender.sent) == 2
    assert flow.cognito.respond(again, flow.code()).kind == "tokens"
    # ... but never more than the hourly cap, however often she signs in
    for _ in range(flow.settings.max_emails_per_hour):
        outcome = flow.cognito.initiate_auth(JANE.email)
        flow.cognito.respond(outcome, flow.code())
    assert len(flow.sender.sent) == flow.settings.max_emails_per_hour
