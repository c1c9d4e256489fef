"""What create and verify load at cold start, in a fresh interpreter: each only its own side of the
runtime, and create with SES no SendGrid (their cold starts are measured by `make bench`; here only
what is imported is checked, never how long it takes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from laptop.aws import local_environment

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import app
if sys.argv[2] == "invoked":
    app.RUNTIME.passkeys  # what every invocation reads before it serves
"""
LOADED_MODULES = "print(json.dumps(sorted(sys.modules)))"
PASSKEYS_ON = {
    "PASSKEY_RP_ID": "localhost",
    "PASSKEY_ORIGINS": "http://localhost:8765",
    "PASSKEY_CLIENT_ID": "passkeyclient123",
}


def probe_cold_start(function: str, tmp_path: Path, report: str, *, invoked: bool = False, **env: str) -> Any:
    """Import `function`'s app in a fresh interpreter, then run `report`, which prints JSON."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE + report,
            str(ROOT / "functions" / function),
            "invoked" if invoked else "init",
        ],
        env=local_environment(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def loaded_at_cold_start(function: str, tmp_path: Path, *, invoked: bool = False, **env: str) -> set[str]:
    return set(probe_cold_start(function, tmp_path, LOADED_MODULES, invoked=invoked, **env))


def test_verify_loads_no_email_stack(tmp_path: Path) -> None:
    loaded = loaded_at_cold_start("verify_auth_challenge", tmp_path, EMAIL_PROVIDER="ses")
    assert "passwordless.runtime" in loaded
    for heavy in ("jinja2", "passwordless.challenge_issuer", "passwordless.email.render", "sendgrid"):
        assert heavy not in loaded
    for other_triggers in ("passwordless.session_rules", "passwordless.sign_up_rules"):
        assert other_triggers not in loaded


@pytest.mark.parametrize("function", ["create_auth_challenge", "verify_auth_challenge"])
def test_without_passkeys_no_passkey_code_loads_at_init_or_when_invoked(
    tmp_path: Path, function: str
) -> None:
    loaded = loaded_at_cold_start(function, tmp_path, invoked=True, EMAIL_PROVIDER="ses")
    for passkey_code in ("passwordless.passkeys.sign_in", "passwordless.passkeys.ceremonies", "webauthn"):
        assert passkey_code not in loaded
    if function == "verify_auth_challenge":
        assert "passwordless.challenge_issuer" not in loaded


def test_with_passkeys_verify_loads_the_verifier_at_init_and_create_never_does(tmp_path: Path) -> None:
    verify = loaded_at_cold_start("verify_auth_challenge", tmp_path, EMAIL_PROVIDER="ses", **PASSKEYS_ON)
    create = loaded_at_cold_start(
        "create_auth_challenge", tmp_path, invoked=True, EMAIL_PROVIDER="ses", **PASSKEYS_ON
    )

    assert "webauthn.authentication.verify_authentication_response" in verify
    assert "passwordless.passkeys.sign_in" in create
    assert "webauthn" not in create


@pytest.mark.parametrize("provider", ["ses", "outbox"])
def test_create_loads_neither_the_checker_nor_sendgrid(tmp_path: Path, provider: str) -> None:
    loaded = loaded_at_cold_start("create_auth_challenge", tmp_path, EMAIL_PROVIDER=provider)
    assert "passwordless.runtime" in loaded
    unused = ("passwordless.answer_checker", "passwordless.session_rules", "passwordless.sign_up_rules")
    for module in (*unused, "sendgrid", "python_http_client", "boto3"):
        assert module not in loaded
    # What its first sign-in will run is loaded at init, the renderer and Jinja included.
    for first_sign_in in ("passwordless.challenge_issuer", "passwordless.email.render", "jinja2"):
        assert first_sign_in in loaded


@pytest.mark.parametrize(("default_locale", "expected"), [("de", "de"), ("", "en"), ("xx", "en")])
def test_create_loads_its_default_language(tmp_path: Path, default_locale: str, expected: str) -> None:
    report = "from passwordless.email.render import TEMPLATES\nprint(json.dumps(sorted(TEMPLATES.loaded)))"
    env = {"EMAIL_PROVIDER": "ses", "DEFAULT_LOCALE": default_locale}
    # At init, and that set alone: the other kinds and languages load with their first email.
    assert probe_cold_start("create_auth_challenge", tmp_path, report, **env) == [[expected, "sign_in"]]


@pytest.mark.parametrize(("template_id", "loads_jinja"), [("", True), ("d-0123456789abcdef", False)])
def test_create_with_sendgrid_loads_its_client_but_reads_no_key_at_init(
    tmp_path: Path, template_id: str, loads_jinja: bool
) -> None:
    loaded = loaded_at_cold_start(
        "create_auth_challenge",
        tmp_path,
        EMAIL_PROVIDER="sendgrid",
        SENDGRID_API_KEY_SECRET_ID="k",
        SENDGRID_TEMPLATE_ID=template_id,
    )
    assert {"sendgrid", "passwordless.email.sendgrid_sender"} <= loaded
    # A dynamic template renders sign-in emails at SendGrid: nothing of ours to render at init.
    assert ("jinja2" in loaded) is loads_jinja


def test_pre_sign_up_loads_no_aws_sdk_and_no_email_stack(tmp_path: Path) -> None:
    loaded = loaded_at_cold_start("pre_sign_up", tmp_path)
    assert "passwordless.sign_up_rules" in loaded
    for unused in (
        "boto3",
        "botocore.client",
        "jinja2",
        "passwordless.secret_store",
        "passwordless.email.render",
    ):
        assert unused not in loaded


@pytest.mark.parametrize("notify", ["true", "false"])
def test_post_authentication_builds_its_email_sender_only_for_a_notice(tmp_path: Path, notify: str) -> None:
    loaded = loaded_at_cold_start(
        "post_authentication", tmp_path, EMAIL_PROVIDER="ses", NOTIFY_NEW_SIGN_IN=notify
    )
    assert "botocore.client" in loaded
    for unused in (
        "boto3",
        "jinja2",
        "passwordless.email.render",
        "passwordless.challenge_issuer",
        "sendgrid",
    ):
        assert unused not in loaded


FREEZE_PROBE = """
import gc, json, sys
sys.path.insert(0, sys.argv[1])
before = gc.get_freeze_count()
import passwordless.init_phase
collecting_during_init = gc.isenabled()
import app
frozen = gc.get_freeze_count()
from passwordless.runtime import FunctionRuntime
FunctionRuntime("dynamodb", "secretsmanager")
print(json.dumps([before, frozen, gc.get_freeze_count(), collecting_during_init, gc.isenabled()]))
"""


LATE_PROBE = """
import gc, json, sys
from passwordless.runtime import FunctionRuntime
FunctionRuntime(reads="none", metrics=False)
sys.path.insert(0, sys.argv[1])
import app
print(json.dumps(gc.isenabled()))
"""


def test_a_function_loaded_after_another_runtime_still_collects(tmp_path: Path) -> None:
    # A process that made a runtime before it loads a function (the local stack, the tests)
    done = subprocess.run(
        [sys.executable, "-c", LATE_PROBE, str(ROOT / "functions" / "define_auth_challenge")],
        env=local_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) is True


@pytest.mark.parametrize("function", ["create_auth_challenge", "verify_auth_challenge"])
def test_init_freezes_what_it_imported_once_per_process(tmp_path: Path, function: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", FREEZE_PROBE, str(ROOT / "functions" / function)],
        env=local_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    before, frozen, after_another_runtime, collecting_during_init, collecting_after = json.loads(
        done.stdout.strip().splitlines()[-1]
    )
    assert before == 0
    # The collector sleeps through init and is awake for the invocations
    assert collecting_during_init is False
    assert collecting_after is True
    # The modules the container imported (thousands of objects) are out of the collector's sight...
    assert frozen > 10_000
    # ...and a second runtime in the same process (the local stack, the tests) freezes nothing more.
    assert after_another_runtime == frozen
