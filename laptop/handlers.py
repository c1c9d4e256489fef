"""Load the functions' `app.py` files the way Lambda does: by path, each as its own module."""

from __future__ import annotations

import importlib.util
import itertools
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]

# function folder -> (template logical id, triggerSource prefix Cognito sends it; None for the
# function an HTTP API invokes, whose events carry a routeKey instead, and for the setup function
# CloudFormation invokes, whose events carry a RequestType)
FUNCTIONS: dict[str, tuple[str, str | None]] = {
    "define_auth_challenge": ("DefineAuthChallengeFunction", "DefineAuthChallenge_"),
    "create_auth_challenge": ("CreateAuthChallengeFunction", "CreateAuthChallenge_"),
    "verify_auth_challenge": ("VerifyAuthChallengeFunction", "VerifyAuthChallengeResponse_"),
    "pre_sign_up": ("PreSignUpFunction", "PreSignUp_"),
    "post_authentication": ("PostAuthenticationFunction", "PostAuthentication_"),
    "custom_message": ("CustomMessageFunction", "CustomMessage_"),
    "account_api": ("AccountApiFunction", None),
    "attach_triggers": ("TriggerAttachmentFunction", None),
}
HTTP_API_FUNCTION = "account_api"
CUSTOM_RESOURCE_FUNCTION = "attach_triggers"
_loads = itertools.count()


def load_handler(function: str) -> Handler:
    """A fresh import of functions/<function>/app.py, as a cold start would do it."""
    return load_handlers(function)[function]


def load_handlers(*functions: str) -> dict[str, Handler]:
    """Fresh imports of several functions into this process, as if it had just started.

    Their Powertools Loggers share one service name and so, within a process, one handler; that
    shared state starts empty here, as it would in a new process.
    """
    _forget_powertools_logger()
    return {function: _import(function) for function in functions}


def _import(function: str) -> Handler:
    if function not in FUNCTIONS:
        raise ValueError(f"unknown function {function!r}; one of: {', '.join(FUNCTIONS)}")
    path = ROOT / "functions" / function / "app.py"
    spec = importlib.util.spec_from_file_location(f"_lambda_{function}_{next(_loads)}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handler: Handler = module.lambda_handler
    return handler


def function_for_trigger(trigger_source: str) -> str:
    for function, (_, prefix) in FUNCTIONS.items():
        if prefix is not None and trigger_source.startswith(prefix):
            return function
    raise ValueError(f"no function handles triggerSource {trigger_source!r}")


def function_for_event(event: Mapping[str, object]) -> str:
    """The function an event is for: a Cognito trigger by its triggerSource, the account API for an
    HTTP API payload 2.0 event (a routeKey, version "2.0", no triggerSource), the setup function for
    a CloudFormation custom resource request (a RequestType and a ResponseURL)."""
    trigger = event.get("triggerSource")
    if isinstance(trigger, str):
        return function_for_trigger(trigger)
    if trigger is None and is_http_api_event(event):
        return HTTP_API_FUNCTION
    if trigger is None and "RequestType" in event and "ResponseURL" in event:
        return CUSTOM_RESOURCE_FUNCTION
    raise ValueError(
        "neither a Cognito trigger event (triggerSource), an HTTP API 2.0 event (routeKey) nor a "
        "CloudFormation custom resource request (RequestType)"
    )


def is_http_api_event(event: Mapping[str, object]) -> bool:
    return event.get("version") == "2.0" and isinstance(event.get("routeKey"), str)


def logical_id(function: str) -> str:
    return FUNCTIONS[function][0]


def _forget_powertools_logger() -> None:
    """A cold start begins with no logging state; in one process Powertools would reuse the handler
    (and its stream) that an earlier import configured, so drop it as a new process would."""
    service = logging.getLogger(os.environ.get("POWERTOOLS_SERVICE_NAME", "service_undefined"))
    for handler in list(service.handlers):
        service.removeHandler(handler)
    for attribute in ("init", "powertools_handler", "powertools_buffer_config", "powertools_buffer_cache"):
        if hasattr(service, attribute):
            delattr(service, attribute)
