"""docs/security/requirements.md #2 lifetime in code, #3 single use under concurrency, #4 one live secret, #5
binding, #13 only keyed hashes at rest."""

from __future__ import annotations

import threading
from typing import Any

import boto3

from passwordless.binding import Binding
from passwordless.keyed_hash import KeyedHasher
from passwordless.secret_store import SecretStore, item_key
from passwordless.settings import Settings
from passwordless.trigger_requests import parse_verify
from tests.support.cognito import CLIENT_ID, OTHER_CLIENT_ID, POOL_ID, Outcome
from tests.support.fakes import RecordingSender
from tests.support.flow import JANE, JOHN, Flow, build_flow


def stored_item(flow: Flow, username: str) -> dict[str, Any]:
    client = boto3.client("dynamodb", region_name="us-east-1")
    key = item_key(Binding(POOL_ID, CLIENT_ID, username))
    return client.get_item(TableName=flow.settings.table_name, Key={"pk": {"S": key}}).get("Item", {})


def test_expiry_is_checked_in_code_while_the_item_still_exists(flow: Flow) -> None:
    asked = flow.cognito.initiate_auth(JANE.email)
    # Given the clock one second past the lifetime (DynamoDB TTL has not deleted anything)
    flow.clock.advance(flow.settings.secret_lifetime_seconds + 1)
    assert stored_item(flow, JANE.username), "the item is still there"
    # Then neither the code nor the link works
    assert flow.cognito.respond(asked, flow.code()).kind == "challenge"
    fresh = flow.cognito.initiate_auth(JANE.email)
    assert flow.cognito.respond(fresh, flow.token(0)).kind == "challenge"


def test_one_second_before_expiry_still_works(flow: Flow) -> None:
    asked = flow.cognito.initiate_auth(JANE.email)
    flow.clock.advance(flow.settings.secret_lifetime_seconds - 1)
    assert flow.cognito.respond(asked, flow.code()).kind == "tokens"


def test_parallel_redemptions_of_one_link_succeed_exactly_once(flow: Flow) -> None:
    flow.cognito.initiate_auth(JANE.email)
    token = flow.token()
    sessions = [flow.cognito.initiate_auth(JANE.email) for _ in range(20)]
    assert len(flow.sender.sent) == 1
    results: list[str] = []
    barrier = threading.Barrier(len(sessions))

    def redeem(session: Any) -> None:
        barrier.wait()
        results.append(flow.cognito.respond(session, token).kind)

    threads = [threading.Thread(target=redeem, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("tokens") == 1
    assert "consumed_ms" in stored_item(flow, JANE.username)


def test_a_newer_secret_voids_the_older_one(flow: Flow) -> None:
    first = flow.cognito.initiate_auth(JOHN.email)
    flow.clock.advance(flow.settings.resend_min_seconds)
    flow.cognito.respond(first, "resend", {"resend": "true"})
    assert len(flow.sender.sent) == 2
    # The first link, in a session whose private parameters still carry the first secret, is rejected
    # by the conditional write: the stored secret id is the second one's.
    stale_event = next(e for t, e in flow.cognito.events if t == "create:response")
    verify = {**stale_event, "triggerSource": "VerifyAuthChallengeResponse_Authentication"}
    verify["request"] = {
        "userAttributes": stale_event["request"]["userAttributes"],
        "privateChallengeParameters": stale_event["response"]["privateChallengeParameters"],
        "challengeAnswer": flow.token(0),
        "userNotFound": False,
    }
    assert flow.checker.check(parse_verify(verify)) is False
    fresh = flow.cognito.initiate_auth(JOHN.email)
    assert flow.cognito.respond(fresh, flow.token(0)).kind == "challenge"
    assert flow.cognito.respond(fresh, flow.token(1)).kind == "tokens"


def test_a_secret_works_only_for_its_user(flow: Flow) -> None:
    flow.cognito.initiate_auth(JANE.email)
    jane_token, jane_code = flow.token(), flow.code()
    john = flow.cognito.initiate_auth(JOHN.email)
    john_code = flow.code()
    assert flow.cognito.respond(john, jane_token).kind == "challenge"
    if jane_code != john_code:  # one chance in a million that both drew the same digits
        assert flow.cognito.respond(john, jane_code).kind == "challenge"


def test_a_secret_works_only_through_its_app_client(flow: Flow) -> None:
    flow.cognito.initiate_auth(JANE.email)
    token = flow.token()
    # Same user, another app client: Jane's private parameters, answered under the other client id.
    create = next(e for t, e in flow.cognito.events if t == "create:response")
    verify = {
        **create,
        "callerContext": {"awsSdkVersion": "x", "clientId": OTHER_CLIENT_ID},
        "triggerSource": "VerifyAuthChallengeResponse_Authentication",
        "request": {
            "userAttributes": create["request"]["userAttributes"],
            "privateChallengeParameters": create["response"]["privateChallengeParameters"],
            "challengeAnswer": token,
            "userNotFound": False,
        },
    }
    assert flow.checker.check(parse_verify(verify)) is False
    # And a session started through the other client cannot spend it either.
    other = flow.cognito.initiate_auth(JANE.email, client_id=OTHER_CLIENT_ID)
    assert flow.cognito.respond(other, token).kind == "challenge"
    # The original client still can.
    assert flow.cognito.respond(flow.cognito.initiate_auth(JANE.email), token).kind == "tokens"


def test_only_keyed_hashes_are_stored(flow: Flow) -> None:
    asked = flow.cognito.initiate_auth(JANE.email)
    flow.cognito.respond(asked, "000000" if flow.code() != "000000" else "111111")
    item = stored_item(flow, JANE.username)
    stored_text = repr(item)
    assert flow.code() not in stored_text
    assert flow.token() not in stored_text
    assert JANE.email not in stored_text
    assert len(item["code_hash"]["S"]) == 64
    assert len(item["token_hash"]["S"]) == 64


def test_concurrent_first_requests_send_one_email(
    aws: Settings, store: SecretStore, hasher: KeyedHasher
) -> None:
    # Ten devices ask for John at once while the provider takes its time: one secret, one email.
    flow = build_flow(aws, store, hasher, sender=RecordingSender(latency=0.2))
    barrier = threading.Barrier(10)
    outcomes: list[Outcome] = []

    def ask() -> None:
        barrier.wait()
        outcomes.append(flow.cognito.initiate_auth(JOHN.email))

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(flow.sender.sent) == 1
    assert {o.session.private["secretId"] for o in outcomes} == {
        stored_item(flow, JOHN.username)["secret_id"]["S"]
    }
    assert flow.cognito.respond(outcomes[3], flow.code()).kind == "tokens"
