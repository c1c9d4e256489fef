"""docs/security/requirements.md #6-#8 against a guessing attack through the local stack: well over a hundred
wrong codes from dozens of sessions, each session guessing until Cognito ends it and then once more."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

from passwordless.settings import Settings
from tests.support.attacks import Outcome, answer, attack_client, code_failures, initiate, stored_item
from tests.support.local_stack import JANE_EMAIL, RunningStack

SESSIONS = 45
ATTACKERS = 8  # threads: parallel enough to race, few enough for a 2-core machine


@dataclass(frozen=True)
class Tally:
    sent: int  # guesses the attacker sent
    verified: int  # guesses that reached verify (the session was live)
    refused: int  # guesses Cognito refused before verify: the session was already over
    signed_in: int


def guess_until_refused(idp: Any, stack: RunningStack, avoid: str) -> Tally:
    """One session: random wrong codes until the session fails, then one more on the dead session."""
    session = initiate(idp, stack, JANE_EMAIL)
    verified = signed_in = 0
    outcome: Outcome = session
    while outcome.challenged:
        session = outcome
        guess = avoid
        while guess == avoid:  # the attack must fail by the caps, never by luck
            guess = f"{secrets.randbelow(10**6):06d}"
        outcome = answer(idp, stack, session, guess)
        verified += 1
        signed_in += outcome.signed_in
    assert (outcome.error, outcome.message) == ("NotAuthorizedException", "Incorrect username or password.")
    replay = answer(idp, stack, session, "123456")
    assert replay.error == "NotAuthorizedException"
    assert replay.message.startswith("Invalid session for the user")
    return Tally(verified + 1, verified, 1, signed_in)


@pytest.mark.slow
def test_a_hundred_wrong_codes_from_many_sessions_lock_the_code_but_not_the_link(
    local_stack: RunningStack,
) -> None:
    stack = local_stack
    idp = attack_client(stack)
    assert initiate(idp, stack, JANE_EMAIL).challenged
    [mail] = stack.mail()

    with ThreadPoolExecutor(max_workers=ATTACKERS) as pool:
        tallies = list(pool.map(lambda _: guess_until_refused(idp, stack, mail.code), range(SESSIONS)))

    sent = sum(t.sent for t in tallies)
    verified = sum(t.verified for t in tallies)
    refused = sum(t.refused for t in tallies)
    counted = code_failures(stack, stack.jane)
    print(f"brute force: {sent} guesses over {SESSIONS} sessions; {counted} counted, {refused} refused")
    assert sum(t.signed_in for t in tallies) == 0
    assert verified >= 100
    # Every guess verify saw is in the stored counter; none of the refused ones is.
    assert counted == verified == SESSIONS * Settings.from_env().max_answers_per_session
    assert refused == SESSIONS
    # Locked: the right code now fails, and spends nothing ...
    assert answer(idp, stack, initiate(idp, stack, JANE_EMAIL), mail.code).challenged
    assert "consumed_ms" not in stored_item(stack, stack.jane)
    assert code_failures(stack, stack.jane) == counted
    # ... the link still signs Jane in, and the whole attack cost her one email.
    assert answer(idp, stack, initiate(idp, stack, JANE_EMAIL), mail.link_token).signed_in
    assert len(stack.mail()) == 1
