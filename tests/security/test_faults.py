"""docs/security/requirements.md #19 and #21 through the local stack, as a client sees them: every provider,
storage and key fault fails the sign-in with Cognito's generic error and no tokens, leaves no redeemable
half-written secret and no counter moved, and once the fault clears the next attempt signs in with exactly one
email per issued secret. boto3 over HTTP -> local Cognito -> the real handlers -> moto, the SendGrid sink or
SES in moto. Faults in AWS calls are injected where moto answers the handlers' in-process calls
(tests/support/aws_faults.py), as the HTTP error the service would send.

tests/integration/test_fail_closed.py proves the handlers' side in-process; these rows add the
client's view (error code and text, no tokens) and the stored state behind it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from passwordless.secret_store import HOUR_MS
from tests.support.attacks import wrong_code
from tests.support.aws_faults import Fault
from tests.support.fault_stack import FaultyStack, Provider, faulty_stack
from tests.support.late_trigger import LateFirstCreate
from tests.support.local_stack import JANE_EMAIL, Mail
from tests.support.sendgrid_sink import SendGridSink

GENERIC = "Sign-in is temporarily unavailable. Please try again."
# Cognito appends its own full stop to the function's message, so real clients see two.
CREATE_FAILED = ("UserLambdaValidationException", f"CreateAuthChallenge failed with error {GENERIC}.")
VERIFY_FAILED = ("UserLambdaValidationException", f"VerifyAuthChallengeResponse failed with error {GENERIC}.")
HMAC_KEY = "passwordless-local-hmac-key"
# Which of the handlers' UpdateItem calls a fault hits, by a phrase only that call's expression has.
ISSUE = "REMOVE consumed_ms"  # either issue write
WRITE_FIRST = "ADD version :one"  # create's first call in a first round: issue unless a secret is live
VERSIONED_ISSUE = "version = :ver"  # the issue after a refused write-first, on the item it handed back
MARK_SENT = "SET sent = :true"
CONSUME = "SET consumed_ms = :now"
COUNT_FAILURE = "ADD code_failures"

Arm = Callable[[FaultyStack], None]


def aws(call: str, error: str, status: int = 400, when: str = "") -> Arm:
    def arm(stack: FaultyStack) -> None:
        stack.faults.add(Fault(call, error=error, status=status, when=when))

    return arm


def unreachable(call: str, when: str = "") -> Arm:
    def arm(stack: FaultyStack) -> None:
        stack.faults.add(Fault(call, raises=lambda url: EndpointConnectionError(endpoint_url=url), when=when))

    return arm


def sendgrid_fails(status: int) -> Arm:
    return lambda stack: _sink(stack).fail_with(status)


def sendgrid_stalls(stack: FaultyStack) -> None:
    _sink(stack).stall(4.0)  # longer than the sender's 3 s timeout (EmailTimeoutSeconds' default)


def _sink(stack: FaultyStack) -> SendGridSink:
    assert stack.sink is not None
    return stack.sink


def heal(stack: FaultyStack) -> None:
    stack.faults.clear()
    if stack.sink is not None:
        stack.sink.healthy()


def signed_in_earlier_this_hour(stack: FaultyStack) -> None:
    """Jane signed in minutes ago: an email is inside her rolling hour, so a first round's write-first
    issue (which assumes none is) is refused and create issues on the item it handed back."""
    challenge = stack.running.initiate(JANE_EMAIL)
    assert "AuthenticationResult" in stack.running.answer(challenge, stack.mails()[-1].code)


Stored = Literal["nothing", "send_failed", "unsent"]


@dataclass(frozen=True)
class CreateFault:
    """A fault while InitiateAuth's create runs. `stored` is the user's item afterwards: none at all,
    a secret marked as never delivered (so the next create replaces it), or, when the email went out
    but recording it failed, an unsent secret the next create reuses rather than mailing again."""

    provider: Provider
    arm: Arm
    stored: Stored = "nothing"
    mails_during_fault: int = 0
    provider_requests: int | None = None  # SendGrid calls during the fault: 1 means no retry inside
    given: Arm | None = None  # Jane's history before the fault (none: she never asked before)


CREATE_FAULTS = {
    "sendgrid-500": CreateFault("sendgrid", sendgrid_fails(500), "send_failed", provider_requests=1),
    "sendgrid-429-retry-after": CreateFault(
        "sendgrid", sendgrid_fails(429), "send_failed", provider_requests=1
    ),
    "sendgrid-stall-past-timeout": CreateFault(
        "sendgrid", sendgrid_stalls, "send_failed", provider_requests=1
    ),
    "ses-MessageRejected": CreateFault("ses", aws("sesv2.SendEmail", "MessageRejected"), "send_failed"),
    "ses-TooManyRequests": CreateFault(
        "ses", aws("sesv2.SendEmail", "TooManyRequestsException", 429), "send_failed"
    ),
    "ses-SendingPaused": CreateFault("ses", aws("sesv2.SendEmail", "SendingPausedException"), "send_failed"),
    "ses-unreachable": CreateFault("ses", unreachable("sesv2.SendEmail"), "send_failed"),
    # Create's first DynamoDB call in a first round (a read before it wrote first; the read now
    # comes only after a wrong answer: see the "asking again" rows below).
    "dynamodb-write-first-throughput-exceeded": CreateFault(
        "outbox", aws("dynamodb.UpdateItem", "ProvisionedThroughputExceededException", when=WRITE_FIRST)
    ),
    "dynamodb-write-first-throttling": CreateFault(
        "outbox", aws("dynamodb.UpdateItem", "ThrottlingException", when=WRITE_FIRST)
    ),
    "dynamodb-issue-throughput-exceeded": CreateFault(
        "sendgrid",
        aws("dynamodb.UpdateItem", "ProvisionedThroughputExceededException", when=VERSIONED_ISSUE),
        given=signed_in_earlier_this_hour,
    ),
    "dynamodb-issue-throttling": CreateFault(
        "outbox",
        aws("dynamodb.UpdateItem", "ThrottlingException", when=VERSIONED_ISSUE),
        given=signed_in_earlier_this_hour,
    ),
    "dynamodb-mark-sent-throttled-after-the-email-went-out": CreateFault(
        "sendgrid",
        aws("dynamodb.UpdateItem", "ProvisionedThroughputExceededException", when=MARK_SENT),
        "unsent",
        mails_during_fault=1,
    ),
    "hmac-key-access-denied": CreateFault(
        "outbox", aws("secrets-manager.GetSecretValue", "AccessDeniedException", when=HMAC_KEY)
    ),
    "hmac-key-unreachable": CreateFault(
        "outbox", unreachable("secrets-manager.GetSecretValue", when=HMAC_KEY)
    ),
    "sendgrid-key-access-denied": CreateFault(
        "sendgrid",
        aws("secrets-manager.GetSecretValue", "AccessDeniedException", when="sendgrid-key"),
        provider_requests=0,
    ),
    "sendgrid-key-unreachable": CreateFault(
        "sendgrid", unreachable("secrets-manager.GetSecretValue", when="sendgrid-key"), provider_requests=0
    ),
}


def refusal(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def send_log(item: dict[str, Any] | None) -> list[int]:
    return [int(entry["N"]) for entry in item["email_times_ms"]["L"]] if item else []


def counted_since(log_before: list[int], item: dict[str, Any] | None) -> int:
    """Emails the item's send log holds inside the hour beyond those it held before (the hour ending
    at its newest entry, the latest email)."""
    log = send_log(item)
    assert log, "an issued secret is logged"
    assert log == sorted(log, reverse=True)
    inside = [t for t in log if log[0] - t < HOUR_MS]
    return len(inside) - len([t for t in log_before if log[0] - t < HOUR_MS])


def assert_next_attempt_signs_in(stack: FaultyStack) -> Mail:
    """The user's next attempt: a fresh InitiateAuth answered with the code of the newest email."""
    challenge = stack.running.initiate(JANE_EMAIL)
    mail = stack.mails()[-1]
    assert "AuthenticationResult" in stack.running.answer(challenge, mail.code)
    return mail


