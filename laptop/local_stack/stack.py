"""The whole local stack in one object: embedded AWS (moto) holding what template.yaml creates, the
trigger handlers loaded as Lambda would load them, and the HTTP endpoint serving both on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import logging
import secrets
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3
from botocore.config import Config
from moto import mock_aws
from moto.backends import get_backend
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from laptop.aws import REGION, atomic_requests, create_resources, local_environment
from laptop.aws import environment as aws_environment
from laptop.cloudformation import ResponseSink, custom_resource_event
from laptop.handlers import FUNCTIONS, Handler, load_handlers
from laptop.invoke import ACCOUNT_ID, MEMORY_MB, LambdaContextStandIn
from laptop.local_stack.api_gateway import HttpApi
from laptop.local_stack.clock import LocalClock, move_stored_times_back
from laptop.local_stack.cognito_mail import CognitoMail
from laptop.local_stack.custom_auth import CustomAuth
from laptop.local_stack.http_app import LocalCognitoApp, LocalConfig
from laptop.local_stack.moto_calls import MotoCognito
from laptop.local_stack.sessions import SessionStore
from laptop.local_stack.tokens import TokenIssuer
from laptop.local_stack.trigger_runner import TriggerPolicy, TriggerRunner
from laptop.local_stack.user_creation import UserCreation
from laptop.local_stack.user_directory import UserDirectory
from laptop.moto_fidelity import cognito_as_deployed, kms_as_deployed
from laptop.moto_speedups import faster_moto
from laptop.stack_template import (
    PSEUDO_PARAMETERS,
    ROOT,
    TEMPLATE_PATH,
    Blueprint,
    Deployment,
    blueprint,
    load_template,
)
from passwordless.settings import Settings

log = logging.getLogger(__name__)
DEFAULT_PORT = 8765
SHUTDOWN_POLL_SECONDS = 0.02
FUNCTIONS_DIR = ROOT / "functions"
STACK_NAME = "passwordless-local"
SIGN_UP_PATH = "/sign-up"
ACCEPT_INVITATION_PATH = "/invitations/accept"
PASSKEY_OPTIONS_PATH = "/passkeys/sign-in-options"
# WebAuthn takes `localhost` as relying party id, never an IP address: with it, the stack's public URL
# (page, links, issuer) is http://localhost:<port>/ so a browser's page there is on the same origin.
LOCAL_RP_ID = "localhost"
PASSWORD_MODE = "password-and-email-code"  # noqa: S105  # nosec B105 - a SignInMode value
# A value for each template parameter without a default, so the template resolves; the functions'
# sender and names then come from laptop.aws.local_environment, which overrides them.
LOCAL_PARAMETERS = {"EmailFrom": "no-reply@example.com"}
# moto accepts any credentials; these make a client's intent obvious in a config file.
# The template's passkey app client, which exists when PasskeyRelyingPartyId is set.
PASSKEY_CLIENT = "PasskeyClient"
LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}  # nosec B105


class LocalCognito:
    """Start with `with LocalCognito() as stack:` (or start()/stop()); `stack.url` is the endpoint."""

    def __init__(
        self,
        *,
        port: int = DEFAULT_PORT,
        outbox_dir: Path | None = None,
        environment: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
        trigger_policy: TriggerPolicy | None = None,
        template_path: Path = TEMPLATE_PATH,
        wrap_handler: Callable[[str, Handler], Handler] | None = None,
        parameters: Mapping[str, str] | None = None,
        functions: Mapping[str, Handler] | None = None,
        existing_pool: Callable[[Any], str] | None = None,
    ) -> None:
        """`environment` overrides the functions' variables (RESEND_MIN_SECONDS=0, say); `clock` is
        what sessions and tokens expire by, so tests can move it (POST /local/clock moves it too, with
        the functions' stored times, see advance_clock). `wrap_handler(function, handler)`
        returns what runs in place of each loaded handler: a seam for fault-injection tests (a trigger
        that overruns, fails once, ...) against the real handlers. `parameters` are template
        parameter values (SelfSignUp, SignInMode, ...). `functions` maps a function folder to the
        handler to run instead of loading functions/<folder>/app.py; a function of the template with
        neither is left out (its trigger unset, its routes unserved), so the stack starts while a
        function is still being written. `existing_pool(cognito_client)` makes the pool a team already
        runs and returns its id: the stack then deploys as with ExistingUserPoolId, attaching its
        triggers through the same setup function a deployed stack runs."""
        self._port = port
        self._parameters = dict(parameters or {})
        self._existing_pool = existing_pool
        if existing_pool is not None:
            # Until the pool exists, an id in its shape decides the deployment's conditions.
            self._parameters["ExistingUserPoolId"] = f"{REGION}_ToBeMade"
        self._functions = dict(functions or {})
        self._outbox_dir = outbox_dir
        self._overrides = dict(environment or {})
        self._clock = LocalClock(clock)
        self._policy = trigger_policy or TriggerPolicy()
        self._template_path = template_path
        self._wrap_handler = wrap_handler or (lambda _, handler: handler)
        self._exit = ExitStack()
        self._server: BaseWSGIServer | None = None
        self._serving: threading.Thread | None = None
        self.config: LocalConfig | None = None
        self.triggers: TriggerRunner | None = None
        self.api_functions: TriggerRunner | None = None
        self.directory: UserDirectory | None = None
        self._moto_lock = threading.RLock()
        self._table_name = ""

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> LocalCognito:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop serving, let overrun trigger invocations finish (they may still be writing to the
        embedded AWS), then take the embedded AWS and the environment down."""
        if self._serving is not None and self._server is not None:
            self._server.shutdown()  # waits for serve_forever, so only once it has started
            self._serving.join()
            self._serving = None
        if self._server is not None:
            self._server.server_close()
            self._server = None
        for runner in (self.triggers, self.api_functions):
            if runner is not None and (running := runner.drain(runner.policy.timeout_seconds)):
                log.warning("%d invocation(s) still running after their budget; stopping anyway", running)
        self._exit.close()

    def __enter__(self) -> LocalCognito:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running_config(self) -> LocalConfig:
        if self.config is None:
            raise RuntimeError("the local stack is not running")
        return self.config

    @property
    def url(self) -> str:
        return self.running_config.endpoint

    def _start(self) -> None:
        # Listen first: the port (chosen by the OS when 0) is part of the URLs the stack is built
        # with. A taken port is an OSError here, before anything else starts.
        listener = self._exit.enter_context(socket.create_server(("127.0.0.1", self._port)))
        port = listener.getsockname()[1]
        loopback = f"http://127.0.0.1:{port}/"
        url = self._public_url(port)
        outbox = self._outbox_dir or Path(
            self._exit.enter_context(tempfile.TemporaryDirectory(prefix="outbox-"))
        )
        template = load_template(self._template_path)
        plan = self._plan(template, url)
        local = {
            **local_environment(outbox, SIGN_IN_URL=url, SIGN_IN_URLS_BY_CLIENT="{}"),
            # The functions' own Cognito calls (the account API's AdminCreateUser, PostAuthentication's
            # attribute update) come back here over HTTP, so they meet the pool's triggers.
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": loopback.rstrip("/"),
            # This endpoint hands the account function the HTTP API's events (payload 2.0) even where
            # the template would put the REST API in front of it (a WAF rate set): there is no WAF here.
            "ACCOUNT_API_PAYLOAD": "http",
        }
        self._exit.enter_context(aws_environment({**plan.environment, **local, **self._overrides}))
        lock = threading.RLock()
        self._exit.enter_context(mock_aws())
        self._exit.enter_context(atomic_requests(lock))
        self._exit.enter_context(faster_moto())
        self._exit.enter_context(cognito_as_deployed())
        self._exit.enter_context(kms_as_deployed())
        settings = Settings.from_env()
        create_resources(settings)

        available = self._available(plan)
        arns = _function_arns(plan, available)
        # Straight into moto, not back through this endpoint, which is not serving yet.
        idp = boto3.client(
            "cognito-idp", region_name=REGION, endpoint_url=f"https://cognito-idp.{REGION}.amazonaws.com"
        )
        lambda_config = {
            trigger: arns[function] for trigger, function in plan.triggers.items() if function in arns
        }
        pool_id, client_id, other_clients = self._make_pool(idp, plan, lambda_config)
        # Now the pool and clients have ids, the functions' variables that name them can be set.
        resolved = self._plan(
            template,
            url,
            {plan.user_pool_logical_id: pool_id, plan.app_client_logical_id: client_id, **other_clients},
        )
        passkey_client_id = other_clients.get(PASSKEY_CLIENT, "")
        if passkey_client_id:
            # The deployed triggers read the client's id from SSM (their environment may not name it);
            # here every function shares one environment, so they get the id itself, as the account API does.
            local |= {"PASSKEY_CLIENT_ID": passkey_client_id, "PASSKEY_CLIENT_ID_PARAMETER": ""}
        self._exit.enter_context(aws_environment({**resolved.environment, **local, **self._overrides}))
        # Loaded only now: a function reads its variables when Lambda first loads it.
        handlers = self._handlers(available)
        runner = TriggerRunner(
            {arn: (function, handlers[function]) for function, arn in arns.items()},
            self._policy,
            context_for=lambda function: _context(plan.logical_ids[function]),
        )
        self.triggers = runner
        self.config = LocalConfig(
            region=REGION,
            user_pool_id=pool_id,
            client_id=client_id,
            endpoint=url,
            outbox_dir=outbox,
            resend_after_seconds=settings.resend_min_seconds,
            app_name=settings.app_name,
        )
        tokens = TokenIssuer(url, self._clock)
        api = self._api(plan, handlers, tokens, [client_id, *other_clients.values()])
        functions_environment = {**resolved.environment, **self._overrides}
        self.config = _offered(self.config, functions_environment, api, passkey_client_id)
        self.directory = UserDirectory(get_backend("cognito-idp")[DEFAULT_ACCOUNT_ID][REGION], lock)
        auth = CustomAuth(self.directory, runner, SessionStore(self._clock), tokens)
        moto_app = DomainDispatcherApplication(create_backend_app)
        users = UserCreation(
            self.directory, runner, MotoCognito(moto_app, lock, REGION), CognitoMail(runner, outbox)
        )
        self._moto_lock = lock
        self._table_name = settings.table_name
        app = LocalCognitoApp(
            auth,
            tokens,
            self.config,
            moto_app,
            lock,
            users=users,
            api=api,
            advance_clock=self.advance_clock,
            region=REGION,
        )
        self._server = make_server("127.0.0.1", port, app, threaded=True, fd=listener.fileno())
        # serve_forever notices shutdown() only between polls; its default half second would make
        # every stop (each test's, each Ctrl-C) wait that long.
        self._serving = threading.Thread(
            target=self._server.serve_forever, args=(SHUTDOWN_POLL_SECONDS,), name="local-stack", daemon=True
        )
        self._serving.start()
        if resolved.attachment is not None and resolved.setup_function in handlers:
            _attach(resolved, handlers[resolved.setup_function], arns)

    def _make_pool(
        self,
        idp: Any,  # noqa: ANN401 - a boto3 client
        plan: Blueprint,
        lambda_config: Mapping[str, str],
    ) -> tuple[str, str, dict[str, str]]:
        """The pool (the stack's own, or the existing one made now) with the stack's clients and
        groups: the pool's id, the web client's, and each other client's by its logical id."""
        if plan.user_pool is None:
            if self._existing_pool is None:
                raise ValueError("ExistingUserPoolId needs the pool: give LocalCognito(existing_pool=...)")
            pool_id = self._existing_pool(idp)
            self._parameters["ExistingUserPoolId"] = pool_id
            client_id = _create_client(idp, pool_id, plan.app_client)
        else:
            pool_id, client_id = _create_pool_and_client(idp, plan, lambda_config)
        others = {name: _create_client(idp, pool_id, client) for name, client in plan.other_clients.items()}
        for group in plan.groups:
            idp.create_group(UserPoolId=pool_id, **_api_arguments(idp, "CreateGroup", group))
        return pool_id, client_id, others

    def _public_url(self, port: int) -> str:
        """Where browsers and apps reach the stack: localhost when passkeys are on for it."""
        rp_id = self._parameters.get("PasskeyRelyingPartyId", "")
        host = "localhost" if rp_id == LOCAL_RP_ID else "127.0.0.1"
        return f"http://{host}:{port}/"

    def _plan(
        self, template: Mapping[str, Any], url: str, physical_ids: Mapping[str, str] | None = None
    ) -> Blueprint:
        parameters = {**LOCAL_PARAMETERS, **self._parameters, "SignInUrl": url}
        if parameters.get("PasskeyRelyingPartyId") and not parameters.get("PasskeyAllowedOrigins"):
            # The page this stack serves is where passkey sign-ins come from.
            parameters["PasskeyAllowedOrigins"] = url.rstrip("/")
        return blueprint(
            Deployment(
                template,
                parameters,
                pseudo_parameters={
                    **PSEUDO_PARAMETERS,
                    "AWS::AccountId": ACCOUNT_ID,
                    "AWS::StackName": STACK_NAME,
                },
                physical_ids=physical_ids,
            ),
            template,
        )

    def _available(self, plan: Blueprint) -> list[str]:
        """The functions of the template that are given or on disk: those the stack runs."""
        setup = [plan.setup_function] if plan.setup_function else []
        wanted = sorted(
            {*plan.triggers.values(), *setup, *(route.function for route in plan.api_routes.values())}
        )
        available = [
            function
            for function in wanted
            if function in self._functions
            or (function in FUNCTIONS and (FUNCTIONS_DIR / function / "app.py").is_file())
        ]
        if missing := sorted(set(wanted) - set(available)):
            log.warning("not running %s: no functions/<name>/app.py yet", ", ".join(missing))
        return available

    def _handlers(self, available: list[str]) -> dict[str, Handler]:
        """Each available function's handler (given, or loaded as Lambda loads it), wrapped."""
        loaded = {
            **load_handlers(*(function for function in available if function not in self._functions)),
            **{function: self._functions[function] for function in available if function in self._functions},
        }
        return {function: self._wrap_handler(function, handler) for function, handler in loaded.items()}

    def _api(
        self,
        plan: Blueprint,
        handlers: Mapping[str, Handler],
        tokens: TokenIssuer,
        client_ids: list[str],
    ) -> HttpApi | None:
        """The account API; its authorizer takes access tokens of `client_ids` (the JWT audiences)."""
        routes = {key: route for key, route in plan.api_routes.items() if route.function in handlers}
        if not routes:
            return None
        functions = {route.function for route in routes.values()}
        arns = {function: _arn(plan.logical_ids[function]) for function in functions}
        # API Gateway invokes once and waits up to the function's own timeout; no retry.
        runner = TriggerRunner(
            {arns[function]: (function, handlers[function]) for function in functions},
            TriggerPolicy(timeout_seconds=max(plan.timeouts[f] for f in functions), attempts=1),
            context_for=lambda function: _context(plan.logical_ids[function]),
        )
        self.api_functions = runner
        config = self.running_config
        return HttpApi(routes, runner, arns, tokens, (config.user_pool_id, client_ids), clock=self._clock)

    # --- conveniences for the demo and for tests ---------------------------------------------

    def advance_clock(self, seconds: float) -> None:
        """Everything that expires on this stack, `seconds` nearer to it: Cognito sessions, tokens, the
        account API's checks, and the functions' stored secrets and email windows."""
        with self._moto_lock:  # one step: nothing sees the stored times moved and the clock not yet
            move_stored_times_back(self._table_name, REGION, seconds, self._moto_lock)
            self._clock.advance(seconds)

    def client(self, service: str = "cognito-idp", config: Config | None = None) -> Any:  # noqa: ANN401 - a boto3 client
        """A boto3 client that talks to this stack over HTTP, as an app would."""
        return boto3.client(  # type: ignore[call-overload]
            service, region_name=REGION, endpoint_url=self.url.rstrip("/"), config=config, **LOCAL_CREDENTIALS
        )

    def add_user(self, email: str, *, name: str | None = None, locale: str | None = None) -> str:
        """A confirmed user with a verified email and no usable password; returns the pool's username."""
        pool_id = self.running_config.user_pool_id
        attributes = {"email": email, "email_verified": "true", "name": name, "locale": locale}
        idp = self.client()
        created = idp.admin_create_user(
            UserPoolId=pool_id,
            Username=email,
            UserAttributes=[{"Name": key, "Value": value} for key, value in attributes.items() if value],
            MessageAction="SUPPRESS",
        )
        # CONFIRMED, as after a completed invitation. The password is random and thrown away: these
        # users sign in by email only.
        idp.admin_set_user_password(
            UserPoolId=pool_id,
            Username=email,
            Password=f"{secrets.token_urlsafe(24)}aA1!",
            Permanent=True,
        )
        return str(created["User"]["Username"])


def _offered(
    config: LocalConfig, environment: Mapping[str, str], api: HttpApi | None, passkey_client_id: str
) -> LocalConfig:
    """The page's optional features, each offered exactly when the deployed page would offer it: the
    functions allow it (the template's parameters, or an override) and the account API serves it."""
    url = config.endpoint
    paths = api.paths if api is not None else frozenset()
    if environment.get("SELF_SIGN_UP") == "true" and SIGN_UP_PATH in paths:
        config = dataclasses.replace(config, sign_up_url=f"{url}{SIGN_UP_PATH.lstrip('/')}")
    # "Choose your password" for an invitation's link: only in password mode, where define refuses
    # the link's CUSTOM_AUTH sign-in.
    if environment.get("SIGN_IN_MODE") == PASSWORD_MODE and ACCEPT_INVITATION_PATH in paths:
        config = dataclasses.replace(
            config, accept_invitation_url=f"{url}{ACCEPT_INVITATION_PATH.lstrip('/')}"
        )
    # Passkeys: the template made the passkey client (PasskeyRelyingPartyId) and the routes are served.
    rp_id = environment.get("PASSKEY_RP_ID", "")
    if passkey_client_id and rp_id and PASSKEY_OPTIONS_PATH in paths:
        config = dataclasses.replace(
            config, passkey_client_id=passkey_client_id, passkey_rp_id=rp_id, account_api_url=url
        )
    return config


def _function_arns(plan: Blueprint, available: list[str]) -> dict[str, str]:
    """Function folder -> ARN, for each trigger function the stack runs."""
    return {
        function: _arn(plan.logical_ids[function])
        for function in set(plan.triggers.values())
        if function in available
    }


def _arn(logical_id: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{STACK_NAME}-{logical_id}"


def _context(logical_id: str) -> LambdaContextStandIn:
    """What laptop.invoke gives a function, for any function of the template."""
    return LambdaContextStandIn(
        function_name=logical_id,
        memory_limit_in_mb=MEMORY_MB,
        invoked_function_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{logical_id}",
        aws_request_id=str(uuid.uuid4()),
        log_group_name=f"/aws/lambda/{logical_id}",
        log_stream_name="laptop",
    )


def _create_pool_and_client(idp: Any, plan: Blueprint, lambda_config: Mapping[str, str]) -> tuple[str, str]:  # noqa: ANN401
    pool = plan.user_pool or {}
    pool_properties = {
        **pool,
        "PoolName": pool.get("UserPoolName", STACK_NAME),
        "LambdaConfig": lambda_config,
    }
    created = idp.create_user_pool(**_api_arguments(idp, "CreateUserPool", pool_properties))["UserPool"]
    return str(created["Id"]), _create_client(idp, str(created["Id"]), plan.app_client)


def _create_client(idp: Any, pool_id: str, properties: Mapping[str, Any]) -> str:  # noqa: ANN401
    client = idp.create_user_pool_client(
        UserPoolId=pool_id, **_api_arguments(idp, "CreateUserPoolClient", properties)
    )["UserPoolClient"]
    return str(client["ClientId"])


def _attach(plan: Blueprint, setup: Handler, arns: Mapping[str, str]) -> None:
    """Attaches the triggers to the existing pool as CloudFormation would: a Create request to the
    setup function, answered at a ResponseURL on this machine. A refusal stops the stack, with its
    reason."""
    attachment = {key: value for key, value in (plan.attachment or {}).items() if key != "ServiceToken"}
    attachment["Triggers"] = {
        slot: arns[function] for slot, function in plan.triggers.items() if function in arns
    }
    with ResponseSink() as sink:
        event = custom_resource_event("Create", attachment, response_url=sink.url)
        setup(event, _context(plan.logical_ids[plan.setup_function or ""]))
        [answer] = sink.wait_for(1)
    if answer["Status"] != "SUCCESS":
        raise RuntimeError(f"attaching to the existing user pool failed: {answer['Reason']}")


def _api_arguments(idp: Any, operation: str, properties: Mapping[str, Any]) -> dict[str, Any]:  # noqa: ANN401
    """The template's properties that the API call takes under the same name (most of them do)."""
    members = idp.meta.service_model.operation_model(operation).input_shape.members
    return {key: value for key, value in properties.items() if key in members}
