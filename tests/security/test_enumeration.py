"""docs/security/requirements.md #10-#11 through the local stack: every step of a sign-in answers an unknown
address exactly as it answers a known one, field by field and header by header. Only values that differ
between any two calls (Session strings, request ids, dates) and the USERNAME stand-in are normalised; their
shapes are compared instead.

Timing: tests/integration/test_enumeration_timing.py measures the medians in-process, and that is
where the measurement belongs. Over HTTP both kinds of request take the same transport and the same
handler code; what decides their timing is create's response pacer, which the in-process test
exercises with a provider of fixed latency. The HTTP layer only adds tens of milliseconds of
scheduling noise on a shared 2-core machine, which would make a 10 % median bound flaky without
making it prove anything more."""

from __future__ import annotations

import re
from typing import Any

from tests.support.attacks import Outcome, answer, attack_client, initiate, stored_item, wrong_code
from tests.support.local_stack import JANE_EMAIL, RunningStack

STRANGER = "jill@example.com"  # masks to the same j•••@example.com as jane@example.com
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
SESSION = re.compile(r"[A-Za-z0-9_-]{200,}")
VOLATILE_HEADERS = {"x-amzn-requestid", "date"}
TOKEN_SHAPED = "A" * 43  # a link token's length and alphabet, and nobody's token


def normalised(outcome: Outcome) -> dict[str, Any]:
    """The outcome with per-call values replaced by their shape; everything else kept verbatim."""
    response = {key: value for key, value in outcome.response.items() if key != "ResponseMetadata"}
    if "Session" in response:
        assert SESSION.fullmatch(response["Session"]), "an opaque session string"
        response["Session"] = "<session>"
    parameters = dict(response.get("ChallengeParameters", {}))
    if "USERNAME" in parameters:
        assert UUID4.fullmatch(parameters["USERNAME"]), "a pool username, never the address typed"
        parameters["USERNAME"] = "<uuid>"
        response["ChallengeParameters"] = parameters
    return {"response": response, "error": outcome.error, "message": outcome.message}


def walk(stack: RunningStack, login: str, code_guess: str) -> list[dict[str, Any]]:
    """A whole session: ask, a wrong code, a well-formed wrong link token, resend, a wrong code
    (the per-session cap then ends it). Each step as the client saw it, with the HTTP layer."""
    idp = attack_client(stack)
    seen: list[dict[str, Any]] = []

    def hear(response_dict: dict[str, Any], **_: Any) -> None:
        headers = {k.lower(): v for k, v in response_dict["headers"].items()}
        seen.append(
            {
                "status": response_dict["status_code"],
                "headers": {k: ("<volatile>" if k in VOLATILE_HEADERS else v) for k, v in headers.items()},
            }
        )

    idp.meta.events.register("before-parse.cognito-idp.*", hear)
    steps = [initiate(idp, stack, login)]
    steps.append(answer(idp, stack, steps[-1], code_guess))
    steps.append(answer(idp, stack, steps[-1], TOKEN_SHAPED))
    steps.append(answer(idp, stack, steps[-1], "resend", {"resend": "true"}))
    steps.append(answer(idp, stack, steps[-1], code_guess))
    assert len(seen) == len(steps)
    return [{**normalised(step), **http} for step, http in zip(steps, seen, strict=True)]


def test_known_and_unknown_addresses_get_identical_answers_at_every_step(local_stack: RunningStack) -> None:
    stack = local_stack
    stack.initiate(JANE_EMAIL)  # so a wrong guess for Jane is known to be wrong
    guess = wrong_code(stack.mail()[0].code)

    known = walk(stack, JANE_EMAIL, guess)
    unknown = walk(stack, STRANGER, guess)

    for step, (for_known, for_unknown) in enumerate(zip(known, unknown, strict=True)):
        assert for_known == for_unknown, f"step {step} tells the two apart"
    # The walk did reach every kind of answer: challenges, then the session's end.
    assert [bool(s["response"].get("ChallengeName")) for s in known] == [True, True, True, True, False]
    assert known[-1]["error"] == "NotAuthorizedException"
    assert known[0]["response"]["ChallengeParameters"]["email"] == "j\u2022\u2022\u2022@example.com"
    # Same answers, different truth: Jane was emailed (first request and resend), the stranger never.
    assert [mail.to for mail in stack.mail()] == [JANE_EMAIL, JANE_EMAIL]
    assert stored_item(stack, stack.jane)
    dynamodb = stack.stack.client("dynamodb")
    [table] = dynamodb.list_tables()["TableNames"]
    assert dynamodb.scan(TableName=table)["Count"] == 1, "nothing stored for the stranger"


def test_the_stand_in_username_is_stable_per_address_and_unlike_any_other(local_stack: RunningStack) -> None:
    idp = attack_client(local_stack)
    first, again = initiate(idp, local_stack, STRANGER), initiate(idp, local_stack, STRANGER.upper())
    other = initiate(idp, local_stack, "jim@example.com")

    def name(outcome: Outcome) -> str:
        return str(outcome.response["ChallengeParameters"]["USERNAME"])

    # A real account answers with the same pool username every time, whatever the capitals; a
    # stand-in that changed per request (or matched another stranger's) would mark the address unknown.
    assert name(first) == name(again)
    assert name(first) != name(other)
    assert name(initiate(idp, local_stack, JANE_EMAIL)) == name(
        initiate(idp, local_stack, JANE_EMAIL.upper())
    )
