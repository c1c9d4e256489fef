"""`make invoke` end to end: `python -m laptop.invoke` in a subprocess, on every sample event and on
events the samples never anticipated, read back through its stdout, stderr, exit status and outbox
(and, for the setup function, the answer CloudFormation received and the pool's triggers after it)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from laptop.aws import LOCAL_HMAC_KEY
from laptop.handlers import FUNCTIONS
from laptop.sample_pool import RESPONSE_URL, TAKEN_POOL_ID, THEIR_SIGN_UP_TRIGGER, THEIR_TOKEN_TRIGGER
from laptop.sample_state import (
    SAMPLE_CODE,
    SAMPLE_SECRET_ID,
    SAMPLE_TOKEN,
    sample_private_parameters,
)
from laptop.stack_template import load_template
from passwordless.binding import Binding
from passwordless.email.outbox import read_outbox
from passwordless.keyed_hash import KeyedHasher
from passwordless.private_parameters import parse_private
from passwordless.settings import Settings
from tests.support.make_invoke import ROOT, Run, invoke, invoke_in_a_subprocess

EVENTS_DIR = ROOT / "events"
EVENT_FILES = sorted(EVENTS_DIR.glob("*.json"))
FUNCTION_BY_PREFIX = {
    "define": "define_auth_challenge",
    "create": "create_auth_challenge",
    "verify": "verify_auth_challenge",
    "pre": "pre_sign_up",
    "post": "post_authentication",
    "custom": "custom_message",
    "api": "account_api",
    "attach": "attach_triggers",
}
# Events whose outcomes the custom message and account API tests hold; here they must only run.
OTHERS_PREFIXES = ("custom_message_", "api_")
UNAVAILABLE = "Sign-in is temporarily unavailable. Please try again."
SIGN_UP_REFUSED: dict[str, object] = {
    "errorType": "SignUpRefused",
    "errorMessage": "Sign-up is not possible with these details.",
}
PASSWORD_MODE = "password-and-email-code"

CHALLENGE = {"issueTokens": False, "failAuthentication": False, "challengeName": "CUSTOM_CHALLENGE"}
TOKENS = {"issueTokens": True, "failAuthentication": False}
FAIL = {"issueTokens": False, "failAuthentication": True}
DEFINE_EXPECTED = {
    "define_new_session": CHALLENGE,
    "define_after_wrong_answer": CHALLENGE,
    "define_after_right_answer": TOKENS,
    "define_at_wrong_answer_cap": FAIL,
    "define_resend": CHALLENGE,
    "define_foreign_challenge": FAIL,
    "define_unknown_user": FAIL,
    # Password-first sessions in the default email mode: all fail, but a plain right answer
    # (define_password_skipped is our round alone) signs in as ever.
    "define_password_srp_a": FAIL,
    "define_password_verified": FAIL,
    "define_password_wrong_password": FAIL,
    "define_password_code_right": FAIL,
    "define_password_code_wrong": FAIL,
    "define_password_skipped": TOKENS,
}
DEFINE_PASSWORD_MODE_EXPECTED = {
    "define_password_srp_a": {**CHALLENGE, "challengeName": "PASSWORD_VERIFIER"},
    "define_password_verified": CHALLENGE,
    "define_password_wrong_password": FAIL,
    "define_password_code_right": TOKENS,
    "define_password_code_wrong": CHALLENGE,
    "define_password_skipped": FAIL,
}
ALLOWED: dict[str, object] = {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False}
PRE_SIGN_UP_EXPECTED: dict[str, dict[str, object]] = {
    "pre_sign_up_self_sign_up": {**ALLOWED, "autoConfirmUser": True},
    "pre_sign_up_via_account_api": ALLOWED,
    "pre_sign_up_admin_invite": ALLOWED,  # administrators invite from any domain
    "pre_sign_up_external_provider": ALLOWED,
    "pre_sign_up_via_account_api_disallowed_domain": SIGN_UP_REFUSED,
    "pre_sign_up_disallowed_domain": SIGN_UP_REFUSED,
    "pre_sign_up_malformed_email": SIGN_UP_REFUSED,
    "pre_sign_up_oversized_name": SIGN_UP_REFUSED,
}
POST_AUTHENTICATION_VERIFIES = {
    "post_authentication_unverified": True,
    "post_authentication_verified": False,
}


@dataclass(frozen=True)
class Answered:
    """What CloudFormation hears, and the pool's triggers after the request."""

    status: str
    holds_request: bool  # the pool holds the request's Triggers afterwards (or none of ours)
    theirs: dict[str, str]  # the other team's triggers, which it holds either way


