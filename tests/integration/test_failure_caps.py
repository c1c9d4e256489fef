"""docs/security/requirements.md #6 failure caps per user across sessions (atomic), #7 the code locks, the
link does not, #8 resend and new sessions never reset the count."""

from __future__ import annotations

import threading

import boto3

from passwordless.binding import Binding
from passwordless.secret_store import item_key
from tests.support.cognito import CLIENT_ID, POOL_ID, Outcome
from tests.support.flow import JANE, Flow


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def failures(flow: Flow) -> int:
    client = boto3.client("dynamodb", region_name="us-east-1")
    key = item_key(Binding(POOL_ID, CLIENT_ID, JANE.username))
    item = client.get_item(TableName=flow.settings.table_name, Key={"pk": {"S": key}})["Item"]
    return int(item.get("code_failures", {"N": "0"})["N"])


def test_a_session_fails_after_its_wrong_answer_cap(flow: Flow) -> None:
    outcome = flow.cognito.initiate_auth(JANE.email)
    bad = wrong(flow.code())
    for _ in range(flow.settings.max_answers_per_session - 1):
        outcome = flow.cognito.respond(outcome, bad)
        assert outcome.kind == "challenge"
    assert flow.cognito.respond(outcome, bad).kind == "failed"


def test_guesses_spread_over_many_sessions_never_pass_the_user_cap(flow: Flow) -> None:
    flow.cognito.initiate_auth(JANE.email)
    code = flow.code()
    # Given 40 sessions each making wrong guesses until Cognito fails them
    for _ in range(40):
        outcome = flow.cognito.initiate_auth(JANE.email)
        while outcome.kind == "challenge":
            outcome = flow.cognito.respond(outcome, wrong(code))
    assert failures(flow) == 40 * flow.settings.max_answers_per_session
    # Then the right code no longer works in any session ...
    assert flow.cognito.respond(flow.cognito.initiate_auth(JANE.email), code).kind == "challenge"
    # ... while the 192-bit link still signs Jane in, and resets the count
    assert flow.cognito.respond(flow.cognito.initiate_auth(JANE.email), flow.token()).kind == "tokens"
    assert failures(flow) == 0
    assert len(flow.log.events("locked")) == 1


def test_the_code_locks_exactly_at_the_cap(flow: Flow) -> None:
    flow.cognito.initiate_auth(JANE.email)
    code = flow.code()
    for _ in range(flow.settings.max_code_failures - 1):
        flow.cognito.respond(flow.cognito.initiate_auth(JANE.email), wrong(code))
    # One failure short of the cap the code still works ...
    assert failures(flow) == flow.settings.max_code_failures - 1
    assert flow.cognito.respond(flow.cognito.initiate_auth(JANE.email), code).kind == "tokens"


def test_concurrent_wrong_guesses_are_all_counted(flow: Flow) -> None:
    flow.cognito.initiate_auth(JANE.email)
    code = flow.code()
    sessions = [flow.cognito.initiate_auth(JANE.email) for _ in range(30)]
    barrier = threading.Barrier(len(sessions))
    results: list[str] = []

    def guess(session: Outcome) -> None:
        barrier.wait()
        results.append(flow.cognito.respond(session, wrong(code)).kind)

    threads = [threading.Thread(target=guess, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures(flow) == 30
    assert "tokens" not in results
    assert flow.cognito.respond(flow.cognito.initiate_auth(JANE.email), code).kind == "challenge"


def test_wrong_resend_wrong_still_locks(flow: Flow) -> None:
    outcome = flow.cognito.initiate_auth(JANE.email)
    # wrong, resend, wrong, resend ... across sessions, with each resend issuing a fresh code
    for _ in range(flow.settings.max_code_failures):
        if outcome.kind != "challenge":
            outcome = flow.cognito.initiate_auth(JANE.email)
        outcome = flow.cognito.respond(outcome, wrong(flow.code()))
        if outcome.kind != "challenge":
            outcome = flow.cognito.initiate_auth(JANE.email)
        flow.clock.advance(flow.settings.resend_min_seconds)
        outcome = flow.cognito.respond(outcome, "resend", {"resend": "true"})
    assert len(flow.sender.sent) > 1, "resends issued fresh secrets"
    assert failures(flow) == flow.settings.max_code_failures
    # The newest code, never guessed, is refused: resends did not reset the count
    fresh = flow.cognito.initiate_auth(JANE.email)
    assert flow.cognito.respond(fresh, flow.code()).kind == "challenge"
    assert flow.cognito.respond(flow.cognito.initiate_auth(JANE.email), flow.token()).kind == "tokens"


def test_malformed_answers_are_not_counted_and_change_nothing(flow: Flow) -> None:
    outcome = flow.cognito.initiate_auth(JANE.email)
    for junk in ["", "abc", "1" * 300, "\udc80\udc81", "12345", "\uff11\uff12\uff13\uff14\uff15\uff16"]:
        outcome = flow.cognito.respond(outcome, junk)
        if outcome.kind != "challenge":
            outcome = flow.cognito.initiate_auth(JANE.email)
    assert failures(flow) == 0
    assert flow.cognito.respond(outcome, flow.code()).kind == "tokens"
