"""Every cognito-idp operation and how the local stack answers it: served by the stack itself (the
sign-in flows, with the real triggers and the stack's own tokens), answered by the embedded Cognito
(moto), or refused with a Cognito-shaped error. Read from botocore's model of the service, so a new
operation shows up here, and in the docs' table, the day botocore knows it.

    python -m laptop.local_stack.operations [--write docs/local-stack.md]
"""

from __future__ import annotations

import argparse
import enum
import functools
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import botocore.session
from botocore.model import OperationModel, ServiceModel
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.utils import camelcase_to_underscores

SERVED = frozenset(
    {
        "InitiateAuth",
        "AdminInitiateAuth",
        "RespondToAuthChallenge",
        "AdminRespondToAuthChallenge",
        "GetTokensFromRefreshToken",
        "GetUser",
        "RevokeToken",
        "GlobalSignOut",
        "AdminUserGlobalSignOut",
        "ChangePassword",
        "SignUp",
        "AdminCreateUser",
    }
)
"""What the stack answers itself; LocalCognitoApp serves exactly these."""

TABLE_START = "<!-- cognito-operations -->"
TABLE_END = "<!-- /cognito-operations -->"


class Answer(enum.Enum):
    SERVED = "served by the stack"
    MOTO = "answered by moto"
    REFUSED = "refused"


@dataclass(frozen=True)
class Operation:
    name: str
    public: bool
    """Cognito takes it without IAM credentials (pages call it); the rest need a SigV4 signature."""
    answer: Answer
    model: OperationModel


@functools.cache
def service_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("cognito-idp")


@functools.cache
def catalogue() -> dict[str, Operation]:
    model = service_model()
    return {name: _operation(model.operation_model(name)) for name in model.operation_names}


def _operation(model: OperationModel) -> Operation:
    public = model.auth_type == "none" or "smithy.api#noAuth" in (model.auth or [])
    if model.name in SERVED:
        answer = Answer.SERVED
    elif public or not hasattr(CognitoIdpResponse, camelcase_to_underscores(model.name)):
        # What pages call is served here or refused: moto reads only the access tokens it issued (the
        # stack issues its own), confirms sign-ups and password resets whatever the code, and sends
        # no mail.
        answer = Answer.REFUSED
    else:
        answer = Answer.MOTO
    return Operation(model.name, public, answer, model)


def _takes_access_token(model: OperationModel) -> bool:
    return model.input_shape is not None and "AccessToken" in model.input_shape.members


def refusal_message(operation: Operation) -> str:
    if operation.answer is Answer.SERVED:
        return f"{operation.name} is not served by this stack: the function that serves it is not running."
    if _takes_access_token(operation.model):
        return (
            f"{operation.name} is not served by the local stack: it takes an access token, and only "
            "the operations the stack serves read the tokens it issues."
        )
    if operation.public:
        return (
            f"{operation.name} is not served by the local stack: the embedded Cognito would answer it "
            "without checking its code or sending its mail."
        )
    return f"{operation.name} is not served by the local stack (the embedded Cognito does not implement it)."


def table() -> str:
    """The Markdown table the docs show between TABLE_START and TABLE_END."""
    rows = [
        "| Operation | Credentials | Local stack |",
        "|---|---|---|",
        *(
            f"| `{op.name}` | {'none (callable from pages)' if op.public else 'SigV4'} | {op.answer.value} |"
            for op in catalogue().values()
        ),
    ]
    counts = {answer: sum(op.answer is answer for op in catalogue().values()) for answer in Answer}
    summary = ", ".join(f"{count} {answer.value}" for answer, count in counts.items())
    return "\n".join([f"{len(catalogue())} operations: {summary}.", "", *rows])


def with_table(document: str) -> str:
    """`document` with its table replaced by the current one."""
    before, found, rest = document.partition(TABLE_START)
    _, ended, after = rest.partition(TABLE_END)
    if not found or not ended:
        raise ValueError(f"the document has no {TABLE_START} ... {TABLE_END} section")
    return f"{before}{TABLE_START}\n{table()}\n{TABLE_END}{after}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--write", type=Path, help="rewrite the table in this Markdown file")
    options = parser.parse_args(argv)
    if options.write is None:
        print(table())
        return 0
    options.write.write_text(with_table(options.write.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
