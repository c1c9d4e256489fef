"""`python -m laptop.invite` (make invite) against the running local stack, as an operator runs it:
a separate process that prints the new username and never the link, whose email's link signs the
invitee in through the stack's Cognito endpoint."""

from __future__ import annotations

import socket
import subprocess
import sys

from laptop.handlers import ROOT
from tests.support.local_stack import RunningStack


def run_invite(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "laptop.invite", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PYTHONPATH": f"{ROOT / 'layers' / 'passwordless'}:{ROOT}", "PATH": "/usr/bin:/bin"},
    )


def test_make_invite_sends_one_invitation_whose_link_signs_the_invitee_in(local_stack: RunningStack) -> None:
    done = run_invite("Invitee@Example.com", "--name", "In Vitee", "--endpoint", local_stack.stack.url)

    assert done.returncode == 0, done.stderr
    [mail] = local_stack.mail_to("invitee@example.com")
    token = mail.link_token
    assert "invitation sent" in done.stdout
    assert token not in done.stdout + done.stderr
    assert mail.code not in done.stdout + done.stderr
    user = local_stack.idp.admin_get_user(UserPoolId=local_stack.pool_id, Username="invitee@example.com")
    assert user["Username"] in done.stdout
    assert user["UserStatus"] == "CONFIRMED"

    challenge = local_stack.initiate("invitee@example.com")
    assert len(local_stack.mail_to("invitee@example.com")) == 1  # the live invitation is reused
    signed_in = local_stack.answer(challenge, token)

    assert "AccessToken" in signed_in["AuthenticationResult"]


def test_make_invite_refuses_an_existing_address(local_stack: RunningStack) -> None:
    done = run_invite("jane@example.com", "--endpoint", local_stack.stack.url)

    assert done.returncode == 1
    assert "already exists" in done.stderr
    assert local_stack.mail_to("jane@example.com") == []


def test_make_invite_without_a_stack_fails_with_a_hint() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]

    done = run_invite("invitee@example.com", "--endpoint", f"http://127.0.0.1:{port}/")

    assert done.returncode == 1
    assert "make demo" in done.stderr


def test_make_invite_refuses_a_malformed_address_as_a_usage_error() -> None:
    done = run_invite("not an address")

    assert done.returncode == 2
    assert "not a valid email address" in done.stderr