THEIRS = {"PreTokenGeneration": THEIR_TOKEN_TRIGGER}
SETUP_EXPECTED = {
    "attach_triggers_create": Answered("SUCCESS", True, THEIRS),
    "attach_triggers_update": Answered("SUCCESS", True, THEIRS),  # the CustomMessage slot added
    "attach_triggers_delete": Answered("SUCCESS", False, THEIRS),  # every slot given back
    "attach_triggers_create_taken_slot": Answered(
        "FAILED", False, {**THEIRS, "PreSignUp": THEIR_SIGN_UP_TRIGGER}
    ),
}


@dataclass(frozen=True)
class Created:
    masked_email: str
    mailed_to: str | None  # None: no email may be sent
    reuses_sample_secret: bool


CREATE_EXPECTED = {
    "create_first_round_live_secret": Created("j\u2022\u2022\u2022@example.com", None, True),
    "create_first_round_no_secret": Created("j\u2022\u2022\u2022@example.com", "john@example.com", False),
    "create_resend": Created("j\u2022\u2022\u2022@example.com", "jane@example.com", False),
    "create_unknown_user": Created("n\u2022\u2022\u2022@example.com", None, False),
    "create_password_first_round": Created("j\u2022\u2022\u2022@example.com", "john@example.com", False),
}
VERIFY_EXPECTED = {
    "verify_right_code": True,
    "verify_right_link_token": True,
    "verify_wrong_code": False,
    "verify_expired": False,
    "verify_foreign_parameters": False,
    "verify_unknown_user": False,
}


def function_for(path: Path) -> str:
    return FUNCTION_BY_PREFIX[path.stem.split("_")[0]]


def appears(code: str, text: str) -> bool:
    """The code as a number of its own, not as a run of digits inside a hash or an id."""
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(code)}(?![0-9A-Za-z])", text) is not None


def secrets_in(message: dict[str, str]) -> tuple[str, str]:
    """(code, link token) as the email shows them to the person."""
    link = re.search(r"https?://\S+#\S+", message["text"])
    assert link is not None
    token = parse_qs(urlsplit(link.group(0)).fragment)["t"][0]
    code = re.search(r"^\s+(\d{6})\s*$", message["text"], re.MULTILINE)
    assert code is not None
    return code.group(1), token


def binding_of(event_path: Path) -> Binding:
    event = json.loads(event_path.read_text(encoding="utf-8"))
    return Binding(event["userPoolId"], event["callerContext"]["clientId"], event["userName"])


def _expected_here() -> set[str]:
    tables = (DEFINE_EXPECTED, CREATE_EXPECTED, VERIFY_EXPECTED, PRE_SIGN_UP_EXPECTED, SETUP_EXPECTED)
    return {stem for table in tables for stem in table} | set(POST_AUTHENTICATION_VERIFIES)


def assert_one_line_error(run: Run, path: Path, complaint: str) -> None:
    """Nothing ran: exit 2, no output, one line naming the file and what is wrong with it."""
    assert run.returncode == 2
    assert run.stdout == ""
    [line] = run.stderr.splitlines()
    assert line.startswith(f"error: {path}: ")
    assert complaint in line


def test_every_sample_event_has_an_expected_outcome() -> None:
    ours = {path.stem for path in EVENT_FILES if not path.stem.startswith(OTHERS_PREFIXES)}
    assert ours == _expected_here()
    assert all(path.stem.split("_")[0] in FUNCTION_BY_PREFIX for path in EVENT_FILES)


