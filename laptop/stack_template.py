"""template.yaml read the way CloudFormation reads it, offline: parameters given their values,
conditions decided, intrinsic functions resolved. The local stack builds its user pool, app client,
triggers and function environment from it, so the laptop mirrors what `sam deploy` creates."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
            "Fn::Join": lambda arg: arg[0].join(str(part) for part in self.resolve(arg[1])),
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
class ApiRoute:
    """One HttpApi event of a function: `method path` served by the function folder `function`."""

    function: str
    method: str
    path: str
    authorized: bool
    """Whether a JWT authorizer guards it (the event's Auth.Authorizer, else the API's default)."""


@dataclass(frozen=True)
class Blueprint:
    """What the local stack needs from template.yaml, resolved for one set of parameter values."""

    user_pool: dict[str, Any] | None
    """The AWS::Cognito::UserPool's Properties; None when the stack attaches to an existing pool."""
    app_client: dict[str, Any]
    """The first AWS::Cognito::UserPoolClient's Properties (its UserPoolId left out)."""
    triggers: dict[str, str]
    """Cognito trigger name (DefineAuthChallenge, ...) -> function folder under functions/: the
    pool's LambdaConfig, or on an existing pool the setup custom resource's Triggers."""
    environment: dict[str, str]
    """The environment variables of the functions the stack runs (triggers and HTTP API functions),
    Globals merged with each function's own: they share one process, so one environment."""
    api_routes: dict[str, ApiRoute] = field(default_factory=dict)
    """"METHOD /path" -> route, for every HttpApi event of a function that exists in this deployment."""
    timeouts: dict[str, int] = field(default_factory=dict)
    """Function folder -> its Timeout in seconds (Globals' unless the function sets its own)."""
    logical_ids: dict[str, str] = field(default_factory=dict)
    """Function folder -> the function's logical id in the template."""
    groups: list[dict[str, Any]] = field(default_factory=list)
    """Each AWS::Cognito::UserPoolGroup's Properties (its UserPoolId left out)."""
    user_pool_logical_id: str = "UserPool"
    app_client_logical_id: str = "UserPoolClient"
    attachment: dict[str, Any] | None = None
    """On an existing pool: the setup custom resource's Properties (UserPoolId, Triggers, ...)."""
    other_clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Logical id -> Properties (UserPoolId left out) of every other app client this deployment
    creates, such as the passkey client when passkeys are on."""
    setup_function: str | None = None
    """On an existing pool: the folder of the function behind that custom resource."""


def blueprint(deployment: Deployment, template: Mapping[str, Any]) -> Blueprint:
    resources: Mapping[str, Any] = template["Resources"]
    pool_id, pool = _first_of_type(resources, "AWS::Cognito::UserPool")
    client_id, client = _first_of_type(resources, "AWS::Cognito::UserPoolClient")
    pool_exists = _exists(deployment, pool)
    attachment = _attachment(deployment, resources)
    function_globals = template.get("Globals", {}).get("Function", {})
    globals_env = function_globals.get("Environment", {}).get("Variables", {})
    folders = {
        logical_id: Path(str(deployment.resolve(resource["Properties"]["CodeUri"]))).name
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function" and _exists(deployment, resource)
    }
    wiring = (
        pool["Properties"].get("LambdaConfig", {}) if pool_exists else (attachment or {}).get("Triggers", {})
    )
    triggers = {str(trigger): folders[_function_of(deployment, arn)] for trigger, arn in wiring.items()}
    setup = _function_of(deployment, attachment["ServiceToken"]) if attachment else None
    routes: dict[str, ApiRoute] = {}
    timeouts: dict[str, int] = {}
    environment: dict[str, str] = {}
    logical_ids: dict[str, str] = {}
    for logical_id, folder in folders.items():
        properties = resources[logical_id]["Properties"]
        events = list(properties.get("Events", {}).values())
        api_events = [event.get("Properties", {}) for event in events if event["Type"] == "HttpApi"]
        runs = folder in triggers.values() or logical_id == setup
        if not runs and not _serves_an_api_the_stack_runs(deployment, resources, api_events):
            continue
        logical_ids[folder] = logical_id
        for event in api_events:
            route = _api_route(deployment, resources, folder, event)
            routes[f"{route.method} {route.path}"] = route
        timeouts[folder] = int(
            deployment.resolve(properties.get("Timeout", function_globals.get("Timeout", 3)))
        )
        own_env = properties.get("Environment", {}).get("Variables", {})
        for key, value in deployment.resolve({**globals_env, **own_env}).items():
            environment[key] = str(value)
    client_properties = _client_properties(deployment, client)
    other_clients = {
        name: _client_properties(deployment, resource)
        for name, resource in resources.items()
        if resource["Type"] == "AWS::Cognito::UserPoolClient"
        and name != client_id
        and _exists(deployment, resource)
    }
    groups = [
        {key: value for key, value in deployment.resolve(group["Properties"]).items() if key != "UserPoolId"}
        for group in resources.values()
        if group["Type"] == "AWS::Cognito::UserPoolGroup" and _exists(deployment, group)
    ]
    user_pool = dict(deployment.resolve(pool["Properties"])) if pool_exists else None
    if user_pool is not None:
        user_pool.pop("LambdaConfig", None)  # the triggers above, set by the stack with their ARNs
    return Blueprint(
        user_pool=user_pool,
        app_client=client_properties,
        triggers=triggers,
        environment=environment,
        api_routes=routes,
        timeouts=timeouts,
        logical_ids=logical_ids,
        groups=groups,
        user_pool_logical_id=pool_id,
        app_client_logical_id=client_id,
        attachment=attachment,
        setup_function=folders[setup] if setup else None,
        other_clients=other_clients,
    )


def _client_properties(deployment: Deployment, client: Mapping[str, Any]) -> dict[str, Any]:
    properties = dict(deployment.resolve(client["Properties"]))
    properties.pop("UserPoolId", None)
    return properties


def _attachment(deployment: Deployment, resources: Mapping[str, Any]) -> dict[str, Any] | None:
    """The setup custom resource's Properties, unresolved ARNs kept as references, if it exists."""
    for resource in resources.values():
        if resource["Type"] == "Custom::TriggerAttachment" and _exists(deployment, resource):
            properties = dict(resource["Properties"])
            resolved: dict[str, Any] = deployment.resolve(
                {key: value for key, value in properties.items() if key not in ("Triggers", "ServiceToken")}
            )
            # Conditions decide which triggers are there; the ARNs stay references to read below.
            chosen = {slot: _chosen(deployment, arn) for slot, arn in properties.get("Triggers", {}).items()}
            triggers = {slot: arn for slot, arn in chosen.items() if arn is not None}
            return {**resolved, "Triggers": triggers, "ServiceToken": properties["ServiceToken"]}
    return None


