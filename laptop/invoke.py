"""Run a function in-process on one event file, the way `sam local invoke` would, minus Docker.

    python -m laptop.invoke define_auth_challenge events/define_new_session.json
    python -m laptop.invoke events/attach_triggers_create.json   # the function the event names
    python -m laptop.invoke --all events             # every file, the function picked by its event
    python -m laptop.invoke --logical-id create_auth_challenge   # -> CreateAuthChallengeFunction
    python -m laptop.invoke --metrics create_auth_challenge events/create_first_round.json

A Cognito trigger event names its function by triggerSource; an HTTP API payload 2.0 event (a
routeKey, version "2.0") is for the account API; a CloudFormation custom resource request (a
RequestType and a ResponseURL) is for the setup function, attach_triggers. Each invocation gets fresh
embedded AWS (moto) holding laptop.sample_state (the table item and the sample user pool, client and
users; for the setup function also laptop.sample_pool's existing pools), and a cold start of the
function's app.py, so every sample event meets the state it was written for.

The setup function answers CloudFormation by a PUT to the request's ResponseURL. Here the event's
ResponseURL (a placeholder in the sample events) is replaced, for the run, by one on 127.0.0.1
(laptop.cloudformation.ResponseSink), so nothing leaves this machine; the answer it received (Status,
Reason, PhysicalResourceId and the request's ids) is printed as the invocation's result, and a
"pool: ..." line on stderr shows the triggers the request's pool holds after the run.

The functions read settings from the environment as in Lambda, and anything set in the shell reaches
them: events carry no sign-in mode, so the password-first define events decide as in that mode only
with `SIGN_IN_MODE=password-and-email-code make invoke FUNCTION=define_auth_challenge EVENT=...` (in
the default email mode, which `--all events` uses, define fails them, as it must). The same goes for
NOTIFY_NEW_SIGN_IN and SELF_SIGN_UP. SIGN_UP_ALLOWED_DOMAINS is example.com here unless the shell sets
it, so the pre_sign_up samples show both an allowed and a refused domain. The returned event is
printed on stdout as one JSON document; the function's logs go to stderr, as do "mail: ..." lines for
each email sent (kept in $OUTBOX_DIR when that is set, in a throwaway folder otherwise). Any other
Cognito-shaped event works too: a user missing from the sample state is simply a user with no secret.

Exit status: 0 the handler returned; 1 the handler raised (Cognito would fail the sign-in with the
error's message, printed as `error: ...`) or the setup function answered FAILED (the Reason printed
the same way); 2 the event file or the command line is unusable. With --all, a deliberate refusal of
bad input (a malformed or disallowed sign-up, a request the setup function refuses with its reason)
is that event's expected outcome and is printed, not counted: 1 means some handler failed otherwise.

Metrics are off on the laptop (laptop.aws.local_environment); --metrics turns them on, and the EMF
records CloudWatch would read go to stderr with the logs.

`make sam-invoke` runs the same events in the Lambda container instead, with laptop/sam-env.json as
the functions' environment. Its values are placeholders: define needs none of them to be real; create
and verify read the table and HMAC key secret named there, with your AWS credentials, so point
TABLE_NAME and HMAC_KEY_SECRET_ID at a deployed stack's resources (`sam list resources`). The sample
events' digests are made with laptop.aws.LOCAL_HMAC_KEY, so against a real stack no sample answer is
correct and a first-round create for a user really emails them.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
import tempfile
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_lambda_powertools.logging.logger as powertools_logger
import boto3
from botocore.exceptions import BotoCoreError, ClientError

from laptop.aws import REGION, embedded_aws, local_environment
from laptop.cloudformation import ResponseSink
from laptop.handlers import (
    CUSTOM_RESOURCE_FUNCTION,
    FUNCTIONS,
    HTTP_API_FUNCTION,
    function_for_event,
    is_http_api_event,
    load_handler,
    logical_id,
)
from laptop.sample_pool import seed_existing_pools
from laptop.sample_state import SAMPLE_CLIENT_ID, SAMPLE_POOL_ID, seed, seed_user_pool
from passwordless.custom_resource import TIMED_OUT, UNEXPECTED, Refused, Request
from passwordless.errors import SignInRefused, SignInUnavailable
from passwordless.events import MalformedEvent, parse_define
from passwordless.key_sources import key_source
from passwordless.keyed_hash import KeyedHasher
from passwordless.post_authentication import parse_post_authentication
from passwordless.secret_store import SecretStore
from passwordless.settings import Settings
from passwordless.settings_reader import SettingsError
from passwordless.sign_up_rules import SignUpRefused, parse_pre_sign_up
from passwordless.trigger_requests import parse_create, parse_verify

Event = dict[str, Any]

# Not moto's default account (123456789012): the ARN lands in every log line, and it would hold the
# sample code 123456, which tests look for in the logs to prove no secret is logged.
ACCOUNT_ID = "111122223333"
MEMORY_MB = 128  # template.yaml's Globals
SAMPLE_SIGN_UP_DOMAINS = "example.com"
MAX_HTTP_BODY = 1_048_576  # what an HTTP API passes to a function at most (its payload limit)
_REFUSALS = (SignInRefused, SignUpRefused, Refused)  # a handler's answer to bad input
_CLEAN_ERRORS = (SignInUnavailable, *_REFUSALS)  # meant for the caller; a traceback adds nothing
# The Reasons the setup function gives a request it did not refuse (passwordless.custom_resource.serve):
# the work failed, or was about to outlast the function.
_SETUP_FAULTS = (UNEXPECTED, TIMED_OUT)
# The events that carry no triggerSource, as a refusal names them.
_TRIGGERLESS_KINDS = {
    HTTP_API_FUNCTION: "an HTTP API event",
    CUSTOM_RESOURCE_FUNCTION: "a CloudFormation request",
}


class UsageError(Exception):
    """The command line or an event file is unusable; the message is the whole explanation."""


class SetupFailed(Exception):
    """The setup function answered FAILED for a reason other than a refusal; the message is the Reason."""


@dataclass(frozen=True)
class LambdaContextStandIn:
    """The attributes of Lambda's context object that Powertools' inject_lambda_context reads."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    aws_request_id: str
    log_group_name: str
    log_stream_name: str

    @classmethod
    def for_function(cls, function: str) -> LambdaContextStandIn:
        name = logical_id(function)
        return cls(
            function_name=name,
            memory_limit_in_mb=MEMORY_MB,
            invoked_function_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}",
            aws_request_id=str(uuid.uuid4()),
            log_group_name=f"/aws/lambda/{name}",
            log_stream_name="laptop",
        )

    def get_remaining_time_in_millis(self) -> int:
        return 5_000  # Cognito's trigger budget