@pytest.mark.parametrize("path", EVENT_FILES, ids=lambda p: p.stem)
def test_every_sample_event_has_its_outcome_and_keeps_secrets_out_of_the_logs(
    path: Path, tmp_path: Path
) -> None:
    # Given a sample event / When make invoke's entry runs it
    outbox = tmp_path / "outbox"
    run = invoke(function_for(path), str(path.relative_to(ROOT)), outbox=outbox)
    # Then the logs are on stderr, the returned document alone on stdout, and no secret in either
    assert "security_event" not in run.stdout
    assert SAMPLE_TOKEN not in run.stderr
    assert not appears(SAMPLE_CODE, run.stderr)
    event = json.loads(path.read_text(encoding="utf-8"))
    if path.stem in PRE_SIGN_UP_EXPECTED:
        check_pre_sign_up(PRE_SIGN_UP_EXPECTED[path.stem], run)
        return
    if path.stem in SETUP_EXPECTED:
        check_setup(SETUP_EXPECTED[path.stem], event, run)
        return
    assert run.returncode == 0, run.stderr
    if path.stem.startswith("api_"):
        assert isinstance(run.document()["statusCode"], int)  # an HTTP response, not an event
        return
    assert run.document()["triggerSource"] == event["triggerSource"]
    if path.stem.startswith(OTHERS_PREFIXES):
        return
    # And the response is the one the tables above expect
    if path.stem in POST_AUTHENTICATION_VERIFIES:
        assert run.document() == event  # Cognito reads nothing back from PostAuthentication
        verified = '"security_event":"email_verified"' in run.stderr.replace(" ", "")
        assert verified is POST_AUTHENTICATION_VERIFIES[path.stem]
        assert "unavailable" not in run.stderr
        assert read_outbox(outbox) == []  # NOTIFY_NEW_SIGN_IN is off by default
        return
    assert "security_event" in run.stderr  # every challenge trigger logs what it decided
    if path.stem in DEFINE_EXPECTED:
        assert run.response() == DEFINE_EXPECTED[path.stem]
    elif path.stem in VERIFY_EXPECTED:
        assert run.response() == {"answerCorrect": VERIFY_EXPECTED[path.stem]}
    else:
        check_create(CREATE_EXPECTED[path.stem], run, outbox, binding_of(path))


def check_pre_sign_up(expected: dict[str, object], run: Run) -> None:
    if expected is SIGN_UP_REFUSED:
        # Cognito shows the one generic message; nothing says which rule refused
        assert run.returncode == 1
        assert run.document() == SIGN_UP_REFUSED
        assert run.stderr.splitlines()[-1] == f"error: {SIGN_UP_REFUSED['errorMessage']}"
        assert "Traceback" not in run.stderr
    else:
        assert run.returncode == 0, run.stderr
        assert run.response() == expected
    assert "elsewhere.example" not in run.stderr  # the address reaches no log line


def pool_triggers(run: Run, pool_id: str) -> dict[str, str]:
    """The triggers the run's "pool:" line says `pool_id` holds after it."""
    prefix = f"pool: {pool_id} triggers "
    [line] = [line for line in run.stderr.splitlines() if line.startswith(prefix)]
    triggers: dict[str, str] = json.loads(line.removeprefix(prefix))
    return triggers


def check_setup(expected: Answered, event: dict[str, object], run: Run) -> None:
    # CloudFormation's answer is the result, for this request and this resource
    answer = run.document()
    assert answer["Status"] == expected.status, run.stderr
    for field in ("RequestId", "StackId", "LogicalResourceId"):
        assert answer[field] == event[field]
    properties = event["ResourceProperties"]
    assert isinstance(properties, dict)
    pool_id = properties["UserPoolId"]
    assert answer["PhysicalResourceId"].startswith(f"{pool_id}:")
    if "PhysicalResourceId" in event:  # an Update in place or a Delete keeps the resource's name
        assert answer["PhysicalResourceId"] == event["PhysicalResourceId"]
    # And the pool holds what the request asked for, or none of ours, beside the other team's triggers
    ours = properties["Triggers"] if expected.holds_request else {}
    assert pool_triggers(run, pool_id) == {**expected.theirs, **ours}
    # The answer went to the local stand-in: neither URL reaches the output
    assert "X-Amz-Signature" not in run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    if expected.status == "SUCCESS":
        assert (run.returncode, answer["Reason"]) == (0, "")
    else:
        # A refusal: the reason names the slot and who holds it, and is the run's one error line
        assert run.returncode == 1
        assert "PreSignUp" in answer["Reason"]
        assert THEIR_SIGN_UP_TRIGGER in answer["Reason"]
        assert run.stderr.splitlines()[-1] == f"error: {answer['Reason']}"


def test_the_setup_function_runs_on_an_event_file_alone_as_make_invoke_event_passes_it() -> None:
    # Given `make invoke EVENT=...` with no FUNCTION: the request names the setup function
    run = invoke("events/attach_triggers_create.json")
    assert run.returncode == 0, run.stderr
    assert run.document()["Status"] == "SUCCESS"


