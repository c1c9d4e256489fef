"""`make demo`: the whole sign-in on this machine. Starts the local stack on 127.0.0.1, creates demo
users, prints where everything is, then prints each magic link as its email lands. Ctrl-C stops it.

    python -m laptop.demo [--port 8765] [--user someone@example.com ...] [--outbox DIR] [--existing-pool]
                          [--sign-in-mode email|password-and-email-code] [--key-store secretsmanager|kms]
                          [--no-passkeys]

Passkeys are on (PasskeyRelyingPartyId `localhost`, `PASSKEYS=0` or --no-passkeys turns them off): the
page is at http://localhost:<port>/, since WebAuthn takes `localhost` as a relying party but never an IP
address, so 127.0.0.1 would offer no passkey.

With SIGN_IN_MODE=password-and-email-code (`--sign-in-mode`) the stack runs the password + email code
mode: the demo users get a password, printed at start, and sign in with it from an SRP client (Amplify's
CUSTOM_WITH_SRP), then with the emailed code, which is printed as it lands.

With --existing-pool (`make demo EXISTING_POOL=1`) the stack attaches to a pool a team already runs
(laptop.existing_pool: its settings, its PreTokenGeneration trigger, its password client and users)
through the same setup function a deployed stack runs with ExistingUserPoolId.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import secrets
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from laptop.existing_pool import ANN, BOB, THEIR_CLIENT_NAME, create_team_pool
from laptop.local_stack.outbox_page import code_in, magic_link_in
from laptop.local_stack.stack import DEFAULT_PORT, LOCAL_RP_ID, PASSWORD_MODE, LocalCognito
from passwordless.email.outbox import read_outbox

DEMO_USERS = ("jane@example.com", "john@example.com")
# Self sign-up on, any domain: whoever tries the demo can use their own address; the users above
# still sign in as before.
DEMO_PARAMETERS = {"SelfSignUp": "true", "SignUpAllowedDomains": ""}
# Passkeys for pages on http://localhost:<port> (the stack fills in that origin once it listens).
PASSKEY_PARAMETERS = {"PasskeyRelyingPartyId": LOCAL_RP_ID}
POLL_SECONDS = 0.25
# The functions' Powertools log level unless --log-level says otherwise: the links are the output.
DEMO_LOG_LEVEL = "WARNING"


@contextlib.contextmanager
def _sigterm_as_ctrl_c() -> Iterator[None]:
    """SIGTERM (a supervisor, `kill`, a container stopping) stops the demo exactly as Ctrl-C does,
    so the stack takes its temporary outbox down with it."""

    def interrupt(_signal: int, _frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    with _sigterm_as_ctrl_c():
        return _serve(_arguments().parse_args(argv), out)


def _serve(options: argparse.Namespace, out: TextIO) -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the links are the output that matters
    stack = LocalCognito(
        port=options.port,
        outbox_dir=options.outbox,
        environment=_log_level(options.log_level),
        parameters={
            **DEMO_PARAMETERS,
            **(PASSKEY_PARAMETERS if options.passkeys else {}),
            "SignInMode": options.sign_in_mode,
            "KeyStore": options.key_store,
        },
        existing_pool=create_team_pool if options.existing_pool else None,
    )
    try:
        stack.start()
    except OSError as error:
        print(
            f"cannot listen on 127.0.0.1:{options.port} ({error.strerror}); try PORT=<another> make demo",
            file=sys.stderr,
        )
        return 1
    stopped = threading.Event()
    try:
        users = list(options.user or DEMO_USERS)
        for email in users:
            stack.add_user(email)
        if options.sign_in_mode == PASSWORD_MODE:
            users = _give_passwords(stack, users)
        if options.existing_pool:
            users += [
                f"{ANN['email']} (theirs, password {ANN['password']!r})",
                f"{BOB['email']} (unverified)",
            ]
        _introduce(stack, users, out)
        if options.existing_pool:
            note = f"their app client {THEIR_CLIENT_NAME!r} still signs in with passwords"
            print(f"  Attached to their pool: {note}.\n", file=out, flush=True)
        watcher = threading.Thread(target=_print_links, args=(stack, stopped, out), daemon=True)
        watcher.start()
        stopped.wait()  # until Ctrl-C or SIGTERM
    except KeyboardInterrupt:
        print("\nstopped", file=out, flush=True)
    finally:
        stopped.set()
        stack.stop()
    return 0


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="make demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or DEFAULT_PORT))
    parser.add_argument("--user", action="append", metavar="EMAIL", help="a user to create (repeatable)")
    parser.add_argument(
        "--outbox", type=Path, help="keep the emails in this folder (default: a temporary one)"
    )
    parser.add_argument("--log-level", default=DEMO_LOG_LEVEL, help="the functions' Powertools log level")
    parser.add_argument(
        "--existing-pool",
        action="store_true",
        help="attach to a pool a team already runs, as ExistingUserPoolId does",
    )
    parser.add_argument(
        "--sign-in-mode",
        choices=["email", PASSWORD_MODE],
        default=os.environ.get("SIGN_IN_MODE") or "email",
        help="the template's SignInMode (default: $SIGN_IN_MODE, else email)",
    )
    parser.add_argument(
        "--passkeys",
        action=argparse.BooleanOptionalAction,
        default=os.environ.get("PASSKEYS", "1") not in {"0", "false", "no", "off"},
        help="passkeys for localhost (default: on; $PASSKEYS=0 turns them off)",
    )
    parser.add_argument(
        "--key-store",
        choices=["secretsmanager", "kms"],
        default=os.environ.get("KEY_STORE") or "secretsmanager",
        help="the template's KeyStore: where the HMAC key lives (default: $KEY_STORE, else secretsmanager)",
    )
    return parser


def _give_passwords(stack: LocalCognito, users: Sequence[str]) -> list[str]:
    """One password for this run's demo users (printed, never stored): the password mode's first step."""
    password = f"demo-{secrets.token_urlsafe(9)}"
    idp, pool_id = stack.client(), stack.running_config.user_pool_id
    for email in users:
        idp.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=password, Permanent=True)
    return [f"{email} (password {password!r})" for email in users]


def _log_level(level: str) -> dict[str, str]:
    return {"POWERTOOLS_LOG_LEVEL": level.upper()}


def _introduce(stack: LocalCognito, users: Sequence[str], out: TextIO) -> None:
    config = stack.running_config
    url = stack.url
    passkey_client = _passkey_client_line(config.passkey_client_id)
    print(
        f"""