@dataclass(frozen=True)
class Outcome:
    """What the invocation returned (the event; for the setup function, the answer CloudFormation
    received), and what it raised (or, for the setup function, why it answered FAILED)."""

    event: Event | None
    error: Exception | None

    def payload(self) -> Event:
        """The returned event or answer, or the error document Lambda returns for a failed invocation."""
        if self.event is not None:
            return self.event
        return {"errorType": type(self.error).__name__, "errorMessage": str(self.error)}


def resolve_function(name: str) -> str:
    """A function folder name, or the template logical id of one."""
    for function, (logical, _) in FUNCTIONS.items():
        if name in (function, logical):
            return function
    raise UsageError(f"unknown function {name!r}; one of: {', '.join(FUNCTIONS)}")


def parse_http_api_event(event: object) -> object:
    """The fields of an HTTP API payload 2.0 event the account API's router reads, type-checked."""
    if not isinstance(event, dict) or not is_http_api_event(event):
        raise MalformedEvent('an HTTP API event needs version "2.0" and a routeKey')
    for key in ("rawPath", "rawQueryString"):
        if not isinstance(event.get(key, ""), str):
            raise MalformedEvent(f"{key} must be a string")
    context = event.get("requestContext")
    if not isinstance(context, dict) or not isinstance(context.get("http"), dict):
        raise MalformedEvent("requestContext.http must be an object")
    if not isinstance(context["http"].get("method"), str):
        raise MalformedEvent("requestContext.http.method must be a string")
    headers = event.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise MalformedEvent("headers must be an object of strings")
    body = event.get("body")
    if body is not None and (not isinstance(body, str) or len(body) > MAX_HTTP_BODY):
        raise MalformedEvent("body must be a string")
    if not isinstance(event.get("isBase64Encoded", False), bool):
        raise MalformedEvent("isBase64Encoded must be a boolean")
    return event