@pytest.mark.parametrize("name", list(CREATE_FAULTS))
def test_a_fault_while_asking_fails_closed_and_the_next_attempt_sends_one_email(
    tmp_path: Path, name: str
) -> None:
    row = CREATE_FAULTS[name]
    with faulty_stack(tmp_path, row.provider) as stack:
        jane = stack.running.jane
        # Given the fault (and Jane's history, if the row has one)
        if row.given is not None:
            row.given(stack)
        before = stack.item(jane)
        mails_before = len(stack.mails())
        log_before = send_log(before)
        row.arm(stack)

        # When Jane asks to sign in, the client gets Cognito's generic error: no session, no tokens
        assert refusal(lambda: stack.running.initiate(JANE_EMAIL)) == CREATE_FAILED

        # Then nothing redeemable was left behind
        assert len(stack.mails()) == mails_before + row.mails_during_fault
        if row.provider_requests is not None:
            assert stack.sink is not None
            assert len(stack.sink.requests) == row.provider_requests
        item = stack.item(jane)
        if row.stored == "nothing":
            assert item == before, "no secret stored, no counter moved"
        else:
            assert item is not None
            assert item["sent"] == {"BOOL": False}
            assert item["send_failed"] == {"BOOL": row.stored == "send_failed"}
            assert "consumed_ms" not in item
            assert counted_since(log_before, item) == 1, "one email tried, one counted"
        failed_secret = item["secret_id"]["S"] if item and row.stored == "send_failed" else None

        # When the fault clears, Jane's next attempt signs in with the one email it brought
        heal(stack)
        assert_next_attempt_signs_in(stack)

        # Then one email per issued secret, except the one whose delivery failed. A secret emailed
        # but not recorded as sent is reused while its send may still be in flight (5 s) and
        # replaced after, so on a slow machine that row may see a second email, for a second secret.
        mails = stack.mails()
        assert {mail.to for mail in mails} == {JANE_EMAIL}
        undelivered = 1 if failed_secret else 0
        assert stack.version(jane) == len(mails) + undelivered
        if row.stored != "unsent":
            assert len(mails) == mails_before + 1
        after = stack.item(jane)
        assert after is not None
        assert after["secret_id"]["S"] != failed_secret
        assert counted_since(log_before, after) == 1, "a replaced undelivered secret is not counted twice"


