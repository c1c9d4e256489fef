"""Offline stand-ins for what CloudFormation does with template.yaml: load it, run the SAM transform,
and resolve intrinsic functions for one set of parameter values; cfn-lint on the translated output, and
what the template's IAM statements and checkov skips say. No AWS call anywhere."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_file
from samtranslator.translator.transform import transform

from laptop.stack_template import Deployment

ROOT = Path(__file__).resolve().parents[2]
SAMCONFIG_PATH = ROOT / "samconfig.toml"

BASIC_EXECUTION_ROLE = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
LINT_REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
CHECK_ID = re.compile(r"CKV2?_AWS_\d+")
MIN_REASON_WORDS = 8
EXISTING_POOL_ID = "us-east-1_AbC123"
# Each HTTP API that exists only under a condition -> that condition (its routes' functions carry it too).
CONDITIONAL_APIS = {"SignInApi": "CreateSignInPage", "AccountApi": "KnowsPool"}


@dataclass(frozen=True)
class PoolMode:
    """The user pool a stack's resources name, as laptop.stack_template.Deployment resolves it."""

    pool_id: str
    pool_arn: str
    parameters: dict[str, str] = field(default_factory=dict)


OWN_POOL = PoolMode("<UserPool>", "<UserPool.Arn>")
EXISTING_POOL = PoolMode(
    EXISTING_POOL_ID,
    f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{EXISTING_POOL_ID}",
    {"ExistingUserPoolId": EXISTING_POOL_ID},
)
POOL_MODES = [pytest.param(OWN_POOL, id="own-pool"), pytest.param(EXISTING_POOL, id="existing-pool")]


class OfflineManagedPolicies:
    """The translator asks for managed policy ARNs only when a function names a policy by short name;
    answering from memory keeps it from calling IAM."""

    def load(self) -> dict[str, str]:
        return {"AWSLambdaBasicExecutionRole": BASIC_EXECUTION_ROLE}


def as_packaged(template: Mapping[str, Any]) -> dict[str, Any]:
    """What `sam package` hands CloudFormation: local CodeUri/ContentUri replaced by S3 locations."""
    packaged = copy.deepcopy(dict(template))
    for name, resource in packaged["Resources"].items():
        properties = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if key in properties:
                properties[key] = f"s3://artifacts-bucket/{name}.zip"
    return packaged