Passwordless sign-in, running locally (Cognito-compatible endpoint + embedded AWS)

  Sign-in page   {url}
  Outbox         {url}local/outbox
  Config         {url}local/config
  Users          {", ".join(users)}
  Sign-up        {_sign_up_line(config.sign_up_url)}
  Passkeys       {_passkeys_line(config.passkey_rp_id, url)}

  Point your own client here:
    boto3:  boto3.client("cognito-idp", endpoint_url="{url.rstrip("/")}", region_name="{config.region}",
                         aws_access_key_id="local", aws_secret_access_key="local")
    JS:     POST {url} with X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth
    ClientId {config.client_id}   UserPoolId {config.user_pool_id}{passkey_client}

Open the sign-in page, type one of the users' addresses, then follow the link printed below.
Ctrl-C stops.
""",
        file=out,
        flush=True,
    )


def _passkeys_line(rp_id: str, url: str) -> str:
    if not rp_id:
        return "off"
    return f"on for {rp_id}: open the page at {url} (WebAuthn refuses 127.0.0.1), sign in, add one"


def _passkey_client_line(passkey_client_id: str) -> str:
    return (
        f"\n    PasskeyClientId {passkey_client_id} (CUSTOM_AUTH answered with a passkey)"
        if passkey_client_id
        else ""
    )


def _sign_up_line(sign_up_url: str) -> str:
    if not sign_up_url:
        return "closed (SelfSignUp=false): only the users above can sign in"
    return f"open to any address: the page creates the account first (POST {sign_up_url})"


def _print_links(stack: LocalCognito, stopped: threading.Event, out: TextIO) -> None:
    seen = 0
    while not stopped.wait(POLL_SECONDS):
        messages = read_outbox(stack.running_config.outbox_dir)
        for message in messages[seen:]:
            text = message.get("text", "")
            print(f"mail to {message.get('to')}: {_what_to_open(text, stack.url)}", file=out, flush=True)
        seen = len(messages)


def _what_to_open(text: str, url: str) -> str:
    """The email's link, or its code when it has none (the password mode's emails carry the code only)."""
    if link := magic_link_in(text, url):
        return link
    code = code_in(text)
    return f"code {code}" if code else "(no link or code in this email)"


if __name__ == "__main__":
    sys.exit(main())
