"""Cognito's rules for calling a trigger: 5 seconds, three attempts, and the error a client then sees."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from laptop.local_stack.errors import CognitoError
from laptop.local_stack.stack import LocalCognito
from laptop.local_stack.trigger_runner import TriggerPolicy, TriggerRunner
from tests.support.late_trigger import LateFirstCreate
from tests.support.local_stack import JANE_EMAIL, MovableClock, RunningStack, start_stack

ARN = "arn:aws:lambda:us-east-1:111122223333:function:test"
FAST = TriggerPolicy(timeout_seconds=0.2, attempts=3)
RETRYING = TriggerPolicy(timeout_seconds=0.2, attempts=3, retry_errors=True)


def runner_for(
    handler: Callable[[dict[str, Any], object], dict[str, Any]], policy: TriggerPolicy = FAST
) -> TriggerRunner:
    return TriggerRunner({ARN: ("define_auth_challenge", handler)}, policy, context_for=lambda _: object())


def test_an_exception_fails_the_call_at_once_with_the_functions_message() -> None:
    calls = []

    def broken(event: dict[str, Any], _: object) -> dict[str, Any]:
        calls.append(event)
        raise RuntimeError("boom")

    with pytest.raises(CognitoError) as caught:
        runner_for(broken).invoke("CreateAuthChallenge", ARN, {"response": {}})

    assert len(calls) == 1
    assert caught.value.error_type == "UserLambdaValidationException"
    assert caught.value.message == "CreateAuthChallenge failed with error boom."


def test_with_retry_errors_a_failing_trigger_is_retried_with_the_original_event() -> None:
    seen: list[dict[str, Any]] = []

    def flaky(event: dict[str, Any], _: object) -> dict[str, Any]:
        seen.append(copy.deepcopy(event))
        event["response"]["scribbled"] = True
        if len(seen) < 3:
            raise RuntimeError("not yet")
        return event

    result = runner_for(flaky, RETRYING).invoke("DefineAuthChallenge", ARN, {"response": {}})

    assert len(seen) == 3
    assert all(event == {"response": {}} for event in seen)
    assert result["response"] == {"scribbled": True}


def test_with_retry_errors_a_trigger_that_always_fails_gives_up_after_three_attempts() -> None:
    calls = []

    def broken(event: dict[str, Any], _: object) -> dict[str, Any]:
        calls.append(event)
        raise RuntimeError("boom")

    with pytest.raises(CognitoError) as caught:
        runner_for(broken, RETRYING).invoke("CreateAuthChallenge", ARN, {"response": {}})

    assert len(calls) == 3
    assert caught.value.error_type == "UserLambdaValidationException"
    assert caught.value.message == "CreateAuthChallenge failed with error boom."


def test_a_trigger_slower_than_its_budget_times_out_after_three_attempts() -> None:
    started = []
    release = threading.Event()

    def slow(event: dict[str, Any], _: object) -> dict[str, Any]:
        started.append(1)
        release.wait(5)
        return event

    try:
        with pytest.raises(CognitoError) as caught:
            runner_for(slow).invoke("CreateAuthChallenge", ARN, {"response": {}})
    finally:
        release.set()

    assert len(started) == 3
    assert caught.value.error_type == "UnexpectedLambdaException"
    assert "Socket timeout" in caught.value.message


def test_a_trigger_returning_no_event_is_an_invalid_lambda_response() -> None:
    with pytest.raises(CognitoError) as caught:
        runner_for(lambda event, _: None).invoke("DefineAuthChallenge", ARN, {"response": {}})  # type: ignore[arg-type, return-value]

    assert caught.value.error_type == "InvalidLambdaResponseException"


@pytest.fixture
def stack_without_mail(tmp_path: Path) -> Iterator[RunningStack]:
    # The outbox under a file: the create function cannot build its sender, as with a bad SES setup.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    yield from start_stack(tmp_path, OUTBOX_DIR=str(blocker / "outbox"))


def test_a_create_trigger_that_cannot_send_fails_the_sign_in_with_its_generic_message(
    stack_without_mail: RunningStack,
) -> None:
    with pytest.raises(ClientError) as caught:
        stack_without_mail.initiate(JANE_EMAIL)

    error = caught.value.response["Error"]
    assert error["Code"] == "UserLambdaValidationException"
    # Cognito appends its own full stop to the function's message, so real clients see two.
    assert error["Message"] == (
        "CreateAuthChallenge failed with error Sign-in is temporarily unavailable. Please try again.."
    )
    assert stack_without_mail.mail() == []


RETRY_POLICY = TriggerPolicy(timeout_seconds=2.0, attempts=3)


def test_cognitos_retry_of_a_create_that_overran_sends_no_second_email(tmp_path: Path) -> None:
    late = LateFirstCreate(hold_seconds=10)
    outbox = tmp_path / "outbox"
    with LocalCognito(port=0, outbox_dir=outbox, trigger_policy=RETRY_POLICY, wrap_handler=late) as stack:
        stack.add_user(JANE_EMAIL)
        running = RunningStack(stack, MovableClock(), outbox, stack.client(), "", "")

        challenge = running.initiate(JANE_EMAIL)

        assert late.creates == 2, "the overrun was retried"
        [mail] = running.mail()
        assert "AuthenticationResult" in running.answer(challenge, mail.code)
