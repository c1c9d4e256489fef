"""The sign-in funnel as the deployed handlers write it: real sign-ins through the three handlers (and
through the local stack over HTTP), the EMF records they print parsed back, metric by metric, with the
app client's dimension. And what the laptop does by default: print none."""

from __future__ import annotations

import io
import json
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from laptop.aws import LOCAL_HMAC_KEY
from laptop.sample_state import SAMPLE_CODE
from passwordless.errors import SignInUnavailable
from passwordless.funnel_metrics import FUNNEL
from tests.integration.emf import cold_starts, emf_records, funnel_counts
from tests.support.attacks import wrong_code
from tests.support.cognito import CLIENT_ID, OTHER_CLIENT_ID
from tests.support.flow import JANE, JOHN
from tests.support.lambda_handlers import Deployed, deploy
from tests.support.local_stack import JANE_EMAIL, RunningStack, start_stack
from tests.support.make_invoke import ROOT, invoke

CODE = re.compile(r"\b(\d{6})\b")
LINK_TOKEN = re.compile(r"#\S*t=(\S+)")
FUNCTIONS = ("DefineAuthChallengeFunction", "CreateAuthChallengeFunction", "VerifyAuthChallengeFunction")

Deploy = Callable[..., Deployed]


@pytest.fixture
def metered(
    aws: object, outbox_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Deploy:
    """Deploys the three handlers with metrics on (the laptop turns them off), under extra settings."""

    def deploy_with(**settings: str) -> Deployed:
        monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
        monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "DEBUG")
        for name, value in settings.items():
            monkeypatch.setenv(name, value)
        deployed = deploy(outbox_dir, io.StringIO())
        capsys.readouterr()  # whatever came before the cold starts is not theirs
        return deployed

    return deploy_with