def parser_for(function: str) -> Callable[[object], object]:
    """The strict parser of `function`'s events; each refuses a bad event with a ValueError."""
    if function == "custom_message":
        # Looked up when asked for: its module arrives with the custom message function, and the
        # other functions must not wait for it.
        try:
            module = importlib.import_module("passwordless.custom_message")
        except ImportError:
            raise UsageError("custom_message is not available in this checkout") from None
        parse: Callable[[object], object] = module.parse_custom_message
        return parse
    parsers: dict[str, Callable[[object], object]] = {
        "define_auth_challenge": parse_define,
        "create_auth_challenge": parse_create,
        "verify_auth_challenge": parse_verify,
        "pre_sign_up": parse_pre_sign_up,
        "post_authentication": parse_post_authentication,
        HTTP_API_FUNCTION: parse_http_api_event,
        CUSTOM_RESOURCE_FUNCTION: Request.from_event,
    }
    return parsers[function]


def load_event(path: Path, function: str | None = None) -> tuple[str, Event]:
    """The event in `path` and the function it is for (`function`, or the one the event names).

    Checked as strictly as the handlers parse it, so a typo is reported here, with the field's name,
    rather than turned into a generic refusal by the handler.
    """
    try:
        event = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"{path}: {error.strerror or error}") from None
    except ValueError as error:  # also UnicodeDecodeError
        raise UsageError(f"{path}: not a JSON document ({error})") from None
    if not isinstance(event, dict):
        raise UsageError(f"{path}: the event must be a JSON object")
    trigger = event.get("triggerSource")
    if trigger is not None and not isinstance(trigger, str):
        raise UsageError(f"{path}: triggerSource must be a string")
    placed: str | None = None  # the function the event names, if any
    try:
        placed = function_for_event(event)
    except ValueError as error:
        unplaced = str(error)  # then the function named on the command line judges the event
    if function is None:
        if placed is None:
            raise UsageError(f"{path}: {unplaced}")
        function = placed
    prefix = FUNCTIONS[function][1]
    if trigger is not None and (prefix is None or not trigger.startswith(prefix)):
        raise UsageError(f"{path}: a {trigger} event is not for {function}")
    if trigger is None and placed is not None and placed != function:
        raise UsageError(f"{path}: {_TRIGGERLESS_KINDS[placed]} is not for {function}")
    try:
        parser_for(function)(event)
    except ValueError as error:  # MalformedEvent, or the custom message parser's own refusal
        raise UsageError(f"{path}: {error}") from None
    return function, event


def invoke(function: str, event: Event, outbox: Path, *, metrics: bool = False) -> Outcome:
    """One cold start of `function` on `event`, against freshly seeded embedded AWS."""
    env = local_environment(
        outbox,
        POWERTOOLS_METRICS_DISABLED=str(not metrics).lower(),
        USER_POOL_ID=SAMPLE_POOL_ID,
        USER_POOL_CLIENT_ID=SAMPLE_CLIENT_ID,
        SIGN_UP_ALLOWED_DOMAINS=os.environ.get("SIGN_UP_ALLOWED_DOMAINS", SAMPLE_SIGN_UP_DOMAINS),
        # The setup function's answer goes to 127.0.0.1 even when the shell names a proxy.
        no_proxy="127.0.0.1",
    )
    with embedded_aws(env) as settings:
        _seed(settings, function)
        if function == CUSTOM_RESOURCE_FUNCTION:
            return _as_cloudformation(function, event)
        return _cold_start(function, event)


