"""template.yaml read the way CloudFormation reads it, offline: parameters given their values,
conditions decided, intrinsic functions resolved. The local stack builds its user pool, app client,
triggers and function environment from it, so the laptop mirrors what `sam deploy` creates."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cfnlint.decode.cfn_yaml import loads as load_cfn_yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = ROOT / "template.yaml"

PSEUDO_PARAMETERS = {
    "AWS::Partition": "aws",
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::StackName": "passwordless-test",
    "AWS::URLSuffix": "amazonaws.com",
}
_NO_VALUE = object()


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """template.yaml as plain dicts, with `!Ref x` short forms expanded to `{"Ref": "x"}`."""
    # cfn-lint's loader knows the intrinsic tags; the JSON round trip drops its node subclasses.
    loaded: dict[str, Any] = json.loads(
        json.dumps(load_cfn_yaml(path.read_text(encoding="utf-8"), str(path)))
    )
    return loaded


class Deployment:
    """One stack's view of the template: parameter values chosen, conditions decided, intrinsics
    resolved. A reference to a resource resolves to its entry in `physical_ids`, or to a
    placeholder such as "<SignInSecretsTable>"."""

    def __init__(
        self,
        template: Mapping[str, Any],
        overrides: Mapping[str, str] | None = None,
        *,
        pseudo_parameters: Mapping[str, str] = PSEUDO_PARAMETERS,
        physical_ids: Mapping[str, str] | None = None,
    ) -> None:
        self.parameters: dict[str, str] = {
            name: str(spec["Default"]) for name, spec in template["Parameters"].items() if "Default" in spec
        }
        self.parameters.update(overrides or {})
        missing = sorted(set(template["Parameters"]) - set(self.parameters))
        if missing:
            raise ValueError(f"no value for parameters without a default: {missing}")
        self._pseudo = dict(pseudo_parameters)
        self._physical = dict(physical_ids or {})
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

    def resolve(self, node: Any) -> Any:  # noqa: ANN401 - any part of a template
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
        if name in self._physical:
            return self._physical[name]
        return self._pseudo.get(name, f"<{name}>")

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


@dataclass(frozen=True)
class Blueprint:
    """What the local stack needs from template.yaml, resolved for one set of parameter values."""

    user_pool: dict[str, Any]
    """The first AWS::Cognito::UserPool's Properties."""
    app_client: dict[str, Any]
    """The first AWS::Cognito::UserPoolClient's Properties (its UserPoolId left out)."""
    triggers: dict[str, str]
    """Cognito trigger name (DefineAuthChallenge, ...) -> function folder under functions/."""
    environment: dict[str, str]
    """The trigger functions' environment variables (Globals merged with each function's own)."""


def blueprint(deployment: Deployment, template: Mapping[str, Any]) -> Blueprint:
    resources: Mapping[str, Any] = template["Resources"]
    pool = _first_of_type(resources, "AWS::Cognito::UserPool")
    client = _first_of_type(resources, "AWS::Cognito::UserPoolClient")
    globals_env = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    triggers: dict[str, str] = {}
    environment: dict[str, str] = {}
    for resource in resources.values():
        if resource["Type"] != "AWS::Serverless::Function" or not _exists(deployment, resource):
            continue
        properties = resource["Properties"]
        cognito_triggers = [
            event["Properties"]["Trigger"]
            for event in properties.get("Events", {}).values()
            if event["Type"] == "Cognito"
        ]
        if not cognito_triggers:
            continue
        folder = Path(str(deployment.resolve(properties["CodeUri"]))).name
        for trigger in cognito_triggers:
            triggers[str(trigger)] = folder
        own_env = properties.get("Environment", {}).get("Variables", {})
        for key, value in deployment.resolve({**globals_env, **own_env}).items():
            environment[key] = str(value)
    client_properties = dict(deployment.resolve(client["Properties"]))
    client_properties.pop("UserPoolId", None)
    return Blueprint(
        user_pool=dict(deployment.resolve(pool["Properties"])),
        app_client=client_properties,
        triggers=triggers,
        environment=environment,
    )


def _first_of_type(resources: Mapping[str, Any], resource_type: str) -> Mapping[str, Any]:
    for resource in resources.values():
        if resource["Type"] == resource_type:
            return dict(resource)
    raise ValueError(f"template.yaml has no {resource_type}")


def _exists(deployment: Deployment, resource: Mapping[str, Any]) -> bool:
    condition = resource.get("Condition")
    return condition is None or deployment.conditions[condition]