# A round after a wrong answer never issues, so create reads the live secret (its only GetItem for a
# known user) instead of writing first.
ASKING_AGAIN_FAULTS = {
    "dynamodb-read-throughput-exceeded": aws("dynamodb.GetItem", "ProvisionedThroughputExceededException"),
    "dynamodb-read-throttling": aws("dynamodb.GetItem", "ThrottlingException"),
}


@pytest.mark.parametrize("name", list(ASKING_AGAIN_FAULTS))
def test_a_fault_while_asking_again_after_a_wrong_answer_fails_closed_and_keeps_the_secret(
    tmp_path: Path, name: str
) -> None:
    with faulty_stack(tmp_path) as stack:
        jane = stack.running.jane
        # Given a challenge and its email
        challenge = stack.running.initiate(JANE_EMAIL)
        [mail] = stack.mails()
        before = stack.item(jane)
        assert before is not None

        # When Jane answers wrong during the fault, the next round's create fails for the client
        ASKING_AGAIN_FAULTS[name](stack)
        assert refusal(lambda: stack.running.answer(challenge, wrong_code(mail.code))) == CREATE_FAILED

        # Then only the wrong answer was counted: same secret, no email, no counter but that one
        after = stack.item(jane)
        assert after == before | {"code_failures": {"N": "1"}}
        assert len(stack.mails()) == 1

        # And once the fault clears, her next attempt signs in with the same email: no second one
        heal(stack)
        assert assert_next_attempt_signs_in(stack) == mail
        assert len(stack.mails()) == stack.version(jane) == 1


@dataclass(frozen=True)
class VerifyFault:
    arm: Arm
    wrong_answer: bool = False


VERIFY_FAULTS = {
    "dynamodb-consume-throughput-exceeded": VerifyFault(
        aws("dynamodb.UpdateItem", "ProvisionedThroughputExceededException", when=CONSUME)
    ),
    "dynamodb-count-failure-throttling": VerifyFault(
        aws("dynamodb.UpdateItem", "ThrottlingException", when=COUNT_FAILURE), wrong_answer=True
    ),
    "hmac-key-access-denied": VerifyFault(
        aws("secrets-manager.GetSecretValue", "AccessDeniedException", when=HMAC_KEY)
    ),
    "hmac-key-unreachable": VerifyFault(unreachable("secrets-manager.GetSecretValue", when=HMAC_KEY)),
}


@pytest.mark.parametrize("name", list(VERIFY_FAULTS))
def test_a_fault_while_answering_fails_closed_and_leaves_the_secret_and_counters_alone(
    tmp_path: Path, name: str
) -> None:
    row = VERIFY_FAULTS[name]
    with faulty_stack(tmp_path) as stack:
        jane = stack.running.jane
        # Given a challenge and its email
        challenge = stack.running.initiate(JANE_EMAIL)
        [mail] = stack.mails()
        before = stack.item(jane)

        # When Jane answers during the fault, the client gets Cognito's generic error
        row.arm(stack)
        answer = wrong_code(mail.code) if row.wrong_answer else mail.code
        assert refusal(lambda: stack.running.answer(challenge, answer)) == VERIFY_FAILED

        # Then the secret is unspent and no counter moved
        assert stack.item(jane) == before

        # And once the fault clears, her next attempt signs in with the same email: no second one
        heal(stack)
        assert assert_next_attempt_signs_in(stack) == mail
        assert len(stack.mails()) == 1
        assert stack.version(jane) == 1


# --- races ---------------------------------------------------------------------------------------


