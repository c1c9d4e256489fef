"""docs/security/requirements.md #20 through the real define Lambda (functions/define_auth_challenge/app.py,
loaded as Lambda loads it): over arbitrary session lists, tokens only for an honest session ending in a
correct answer, never an exception, never a pre-filled `issueTokens: true` kept.

An honest session is what our create and verify can make Cognito record: every entry our
CUSTOM_CHALLENGE with our round metadata and one session nonce, every answer but the last wrong (a
right one ends the session), and the caps holding up to the last answer, since define would have
failed the session the moment they broke. The last answer must be correct, not a resend request,
and the user must exist. (tests/unit/test_session_rules.py covers the rule function directly.)"""

from __future__ import annotations

import contextlib
import copy
import io
import re
from collections.abc import Callable
from typing import Any

import hypothesis
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from laptop.aws import environment, local_environment
from laptop.handlers import load_handler
from laptop.invoke import LambdaContextStandIn
from laptop.local_stack.trigger_events import trigger_event
from passwordless.define_trigger import respond_to_define
from passwordless.security_events import SecurityLog
from passwordless.session_rules import SessionLimits
from tests.support.cognito import CLIENT_ID, POOL_ID
from tests.support.fakes import RecordingLogger
from tests.support.flow import JANE

MAX_WRONG, MAX_RESENDS = 3, 2
MAX_FIELD = 2048  # events.MAX_FIELD_LENGTH: Cognito's own fields are far shorter
MAX_ENTRIES = 64  # events.MAX_SESSION_ENTRIES
OURS = re.compile(r"EMAIL_SIGN_IN:(first|retry|resend):(.*)", re.DOTALL)
Define = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture(scope="module")
def define(tmp_path_factory: pytest.TempPathFactory) -> Define:
    env = local_environment(
        tmp_path_factory.mktemp("outbox"),
        MAX_ANSWERS_PER_SESSION=str(MAX_WRONG),
        MAX_RESENDS_PER_SESSION=str(MAX_RESENDS),
    )
    # Powertools binds its log stream at import: import under the redirect, keep the lines off stdout.
    with environment(env), contextlib.redirect_stdout(io.StringIO()):
        handler = load_handler("define_auth_challenge")
    context = LambdaContextStandIn.for_function("define_auth_challenge")
    return lambda event: handler(event, context)


# ---- an independent statement of when define may issue tokens ----------------------------------


def deserves_tokens(event: dict[str, Any], *, max_wrong: int, max_resends: int) -> bool:
    request = event["request"]
    session = request.get("session", [])
    if not _a_plain_answer(event) or not isinstance(session, list) or not 1 <= len(session) <= MAX_ENTRIES:
        return False
    rounds = [_our_round(entry) for entry in session]
    if any(r is None for r in rounds) or len({r[1] for r in rounds if r}) != 1:
        return False
    if [entry["challengeResult"] for entry in session] != [False] * (len(session) - 1) + [True]:
        return False
    resends_before = sum(r is not None and r[0] == "resend" for r in rounds[1:])
    wrong_before = len(session) - 1 - resends_before
    return resends_before <= max_resends and wrong_before < max_wrong


def _a_plain_answer(event: dict[str, Any]) -> bool:
    """A well-formed call for a user who exists, with no resend request (which is never an answer)."""
    request = event["request"]
    client_metadata = request.get("clientMetadata")
    well_formed = client_metadata is None or (
        isinstance(client_metadata, dict)
        and all(
            isinstance(k, str) and isinstance(v, str) and len(v) <= MAX_FIELD
            for k, v in client_metadata.items()
        )
    )
    return (
        well_formed
        and (client_metadata or {}).get("resend") != "true"
        and request.get("userNotFound", False) is False
        and isinstance(event.get("response", {}), dict)
    )


def _our_round(entry: object) -> tuple[str, str] | None:
    """(kind, nonce) for an entry our create could have produced, else None."""
    if not isinstance(entry, dict) or entry.get("challengeName") != "CUSTOM_CHALLENGE":
        return None
    if not isinstance(entry.get("challengeResult"), bool):
        return None
    metadata = entry.get("challengeMetadata")
    match = OURS.fullmatch(metadata) if isinstance(metadata, str) and len(metadata) <= MAX_FIELD else None
    if match is None or not match.group(2).isalnum():
        return None
    return match.group(1), match.group(2)


