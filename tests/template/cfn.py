"""Offline stand-ins for what CloudFormation does with template.yaml: load it, run the SAM transform,
and resolve intrinsic functions for one set of parameter values. No AWS call anywhere."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from samtranslator.translator.transform import transform

ROOT = Path(__file__).resolve().parents[2]
SAMCONFIG_PATH = ROOT / "samconfig.toml"

BASIC_EXECUTION_ROLE = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


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
    if match.rule.id == "W1028" and match.path[:4] == ["Resources", "SignInApi", "Properties", "Body"]:
        return True
    # The transform consumes Tracing itself: with Disabled it writes no TracingConfig, so the parameter
    # is left unused (W2001); with Active it keeps a Ref that resolves to Active, while cfn-lint weighs
    # every allowed value, Disabled too (W1030).
    tracing = match.path[:2] == ["Parameters", "Tracing"]
    return tracing and (
        match.rule.id == "W2001" or (match.rule.id == "W1030" and "TracingConfig" in match.message)
    )
