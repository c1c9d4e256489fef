"""Least privilege, checked against behaviour: each function's IAM grants in template.yaml are exactly
the AWS operations its code performs during sign-ins (none unused, none missing that would be an
AccessDenied in production)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import boto3
import pytest

from laptop.stack_template import Deployment, load_template
from passwordless.settings import Settings
from tests.support.aws_calls import on_every_session, operation_name
from tests.support.flow import JANE, JOHN
from tests.support.lambda_handlers import deploy
from tests.template.cfn import iam_statements

LOGICAL_IDS = {
    "define": "DefineAuthChallengeFunction",
    "create": "CreateAuthChallengeFunction",
    "verify": "VerifyAuthChallengeFunction",
}


def granted_actions(function: str, key_store: str = "secretsmanager") -> set[str]:
    """The function's inline grants and those of every stand-alone policy naming its role, resolved
    for the SES provider (the default) and `key_store`."""
    resources = load_template()["Resources"]
    logical_id = LOGICAL_IDS[function]
    role = {"Ref": f"{logical_id}Role"}
    deployment = Deployment(load_template(), {"EmailFrom": "a@example.com", "KeyStore": key_store})
    policies = [deployment.resolve(resources[logical_id]["Properties"].get("Policies", []))]
    policies += [
        deployment.resolve(resource["Properties"]["PolicyDocument"])
        for resource in resources.values()
        if resource["Type"] == "AWS::IAM::Policy" and role in _leaves(resource["Properties"]["Roles"])
    ]
    actions: set[str] = set()
    for statement in iam_statements(policies):
        action = statement["Action"]
        actions.update([action] if isinstance(action, str) else action)
    return actions


def _leaves(node: Any) -> list[Any]:
    """Every {"Ref": ...} in a list, including both branches of an Fn::If."""
    if isinstance(node, list):
        return [leaf for item in node for leaf in _leaves(item)]
    if isinstance(node, dict) and "Fn::If" in node:
        return _leaves(node["Fn::If"][1:])
    return [node]


@pytest.mark.parametrize("key_store", ["secretsmanager", "kms"])
def test_each_function_is_granted_exactly_the_operations_it_performs(
    key_store: str, request: pytest.FixtureRequest, outbox_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws: Settings = request.getfixturevalue("kms_aws" if key_store == "kms" else "aws")
    watching = contextlib.ExitStack()
    # Given the SES provider (the template's default) and every request the functions make under watch
    monkeypatch.setenv("EMAIL_PROVIDER", "ses")
    monkeypatch.setenv("RESEND_MIN_SECONDS", "0")
    boto3.client("ses", region_name="us-east-1").verify_email_identity(EmailAddress=aws.email_from)
    running: list[str] = []
    used: dict[str, set[str]] = {name: set() for name in LOGICAL_IDS}

    def record(model: Any, **_: Any) -> None:
        if running:
            used[running[-1]].add(operation_name(model))

    request.addfinalizer(watching.close)
    watching.enter_context(on_every_session(record))
    deployed = deploy(outbox_dir, io.StringIO())
    invoke = deployed.cognito.invoke

    def watched(trigger: str, event: dict[str, Any]) -> dict[str, Any]:
        running.append(trigger)
        try:
            return invoke(trigger, event)
        finally:
            running.pop()

    deployed.cognito.invoke = watched
    # When people sign in every way there is: code, wrong answers, resend, link, unknown user
    cognito = deployed.cognito
    asked = cognito.respond(cognito.initiate_auth(JANE.email), "000000")
    asked = cognito.respond(asked, "resend", {"resend": "true"})
    cognito.respond(cognito.initiate_auth(JOHN.email), "A" * 32)
    cognito.respond(cognito.initiate_auth("nobody@example.com"), "123456")
    # Then each function used exactly what it is granted
    assert used["create"] >= {"ses:SendEmail"}, "the SES provider really sent mail"
    for function in LOGICAL_IDS:
        assert used[function] == granted_actions(function, key_store), function