def test_the_answer_stays_on_this_machine_when_the_shell_names_a_proxy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a shell whose proxy (TEST-NET-1, and sockets allow 127.0.0.1 only) would take any request
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(name, "http://192.0.2.1:3128")
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    # When the setup function answers a request whose ResponseURL is S3's
    event = json.loads((EVENTS_DIR / "attach_triggers_delete.json").read_text(encoding="utf-8"))
    assert event["ResponseURL"] == RESPONSE_URL
    run = invoke("attach_triggers", "events/attach_triggers_delete.json", outbox=tmp_path)
    # Then the answer reached the local stand-in directly
    assert run.returncode == 0, run.stderr
    assert run.document()["Status"] == "SUCCESS"
    assert "not delivered" not in run.stderr


def test_a_request_for_a_pool_the_sample_state_lacks_fails_by_name(tmp_path: Path) -> None:
    event = json.loads((EVENTS_DIR / "attach_triggers_create.json").read_text(encoding="utf-8"))
    event["ResourceProperties"]["UserPoolId"] = "us-east-1_N0where"
    path = tmp_path / "elsewhere.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    run = invoke("attach_triggers", str(path), outbox=tmp_path / "outbox")
    assert run.returncode == 1
    assert run.document()["Status"] == "FAILED"
    assert "no user pool us-east-1_N0where" in run.document()["Reason"]
    assert "pool: " not in run.stderr  # no such pool to show


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"RequestType": "Drop"}, "RequestType is not Create, Update or Delete"),
        ({"RequestId": ""}, "no RequestId"),
        ({"ResponseURL": "file:///etc/passwd"}, "ResponseURL is not an HTTP URL"),
        ({"ResourceProperties": "UserPoolId"}, "resource properties are not objects"),
        ({"triggerSource": "PreSignUp_SignUp"}, "a PreSignUp_SignUp event is not for attach_triggers"),
    ],
)
def test_a_malformed_cloudformation_request_is_a_usage_error(
    change: dict[str, object], complaint: str, tmp_path: Path
) -> None:
    # Given the taken-slot request with one field spoiled
    event = json.loads((EVENTS_DIR / "attach_triggers_create_taken_slot.json").read_text(encoding="utf-8"))
    path = tmp_path / "request.json"
    path.write_text(json.dumps({**event, **change}), encoding="utf-8")
    # When make invoke runs it, Then nothing runs and one line names the file and the field
    run = invoke("attach_triggers", str(path), outbox=tmp_path / "outbox")
    assert_one_line_error(run, path, complaint)


