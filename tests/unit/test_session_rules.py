"""docs/security/requirements.md #20: define is strict. The table in session_rules, row by row, then
properties over arbitrary session lists."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passwordless.events import ChallengeRecord
from passwordless.round_metadata import RoundMetadata
from passwordless.session_rules import Decision, SessionLimits, Verdict, decide

LIMITS = SessionLimits(max_wrong_answers=3, max_resends=2)
FIRST = RoundMetadata("first", "abc123").encode()
RETRY = RoundMetadata("retry", "abc123").encode()
RESEND = RoundMetadata("resend", "abc123").encode()


def fail(reason: str) -> Verdict:
    return Verdict(Decision.FAIL, reason)


def challenge_again(reason: str) -> Verdict:
    return Verdict(Decision.CHALLENGE, reason)


def tokens(reason: str) -> Verdict:
    return Verdict(Decision.TOKENS, reason)


def password_step(reason: str) -> Verdict:
    return Verdict(Decision.PASSWORD, reason)


def ours(result: bool, metadata: str = FIRST) -> ChallengeRecord:
    return ChallengeRecord("CUSTOM_CHALLENGE", result, metadata)


CASES = [
    # (description, session, user_not_found, resend_requested, verdict: decision and reason)
    ("new session", (), False, False, challenge_again("first_round")),
    ("new session, unknown user", (), True, False, challenge_again("first_round")),
    ("right answer", (ours(True),), False, False, tokens("answer_correct")),
    (
        "right answer after wrong ones",
        (ours(False), ours(True, RETRY)),
        False,
        False,
        tokens("answer_correct"),
    ),
    ("right answer, unknown user", (ours(True),), True, False, fail("user_not_found")),
    ("one wrong answer", (ours(False),), False, False, challenge_again("retry")),
    (
        "two wrong answers",
        (ours(False), ours(False, RETRY)),
        False,
        False,
        challenge_again("retry"),
    ),
    (
        "wrong answers at the cap",
        (ours(False), ours(False, RETRY), ours(False, RETRY)),
        False,
        False,
        fail("too_many_wrong_answers"),
    ),
    ("resend request", (ours(False),), False, True, challenge_again("resend")),
    # Resends do not count as wrong answers ...
    (
        "wrong, resend, wrong",
        (ours(False), ours(False), ours(False, RESEND)),
        False,
        False,
        challenge_again("retry"),
    ),
    # ... but they are capped themselves
    (
        "resends beyond the cap",
        (ours(False), ours(False, RESEND), ours(False, RESEND)),
        False,
        True,
        fail("too_many_resends"),
    ),
    (
        "password verifier first",
        (ChallengeRecord("PASSWORD_VERIFIER", True, ""),),
        False,
        False,
        fail("unexpected_challenge"),
    ),
    (
        "SRP then ours",
        (ChallengeRecord("SRP_A", True, ""), ours(True)),
        False,
        False,
        fail("unexpected_challenge"),
    ),
    (
        "custom challenge of another flow",
        (ChallengeRecord("CUSTOM_CHALLENGE", True, "OTHER"),),
        False,
        False,
        fail("foreign_metadata"),
    ),
    (
        "forged kind",
        (ChallengeRecord("CUSTOM_CHALLENGE", True, "EMAIL_SIGN_IN:admin:x1"),),
        False,
        False,
        fail("foreign_metadata"),
    ),
]


@pytest.mark.parametrize(
    ("session", "user_not_found", "resend", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_the_table(
    session: tuple[ChallengeRecord, ...], user_not_found: bool, resend: bool, expected: Verdict
) -> None:
    verdict = decide(session, user_not_found=user_not_found, resend_requested=resend, limits=LIMITS)
    # The reason too: a row that reaches the right decision by the wrong rule is a broken row.
    assert verdict == expected


names = st.sampled_from(["CUSTOM_CHALLENGE", "PASSWORD_VERIFIER", "SRP_A", "SMS_MFA", "", "custom_challenge"])
metadata = st.one_of(
    st.sampled_from([FIRST, RETRY, RESEND, "", "EMAIL_SIGN_IN", "EMAIL_SIGN_IN:first:"]), st.text(max_size=40)
)
records = st.builds(ChallengeRecord, names, st.booleans(), metadata)
sessions = st.lists(records, max_size=12).map(tuple)


@given(sessions, st.booleans(), st.booleans())
def test_tokens_only_for_a_final_correct_answer_of_ours(
    session: tuple[ChallengeRecord, ...], user_not_found: bool, resend: bool
) -> None:
    verdict = decide(session, user_not_found=user_not_found, resend_requested=resend, limits=LIMITS)
    if verdict.decision is Decision.TOKENS:
        assert session, "never tokens for an empty session"
        assert session[-1].result
        assert not user_not_found
        assert all(r.name == "CUSTOM_CHALLENGE" and r.metadata.startswith("EMAIL_SIGN_IN:") for r in session)


@given(sessions, st.booleans(), st.booleans())
def test_any_foreign_entry_fails(
    session: tuple[ChallengeRecord, ...], user_not_found: bool, resend: bool
) -> None:
    foreign = (*session, ChallengeRecord("PASSWORD_VERIFIER", True, FIRST))
    verdict = decide(foreign, user_not_found=user_not_found, resend_requested=resend, limits=LIMITS)
    assert verdict.decision is Decision.FAIL


@given(st.lists(st.booleans(), max_size=12), st.booleans())
def test_wrong_answers_never_exceed_the_cap(resend_flags: list[bool], resend_now: bool) -> None:
    # Every entry is a wrong answer; resend_flags[i] says whether round i+1 was a resend round.
    session = (ours(False), *(ours(False, RESEND if flag else RETRY) for flag in resend_flags))
    verdict = decide(session, user_not_found=False, resend_requested=resend_now, limits=LIMITS)
    was_resend = [*resend_flags, resend_now]
    wrong = was_resend.count(False)
    if verdict.decision is Decision.CHALLENGE:
        assert wrong < LIMITS.max_wrong_answers
        assert was_resend.count(True) <= LIMITS.max_resends
    else:
        assert verdict.decision is Decision.FAIL


# ---- password-and-email-code mode ---------------------------------------------------------------

SRP = ChallengeRecord("SRP_A", True, "")
VERIFIED = ChallengeRecord("PASSWORD_VERIFIER", True, "")
WRONG_PASSWORD = ChallengeRecord("PASSWORD_VERIFIER", False, "")
PASSWORD = (SRP, VERIFIED)
MFA = ChallengeRecord("SMS_MFA", True, "")
OTHER_FLOW = ChallengeRecord("CUSTOM_CHALLENGE", True, "X")

PASSWORD_CASES = [
    # (description, session, user_not_found, resend_requested, verdict: decision and reason)
    ("empty: the password comes first", (), False, False, fail("password_required")),
    ("SRP_A -> password step", (SRP,), False, False, password_step("password_step")),
    (
        "SRP_A refused",
        (ChallengeRecord("SRP_A", False, ""),),
        False,
        False,
        fail("password_step_failed"),
    ),
    ("password right -> our first round", PASSWORD, False, False, challenge_again("first_round")),
    (
        "password right, unknown user -> a round that never signs in",
        PASSWORD,
        True,
        False,
        challenge_again("first_round"),
    ),
    ("password wrong", (SRP, WRONG_PASSWORD), False, False, fail("password_step_failed")),
    (
        "password wrong, code right",
        (SRP, WRONG_PASSWORD, ours(True)),
        False,
        False,
        fail("password_step_failed"),
    ),
    (
        "password then right code",
        (*PASSWORD, ours(True)),
        False,
        False,
        tokens("answer_correct"),
    ),
    (
        "password then wrong code",
        (*PASSWORD, ours(False)),
        False,
        False,
        challenge_again("retry"),
    ),
    (
        "password, wrong then right",
        (*PASSWORD, ours(False), ours(True, RETRY)),
        False,
        False,
        tokens("answer_correct"),
    ),
    (
        "password, code right, unknown user",
        (*PASSWORD, ours(True)),
        True,
        False,
        fail("user_not_found"),
    ),
    (
        "password, wrong answers at the cap",
        (*PASSWORD, *[ours(False, RETRY)] * 3),
        False,
        False,
        fail("too_many_wrong_answers"),
    ),
    ("password, resend", (*PASSWORD, ours(False)), False, True, challenge_again("resend")),
    (
        "password, resend then right",
        (*PASSWORD, ours(False), ours(True, RESEND)),
        False,
        True,
        fail("answer_not_asked_for"),
    ),
    ("custom rounds alone", (ours(True),), False, False, fail("password_step_failed")),
    (
        "custom round before the password",
        (ours(False), SRP, VERIFIED),
        False,
        False,
        fail("password_step_failed"),
    ),
    (
        "password verifier without SRP_A",
        (VERIFIED, ours(True)),
        False,
        False,
        fail("password_step_failed"),
    ),
    (
        "SRP entries after a custom round",
        (*PASSWORD, ours(False), SRP, VERIFIED),
        False,
        False,
        fail("unexpected_challenge"),
    ),
    ("password twice", (*PASSWORD, *PASSWORD), False, False, fail("unexpected_challenge")),
    ("SRP_A twice", (SRP, SRP), False, False, fail("password_step_failed")),
    (
        "password, then a foreign challenge",
        (*PASSWORD, MFA),
        False,
        False,
        fail("unexpected_challenge"),
    ),
    (
        "password, custom of another flow",
        (*PASSWORD, OTHER_FLOW),
        False,
        False,
        fail("foreign_metadata"),
    ),
]


@pytest.mark.parametrize(
    ("session", "user_not_found", "resend", "expected"),
    [case[1:] for case in PASSWORD_CASES],
    ids=[case[0] for case in PASSWORD_CASES],
)
def test_the_password_mode_table(
    session: tuple[ChallengeRecord, ...], user_not_found: bool, resend: bool, expected: Verdict
) -> None:
    verdict = decide(
        session, user_not_found=user_not_found, resend_requested=resend, limits=LIMITS, password_first=True
    )
    assert verdict == expected


@pytest.mark.parametrize(
    ("session", "user_not_found", "resend", "expected"),
    [case[1:] for case in PASSWORD_CASES if any(entry.name != "CUSTOM_CHALLENGE" for entry in case[1])],
)
def test_email_mode_fails_every_session_with_a_password_step(
    session: tuple[ChallengeRecord, ...], user_not_found: bool, resend: bool, expected: Verdict
) -> None:
    verdict = decide(session, user_not_found=user_not_found, resend_requested=resend, limits=LIMITS)
    # Email mode refuses at its first rule, whatever password mode would have said.
    assert verdict == fail("unexpected_challenge")


steps = st.sampled_from([SRP, VERIFIED, WRONG_PASSWORD])
password_sessions = st.one_of(
    sessions,
    sessions.map(lambda custom: (*PASSWORD, *custom)),
    st.tuples(steps, steps).flatmap(lambda head: sessions.map(lambda custom: (*head, *custom))),
)


@given(password_sessions, st.booleans(), st.booleans())
def test_password_mode_tokens_only_after_both_password_steps_and_an_honest_custom_session(
    session: tuple[ChallengeRecord, ...], user_not_found: bool, resend: bool
) -> None:
    verdict = decide(
        session, user_not_found=user_not_found, resend_requested=resend, limits=LIMITS, password_first=True
    )
    if verdict.decision in {Decision.TOKENS, Decision.CHALLENGE}:
        assert [(entry.name, entry.result) for entry in session[:2]] == [(r.name, r.result) for r in PASSWORD]
    if verdict.decision is Decision.PASSWORD:
        # Cognito's SRP entries carry no metadata of ours; what one holds does not matter.
        assert [(entry.name, entry.result) for entry in session] == [("SRP_A", True)]
    if verdict.decision is Decision.TOKENS:
        # Exactly the verdict email mode gives the custom rounds on their own.
        custom = session[2:]
        alone = decide(custom, user_not_found=user_not_found, resend_requested=resend, limits=LIMITS)
        assert alone.decision is Decision.TOKENS
        assert all(entry.name == "CUSTOM_CHALLENGE" for entry in custom)


@given(password_sessions, st.booleans(), st.booleans())
def test_email_mode_never_signs_in_a_session_with_any_srp_entry(
    session: tuple[ChallengeRecord, ...], user_not_found: bool, resend: bool
) -> None:
    verdict = decide(session, user_not_found=user_not_found, resend_requested=resend, limits=LIMITS)
    if any(entry.name in {"SRP_A", "PASSWORD_VERIFIER"} for entry in session):
        assert verdict.decision is Decision.FAIL
