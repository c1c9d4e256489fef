"""docs/security/requirements.md #3 and #6-#7 under load, through the local stack: fifty people (or one
attacker with fifty sessions) racing for one secret. The caller sees boto3's answers; the verdict is read back
from the stored item."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.attacks import (
    all_at_once,
    answer,
    attack_client,
    code_failures,
    initiate,
    open_sessions,
    stored_item,
    wrong_code,
)
from tests.support.local_stack import JANE_EMAIL, RunningStack, start_stack

RACERS = 50
INCORRECT = "Incorrect username or password."


@pytest.fixture
def one_shot_stack(tmp_path: Path) -> Iterator[RunningStack]:
    """One answer per session, so a refused redemption ends its session with Cognito's
    NotAuthorizedException (as a clicked link's does) instead of offering a retry round."""
    yield from start_stack(tmp_path, RESEND_MIN_SECONDS="0", MAX_ANSWERS_PER_SESSION="1")


@pytest.mark.slow
def test_fifty_parallel_redemptions_of_one_link_sign_in_exactly_once(one_shot_stack: RunningStack) -> None:
    stack = one_shot_stack
    idp = attack_client(stack)
    assert initiate(idp, stack, JANE_EMAIL).challenged
    [mail] = stack.mail()
    issued = stored_item(stack, stack.jane)
    sessions = open_sessions(idp, stack, JANE_EMAIL, RACERS)

    outcomes = all_at_once(lambda session: answer(idp, stack, session, mail.link_token), sessions)

    winners = [outcome for outcome in outcomes if outcome.signed_in]
    losers = [outcome for outcome in outcomes if not outcome.signed_in]
    assert len(winners) == 1
    assert {(o.error, o.message) for o in losers} == {("NotAuthorizedException", INCORRECT)}
    assert len(losers) == RACERS - 1
    # The winner's tokens are Jane's.
    access = winners[0].response["AuthenticationResult"]["AccessToken"]
    assert {"Name": "email", "Value": JANE_EMAIL} in idp.get_user(AccessToken=access)["UserAttributes"]
    # Stored: the one secret that was issued is spent; the 49 replays of a right token counted as no
    # guess, and no session's InitiateAuth sent another email.
    spent = stored_item(stack, stack.jane)
    assert spent["secret_id"] == issued["secret_id"]
    assert "consumed_ms" not in issued
    assert "consumed_ms" in spent
    assert code_failures(stack, stack.jane) == 0
    assert len(stack.mail()) == 1


@pytest.fixture(
    params=[
        pytest.param("5", id="default-cap-5"),
        # A user cap the race reaches only on its last guess: the lock must land exactly on the
        # fiftieth concurrent wrong code, so no guess may be lost to a write race.
        pytest.param("50", id="cap-50"),
    ]
)
def capped_stack(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[RunningStack]:
    yield from start_stack(tmp_path, RESEND_MIN_SECONDS="0", MAX_CODE_FAILURES=request.param)


@pytest.mark.slow
def test_fifty_concurrent_wrong_codes_are_all_counted_and_lock_the_code(capped_stack: RunningStack) -> None:
    stack = capped_stack
    # One guess per session: the per-session cap (3) then never refuses a guess before verify sees it.
    idp = attack_client(stack)
    assert initiate(idp, stack, JANE_EMAIL).challenged
    [mail] = stack.mail()
    sessions = open_sessions(idp, stack, JANE_EMAIL, RACERS)

    outcomes = all_at_once(
        lambda pair: answer(idp, stack, pair[1], wrong_code(mail.code, pair[0] + 1)),
        list(enumerate(sessions)),
    )

    assert not any(outcome.signed_in for outcome in outcomes)
    # Each session had answers left, so each wrong code got a fresh round, not an error.
    assert all(outcome.challenged for outcome in outcomes)
    # Every guess is counted, the ones past the cap too: the counter is the number of guesses.
    assert code_failures(stack, stack.jane) == RACERS
    # Past the cap the right code fails, in a fresh session and in a raced one ...
    assert answer(idp, stack, initiate(idp, stack, JANE_EMAIL), mail.code).challenged
    assert answer(idp, stack, outcomes[0], mail.code).challenged
    assert "consumed_ms" not in stored_item(stack, stack.jane)
    # ... while the link still signs Jane in (docs/security/requirements.md #7) and starts the count again.
    assert answer(idp, stack, initiate(idp, stack, JANE_EMAIL), mail.link_token).signed_in
    assert code_failures(stack, stack.jane) == 0
    assert len(stack.mail()) == 1