# ---- strategies ---------------------------------------------------------------------------------

any_text = st.text(st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=30)
huge_text = st.integers(MAX_FIELD - 30, MAX_FIELD + 500).map(lambda n: "EMAIL_SIGN_IN:retry:" + "a" * n)
names = st.sampled_from(["CUSTOM_CHALLENGE", "SRP_A", "PASSWORD_VERIFIER", "SMS_MFA", "custom_challenge", ""])
nonces = st.sampled_from(["n0nce", "Zz9", "١٢٣"]) | st.text(st.characters(categories=["L", "N"]), min_size=1)
metadata = st.one_of(
    st.builds(
        "EMAIL_SIGN_IN:{}:{}".format, st.sampled_from(["first", "retry", "resend", "admin", ""]), nonces
    ),
    any_text,
    huge_text,
    st.sampled_from(
        [
            "",
            "EMAIL_SIGN_IN",
            "EMAIL_SIGN_IN:first:",
            "EMAIL_SIGN_IN:first:a:b",
            "EMAIL_SIGN_IN:first:a\n",
            "EMAIL_SIGN_IN:retry:" + "a" * 100_000,
        ]
    ),
)
odd_values = st.one_of(st.none(), st.integers(), st.sampled_from(["true", "false", 1, 0, [], {}]), any_text)
client_metadata = st.one_of(
    st.none(),
    st.none(),
    st.sampled_from(
        [{"resend": "true"}, {"resend": "false"}, {"resend": True}, {"resend": "x" * 5000}, "resend"]
    ),
    st.dictionaries(any_text, any_text, max_size=3),
)
prefilled = st.sampled_from(
    [
        {},
        {"issueTokens": True, "failAuthentication": False},
        {"issueTokens": True, "failAuthentication": False},
        {"issueTokens": True, "challengeName": "SRP_A"},
        "yes",
    ]
)