def translate(template: Mapping[str, Any], parameters: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The SAM transform as CloudFormation runs it, offline (the caller provides an AWS region).

    CloudFormation hands the transform the stack's parameter values, and some choices are made there
    (Tracing: Disabled drops the X-Ray grant); parameters without a value take their defaults."""
    return transform(as_packaged(template), dict(parameters or {}), OfflineManagedPolicies())


def translate_offline(
    template: Mapping[str, Any], parameters: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """translate() with the region the translator asks boto3 for (never the network) and no profile."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.delenv("AWS_PROFILE", raising=False)
        return translate(template, parameters)


def lint_translated(
    template: Mapping[str, Any], tmp_path: Path, parameters: Mapping[str, str] | None = None
) -> list[str]:
    """cfn-lint's findings in a translated template, less the translator's own (is_translator_artifact).

    With `parameters`, cfn-lint resolves each Ref to a parameter to that value (and judges the
    conditions by them); without, it weighs every value a parameter allows."""
    path = tmp_path / "translated.json"
    path.write_text(json.dumps(template, indent=2), encoding="utf-8")
    config = ManualArgs(regions=LINT_REGIONS, parameters=[dict(parameters)] if parameters else [])
    return problems([m for m in lint_file(path, config=config) if not is_translator_artifact(m)])


def problems(matches: list[Any]) -> list[str]:
    return [f"{m.rule.id} {m.message} (line {m.linenumber})" for m in matches]


def exists(deployment: Deployment, resource: Mapping[str, Any]) -> bool:
    """Whether this deployment creates the resource (or output): it has no Condition, or it holds."""
    return "Condition" not in resource or deployment.conditions[resource["Condition"]]


def existing_resources(deployment: Deployment, template: Mapping[str, Any]) -> dict[str, Any]:
    """The resources this deployment creates (their Condition holds), intrinsics resolved."""
    return {
        name: deployment.resolve(resource)
        for name, resource in template["Resources"].items()
        if exists(deployment, resource)
    }


def rule_refusals(deployment: Deployment, template: Mapping[str, Any]) -> list[str]:
    """The AssertDescription of every assertion CloudFormation's Rules would fail for this deployment
    (in rules whose RuleCondition holds, or that have none); empty when it would take the values.

    Only functions Deployment resolves are understood: anything else (Fn::Contains, Fn::ValueOf...)
    would come back unresolved, so it is refused here rather than read as true."""
    refused: list[str] = []
    for name, rule in template.get("Rules", {}).items():
        if "RuleCondition" in rule and not _decided(deployment, rule["RuleCondition"], name):
            continue
        refused.extend(
            str(assertion.get("AssertDescription", name))
            for assertion in rule["Assertions"]
            if not _decided(deployment, assertion["Assert"], name)
        )
    return refused


def _decided(deployment: Deployment, expression: Any, rule: str) -> bool:
    value = deployment.resolve(expression)
    if not isinstance(value, bool):
        raise TypeError(f"rule {rule}: {expression!r} does not resolve to true or false offline")
    return value


def resources_of_type(template: Mapping[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def iam_statements(node: object) -> Iterator[dict[str, Any]]:
    """Every IAM statement anywhere under node, including both branches of each Fn::If."""
    if isinstance(node, list):
        for item in node:
            yield from iam_statements(item)
    elif isinstance(node, dict):
        if "Effect" in node:
            yield node
            return
        for value in node.values():
            yield from iam_statements(value)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def grants(
    deployment: Deployment, role: Mapping[str, Any], attached: list[Any] | None = None
) -> set[tuple[str, str]]:
    """(action, resource) pairs a role allows once its Fn::Ifs are decided for one deployment;
    `attached` are the PolicyDocuments of AWS::IAM::Policy resources naming the role."""
    allowed: set[tuple[str, str]] = set()
    documents = [role["Properties"].get("Policies", []), *(attached or [])]
    for statement in iam_statements(deployment.resolve(documents)):
        assert statement["Effect"] == "Allow"
        allowed.update(
            (action, resource)
            for action in as_list(statement["Action"])
            for resource in as_list(statement["Resource"])
        )
    return allowed


def function_grants(
    deployment: Deployment, translated: Mapping[str, Any], function: str
) -> set[tuple[str, str]]:
    """Everything a function's role may do: its inline policies and each stand-alone policy that
    lists the role (a !Ref to it, or an Fn::If whose chosen branch is one)."""
    role_name = translated["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]
    attached = [
        policy["Properties"]["PolicyDocument"]
        for policy in resources_of_type(translated, "AWS::IAM::Policy").values()
        if f"<{role_name}>" in deployment.resolve(policy["Properties"]["Roles"])
    ]
    return grants(deployment, translated["Resources"][role_name], attached)


def function_named(permission: Mapping[str, Any]) -> str:
    """The logical id of the function an AWS::Lambda::Permission is for (a Ref or a GetAtt .Arn)."""
    target = permission["Properties"]["FunctionName"]
    if "Ref" in target:
        return str(target["Ref"])
    return str(target["Fn::GetAtt"][0])


def strings_in(node: object) -> Iterator[str]:
    """Every string leaf under node (so a "*" hidden in an Fn::Sub or Fn::If is still found)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from strings_in(item)
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings_in(value)


def parameter_violation(parameter: Mapping[str, Any], value: str) -> str | None:
    """Why CloudFormation would refuse value for this parameter, or None if it would take it."""
    if "AllowedValues" in parameter and value not in {str(v) for v in parameter["AllowedValues"]}:
        return f"{value!r} is not one of {parameter['AllowedValues']}"
    if "AllowedPattern" in parameter and not re.fullmatch(parameter["AllowedPattern"], value):
        return f"{value!r} does not match {parameter['AllowedPattern']}"
    if parameter["Type"] == "Number":
        try:
            number = float(value)
        except ValueError:
            return f"{value!r} is not a number"
        if "MinValue" in parameter and number < float(parameter["MinValue"]):
            return f"{value!r} is below {parameter['MinValue']}"
        if "MaxValue" in parameter and number > float(parameter["MaxValue"]):
            return f"{value!r} is above {parameter['MaxValue']}"
    return None


def is_translator_artifact(match: Any) -> bool:
    """cfn-lint findings in translated output that come from the transform, not from template.yaml."""
    # The translator wraps each route of a conditional function in Fn::If on that condition, inside
    # an API that already carries it; cfn-lint calls the else branches unreachable (W1028). They are
    # the translator's, in generated OpenAPI, and harmless.
    if (
        match.rule.id == "W1028"
        and match.path[:1] == ["Resources"]
        and match.path[2:4] == ["Properties", "Body"]
    ):
        api_condition = CONDITIONAL_APIS.get(match.path[1])
        if api_condition is not None and f"condition '{api_condition}'" in match.message:
            return True
    # The transform consumes Tracing itself: with Disabled it writes no TracingConfig, so the parameter
    # is left unused (W2001); with Active it keeps a Ref that resolves to Active, while cfn-lint weighs
    # every allowed value, Disabled too (W1030).
    tracing = match.path[:2] == ["Parameters", "Tracing"]
    return tracing and (
        match.rule.id == "W2001" or (match.rule.id == "W1030" and "TracingConfig" in match.message)
    )


def checkov_skips(template: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(resource, skip) for every inline checkov skip in the template's resources."""
    return [
        (name, skip)
        for name, resource in template["Resources"].items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]


def unexplained(skips: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """The skips without a check id or without a reason of at least MIN_REASON_WORDS words."""
    return [
        f"{name}: {skip}"
        for name, skip in skips
        if not CHECK_ID.fullmatch(str(skip.get("id", "")))
        or len(str(skip.get("comment", "")).split()) < MIN_REASON_WORDS
    ]