def _chosen(deployment: Deployment, node: Any) -> Any:  # noqa: ANN401 - a template value
    """An Fn::If's branch for this deployment (None for AWS::NoValue), anything else as it is."""
    while isinstance(node, dict) and "Fn::If" in node:
        condition, when_true, when_false = node["Fn::If"]
        node = when_true if deployment.conditions[condition] else when_false
    return None if node == {"Ref": "AWS::NoValue"} else node


def _function_of(deployment: Deployment, arn: Any) -> str:  # noqa: ANN401 - a template value
    """The logical id of the function a `!GetAtt X.Arn` (maybe inside an Fn::If) names."""
    chosen = _chosen(deployment, arn)
    if not (isinstance(chosen, dict) and "Fn::GetAtt" in chosen):
        raise ValueError(f"a trigger must be !GetAtt <Function>.Arn, not {chosen!r}")
    target = chosen["Fn::GetAtt"]
    return str(target[0] if isinstance(target, list) else str(target).split(".", 1)[0])


def _serves_an_api_the_stack_runs(
    deployment: Deployment, resources: Mapping[str, Any], api_events: list[Mapping[str, Any]]
) -> bool:
    """An HttpApi function whose API exists here (the stack serves its own sign-in page itself)."""
    return any(_api_of(deployment, resources, event) is not None for event in api_events)


def _api_of(
    deployment: Deployment, resources: Mapping[str, Any], event: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    reference = event.get("ApiId")
    name = reference.get("Ref") if isinstance(reference, dict) else None
    api = resources.get(name) if isinstance(name, str) else None
    if api is None or api.get("Type") != "AWS::Serverless::HttpApi" or not _exists(deployment, api):
        return None
    return dict(api)


def _api_route(
    deployment: Deployment, resources: Mapping[str, Any], folder: str, event: Mapping[str, Any]
) -> ApiRoute:
    api = _api_of(deployment, resources, event) or {}
    default = api.get("Properties", {}).get("Auth", {}).get("DefaultAuthorizer")
    authorizer = deployment.resolve(event.get("Auth", {}).get("Authorizer", default))
    return ApiRoute(
        function=folder,
        method=str(deployment.resolve(event["Method"])).upper(),
        path=str(deployment.resolve(event["Path"])),
        authorized=authorizer not in (None, "NONE"),
    )


def _first_of_type(resources: Mapping[str, Any], resource_type: str) -> tuple[str, Mapping[str, Any]]:
    for name, resource in resources.items():
        if resource["Type"] == resource_type:
            return name, dict(resource)
    raise ValueError(f"template.yaml has no {resource_type}")


def _exists(deployment: Deployment, resource: Mapping[str, Any]) -> bool:
    condition = resource.get("Condition")
    return condition is None or deployment.conditions[condition]
