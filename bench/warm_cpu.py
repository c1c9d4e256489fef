"""Warm CPU per invocation and peak RSS per function: each function in its own child process
(bench.container) whose AWS calls go over HTTP to the local stack, so none of moto's work is counted.

create issues a secret and sends one email (SES, embedded) on every event: each is a first round
for a new user. verify then answers each of those secrets with its emailed code. define replays the
sample events in events/ (it touches no AWS service). PostAuthentication then sees each of those
sign-ins of a user whose address is verified already, as every sign-in after a user's first (which
makes one Cognito call) is.
"""

from __future__ import annotations

import dataclasses
import json
import statistics
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.environment import ROOT, SHORT_NAMES, child_environment, function_dir, run_module
from bench.sign_ins import ses_code
from laptop.local_stack.stack import LOCAL_CREDENTIALS
from laptop.local_stack.trigger_events import trigger_event

Event = dict[str, Any]
# Containers started per function; the first invocation's CPU is the median over them.
COLD_CONTAINERS = 5


@dataclass(frozen=True)
class Container:
    function: str
    invocations: int
    errors: int
    first_invocation_cpu_seconds: float
    warm_cpu_seconds: float
    peak_rss_mb: float
    returned: list[Any]


@dataclass(frozen=True)
class Pool:
    url: str
    pool_id: str
    client_id: str


def measure(pool: Pool, invocations: int) -> dict[str, Container]:
    """One container per function for `invocations` events, and COLD_CONTAINERS - 1 more that serve one
    event each: a first invocation is a single sample, so its figure is the median of them all."""
    users = [(str(uuid.uuid4()), f"container-{index}@example.com") for index in range(invocations)]
    define = _run_cold("define_auth_challenge", _define_events(invocations), pool)
    create = _run_cold("create_auth_challenge", [_create_event(pool, *user) for user in users], pool)
    # Each secret is spent once: each verify container answers secrets of its own.
    verify_events = [
        _verify_event(pool, user, returned)
        for user, returned in zip(users, create.returned, strict=True)
        if "response" in returned
    ]
    verify = _run_cold("verify_auth_challenge", verify_events, pool)
    verify_errors = sum(
        returned.get("response", {}).get("answerCorrect") is not True for returned in verify.returned
    )
    verify = dataclasses.replace(verify, errors=verify.errors + verify_errors)
    post_auth = _run_cold(
        "post_authentication", [_post_authentication_event(pool, *user) for user in users], pool
    )
    return {SHORT_NAMES[c.function]: c for c in (define, create, verify, post_auth)}


def _run_cold(function: str, events: list[Event], pool: Pool) -> Container:
    """The main container serves all but the last COLD_CONTAINERS - 1 events; each of those starts a
    container of its own. The returned Container is the main one's, with the first invocation's CPU
    the median over every container and the others' replies appended."""
    main_events, singles = events[: -(COLD_CONTAINERS - 1)], events[-(COLD_CONTAINERS - 1) :]
    main = _run(function, main_events, pool)
    others = [_run(function, [event], pool) for event in singles]
    firsts = [main.first_invocation_cpu_seconds, *(other.first_invocation_cpu_seconds for other in others)]
    return dataclasses.replace(
        main,
        invocations=len(events),
        errors=main.errors + sum(other.errors for other in others),
        first_invocation_cpu_seconds=statistics.median(firsts),
        returned=main.returned + [reply for other in others for reply in other.returned],
    )


def _define_events(count: int) -> list[Event]:
    samples = [json.loads(path.read_text()) for path in sorted((ROOT / "events").glob("define_*.json"))]
    return [samples[index % len(samples)] for index in range(count)]


def _trigger(pool: Pool, username: str, email: str, source: str, entries: list[Any] | None) -> Event:
    return trigger_event(
        pool_id=pool.pool_id,
        client_id=pool.client_id,
        user_name=username,
        attributes={
            "sub": username,
            "email": email,
            "email_verified": "true",
            "cognito:user_status": "CONFIRMED",
        },
        trigger_source=source,
        entries=entries,
        client_metadata=None,
    )


def _create_event(pool: Pool, username: str, email: str) -> Event:
    event = _trigger(pool, username, email, "CreateAuthChallenge_Authentication", [])
    event["request"]["challengeName"] = "CUSTOM_CHALLENGE"
    return event


def _verify_event(pool: Pool, user: tuple[str, str], created: Event) -> Event:
    username, email = user
    event = _trigger(pool, username, email, "VerifyAuthChallengeResponse_Authentication", None)
    event["request"] |= {
        "privateChallengeParameters": created["response"]["privateChallengeParameters"],
        "challengeAnswer": ses_code(email),
    }
    return event


def _post_authentication_event(pool: Pool, username: str, email: str) -> Event:
    event = _trigger(pool, username, email, "PostAuthentication_Authentication", None)
    event["request"]["newDeviceUsed"] = False
    return event


def _run(function: str, events: list[Event], pool: Pool) -> Container:
    with tempfile.TemporaryDirectory(prefix="bench-container-") as folder:
        events_path = Path(folder) / "events.json"
        events_path.write_text(json.dumps(events))
        env = child_environment(
            Path(folder) / "outbox",
            EMAIL_PROVIDER="ses",
            AWS_ENDPOINT_URL=pool.url.rstrip("/"),
            AWS_ACCESS_KEY_ID=LOCAL_CREDENTIALS["aws_access_key_id"],
            AWS_SECRET_ACCESS_KEY=LOCAL_CREDENTIALS["aws_secret_access_key"],
        )
        report = run_module(
            "bench.container",
            str(function_dir(function)),
            str(events_path),
            failure=f"{function} container failed",
            env=env,
        )
    returned = report["returned"]
    return Container(
        function=function,
        invocations=len(events),
        errors=sum("error" in item for item in returned),
        first_invocation_cpu_seconds=report["first_invocation_cpu_seconds"],
        warm_cpu_seconds=report["warm_cpu_seconds"],
        peak_rss_mb=report["peak_rss_mb"],
        returned=returned,
    )