@pytest.mark.parametrize("stem", sorted(DEFINE_PASSWORD_MODE_EXPECTED))
def test_password_mode_events_decide_as_that_mode_when_the_shell_sets_it(
    stem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given SIGN_IN_MODE in the environment make invoke runs in (events carry no mode)
    monkeypatch.setenv("SIGN_IN_MODE", PASSWORD_MODE)
    run = invoke("define_auth_challenge", f"events/{stem}.json", outbox=tmp_path / "outbox")
    # Then define follows the password-first table
    assert run.returncode == 0, run.stderr
    assert run.response() == DEFINE_PASSWORD_MODE_EXPECTED[stem]


def test_password_mode_create_emails_a_code_without_a_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGN_IN_MODE", PASSWORD_MODE)
    outbox = tmp_path / "outbox"
    run = invoke("create_auth_challenge", "events/create_password_first_round.json", outbox=outbox)
    assert run.returncode == 0, run.stderr
    (message,) = read_outbox(outbox)
    assert message["to"] == "john@example.com"
    assert "http" not in message["text"]
    code = re.search(r"^\s+(\d{6})\s*$", message["text"], re.MULTILINE)
    assert code is not None
    private = run.response()["privateChallengeParameters"]
    binding = binding_of(EVENTS_DIR / "create_password_first_round.json")
    hasher = KeyedHasher(LOCAL_HMAC_KEY.encode())
    assert private["codeHash"] == hasher.digest("code", binding, private["secretId"], code.group(1))


def test_post_authentication_sends_the_notice_when_the_shell_turns_it_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTIFY_NEW_SIGN_IN", "true")
    outbox = tmp_path / "outbox"
    run = invoke("post_authentication", "events/post_authentication_unverified.json", outbox=outbox)
    assert run.returncode == 0, run.stderr
    (message,) = read_outbox(outbox)
    assert message["to"] == "sam@example.com"
    assert message["subject"] == "Neue Anmeldung für die Passwordless-Demo"  # Sam's locale is de
    [line] = run.mail_lines()
    assert message["subject"] in line


def test_sign_up_domains_from_the_shell_replace_the_sample_domain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGN_UP_ALLOWED_DOMAINS", "elsewhere.example")
    allowed = invoke("pre_sign_up", "events/pre_sign_up_disallowed_domain.json", outbox=tmp_path)
    refused = invoke("pre_sign_up", "events/pre_sign_up_self_sign_up.json", outbox=tmp_path)
    assert (allowed.returncode, refused.returncode) == (0, 1)
    assert allowed.response()["autoConfirmUser"] is True
    assert refused.document() == SIGN_UP_REFUSED


def check_create(expected: Created, run: Run, outbox: Path, binding: Binding) -> None:
    response = run.response()
    private = response["privateChallengeParameters"]
    # The public side names the address only masked, and no side carries a secret
    assert response["publicChallengeParameters"] == {"email": expected.masked_email, "codeLength": "6"}
    assert parse_private(private) is not None
    assert SAMPLE_TOKEN not in run.stdout
    assert not appears(SAMPLE_CODE, run.stdout)
    hasher = KeyedHasher(LOCAL_HMAC_KEY.encode())
    if expected.reuses_sample_secret:
        assert private == sample_private_parameters(hasher)
    else:
        assert private["secretId"] != SAMPLE_SECRET_ID
    # Exactly the expected email (or none) went out, announced on stderr by file and subject
    messages = read_outbox(outbox)
    if expected.mailed_to is None:
        assert messages == []
        assert run.mail_lines() == []
        return
    assert [message["to"] for message in messages] == [expected.mailed_to]
    [line] = run.mail_lines()
    assert str(outbox) in line
    assert messages[0]["subject"] in line
    # The mail holds the very secret whose hashes the challenge carries, and it appears nowhere else
    code, token = secrets_in(messages[0])
    assert private["codeHash"] == hasher.digest("code", binding, private["secretId"], code)
    assert private["tokenHash"] == hasher.digest("token", binding, private["secretId"], token)
    for text in (run.stdout, run.stderr):
        assert token not in text
        assert not appears(code, text)


def test_a_foreign_cognito_event_for_a_user_nobody_seeded_just_works(tmp_path: Path) -> None:
    # Given events from another pool and app client, for a user the sample state does not know
    def foreign(stem: str) -> Path:
        event = json.loads((EVENTS_DIR / f"{stem}.json").read_text(encoding="utf-8"))
        event["userPoolId"] = "eu-west-1_0therPool9"
        event["region"] = "eu-west-1"
        event["callerContext"]["clientId"] = "0ther0app0client0id0abcdef"
        event["userName"] = "0b9e7c2a-5d41-4f3e-a8b6-c1d2e3f40516"
        if event["request"]["userAttributes"]:
            event["request"]["userAttributes"] |= {
                "sub": event["userName"],
                "email": "Zoe@Example.org",
                "locale": "de-AT",
            }
        path = tmp_path / f"foreign_{stem}.json"
        path.write_text(json.dumps(event), encoding="utf-8")
        return path

    outbox = tmp_path / "outbox"
    # When each trigger runs on them
    define = invoke("define_auth_challenge", str(foreign("define_new_session")), outbox=outbox)
    create = invoke("create_auth_challenge", str(foreign("create_first_round_no_secret")), outbox=outbox)
    verify = invoke("verify_auth_challenge", str(foreign("verify_right_code")), outbox=outbox)
    # Then nothing crashes: a first round, a fresh secret mailed to them, and Jane's code refused
    assert (define.returncode, create.returncode, verify.returncode) == (0, 0, 0)
    assert define.response() == CHALLENGE
    assert create.response()["publicChallengeParameters"]["email"] == "Z\u2022\u2022\u2022@example.org"
    assert [message["to"] for message in read_outbox(outbox)] == ["Zoe@Example.org"]
    assert verify.response() == {"answerCorrect": False}


def test_without_outbox_dir_mail_goes_to_a_throwaway_folder_and_says_so() -> None:
    run = invoke("create_auth_challenge", "events/create_first_round_no_secret.json")
    assert run.returncode == 0, run.stderr
    [line] = run.mail_lines()
    assert "set OUTBOX_DIR" in line


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("{not json", "not a JSON document"),
        ("[]", "must be a JSON object"),
        ('{"triggerSource": "DefineAuthChallenge_Authentication", "request": {}}', "callerContext"),
        ('{"triggerSource": "CustomMessage_SignUp"}', "not for define_auth_challenge"),
    ],
)
def test_a_malformed_event_file_is_a_one_line_error(content: str, complaint: str, tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text(content, encoding="utf-8")
    run = invoke("define_auth_challenge", str(path), outbox=tmp_path / "outbox")
    assert_one_line_error(run, path, complaint)


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ('{"request": {}}', "neither a Cognito trigger event"),
        ('{"version": "1.0", "routeKey": "POST /sign-up"}', "neither a Cognito trigger event"),
        ('{"triggerSource": "PreTokenGeneration_Authentication"}', "no function handles triggerSource"),
        ('{"version": "2.0", "routeKey": "POST /sign-up"}', "requestContext.http must be an object"),
        ('{"version": "2.0", "routeKey": "x", "requestContext": {"http": {"method": 1}}}', "method"),
        (
            '{"version": "2.0", "routeKey": "x", "requestContext": {"http": {"method": "POST"}}, "body": 5}',
            "body",
        ),
        ('{"triggerSource": "PreSignUp_SignUp", "request": {}}', "userPoolId"),
        ('{"triggerSource": "PostAuthentication_Authentication", "request": {}}', "userPoolId"),
        ('{"RequestType": "Create", "ResponseURL": "https://example.com/answer"}', "no StackId"),
    ],
)
def test_all_names_the_event_it_cannot_place_or_parse(content: str, complaint: str, tmp_path: Path) -> None:
    # Given a folder of events, one of them unusable
    folder = tmp_path / "events"
    folder.mkdir()
    (folder / "pre_sign_up_self_sign_up.json").write_text(
        (EVENTS_DIR / "pre_sign_up_self_sign_up.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (folder / "odd.json").write_text(content, encoding="utf-8")
    # When --all runs the folder, Then nothing runs and the one line names the file and the problem
    run = invoke("--all", str(folder), outbox=tmp_path / "outbox")
    assert run.returncode == 2
    assert run.stdout == ""
    [line] = run.stderr.splitlines()
    assert line.startswith(f"error: {folder / 'odd.json'}: ")
    assert complaint in line


def test_an_api_event_is_refused_by_a_trigger_and_a_trigger_event_by_the_api(tmp_path: Path) -> None:
    api_event = next(path for path in EVENT_FILES if path.stem.startswith("api_"))
    as_trigger = invoke("pre_sign_up", str(api_event), outbox=tmp_path)
    as_api = invoke("account_api", "events/pre_sign_up_self_sign_up.json", outbox=tmp_path)
    assert (as_trigger.returncode, as_api.returncode) == (2, 2)
    assert "an HTTP API event is not for pre_sign_up" in as_trigger.stderr
    assert "a PreSignUp_SignUp event is not for account_api" in as_api.stderr


def test_a_cloudformation_request_is_only_for_the_setup_function_and_it_takes_nothing_else(
    tmp_path: Path,
) -> None:
    request = "events/attach_triggers_create.json"
    as_trigger = invoke("pre_sign_up", request, outbox=tmp_path)
    as_api = invoke("account_api", request, outbox=tmp_path)
    api_as_request = invoke("attach_triggers", "events/api_sign_up.json", outbox=tmp_path)
    assert (as_trigger.returncode, as_api.returncode, api_as_request.returncode) == (2, 2, 2)
    assert "a CloudFormation request is not for pre_sign_up" in as_trigger.stderr
    assert "a CloudFormation request is not for account_api" in as_api.stderr
    assert "an HTTP API event is not for attach_triggers" in api_as_request.stderr


def test_a_missing_event_file_or_unknown_function_is_a_one_line_error(tmp_path: Path) -> None:
    missing = invoke("define_auth_challenge", str(tmp_path / "nope.json"))
    unknown = invoke("sign_up", "events/define_new_session.json")
    for run in (missing, unknown):
        assert run.returncode == 2
        assert run.stdout == ""
        assert len(run.stderr.splitlines()) == 1
        assert run.stderr.startswith("error: ")


def test_an_exception_from_the_handler_fails_the_invocation(tmp_path: Path) -> None:
    # Given an outbox that cannot be written (a file stands where the folder should be)
    blocked = tmp_path / "outbox"
    blocked.write_text("", encoding="utf-8")
    # When create must send an email
    run = invoke("create_auth_challenge", "events/create_first_round_no_secret.json", outbox=blocked)
    # Then the invocation fails as Lambda reports it, with the message Cognito would pass on
    assert run.returncode == 1
    assert run.document() == {"errorType": "SignInUnavailable", "errorMessage": UNAVAILABLE}
    assert run.stderr.splitlines()[-1] == f"error: {UNAVAILABLE}"
    assert "Traceback" not in run.stderr


def test_all_runs_every_file_by_its_trigger_on_its_own_fresh_state(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    run = invoke("--all", "events", outbox=outbox)
    # Refusals of bad sign-ups are those events' outcomes, not failures of the run
    assert run.returncode == 0, run.stderr
    responses = run.document()
    assert set(responses) == {path.name for path in EVENT_FILES}
    for stem, expected in DEFINE_EXPECTED.items():
        assert responses[f"{stem}.json"] == expected
    for stem, answer in PRE_SIGN_UP_EXPECTED.items():
        assert responses[f"{stem}.json"] == answer
    refused = [line for line in run.stderr.splitlines() if line.startswith("error: pre_sign_up_")]
    assert len(refused) == list(PRE_SIGN_UP_EXPECTED.values()).count(SIGN_UP_REFUSED)
    # The setup function's requests: CloudFormation's answers, the refused one a refusal too
    for stem, answered in SETUP_EXPECTED.items():
        assert responses[f"{stem}.json"]["Status"] == answered.status
    assert f"pool: {TAKEN_POOL_ID} triggers " in run.stderr
    for path in EVENT_FILES:
        if path.stem.startswith("api_"):
            assert isinstance(responses[path.name]["statusCode"], int)
    for stem, correct in VERIFY_EXPECTED.items():
        # Both right answers succeed: neither run sees the other spend Jane's secret.
        assert responses[f"{stem}.json"] == {"answerCorrect": correct}
    mailed = sorted(c.mailed_to for c in CREATE_EXPECTED.values() if c.mailed_to)
    sign_in_mail = [m["to"] for m in read_outbox(outbox) if "sign-in link" in m["subject"].lower()]
    assert sorted(sign_in_mail) == mailed


def test_the_command_line_prints_what_the_entry_point_returns(tmp_path: Path) -> None:
    # Given one sample event that issues and mails a secret
    event = "events/create_first_round_no_secret.json"
    # When `python -m laptop.invoke` runs it as `make invoke` does, in a new interpreter
    command_line = invoke_in_a_subprocess("create_auth_challenge", event, outbox=tmp_path / "command")
    in_process = invoke("create_auth_challenge", event, outbox=tmp_path / "in-process")
    # Then it exits as the in-process entry point does, with one document of the same shape and one mail
    assert (command_line.returncode, in_process.returncode) == (0, 0), command_line.stderr
    assert command_line.document().keys() == in_process.document().keys()
    assert command_line.response()["publicChallengeParameters"] == {
        "email": "j\u2022\u2022\u2022@example.com",
        "codeLength": "6",
    }
    assert [m["to"] for m in read_outbox(tmp_path / "command")] == ["john@example.com"]
    [line] = command_line.mail_lines()
    assert str(tmp_path / "command") in line


def test_logical_id_names_the_template_resource_for_sam_invoke() -> None:
    run = invoke("--logical-id", "create_auth_challenge")
    assert (run.returncode, run.stdout) == (0, "CreateAuthChallengeFunction\n")


def test_sam_env_sets_only_declared_variables_and_a_usable_configuration() -> None:
    # sam local invoke applies only variables the template declares, so a stray name would be a no-op.
    template = load_template()
    shared_declared = set(template["Globals"]["Function"]["Environment"]["Variables"])
    overrides = json.loads((ROOT / "laptop" / "sam-env.json").read_text(encoding="utf-8"))
    shared = overrides.pop("Parameters")
    functions = {logical for logical, _ in FUNCTIONS.values()}
    assert set(overrides) <= functions
    for logical in sorted(functions):
        own = template["Resources"][logical]["Properties"].get("Environment", {}).get("Variables", {})
        environment = shared | overrides.get(logical, {})
        assert set(environment) <= shared_declared | set(own)
        assert set(own) <= set(environment), f"{logical} reads variables sam-env.json does not set"
        assert all(isinstance(value, str) for value in environment.values())
        Settings.from_env(environment)  # raises, naming the variable, if a placeholder is unusable