def _cold_start(function: str, event: Event) -> Outcome:
    # Every run re-imports app.py, so every run is a cold start, whatever Powertools last saw.
    powertools_logger.is_cold_start = True
    # Powertools' Logger binds sys.stdout when the module creates it, so the import happens here.
    with contextlib.redirect_stdout(sys.stderr):
        try:
            handler = load_handler(function)
            returned = handler(event, LambdaContextStandIn.for_function(function))
        except Exception as error:  # a failed invocation, reported as Lambda reports one
            if not isinstance(error, _CLEAN_ERRORS):
                traceback.print_exc(file=sys.stderr)
            return Outcome(None, error)
    return Outcome(returned, None)


def _as_cloudformation(function: str, event: Event) -> Outcome:
    """CloudFormation's side of the request: the answer is awaited on 127.0.0.1, in place of the
    event's ResponseURL, and is the outcome."""
    with ResponseSink() as sink:
        called = _cold_start(function, {**event, "ResponseURL": sink.url})
    if called.error is not None:
        return called
    _report_pool(event)
    # The function sends its answer before it returns and the sink keeps it before replying, so
    # whatever came has come.
    if not sink.answers:
        return Outcome(None, SetupFailed("the setup function sent CloudFormation no answer"))
    answer = sink.answers[0]
    if answer.get("Status") == "SUCCESS":
        return Outcome(answer, None)
    reason = str(answer.get("Reason", ""))
    return Outcome(answer, SetupFailed(reason) if reason in _SETUP_FAULTS else Refused(reason))


def _report_pool(event: Event) -> None:
    """Names the triggers the request's pool holds now, when the pool is in the sample state."""
    pool_id = event.get("ResourceProperties", {}).get("UserPoolId")
    if not isinstance(pool_id, str):
        return
    try:
        pool = boto3.client("cognito-idp", region_name=REGION).describe_user_pool(UserPoolId=pool_id)
    except (ClientError, BotoCoreError):
        return  # not a pool here: the answer says so
    triggers = json.dumps(pool["UserPool"].get("LambdaConfig", {}), sort_keys=True)
    print(f"pool: {pool_id} triggers {triggers}", file=sys.stderr)


def _seed(settings: Settings, function: str) -> None:
    keys = key_source(settings, lambda service: boto3.client(service, region_name=REGION))  # type: ignore[call-overload]
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    cognito = boto3.client("cognito-idp", region_name=REGION)
    seed(SecretStore(dynamodb, settings.table_name), KeyedHasher(keys))
    seed_user_pool(cognito, REGION)
    # Only the setup function's events name them, and three pools would slow every other run.
    if function == CUSTOM_RESOURCE_FUNCTION:
        seed_existing_pools(cognito, dynamodb, settings.table_name, REGION)


@contextlib.contextmanager
def _outbox() -> Iterator[tuple[Path, bool]]:
    """The outbox folder, and whether it outlives this run."""
    kept = os.environ.get("OUTBOX_DIR", "").strip()
    if kept:
        yield Path(kept), True
        return
    with tempfile.TemporaryDirectory(prefix="passwordless-outbox-") as folder:
        yield Path(folder), False


class MailReporter:
    """Names each email that lands in the outbox during a run, by file and subject, never its body."""

    def __init__(self, folder: Path, *, kept: bool) -> None:
        self._folder = folder
        self._kept = kept
        self._seen = self._files()

    def report_new(self) -> None:
        files = self._files()
        for name in sorted(files - self._seen):
            path = self._folder / name
            try:
                subject = str(json.loads(path.read_text(encoding="utf-8")).get("subject", ""))
            except (OSError, ValueError, AttributeError):
                subject = "unreadable"
            where = path if self._kept else "not kept, set OUTBOX_DIR to keep it"
            print(f"mail: {where} ({subject})", file=sys.stderr)
        self._seen = files

    def _files(self) -> set[str]:
        # Dot-files are the outbox's half-written temporaries.
        return {p.name for p in self._folder.glob("*.json") if not p.name.startswith(".")}


