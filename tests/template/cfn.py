"""Offline stand-ins for what CloudFormation does with template.yaml: load it, run the SAM transform,
and resolve intrinsic functions for one set of parameter values. No AWS call anywhere."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from cfnlint.decode.cfn_yaml import loads as load_cfn_yaml
from samtranslator.translator.transform import transform

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"
SAMCONFIG_PATH = ROOT / "samconfig.toml"

BASIC_EXECUTION_ROLE = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
PSEUDO_PARAMETERS = {
    "AWS::Partition": "aws",
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::StackName": "passwordless-test",
    "AWS::URLSuffix": "amazonaws.com",
}


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """template.yaml as plain dicts, with `!Ref x` short forms expanded to `{"Ref": "x"}`."""
    # cfn-lint's loader knows the intrinsic tags; the JSON round trip drops its node subclasses.
    return json.loads(json.dumps(load_cfn_yaml(path.read_text(encoding="utf-8"), str(path))))


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


def translate(template: Mapping[str, Any]) -> dict[str, Any]:
    """The SAM transform as CloudFormation runs it, offline (the caller provides an AWS region)."""
    return transform(as_packaged(template), {}, OfflineManagedPolicies())


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


_NO_VALUE = object()


class Deployment:
    """One stack's view of the template: parameter values chosen, conditions decided, intrinsics
    resolved. References to resources resolve to placeholders such as "<SignInSecretsTable>"."""

    def __init__(self, template: Mapping[str, Any], overrides: Mapping[str, str] | None = None) -> None:
        self.parameters: dict[str, str] = {
            name: str(spec["Default"]) for name, spec in template["Parameters"].items() if "Default" in spec
        }
        self.parameters.update(overrides or {})
        missing = sorted(set(template["Parameters"]) - set(self.parameters))
        if missing:
            raise ValueError(f"no value for parameters without a default: {missing}")
        self._functions: dict[str, Callable[[Any], Any]] = {
            "Ref": self._ref,
            "Fn::GetAtt": lambda arg: f"<{arg[0]}.{arg[1]}>",
            "Fn::If": lambda arg: self.resolve(arg[1] if self.conditions[arg[0]] else arg[2]),
            "Fn::Sub": self._sub,
            "Fn::Select": lambda arg: self.resolve(arg[1])[int(arg[0])],
            "Fn::Split": lambda arg: self.resolve(arg[1]).split(arg[0]),
            "Fn::Equals": lambda arg: self.resolve(arg[0]) == self.resolve(arg[1]),
            "Fn::Not": lambda arg: not self.resolve(arg[0]),
            "Fn::And": lambda arg: all(self.resolve(a) for a in arg),
            "Fn::Or": lambda arg: any(self.resolve(a) for a in arg),
            "Condition": lambda arg: self.conditions[arg],
        }
        self.conditions: dict[str, bool] = {}
        for name, expression in template.get("Conditions", {}).items():
            self.conditions[name] = bool(self.resolve(expression))

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [item for item in (self.resolve(i) for i in node) if item is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, argument),) = node.items()
            if key in self._functions:
                return self._functions[key](argument)
        resolved = {key: self.resolve(value) for key, value in node.items()}
        return {key: value for key, value in resolved.items() if value is not _NO_VALUE}

    def _ref(self, name: str) -> object:
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self.parameters:
            return self.parameters[name]
        return PSEUDO_PARAMETERS.get(name, f"<{name}>")

    def _sub(self, argument: str | list[Any]) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        values = {name: self.resolve(value) for name, value in variables.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in values:
                return str(values[name])
            if "." in name:
                return "<{}.{}>".format(*name.split(".", 1))
            return str(self._ref(name))

        return re.sub(r"\$\{([^}!]+)\}", replace, text)
