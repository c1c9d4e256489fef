"""Watch the AWS requests the functions make. Each FunctionRuntime has a botocore session of its own,
made when the function is loaded, so a handler is put where botocore puts its built-in ones: every
session made while `on_every_session` is open registers it.

`after-call` is the event watched: it follows every request AWS (or moto) answered, and never one
the runtime only rehearsed at init (passwordless.rehearsal), which stops before it is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.handlers import BUILTIN_HANDLERS


@contextmanager
def on_every_session(record: Callable[..., None], event: str = "after-call") -> Iterator[None]:
    """Call `record(model=..., params=..., ...)` on `event` in every botocore session made meanwhile."""
    spec = (event, record)
    BUILTIN_HANDLERS.append(spec)
    try:
        yield
    finally:
        BUILTIN_HANDLERS.remove(spec)


def operation_name(model: Any) -> str:
    """ "service:Operation", as IAM names the action."""
    return f"{model.service_model.signing_name}:{model.name}"