def emitted(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return emf_records(capsys.readouterr().out)


def latest_code(deployed: Deployed) -> str:
    found = CODE.search(deployed.mail()[-1]["text"])
    assert found is not None
    return found.group(1)


def test_a_code_sign_in_counts_issued_sent_and_right_for_its_client(
    metered: Deploy, capsys: pytest.CaptureFixture[str]
) -> None:
    deployed = metered()
    # When Jane asks for a sign-in
    asked = deployed.cognito.initiate_auth(JANE.email)
    # Then create's record is already out, before any answer: flushed per invocation
    asking = emitted(capsys)
    assert funnel_counts(asking) == Counter({("SecretIssued", CLIENT_ID): 1, ("EmailSent", CLIENT_ID): 1})
    assert cold_starts(asking) == Counter({FUNCTIONS[0]: 1, FUNCTIONS[1]: 1})
    # When she types the code
    assert deployed.cognito.respond(asked, latest_code(deployed)).kind == "tokens"
    answering = emitted(capsys)
    assert funnel_counts(answering) == Counter({("AnswerRight", CLIENT_ID): 1})
    # Then verify's container started cold once; define's and create's did not start again
    assert cold_starts(answering) == Counter({FUNCTIONS[2]: 1})


def test_a_wrong_answer_counts_for_the_client_that_asked(
    metered: Deploy, capsys: pytest.CaptureFixture[str]
) -> None:
    deployed = metered()
    asked = deployed.cognito.initiate_auth(JOHN.email, client_id=OTHER_CLIENT_ID)
    outcome = deployed.cognito.respond(asked, wrong_code(latest_code(deployed)))
    assert outcome.kind == "challenge"
    # The next round reuses the live secret: nothing issued, nothing sent
    assert funnel_counts(emitted(capsys)) == Counter(
        {
            ("SecretIssued", OTHER_CLIENT_ID): 1,
            ("EmailSent", OTHER_CLIENT_ID): 1,
            ("AnswerWrong", OTHER_CLIENT_ID): 1,
        }
    )
    assert len(deployed.mail()) == 1


def test_reaching_the_code_failure_cap_counts_the_lock_once(
    metered: Deploy, capsys: pytest.CaptureFixture[str]
) -> None:
    deployed = metered(MAX_CODE_FAILURES="2")
    asked = deployed.cognito.initiate_auth(JANE.email)
    code = latest_code(deployed)
    capsys.readouterr()
    # Two wrong codes reach the cap of 2; the right code then no longer works
    asked = deployed.cognito.respond(asked, wrong_code(code))
    asked = deployed.cognito.respond(asked, wrong_code(code))
    assert deployed.cognito.respond(asked, code).kind == "failed"
    assert funnel_counts(emitted(capsys)) == Counter(
        {("AnswerWrong", CLIENT_ID): 3, ("CodeLocked", CLIENT_ID): 1}
    )


def test_a_resend_inside_the_gap_counts_as_throttled_not_sent(
    metered: Deploy, capsys: pytest.CaptureFixture[str]
) -> None:
    deployed = metered(RESEND_MIN_SECONDS="60")
    asked = deployed.cognito.initiate_auth(JANE.email)
    capsys.readouterr()
    resent = deployed.cognito.respond(asked, "resend", {"resend": "true"})
    assert resent.kind == "challenge"
    assert len(deployed.mail()) == 1
    assert funnel_counts(emitted(capsys)) == Counter({("EmailThrottled", CLIENT_ID): 1})


def test_a_provider_failure_is_counted_although_the_invocation_raises(
    metered: Deploy, outbox_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployed = metered()
    deployed.cognito.initiate_auth(JANE.email)  # builds the sender, as a warm container has
    capsys.readouterr()
    # Given a provider that cannot take the message (the outbox folder is gone, a file in its place)
    shutil.rmtree(outbox_dir)
    outbox_dir.write_text("not a folder", encoding="utf-8")
    # When John asks, create fails closed
    with pytest.raises(SignInUnavailable):
        deployed.cognito.initiate_auth(JOHN.email)
    # Then the failed invocation still wrote its record
    assert funnel_counts(emitted(capsys)) == Counter(
        {("SecretIssued", CLIENT_ID): 1, ("ProviderError", CLIENT_ID): 1}
    )


def test_the_metrics_carry_no_secret_address_or_user(
    metered: Deploy, outbox_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployed = metered(RESEND_MIN_SECONDS="0")
    cognito = deployed.cognito
    jane = cognito.initiate_auth(JANE.email)
    jane = cognito.respond(jane, wrong_code(latest_code(deployed)))
    jane = cognito.respond(jane, "resend", {"resend": "true"})
    cognito.respond(jane, latest_code(deployed))
    cognito.initiate_auth(JOHN.email, client_id=OTHER_CLIENT_ID)
    link_token = LINK_TOKEN.search(deployed.mail()[-1]["text"])
    assert link_token is not None
    cognito.respond(cognito.initiate_auth(JOHN.email, client_id=OTHER_CLIENT_ID), link_token.group(1))
    cognito.respond(cognito.initiate_auth("stranger@example.com"), "123456")
    output = capsys.readouterr().out
    records = emf_records(output)
    counts = funnel_counts(records)
    # Every funnel metric but the throttles, the two failures and the passkey client's (off here)
    # appeared: the records checked are real
    assert {name for name, _ in counts} == set(FUNNEL.values()) - {
        "EmailThrottled",
        "StrangerBudgetSpent",
        "CodeLocked",
        "ProviderError",
        "PasskeySignIn",
        "PasskeyFailure",
    }
    codes = [c for m in deployed.mail() for c in CODE.findall(m["text"])]
    tokens = [t for m in deployed.mail() for t in LINK_TOKEN.findall(m["text"])]
    assert len(codes) == len(tokens) == 3
    pseudonyms = {r["user"] for r in deployed.log_records() if "user" in r}
    assert pseudonyms
    for secret in [*codes, *tokens, LOCAL_HMAC_KEY, *pseudonyms]:
        assert secret not in output
    for personal in [JANE.email, JOHN.email, JANE.username, JOHN.username, "stranger", "example.com"]:
        assert personal not in output
    allowed = {"_aws", "service", "ClientId", "function_name", "ColdStart", *FUNNEL.values()}
    for record in records:
        assert set(record) <= allowed, record


# ------------------------------------------------------------------------------------- the laptop


@pytest.fixture
def metered_stack(tmp_path: Path) -> Iterator[RunningStack]:
    yield from start_stack(tmp_path, RESEND_MIN_SECONDS="0", POWERTOOLS_METRICS_DISABLED="false")


def test_the_local_stack_writes_the_funnel_for_its_app_client_when_asked_to(
    metered_stack: RunningStack, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    challenge = metered_stack.initiate(JANE_EMAIL)
    tokens = metered_stack.answer(challenge, metered_stack.mail_to(JANE_EMAIL)[-1].code)
    assert "AuthenticationResult" in tokens
    records = emitted(capsys)
    client = metered_stack.client_id
    assert funnel_counts(records) == Counter(
        {("SecretIssued", client): 1, ("EmailSent", client): 1, ("AnswerRight", client): 1}
    )
    # The stack runs the pool's PostAuthentication trigger after the answer, as Cognito does.
    assert set(cold_starts(records)) == {*FUNCTIONS, "PostAuthenticationFunction"}


def test_the_demo_stack_prints_no_metrics(
    local_stack: RunningStack, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    challenge = local_stack.initiate(JANE_EMAIL)
    tokens = local_stack.answer(challenge, local_stack.mail_to(JANE_EMAIL)[-1].code)
    assert "AuthenticationResult" in tokens
    assert "_aws" not in capsys.readouterr().out


def test_make_invoke_writes_metrics_only_when_asked_and_then_beside_the_logs() -> None:
    event = "events/verify_right_code.json"
    quiet = invoke("verify_auth_challenge", event)
    loud = invoke("--metrics", "verify_auth_challenge", event)
    assert quiet.returncode == loud.returncode == 0, (quiet.stderr, loud.stderr)
    assert json.loads(quiet.stdout) == json.loads(loud.stdout)  # stdout stays the returned event alone
    assert '"_aws"' not in quiet.stderr
    emf_lines = "\n".join(line for line in loud.stderr.splitlines() if '"_aws"' in line)
    records = emf_records(emf_lines)
    client = json.loads((ROOT / event).read_text(encoding="utf-8"))["callerContext"]["clientId"]
    assert funnel_counts(records) == Counter({("AnswerRight", client): 1})
    assert cold_starts(records) == Counter({FUNCTIONS[2]: 1})
    assert SAMPLE_CODE not in emf_lines
