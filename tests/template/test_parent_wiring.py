"""TriggerWiring parent: a pool defined in the parent's own template, which writes the pool's whole
LambdaConfig itself. The stack then creates no pool, client, account API, sign-in page, invoke
permission or pool grant, and outputs what the parent wires (examples/pool-in-your-template).
The default, stack, keeps every resource the stack's own pool and an existing pool have."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from laptop.stack_template import Deployment, load_template
from tests.template.cfn import (
    EXISTING_POOL_ID,
    POOL_MODES,
    PoolMode,
    existing_resources,
    exists,
    iam_statements,
    lint_translated,
    resources_of_type,
    rule_refusals,
    strings_in,
    translate_offline,
)

REQUIRED = {"EmailFrom": "no-reply@example.com"}
APP_PAGE = {"SignInUrl": "https://app.example.com/sign-in"}
PARENT = {**REQUIRED, **APP_PAGE, "TriggerWiring": "parent"}
# The same stack wired by itself: its own pool, the app's own sign-in page.
STACK = {**REQUIRED, **APP_PAGE}
# Trigger slot of the pool's LambdaConfig -> the output a parent wires that slot from.
OUTPUT_FOR_SLOT = {
    "DefineAuthChallenge": "DefineAuthChallengeFunctionArn",
    "CreateAuthChallenge": "CreateAuthChallengeFunctionArn",
    "VerifyAuthChallengeResponse": "VerifyAuthChallengeFunctionArn",
    "PreSignUp": "PreSignUpFunctionArn",
    "PostAuthentication": "PostAuthenticationFunctionArn",
    "CustomMessage": "CustomMessageFunctionArn",
}
# What only a stack that knows its pool creates: the pool (its own), what lives in the pool or names
# it, the account API that administers it, and Cognito's permission to invoke each trigger.
KNOWS_POOL_NAMES = {
    "UserPool",
    "UserPoolClient",
    "AdministratorsGroup",
    "PostAuthenticationVerifyEmailPolicy",
    *(
        f"{slot}InvokePermission"
        for slot in ("DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallenge")
    ),
    *(f"{slot}InvokePermission" for slot in ("PreSignUp", "PostAuthentication", "CustomMessage")),
}
ACCOUNT_API_PREFIX = "AccountApi"
# The stack's sign-in page (only without SignInUrl) and the setup that attaches to an existing pool.
PAGE_PREFIXES = ("SignInApi", "SignInPage")
ATTACHMENT_PREFIX = "TriggerAttachment"
# CloudFormation's placeholder for a resource reference once Deployment has resolved it.
REFERENCE = re.compile(r"<([A-Z][A-Za-z0-9]*)(?:\.[A-Za-z0-9.]+)?>")


def _knows_pool(name: str) -> bool:
    return name in KNOWS_POOL_NAMES or name.startswith(ACCOUNT_API_PREFIX)


@pytest.fixture(scope="module")
def source() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def parent(source: dict[str, Any]) -> dict[str, Any]:
    return translate_offline(source, PARENT)


@pytest.fixture(scope="module")
def default(source: dict[str, Any]) -> dict[str, Any]:
    return translate_offline(source)


def _created(template: Mapping[str, Any], parameters: Mapping[str, str]) -> dict[str, Any]:
    return existing_resources(Deployment(template, parameters), template)


def _outputs(template: Mapping[str, Any], parameters: Mapping[str, str]) -> dict[str, Any]:
    deployment = Deployment(template, parameters)
    return {
        name: deployment.resolve(output["Value"])
        for name, output in template["Outputs"].items()
        if exists(deployment, output)
    }


# ------------------------------------------------------------------------------------- resources


def test_wired_by_a_parent_the_stack_creates_nothing_that_names_or_lives_in_a_pool(
    parent: dict[str, Any],
) -> None:
    # Given the stack wired by a parent, and the same stack wiring its own pool
    created = set(_created(parent, PARENT))
    by_itself = set(_created(parent, STACK))
    # Then the parent-wired stack lacks exactly what knows the pool, and creates nothing new
    knows_pool = {name for name in parent["Resources"] if _knows_pool(name)}
    assert knows_pool >= KNOWS_POOL_NAMES
    assert {name for name in knows_pool if name.startswith(ACCOUNT_API_PREFIX)}
    assert by_itself - created == knows_pool
    assert created <= by_itself
    # No page and no attachment setup either (it has SignInUrl, and no ExistingUserPoolId)
    for prefix in (*PAGE_PREFIXES, ATTACHMENT_PREFIX):
        assert [name for name in parent["Resources"] if name.startswith(prefix)], prefix
        assert not [name for name in created if name.startswith(prefix)], prefix
    # What is left: the six triggers and what they use; Cognito and API Gateway resources are the
    # parent's, and so is every permission to invoke a function
    types = {parent["Resources"][name]["Type"] for name in created}
    assert not {t for t in types if t.startswith(("AWS::Cognito::", "AWS::ApiGatewayV2::"))}
    assert "AWS::Lambda::Permission" not in types
    functions = {name for name in created if parent["Resources"][name]["Type"] == "AWS::Lambda::Function"}
    assert functions == {arn["Fn::GetAtt"][0] for arn in _own_pool_wiring(parent).values()}


def test_wired_by_a_parent_everything_the_stack_names_is_something_it_creates(
    parent: dict[str, Any],
) -> None:
    # CloudFormation refuses a template whose resources or outputs name a resource it leaves out.
    created = _created(parent, PARENT)
    named = set(REFERENCE.findall(json.dumps([created, _outputs(parent, PARENT)])))
    assert named
    assert named <= set(created), named - set(created)


def test_wired_by_a_parent_no_grant_names_a_user_pool(parent: dict[str, Any]) -> None:
    # The parent grants PostAuthentication its rights on the pool; the stack names none.
    statements = list(iam_statements(_created(parent, PARENT)))
    assert statements
    for statement in statements:
        actions = list(strings_in(statement["Action"]))
        assert not [a for a in actions if a.startswith("cognito-idp:")], statement
        resources = list(strings_in(statement.get("Resource", [])))
        assert not [r for r in resources if ":cognito-idp:" in r or r.startswith("<UserPool")], statement
    # In the stack's own view of the pool the same grant is there (so the check above can fail)
    own = list(iam_statements(_created(parent, STACK)))
    assert [s for s in own if "<UserPool.Arn>" in strings_in(s.get("Resource", []))]


# --------------------------------------------------------------------------------------- outputs


def _own_pool_wiring(translated: Mapping[str, Any]) -> dict[str, Any]:
    (pool,) = resources_of_type(translated, "AWS::Cognito::UserPool").values()
    wiring: dict[str, Any] = pool["Properties"]["LambdaConfig"]
    return wiring


def test_each_function_arn_output_is_what_the_stacks_own_pool_wires_in_that_slot(
    parent: dict[str, Any],
) -> None:
    wiring = _own_pool_wiring(parent)
    assert set(wiring) == set(OUTPUT_FOR_SLOT)
    outputs = parent["Outputs"]
    assert {name for name in outputs if name.endswith("FunctionArn")} == set(OUTPUT_FOR_SLOT.values())
    given = _outputs(parent, PARENT)
    for slot, output in OUTPUT_FOR_SLOT.items():
        assert outputs[output]["Value"] == wiring[slot], slot
        assert output in given, output
    # The role to grant on the pool is PostAuthentication's own
    function = wiring["PostAuthentication"]["Fn::GetAtt"][0]
    role = parent["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]
    assert outputs["PostAuthenticationRoleName"]["Value"] == {"Ref": role}
    assert "PostAuthenticationRoleName" in given


def test_the_client_name_output_is_the_name_the_functions_trust_and_the_own_client_has(
    source: dict[str, Any],
) -> None:
    client_name = source["Resources"]["UserPoolClient"]["Properties"]["ClientName"]
    trusted = source["Globals"]["Function"]["Environment"]["Variables"]["EMAIL_SIGN_IN_CLIENT_NAME"]
    output = source["Outputs"]["EmailSignInClientName"]
    stack, wired_by_parent = Deployment(source, STACK), Deployment(source, PARENT)
    assert exists(wired_by_parent, output)
    expected = stack.resolve(client_name)
    assert expected == "passwordless-test-web"
    assert wired_by_parent.resolve(output["Value"]) == expected
    assert wired_by_parent.resolve(trusted) == expected
    assert stack.resolve(trusted) == expected


def test_wired_by_a_parent_no_output_names_the_pool_or_what_the_parent_creates(
    parent: dict[str, Any],
) -> None:
    given = set(_outputs(parent, PARENT))
    for name in ("UserPoolId", "UserPoolArn", "UserPoolClientId", "AccountApiUrl", "SignInPageUrl"):
        assert name in parent["Outputs"], name
        assert name not in given, name


# ------------------------------------------------------------------------------ lint and the rule


def test_the_parent_wired_translation_lints_clean(parent: dict[str, Any], tmp_path: Path) -> None:
    assert lint_translated(parent, tmp_path, PARENT) == []


NO_POOL = "TriggerWiring parent takes no ExistingUserPoolId (your template defines the pool)"
NEEDS_URL = "TriggerWiring parent needs SignInUrl (the stack serves no sign-in page then)"


@pytest.mark.parametrize(
    ("parameters", "refused"),
    [
        pytest.param(PARENT, [], id="parent"),
        pytest.param({**PARENT, "ExistingUserPoolId": EXISTING_POOL_ID}, [NO_POOL], id="parent-and-a-pool"),
        pytest.param({**PARENT, "SignInUrl": ""}, [NEEDS_URL], id="parent-without-a-page"),
        pytest.param(
            {**PARENT, "ExistingUserPoolId": EXISTING_POOL_ID, "SignInUrl": ""},
            [NO_POOL, NEEDS_URL],
            id="parent-and-a-pool-without-a-page",
        ),
        # The rule is the parent's alone: the stack may name a pool and serve its own page
        pytest.param({**REQUIRED, "ExistingUserPoolId": EXISTING_POOL_ID}, [], id="stack-on-a-pool"),
        pytest.param(REQUIRED, [], id="stack-with-its-page"),
    ],
)
def test_the_rule_refuses_parent_wiring_with_a_pool_named_or_without_a_sign_in_url(
    source: dict[str, Any], parameters: dict[str, str], refused: list[str]
) -> None:
    assert rule_refusals(Deployment(source, parameters), source) == refused


# ----------------------------------------------------------------------------- the default: stack


def test_the_default_is_the_stack_wiring_its_triggers_itself(source: dict[str, Any]) -> None:
    assert source["Parameters"]["TriggerWiring"]["Default"] == "stack"
    assert Deployment(source, REQUIRED).conditions["WiredByParent"] is False


@pytest.mark.parametrize("pool", POOL_MODES)
def test_by_default_both_pool_modes_keep_every_resource_and_output(
    source: dict[str, Any], default: dict[str, Any], pool: PoolMode
) -> None:
    # Given the default, and the same parameters with TriggerWiring stack said outright
    parameters = {**REQUIRED, **pool.parameters}
    stated = {**parameters, "TriggerWiring": "stack"}
    # Then both create the same resources, resolved the same, and give the same outputs
    created = _created(default, parameters)
    assert created == _created(translate_offline(source, stated), stated)
    assert _outputs(default, parameters) == _outputs(default, stated)
    # Among them everything that knows the pool: the pool itself only when it is the stack's own
    knows_pool = {name for name in default["Resources"] if _knows_pool(name)}
    expected = knows_pool - ({"UserPool"} if "ExistingUserPoolId" in pool.parameters else set())
    assert expected <= set(created), expected - set(created)
    # And the outputs that name the pool, its client and the account API
    for name in ("UserPoolId", "UserPoolArn", "UserPoolClientId", "AccountApiUrl"):
        assert name in _outputs(default, parameters), name
