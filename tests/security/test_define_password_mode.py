"""docs/security/requirements.md #20 in password-and-email-code mode, through the real define Lambda loaded
with SIGN_IN_MODE=password-and-email-code: tokens only for SRP_A (passed), PASSWORD_VERIFIER (passed) and then
an honest session of ours ending in a right answer; PASSWORD_VERIFIER asked for only after SRP_A alone; never
an exception, never a pre-filled response kept. (Email mode's side, any SRP entry fails, is
tests/security/test_define_properties.py's: its sessions mix SRP names in.)"""

from __future__ import annotations

import contextlib
import copy
import io
from typing import Any

import hypothesis
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from laptop.aws import environment, local_environment
from laptop.handlers import load_handler
from laptop.invoke import LambdaContextStandIn
from laptop.local_stack.trigger_events import trigger_event
from tests.security.test_define_properties import (
    MAX_ENTRIES,
    MAX_FIELD,
    MAX_RESENDS,
    MAX_WRONG,
    Define,
    define_events,
    deserves_tokens,
    honest_session,
    odd_values,
)

SRP_A = {"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None}
VERIFIED = {"challengeName": "PASSWORD_VERIFIER", "challengeResult": True, "challengeMetadata": None}
PASSWORD = [SRP_A, VERIFIED]


@pytest.fixture(scope="module")
def define(tmp_path_factory: pytest.TempPathFactory) -> Define:
    env = local_environment(
        tmp_path_factory.mktemp("outbox"),
        MAX_ANSWERS_PER_SESSION=str(MAX_WRONG),
        MAX_RESENDS_PER_SESSION=str(MAX_RESENDS),
        SIGN_IN_MODE="password-and-email-code",
    )
    with environment(env), contextlib.redirect_stdout(io.StringIO()):
        handler = load_handler("define_auth_challenge")
    context = LambdaContextStandIn.for_function("define_auth_challenge")
    return lambda event: handler(event, context)


def _step(draw: st.DrawFn) -> Any:
    entry = dict(
        draw(
            st.sampled_from(
                [
                    SRP_A,
                    VERIFIED,
                    {**SRP_A, "challengeResult": False},
                    {**VERIFIED, "challengeResult": False},
                    {**VERIFIED, "challengeMetadata": ""},
                ]
            )
        )
    )
    return entry if draw(st.integers(0, 19)) else draw(odd_values)


@st.composite
def password_events(draw: st.DrawFn) -> dict[str, Any]:
    """define_events' (honest or tampered) custom rounds, behind a password prefix that is mostly
    right and sometimes missing, failed, reordered or repeated."""
    event = draw(define_events())
    custom = event["request"]["session"]
    if not isinstance(custom, list):
        return event
    shape = draw(st.sampled_from(["right", "right", "right", "none", "steps", "srp only", "after"]))
    if shape == "right":
        prefix, rest = copy.deepcopy(PASSWORD), custom
    elif shape == "none":
        prefix, rest = [], custom
    elif shape == "steps":
        prefix, rest = [_step(draw) for _ in range(draw(st.integers(1, 3)))], custom
    elif shape == "srp only":
        prefix, rest = [copy.deepcopy(SRP_A)], custom if draw(st.booleans()) else []
    else:  # the password steps after the custom rounds
        prefix, rest = [], [*custom, *copy.deepcopy(PASSWORD)]
    event["request"]["session"] = [*prefix, *rest]
    return event


def _well_formed(event: dict[str, Any]) -> bool:
    """What define's parser accepts, stated independently (any other event fails)."""
    request = event["request"]
    session = request.get("session")
    metadata = request.get("clientMetadata")
    return (
        isinstance(event.get("response", {}), dict)
        and isinstance(request.get("userNotFound", False), bool)
        and (
            metadata is None
            or (isinstance(metadata, dict) and all(_short_text(v) for v in metadata.values()))
        )
        and isinstance(session, list)
        and len(session) <= MAX_ENTRIES
        and all(
            isinstance(e, dict)
            and _short_text(e.get("challengeName"), empty=False)
            and isinstance(e.get("challengeResult"), bool)
            and (not e.get("challengeMetadata") or _short_text(e["challengeMetadata"]))
            for e in session
        )
    )


def _short_text(value: object, *, empty: bool = True) -> bool:
    return isinstance(value, str) and (empty or value != "") and len(value) <= MAX_FIELD


def _expected(event: dict[str, Any]) -> tuple[bool, str | None]:
    """(tokens?, challengeName or None) by an independent reading of the rules."""
    if not _well_formed(event):
        return False, None
    session = event["request"]["session"]
    names = [(e.get("challengeName"), e.get("challengeResult")) for e in session[:2]]
    if names == [("SRP_A", True)] and len(session) == 1:
        return False, "PASSWORD_VERIFIER"
    if names != [("SRP_A", True), ("PASSWORD_VERIFIER", True)]:
        return False, None
    custom = copy.deepcopy(event)
    custom["request"]["session"] = session[2:]
    return deserves_tokens(custom, max_wrong=MAX_WRONG, max_resends=MAX_RESENDS), None


@settings(max_examples=400, deadline=None)
@given(password_events())
def test_tokens_only_after_both_password_steps_and_an_honest_custom_session(
    define: Define, event: dict[str, Any]
) -> None:
    tokens, password_step = _expected(copy.deepcopy(event))
    hypothesis.event(f"tokens deserved: {tokens}")
    response = define(event)["response"]  # never raises
    assert response["issueTokens"] is tokens
    assert not (response["issueTokens"] and response["failAuthentication"])
    if password_step is not None:
        assert response == {
            "issueTokens": False,
            "failAuthentication": False,
            "challengeName": "PASSWORD_VERIFIER",
        }
    elif "challengeName" in response:
        assert response["challengeName"] == "CUSTOM_CHALLENGE"
        session = event["request"]["session"]
        assert [(e["challengeName"], e["challengeResult"]) for e in session[:2]] == [
            ("SRP_A", True),
            ("PASSWORD_VERIFIER", True),
        ]
    else:
        assert set(response) == {"issueTokens", "failAuthentication"}, "nothing pre-filled survives"
        assert response["issueTokens"] or response["failAuthentication"]


@settings(max_examples=100, deadline=None)
@given(honest_session())
def test_an_honest_password_session_signs_in_exactly_when_email_mode_would(
    define: Define, custom: list[dict[str, Any]]
) -> None:
    event = trigger_event(
        pool_id="us-east-1_abc",
        client_id="client1",
        user_name="7d3f6a52-1c9e-4b8a-9f21-5e0c4a7b9d13",
        attributes={"email": "jane@example.com"},
        trigger_source="DefineAuthChallenge_Authentication",
        entries=[*PASSWORD, *custom],
        client_metadata=None,
    )
    alone = copy.deepcopy(event)
    alone["request"]["session"] = custom
    expected = deserves_tokens(alone, max_wrong=MAX_WRONG, max_resends=MAX_RESENDS)
    assert define(event)["response"]["issueTokens"] is expected
