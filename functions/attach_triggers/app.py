"""The stack's setup function, in attach mode (ExistingUserPoolId set): a CloudFormation custom
resource that sets this product's triggers on the existing pool and, when the stack is deleted, gives
each slot back what it held (passwordless.trigger_attachment). Cognito never invokes it."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from passwordless import init_phase  # noqa: F401 - first: see its docstring
from passwordless.custom_resource import Refused, Request, serve
from passwordless.handler import handler
from passwordless.runtime import FunctionRuntime
from passwordless.trigger_attachment import (
    AttachmentRecords,
    AttachmentRefused,
    PoolTriggers,
    attachment_from,
)

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

RUNTIME = FunctionRuntime("cognito-idp", "dynamodb", role="setup", metrics=False)
TRIGGERS = PoolTriggers(
    RUNTIME.client("cognito-idp"), AttachmentRecords(RUNTIME.client("dynamodb"), RUNTIME.settings.table_name)
)


def physical_id(request: Request) -> str:
    """One pool, one stack: a new pool id is a new resource, so CloudFormation deletes (detaches)
    the old one. A request CloudFormation already named keeps its name."""
    if request.physical_id:
        return request.physical_id
    pool = request.properties.get("UserPoolId")
    stack = request.stack_id.rsplit("/", 1)[-1]
    return f"{pool if isinstance(pool, str) else 'invalid'}:{stack}:{request.logical_id}"


def attach_or_detach(request: Request) -> str:
    # On an Update the new properties name the resource: the same pool keeps it, another pool makes
    # a new one (and CloudFormation then deletes the old attachment).
    name = physical_id(
        dataclasses.replace(request, physical_id=None) if request.request_type == "Update" else request
    )
    try:
        if request.request_type == "Delete":
            _detach(request)
        else:
            wanted = attachment_from(request.properties)
            before: dict[str, str] = {}
            if request.request_type == "Update" and name == request.physical_id:
                before = dict(attachment_from(request.old_properties).triggers)
            TRIGGERS.attach(name, wanted, before)
    except AttachmentRefused as refusal:
        raise Refused(str(refusal)) from None
    return name


def _detach(request: Request) -> None:
    # A Create that failed on its properties left nothing to undo.
    try:
        attachment = attachment_from(request.properties)
    except AttachmentRefused:
        return
    TRIGGERS.detach(physical_id(request), attachment)


@handler(RUNTIME)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    serve(event, context, attach_or_detach, RUNTIME.logger, physical_id_of=physical_id)
    return {}