@st.composite
def honest_session(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A session our triggers could produce: rounds of wrong answers and resends, then maybe a right one."""
    nonce = draw(nonces)
    later = draw(st.lists(st.sampled_from(["retry", "resend"]), max_size=6))
    kinds = ["first", *later]
    results = [False] * len(kinds)
    if draw(st.booleans()):
        results[-1] = True
    return [
        {
            "challengeName": "CUSTOM_CHALLENGE",
            "challengeResult": result,
            "challengeMetadata": f"EMAIL_SIGN_IN:{k}:{nonce}",
        }
        for k, result in zip(kinds, results, strict=True)
    ]


@st.composite
def tampered(draw: st.DrawFn, session: list[Any]) -> Any:
    """The session with zero or more of the changes a forger (or a broken caller) could make."""
    session = copy.deepcopy(session)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2, 3]))):
        change = draw(
            st.sampled_from(["name", "result", "metadata", "drop", "extra", "entry", "insert", "repeat"])
        )
        if change in {"insert", "repeat"} or not session:
            if change == "repeat" and session:
                session = session * draw(st.integers(2, 20))
            else:
                entry = {
                    "challengeName": draw(names),
                    "challengeResult": draw(st.booleans()),
                    "challengeMetadata": draw(metadata),
                }
                session.insert(draw(st.integers(0, len(session))), entry)
            continue
        index = draw(st.integers(0, len(session) - 1))
        entry = session[index]
        if change == "entry" or not isinstance(entry, dict):
            session[index] = draw(odd_values)
        elif change == "name":
            entry["challengeName"] = draw(names | any_text | odd_values)
        elif change == "result":
            entry["challengeResult"] = draw(st.booleans() | odd_values)
        elif change == "metadata":
            entry["challengeMetadata"] = draw(metadata | odd_values)
        elif change == "drop":
            entry.pop(draw(st.sampled_from(["challengeName", "challengeResult", "challengeMetadata"])), None)
        else:
            entry[draw(any_text)] = draw(odd_values)
    # Now and then not a list at all.
    return draw(odd_values) if draw(st.integers(0, 9)) == 0 else session


@st.composite
def define_events(draw: st.DrawFn) -> dict[str, Any]:
    event = trigger_event(
        pool_id=POOL_ID,
        client_id=CLIENT_ID,
        user_name=JANE.username,
        attributes=None if draw(st.integers(0, 9)) == 0 else JANE.attributes(),
        trigger_source="DefineAuthChallenge_Authentication",
        entries=[],
        client_metadata=None,
    )
    request = event["request"]
    request["session"] = draw(tampered(draw(honest_session())))
    metadata_value = draw(client_metadata)
    if metadata_value is not None:
        request["clientMetadata"] = metadata_value
    if draw(st.integers(0, 9)) == 0:
        request["userNotFound"] = draw(odd_values)
    event["response"] = copy.deepcopy(draw(prefilled))
    return event


# ---- properties ---------------------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(define_events())
def test_tokens_only_for_an_honest_session_ending_in_a_right_answer(
    define: Define, event: dict[str, Any]
) -> None:
    expected = deserves_tokens(copy.deepcopy(event), max_wrong=MAX_WRONG, max_resends=MAX_RESENDS)
    hypothesis.event(f"tokens deserved: {expected}")
    response = define(event)["response"]  # never raises, whatever the event holds
    assert response["issueTokens"] is expected
    assert isinstance(response["failAuthentication"], bool)
    assert not (response["issueTokens"] and response["failAuthentication"])
    if "challengeName" in response:
        assert response["challengeName"] == "CUSTOM_CHALLENGE"
        assert not response["failAuthentication"]
        assert set(response) == {"issueTokens", "failAuthentication", "challengeName"}
    else:
        assert set(response) == {"issueTokens", "failAuthentication"}, "nothing pre-filled survives"
        assert response["issueTokens"] or response["failAuthentication"], "no decision is a failure"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.booleans(), max_size=8),
    st.integers(1, 5),
    st.integers(0, 4),
    st.sampled_from(["right", "wrong", "none"]),
)
def test_honest_sessions_are_decided_as_cognito_drives_them(
    resends: list[bool], max_wrong: int, max_resends: int, last: str
) -> None:
    """Call define after every round as Cognito would: the session continues while both caps hold,
    fails the moment one breaks, and a right answer in a session still open signs in."""
    limits = SessionLimits(max_wrong_answers=max_wrong, max_resends=max_resends)
    audit = SecurityLog(RecordingLogger())
    entries: list[dict[str, Any]] = []
    wrong = resent = 0

    def ask(resend: bool) -> dict[str, Any]:
        event = trigger_event(
            pool_id=POOL_ID,
            client_id=CLIENT_ID,
            user_name=JANE.username,
            attributes=JANE.attributes(),
            trigger_source="DefineAuthChallenge_Authentication",
            entries=entries,
            client_metadata={"resend": "true"} if resend else None,
        )
        response: dict[str, Any] = respond_to_define(event, limits, audit)["response"]
        return response

    kind = "first"
    assert ask(False)["challengeName"] == "CUSTOM_CHALLENGE"
    for resend in resends:
        entries.append(
            {
                "challengeName": "CUSTOM_CHALLENGE",
                "challengeResult": False,
                "challengeMetadata": f"EMAIL_SIGN_IN:{kind}:n0nce",
            }
        )
        resent, wrong = resent + resend, wrong + (not resend)
        open_ = resent <= max_resends and wrong < max_wrong
        response = ask(resend)
        assert response["failAuthentication"] is not open_
        assert not response["issueTokens"]
        if not open_:
            return
        kind = "resend" if resend else "retry"
    if last == "none":
        return
    entries.append(
        {
            "challengeName": "CUSTOM_CHALLENGE",
            "challengeResult": last == "right",
            "challengeMetadata": f"EMAIL_SIGN_IN:{kind}:n0nce",
        }
    )
    assert ask(False)["issueTokens"] is (last == "right")