@dataclass
class Gate:
    """Holds the first matching call until `release`, so a race runs in one chosen order."""

    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def hold(self) -> None:
        self.arrived.set()
        assert self.released.wait(10), "the race never released the held call"


def test_two_redemptions_racing_for_one_code_give_one_sign_in(tmp_path: Path) -> None:
    with faulty_stack(tmp_path) as stack:
        running = stack.running
        # Given two sessions holding the same secret (the second reuses it: one email)
        first = running.initiate(JANE_EMAIL)
        second = running.initiate(JANE_EMAIL)
        [mail] = stack.mails()
        # and the first redemption held just before its conditional write
        gate = Gate()
        stack.faults.add(Fault("dynamodb.UpdateItem", before=gate.hold, when=CONSUME, times=1))
        results: list[dict[str, Any]] = []
        racer = threading.Thread(target=lambda: results.append(running.answer(first, mail.code)))
        racer.start()
        assert gate.arrived.wait(10)

        # When the second redemption completes first, then the held one writes
        winner = running.answer(second, mail.code)
        gate.released.set()
        racer.join(10)

        # Then exactly one sign-in: the loser is asked again (a new challenge), with no tokens
        assert "AuthenticationResult" in winner
        [loser] = results
        assert "AuthenticationResult" not in loser
        assert loser["ChallengeName"] == "CUSTOM_CHALLENGE"
        item = stack.item(running.jane)
        assert item is not None
        assert "consumed_ms" in item
        assert int(item["code_failures"]["N"]) == 0, "a lost race is not a wrong answer"
        assert len(stack.mails()) == stack.version(running.jane) == 1


def test_a_create_whose_read_is_overtaken_by_another_sign_in_reuses_its_secret(tmp_path: Path) -> None:
    with faulty_stack(tmp_path, "sendgrid") as stack:
        running = stack.running
        # Given a second sign-in for Jane that runs just before this create's (write-first) issue
        other: list[dict[str, Any]] = []
        overtake = Fault(
            "dynamodb.UpdateItem",
            before=lambda: other.append(running.initiate(JANE_EMAIL)),
            when=ISSUE,
            times=1,
        )
        stack.faults.add(overtake)

        # When Jane's first sign-in writes, its condition fails and hands back the other's secret,
        # which it reuses
        challenge = running.initiate(JANE_EMAIL)

        # Then both sessions hold the one secret the other sign-in emailed, and either signs in
        assert overtake.hits == 1
        [mail] = stack.mails()
        assert len(other) == 1
        assert "AuthenticationResult" in running.answer(challenge, mail.code)
        assert stack.version(running.jane) == 1


def test_a_create_that_loses_every_race_fails_closed_and_stores_no_secret(tmp_path: Path) -> None:
    with faulty_stack(tmp_path, "sendgrid") as stack:
        running = stack.running
        table, key = stack.table, {"pk": {"S": f"{running.pool_id}#{running.jane}"}}
        dynamodb = running.stack.client("dynamodb")

        def someone_else_writes() -> None:
            dynamodb.update_item(
                TableName=table,
                Key=key,
                UpdateExpression="ADD version :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )

        # Given Jane signed in this hour, so her next create issues on the item its write-first
        # hands back (a versioned write, which a concurrent change can beat), and an item that
        # changes before every issue write the create makes
        signed_in_earlier_this_hour(stack)
        [earlier] = stack.mails()
        spent = stack.item(running.jane)
        assert spent is not None
        stack.faults.add(Fault("dynamodb.UpdateItem", before=someone_else_writes, when=ISSUE))

        # When Jane asks, the client gets the generic error and no email goes out
        assert refusal(lambda: running.initiate(JANE_EMAIL)) == CREATE_FAILED
        assert stack.mails() == [earlier]
        item = stack.item(running.jane)
        assert item is not None
        assert item["secret_id"] == spent["secret_id"], "no new secret stored"
        assert "consumed_ms" in item

        # And once writes stop clashing, the next attempt sends exactly one email
        heal(stack)
        assert_next_attempt_signs_in(stack)
        assert len(stack.mails()) == 2


# --- Cognito's retries ---------------------------------------------------------------------------


def test_a_create_that_times_out_after_the_email_went_out_is_retried_without_a_second_email(
    tmp_path: Path,
) -> None:
    late = LateFirstCreate(hold_seconds=15)
    # Cognito's own budget (5 s, three attempts): the default TriggerPolicy
    with faulty_stack(tmp_path, "sendgrid", wrap_handler=late) as stack:
        challenge = stack.running.initiate(JANE_EMAIL)

        assert late.creates == 2, "the overrun attempt was retried"
        [mail] = stack.mails()
        assert "AuthenticationResult" in stack.running.answer(challenge, mail.code)
        assert stack.version(stack.running.jane) == 1