def _dump(document: Mapping[str, Any]) -> None:
    print(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False))


def _report_error(label: str, error: Exception) -> None:
    message = str(error) or type(error).__name__
    print(f"error: {label}{message}", file=sys.stderr)


def run_one(function: str | None, path: Path, *, metrics: bool = False) -> int:
    """`path`'s event through `function`, or through the function the event names."""
    function, event = load_event(path, function)
    with _outbox() as (folder, kept):
        mail = MailReporter(folder, kept=kept)
        outcome = invoke(function, event, folder, metrics=metrics)
        mail.report_new()
    _dump(outcome.payload())
    if outcome.error is not None:
        _report_error("", outcome.error)
        return 1
    return 0


def run_all(folder: Path, *, metrics: bool = False) -> int:
    """Every *.json in `folder`, each on its own fresh state; prints {file name: response} (for the
    account API, the whole HTTP response: status, headers, body; for the setup function, the answer
    CloudFormation received)."""
    paths = sorted(folder.glob("*.json"))
    if not paths:
        raise UsageError(f"{folder}: no *.json event files")
    events = [(path, *load_event(path)) for path in paths]  # all checked before any runs
    results: dict[str, Any] = {}
    failed = False
    with _outbox() as (outbox, kept):
        mail = MailReporter(outbox, kept=kept)
        for path, function, event in events:
            outcome = invoke(function, event, outbox, metrics=metrics)
            mail.report_new()
            if outcome.error is not None:
                failed = failed or not isinstance(outcome.error, _REFUSALS)
                _report_error(f"{path.name}: ", outcome.error)
                results[path.name] = outcome.payload()
            elif function in _TRIGGERLESS_KINDS:  # the HTTP response, the answer to CloudFormation
                results[path.name] = outcome.payload()
            else:
                results[path.name] = outcome.payload().get("response")
    _dump(results)
    return 1 if failed else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m laptop.invoke",
        description="Run a function in-process on a Cognito, HTTP API or CloudFormation event file"
        " (no SAM, no Docker).",
    )
    parser.add_argument("function", nargs="?", help=f"one of: {', '.join(FUNCTIONS)} (or a logical id)")
    parser.add_argument("event", nargs="?", type=Path, help="the event JSON file")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--all", metavar="DIR", type=Path, help="run every *.json in DIR by its event's kind")
    mode.add_argument("--logical-id", metavar="FUNCTION", help="print FUNCTION's template logical id")
    parser.add_argument(
        "--metrics", action="store_true", help="write the CloudWatch EMF metrics to stderr (off by default)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    positional = [value for value in (args.function, args.event) if value is not None]
    try:
        if args.logical_id is not None or args.all is not None:
            if positional:
                parser.error("FUNCTION EVENT_FILE cannot be combined with --all or --logical-id")
            if args.logical_id is not None:
                print(logical_id(resolve_function(args.logical_id)))
                return 0
            return run_all(args.all, metrics=args.metrics)
        if len(positional) == 1 and args.function.endswith(".json"):
            # `make invoke EVENT=...` without FUNCTION: the event names its function.
            return run_one(None, Path(args.function), metrics=args.metrics)
        if len(positional) != 2:
            parser.error(
                f"give FUNCTION (one of: {', '.join(FUNCTIONS)}) and EVENT_FILE, or an EVENT_FILE.json"
                " alone, or --all DIR, or --logical-id FUNCTION"
            )
        return run_one(resolve_function(args.function), args.event, metrics=args.metrics)
    except (UsageError, SettingsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
