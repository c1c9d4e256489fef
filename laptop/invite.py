"""Invite someone to the running local stack (`make demo`), with no password: `make invite EMAIL=...`.

    python -m laptop.invite jane@example.com [--name "Jane Doe"] [--endpoint http://127.0.0.1:8765/]

It reads the stack's /local/config, then runs the account API's own function in this process, as an
administrator's POST /invitations would reach it; its AWS calls go to the stack (and so to its
embedded Cognito, table and key), and the invitation email lands in the stack's outbox folder,
where the demo's outbox page shows it. Only the new username is printed, never the link.

Exit status: 0 invited; 1 the stack is not running or refused the invitation (the reason is printed
on stderr); 2 the command line is unusable.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from laptop.aws import environment, local_environment
from laptop.handlers import load_handler
from laptop.invoke import LambdaContextStandIn
from laptop.sample_api_events import access_claims, api_event
from passwordless.addresses import BadAddress, normalise_email

DEFAULT_ENDPOINT = "http://127.0.0.1:8765/"
OPERATOR = "make-invite"  # who the function's log says asked; the stack's admin group is trusted here
CONFIG_TIMEOUT_SECONDS = 5


class StackUnavailable(Exception):
    """No local stack answers at the endpoint, or its configuration is not what this tool expects."""


def read_config(endpoint: str) -> Mapping[str, str]:
    if not endpoint.startswith(("http://127.0.0.1:", "http://localhost:", "http://[::1]:")):
        raise StackUnavailable(
            "the endpoint must be the local stack on this machine (http://127.0.0.1:PORT/)"
        )
    url = endpoint.rstrip("/") + "/local/config"
    try:
        with urllib.request.urlopen(url, timeout=CONFIG_TIMEOUT_SECONDS) as response:  # noqa: S310  # nosec B310 - loopback http only, checked above
            config: object = json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        raise StackUnavailable(f"no local stack answers at {endpoint} (start one with: make demo)") from None
    needed = ("userPoolId", "clientId", "signInPage", "outboxDir")
    if not isinstance(config, dict) or not all(isinstance(config.get(name), str) for name in needed):
        raise StackUnavailable(f"{url} does not name {', '.join(needed)}")
    return config


def invite(endpoint: str, email: str, name: str) -> tuple[int, dict[str, Any]]:
    """The account API's answer (status, body) to an administrator's invitation of `email`."""
    config = read_config(endpoint)
    env = local_environment(
        Path(config["outboxDir"]),
        SIGN_IN_URL=config["signInPage"],
        USER_POOL_ID=config["userPoolId"],
        USER_POOL_CLIENT_ID=config["clientId"],
        ADMIN_GROUP="admins",
        # Every AWS call of the function goes to the stack, which hands it to its embedded AWS.
        AWS_ENDPOINT_URL=endpoint.rstrip("/"),
        POWERTOOLS_LOG_LEVEL="WARNING",
    )
    body = {"email": email, **({"name": name} if name else {})}
    claims = access_claims(
        OPERATOR, groups="[admins]", client_id=config["clientId"], pool_id=config["userPoolId"]
    )
    with environment(env), contextlib.redirect_stdout(io.StringIO()) as logs:
        handler = load_handler("account_api")
        result = handler(
            api_event("/invitations", body, claims), LambdaContextStandIn.for_function("account_api")
        )
    # The function's own log lines (JSON, no secrets) go to stderr, as make invoke's do.
    sys.stderr.write(logs.getvalue())
    return int(result["statusCode"]), json.loads(result["body"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m laptop.invite", description=__doc__.splitlines()[0])
    parser.add_argument("email", help="the address to invite")
    parser.add_argument("--name", default="", help="the invitee's name, for the email's greeting")
    parser.add_argument(
        "--endpoint", default=DEFAULT_ENDPOINT, help=f"the local stack (default {DEFAULT_ENDPOINT})"
    )
    args = parser.parse_args(argv)
    try:
        email = normalise_email(args.email)
    except BadAddress as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        status, body = invite(args.endpoint, email, args.name)
    except StackUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if status != 201:
        print(f"error: {body.get('message', 'the invitation was refused')} (HTTP {status})", file=sys.stderr)
        return 1
    print(f"invited {body['username']} ({email}): invitation sent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
