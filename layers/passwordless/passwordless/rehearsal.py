"""Rehearse an AWS request in the init phase: it goes through botocore up to the network and stops
there, unsent. A client's first request does work a warm one skips: evaluating the endpoint rules,
serializing that operation's input, resolving credentials and signing. Rehearsed at init, the first
invocation's request finds all of it done, as a warm container's does.

Nothing leaves the process: the request is stopped by the first handler of botocore's `before-send`
event, the one place every request passes just before it would be sent (moto answers there too).
"""

from __future__ import annotations

# The first connection a process opens encodes its host name with the IDNA codec, which loads it
# and the Unicode database: a rehearsal stops short of connecting, so it loads them itself.
import encodings.idna  # noqa: F401
from typing import Any

from botocore import xform_name


class _Stopped(Exception):  # not an error: the rehearsal's planned end
    """Raised where the rehearsed request would have been sent."""


def _stop(**_: object) -> None:
    raise _Stopped


def rehearse(client: Any, operation: str, **params: object) -> bool:  # noqa: ANN401 - any botocore client
    """Send `operation` with `params` through `client` as far as the network; True once it got there.

    A rehearsal that fails (a parameter botocore refuses, no credentials yet) only loses the head
    start, so it returns False instead of failing the cold start; the tests hold every rehearsal the
    functions make to True."""
    event = f"before-send.{client.meta.service_model.service_id.hyphenize()}.{operation}"
    client.meta.events.register_first(event, _stop)
    try:
        getattr(client, xform_name(operation))(**params)
    except _Stopped:
        return True
    except Exception:  # see the docstring: a failed rehearsal must not fail the cold start
        return False
    finally:
        client.meta.events.unregister(event, _stop)
    return False
