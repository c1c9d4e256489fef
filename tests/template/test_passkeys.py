"""Passkeys in template.yaml: their parameters (defaults, bounds and patterns the functions accept),
the passkey app client, the SSM parameter that hands its id to create and verify without a cycle, the
least grants each function gets, the account API's audiences, routes and CORS, the sign-in page's
stage variables, and, with PasskeyRelyingPartyId empty, a stack exactly as it was without them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from laptop.stack_template import Deployment, load_template
from passwordless.passkeys.config import PasskeySettings
from passwordless.settings_reader import SettingsError
from passwordless.web.http_api import page_config
from tests.template.cfn import (
    EXISTING_POOL,
    POOL_MODES,
    PoolMode,
    existing_resources,
    exists,
    function_grants,
    iam_statements,
    lint_translated,
    parameter_violation,
    resources_of_type,
    rule_refusals,
    strings_in,
    translate_offline,
)
from tests.template.test_template import PASSKEY_TRIGGER_ENV, PASSKEY_TRIGGERS, _dependencies

REQUIRED = {"EmailFrom": "no-reply@example.com"}
ON = {"PasskeyRelyingPartyId": "example.com", "PasskeyAllowedOrigins": "https://app.example.com"}
PARENT = {"TriggerWiring": "parent", "SignInUrl": "https://app.example.com/sign-in"}
GUARDED = {"SignInRequestsPerIpPer5Minutes": "300"}
PARAMETER_NAME = "/passwordless/passwordless-test/passkey-client-id"
PARAMETER_ARN = f"arn:aws:ssm:us-east-1:123456789012:parameter{PARAMETER_NAME}"
ACCOUNT_FUNCTION = "AccountApiFunction"
TABLE = "<SignInSecretsTable.Arn>"
HMAC_KEY = "<HmacKeySecret>"
HTTP_BASE = "https://<AccountApi>.execute-api.us-east-1.amazonaws.com/"
REST_BASE = "https://<AccountRestApi>.execute-api.us-east-1.amazonaws.com/<AccountRestApi.Stage>/"
PASSKEY_RESOURCES = {"PasskeyClient", "PasskeyClientIdParameter"}
PASSKEY_STAGE_VARIABLES = {"passkeyClientId", "passkeyRpId", "accountApiUrl"}
# Parameter -> (default, AllowedValues or (MinValue, MaxValue) or None for a pattern), as agreed.
PARAMETERS: dict[str, tuple[object, object]] = {
    "PasskeyRelyingPartyId": ("", None),
    "PasskeyRelyingPartyName": ("", None),
    "PasskeyAllowedOrigins": ("", None),
    "PasskeyUserVerification": ("required", ["required", "preferred", "discouraged"]),
    "PasskeyAttestation": ("none", ["none", "direct"]),
    "PasskeyResidentKey": ("preferred", ["required", "preferred", "discouraged"]),
    "PasskeyTimeoutSeconds": (120, (30, 600)),
    "PasskeyReauthenticationSeconds": (600, (60, 86400)),
}
# Parameter -> the variable it sets in create, verify and the account API.
VARIABLES = {
    "PasskeyRelyingPartyId": "PASSKEY_RP_ID",
    "PasskeyRelyingPartyName": "PASSKEY_RP_NAME",
    "PasskeyAllowedOrigins": "PASSKEY_ORIGINS",
    "PasskeyUserVerification": "PASSKEY_USER_VERIFICATION",
    "PasskeyAttestation": "PASSKEY_ATTESTATION",
    "PasskeyResidentKey": "PASSKEY_RESIDENT_KEY",
    "PasskeyTimeoutSeconds": "PASSKEY_TIMEOUT_SECONDS",
    "PasskeyReauthenticationSeconds": "PASSKEY_REAUTH_SECONDS",
}


@pytest.fixture(scope="module")
def source() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def translated(source: dict[str, Any]) -> dict[str, Any]:
    return translate_offline(source, {**REQUIRED, **ON})


def _own_env(deployment: Deployment, source: Mapping[str, Any], function: str) -> dict[str, str]:
    variables = source["Resources"][function]["Properties"].get("Environment", {}).get("Variables", {})
    return {name: str(value) for name, value in deployment.resolve(variables).items()}


def _deployed_env(deployment: Deployment, source: Mapping[str, Any], function: str) -> dict[str, str]:
    """What the function's environment holds once deployed: Globals' variables, then its own."""
    shared = deployment.resolve(source["Globals"]["Function"]["Environment"]["Variables"])
    return {**{name: str(value) for name, value in shared.items()}, **_own_env(deployment, source, function)}


# ----------------------------------------------------------------------------------- parameters


def test_the_passkey_parameters_have_the_agreed_defaults_and_bounds_in_their_own_group(
    source: dict[str, Any],
) -> None:
    parameters = source["Parameters"]
    for name, (default, allowed) in PARAMETERS.items():
        spec = parameters[name]
        assert spec["Default"] == default, name
        if isinstance(allowed, list):
            assert spec["AllowedValues"] == allowed, name
        elif isinstance(allowed, tuple):
            assert (spec["Type"], spec["MinValue"], spec["MaxValue"]) == ("Number", *allowed), name
        else:
            assert "AllowedPattern" in spec, name
    groups = source["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]
    (passkeys,) = [group for group in groups if group["Label"]["default"] == "Passkeys"]
    assert passkeys["Parameters"] == list(PARAMETERS)


def test_each_default_is_the_functions_own_default(source: dict[str, Any]) -> None:
    code = PasskeySettings()
    for name, variable in VARIABLES.items():
        field = {"PASSKEY_REAUTH_SECONDS": "reauth_seconds"}.get(
            variable, variable.removeprefix("PASSKEY_").lower()
        )
        expected = getattr(code, field)
        default = source["Parameters"][name]["Default"]
        assert str(default) == (",".join(expected) if isinstance(expected, tuple) else str(expected)), name


@pytest.mark.parametrize(
    ("parameter", "variable", "low", "high"),
    [
        ("PasskeyTimeoutSeconds", "PASSKEY_TIMEOUT_SECONDS", 30, 600),
        ("PasskeyReauthenticationSeconds", "PASSKEY_REAUTH_SECONDS", 60, 86400),
    ],
)
def test_numeric_bounds_are_the_bounds_the_functions_enforce(
    source: dict[str, Any], parameter: str, variable: str, low: int, high: int
) -> None:
    spec = source["Parameters"][parameter]
    assert (spec["MinValue"], spec["MaxValue"]) == (low, high)
    base = {
        "PASSKEY_RP_ID": "example.com",
        "PASSKEY_ORIGINS": "https://example.com",
        "PASSKEY_CLIENT_ID": "c1",
    }
    for inside in (low, high):
        PasskeySettings.from_env({**base, variable: str(inside)})
    for outside in (low - 1, high + 1):
        assert parameter_violation(spec, str(outside)) is not None
        with pytest.raises(SettingsError, match=variable):
            PasskeySettings.from_env({**base, variable: str(outside)})


RP_IDS = [
    ("", True),
    ("example.com", True),
    ("login.example.co.uk", True),
    ("localhost", True),
    ("127.0.0.1", False),
    ("Example.com", False),
    ("https://example.com", False),
    ("example.com:443", False),
    ("example", False),
    ("-bad.example.com", False),
    ("exa mple.com", False),
]
ORIGINS = [
    ("", True),
    ("https://app.example.com", True),
    ("https://app.example.com,https://example.com:8443", True),
    ("http://localhost:8765", True),
    ("http://app.example.com", False),
    ("https://app.example.com/", False),
    ("https://app.example.com/sign-in", False),
    ("https://app.example.com, https://example.com", False),
    ("https://user@app.example.com", False),
]


@pytest.mark.parametrize(("value", "admitted"), RP_IDS)
def test_the_relying_party_pattern_admits_only_ids_the_functions_accept(
    source: dict[str, Any], value: str, admitted: bool
) -> None:
    assert (parameter_violation(source["Parameters"]["PasskeyRelyingPartyId"], value) is None) == admitted
    if admitted and value:
        origin = "http://localhost" if value == "localhost" else f"https://{value}"
        settings = PasskeySettings.from_env(
            {"PASSKEY_RP_ID": value, "PASSKEY_ORIGINS": origin, "PASSKEY_CLIENT_ID_PARAMETER": PARAMETER_NAME}
        )
        assert settings.rp_id == value


@pytest.mark.parametrize(("value", "admitted"), ORIGINS)
def test_the_origins_pattern_admits_only_lists_the_functions_accept(
    source: dict[str, Any], value: str, admitted: bool
) -> None:
    assert (parameter_violation(source["Parameters"]["PasskeyAllowedOrigins"], value) is None) == admitted
    if admitted and value:
        rp_id = "localhost" if "localhost" in value else "example.com"
        settings = PasskeySettings.from_env(
            {"PASSKEY_RP_ID": rp_id, "PASSKEY_ORIGINS": value, "PASSKEY_CLIENT_ID_PARAMETER": PARAMETER_NAME}
        )
        assert settings.origins == tuple(value.split(","))


@pytest.mark.parametrize(
    ("overrides", "refused"),
    [
        ({}, []),
        (ON, []),
        (
            {"PasskeyRelyingPartyId": "example.com"},
            ["PasskeyRelyingPartyId needs PasskeyAllowedOrigins (the pages passkey sign-ins come from)"],
        ),
    ],
    ids=["off", "on", "on-without-origins"],
)
def test_passkeys_without_origins_are_refused_at_deploy_time(
    source: dict[str, Any], overrides: dict[str, str], refused: list[str]
) -> None:
    assert rule_refusals(Deployment(source, {**REQUIRED, **overrides}), source) == refused


# ------------------------------------------------------------------------------------ off by default


@pytest.mark.parametrize("pool", [*POOL_MODES, pytest.param(PoolMode("", "", PARENT), id="parent")])
def test_with_passkeys_off_the_stack_is_exactly_as_without_them(
    source: dict[str, Any], pool: PoolMode
) -> None:
    deployment = Deployment(source, {**REQUIRED, **pool.parameters})
    resources = existing_resources(deployment, source)

    assert deployment.conditions["PasskeysOn"] is False
    # No passkey client, no parameter, no passkey output
    assert not PASSKEY_RESOURCES & set(resources)
    assert not [
        name for name, output in source["Outputs"].items() if "Passkey" in name and exists(deployment, output)
    ]
    # No PASSKEY_ variable in any function
    for name, resource in resources.items():
        variables = resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
        assert not [v for v in variables if v.startswith("PASSKEY_")], name
    if "AccountApi" in resources:
        # The account API takes the web client's tokens only, and browsers may only POST
        api = resources["AccountApi"]["Properties"]
        assert api["Auth"]["Authorizers"]["UserPoolAccessToken"]["JwtConfiguration"]["audience"] == [
            "<UserPoolClient>"
        ]
        assert api["CorsConfiguration"]["AllowMethods"] == ["POST"]
    if "SignInApi" in resources:
        assert not PASSKEY_STAGE_VARIABLES & set(resources["SignInApi"]["Properties"]["StageVariables"])


def test_with_passkeys_off_no_function_may_read_ssm_or_delete_or_put_items(source: dict[str, Any]) -> None:
    off_translated = translate_offline(source, REQUIRED)
    deployment = Deployment(source, REQUIRED)
    for function in (*PASSKEY_TRIGGERS, ACCOUNT_FUNCTION):
        actions = {action for action, _ in function_grants(deployment, off_translated, function)}
        assert not {a for a in actions if a.startswith("ssm:")} | (
            actions & {"dynamodb:PutItem", "dynamodb:DeleteItem"}
        )


# ------------------------------------------------------------------------------------ the client


@pytest.mark.parametrize("pool", POOL_MODES)
def test_with_passkeys_on_the_passkey_client_is_public_custom_auth_only_and_hides_user_existence(
    source: dict[str, Any], pool: PoolMode
) -> None:
    for mode in ("email", "password-and-email-code"):
        deployment = Deployment(source, {**REQUIRED, **ON, **pool.parameters, "SignInMode": mode})
        resources = existing_resources(deployment, source)
        client = resources["PasskeyClient"]["Properties"]

        assert client["UserPoolId"] == pool.pool_id
        assert sorted(client["ExplicitAuthFlows"]) == ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        assert client["PreventUserExistenceErrors"] == "ENABLED"
        assert client["GenerateSecret"] is False
        # Not the email client's name: PostAuthentication marks a mailbox proven after that one only.
        assert client["ClientName"] == "passwordless-test-passkey"
        email_client = deployment.resolve(source["Outputs"]["EmailSignInClientName"]["Value"])
        assert client["ClientName"] != email_client == resources["UserPoolClient"]["Properties"]["ClientName"]
        # Tokens live as long as the web client's: the assurance statement quotes one set of lifetimes.
        web = resources["UserPoolClient"]["Properties"]
        for key in ("AccessTokenValidity", "IdTokenValidity", "RefreshTokenValidity", "TokenValidityUnits"):
            assert client[key] == web[key], key
        assert deployment.resolve(source["Outputs"]["PasskeyClientId"]["Value"]) == "<PasskeyClient>"


def test_wired_by_a_parent_the_stack_makes_no_client_but_names_the_parameter_to_create(
    source: dict[str, Any],
) -> None:
    deployment = Deployment(source, {**REQUIRED, **ON, **PARENT})
    resources = existing_resources(deployment, source)

    assert not PASSKEY_RESOURCES & set(resources)
    assert not exists(deployment, source["Outputs"]["PasskeyClientId"])
    output = source["Outputs"]["PasskeyClientIdParameterName"]
    assert exists(deployment, output)
    assert deployment.resolve(output["Value"]) == PARAMETER_NAME
    for function in PASSKEY_TRIGGERS:
        assert _own_env(deployment, source, function)["PASSKEY_CLIENT_ID_PARAMETER"] == PARAMETER_NAME


# --------------------------------------------------------------------------- the SSM parameter


@pytest.mark.parametrize("pool", POOL_MODES)
def test_create_and_verify_read_the_client_id_from_the_one_parameter_that_holds_it(
    source: dict[str, Any], translated: dict[str, Any], pool: PoolMode
) -> None:
    deployment = Deployment(source, {**REQUIRED, **ON, **pool.parameters})
    parameter = existing_resources(deployment, source)["PasskeyClientIdParameter"]["Properties"]

    assert parameter == {
        "Name": PARAMETER_NAME,
        "Type": "String",
        "Value": "<PasskeyClient>",
        "Description": parameter["Description"],
    }
    for function in PASSKEY_TRIGGERS:
        env = _deployed_env(deployment, source, function)
        assert env["PASSKEY_CLIENT_ID_PARAMETER"] == PARAMETER_NAME
        assert "PASSKEY_CLIENT_ID" not in env
        # The functions take this configuration (they read the id from the parameter).
        settings = PasskeySettings.from_env(env, app_name=env["APP_NAME"])
        assert (settings.rp_id, settings.origins, settings.client_id_parameter) == (
            "example.com",
            ("https://app.example.com",),
            PARAMETER_NAME,
        )
        assert set(_own_env(deployment, source, function)) == PASSKEY_TRIGGER_ENV
    # Whoever may read SSM reads exactly that parameter, and only create and verify may.
    readers = {
        function: {
            (a, r) for a, r in function_grants(deployment, translated, function) if a.startswith("ssm:")
        }
        for function in resources_of_type(translated, "AWS::Lambda::Function")
        if exists(deployment, translated["Resources"][function])
    }
    assert {f: grants for f, grants in readers.items() if grants} == {
        function: {("ssm:GetParameter", PARAMETER_ARN)} for function in PASSKEY_TRIGGERS
    }


def test_no_statement_grants_any_ssm_action_but_get_parameter_on_that_arn(translated: dict[str, Any]) -> None:
    deployment = Deployment(load_template(), {**REQUIRED, **ON})
    ssm = [
        s
        for s in iam_statements(translated["Resources"])
        if any(a.startswith("ssm:") for a in strings_in(s["Action"]))
    ]
    assert len(ssm) == len(PASSKEY_TRIGGERS)
    for statement in ssm:
        assert deployment.resolve(statement) == {
            "Sid": "PasskeyClientIdRead",
            "Effect": "Allow",
            "Action": "ssm:GetParameter",
            "Resource": PARAMETER_ARN,
        }


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({}, id="own-pool"),
        pytest.param(EXISTING_POOL.parameters, id="existing-pool"),
        pytest.param(GUARDED, id="waf"),
    ],
)
def test_with_passkeys_on_the_translated_template_has_no_cycle_and_lints_clean(
    source: dict[str, Any], tmp_path: Path, overrides: dict[str, str]
) -> None:
    parameters = {**REQUIRED, **ON, **overrides}
    output = translate_offline(source, parameters)

    assert lint_translated(output, tmp_path, parameters) == []
    # The pool names create and verify: neither may need the passkey client or its parameter, which
    # need the pool. They reach the id through a name both sides build from the stack's name.
    for function in PASSKEY_TRIGGERS:
        assert not PASSKEY_RESOURCES & _dependencies(output, function), function
        assert not PASSKEY_RESOURCES & _dependencies(output, f"{function}Role"), function
    assert "PasskeyClient" in _dependencies(output, "PasskeyClientIdParameter")


# ------------------------------------------------------------------------------ what each role may do


def _statements_by_sid(
    deployment: Deployment, translated: Mapping[str, Any], function: str
) -> dict[str, Any]:
    role = translated["Resources"][translated["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]]
    return {
        s["Sid"]: s
        for s in iam_statements(deployment.resolve(role["Properties"].get("Policies", [])))
        if "Sid" in s
    }


def test_with_passkeys_on_each_function_gains_only_what_passkeys_need(
    source: dict[str, Any], translated: dict[str, Any]
) -> None:
    off = Deployment(source, REQUIRED)
    on = Deployment(source, {**REQUIRED, **ON})
    gained = {
        function: function_grants(on, translated, function) - function_grants(off, translated, function)
        for function in (*PASSKEY_TRIGGERS, ACCOUNT_FUNCTION, "DefineAuthChallengeFunction")
    }
    assert gained == {
        "CreateAuthChallengeFunction": {("ssm:GetParameter", PARAMETER_ARN)},
        "VerifyAuthChallengeFunction": {
            ("ssm:GetParameter", PARAMETER_ARN),
            ("dynamodb:GetItem", TABLE),
            ("dynamodb:DeleteItem", TABLE),
        },
        ACCOUNT_FUNCTION: {("dynamodb:PutItem", TABLE), ("dynamodb:DeleteItem", TABLE)},
        "DefineAuthChallengeFunction": set(),
    }
    # Each new table grant reaches the passkey items only, by their keys.
    leading = "dynamodb:LeadingKeys"
    verify = _statements_by_sid(on, translated, "VerifyAuthChallengeFunction")
    assert verify["PasskeysRead"]["Condition"] == {"ForAllValues:StringLike": {leading: ["passkeys#*"]}}
    assert verify["PasskeyChallengeSpend"]["Condition"] == {
        "ForAllValues:StringLike": {leading: ["passkey-challenge#*"]}
    }
    account = _statements_by_sid(on, translated, ACCOUNT_FUNCTION)
    assert account["PasskeyChallengeIssue"]["Condition"] == {
        "ForAllValues:StringLike": {leading: ["passkey-challenge#*"]}
    }
    assert account["PasskeysRemove"]["Condition"] == {
        "ForAllValues:StringLike": {leading: ["passkeys#*", "passkey-challenge#*"]}
    }
    # Verify still never writes a sign-in secret: its only unconditioned grants are as before.
    assert ("dynamodb:UpdateItem", TABLE) in function_grants(off, translated, "VerifyAuthChallengeFunction")
    assert ("secretsmanager:GetSecretValue", HMAC_KEY) in function_grants(
        on, translated, "VerifyAuthChallengeFunction"
    )


# -------------------------------------------------------------------------------- the account API


@pytest.mark.parametrize("pool", POOL_MODES)
def test_the_account_api_names_the_passkey_client_and_takes_both_clients_tokens(
    source: dict[str, Any], translated: dict[str, Any], pool: PoolMode
) -> None:
    deployment = Deployment(source, {**REQUIRED, **ON, **pool.parameters})
    env = _own_env(deployment, source, ACCOUNT_FUNCTION)
    body = deployment.resolve(translated["Resources"]["AccountApi"]["Properties"]["Body"])

    assert env["PASSKEY_CLIENT_ID"] == "<PasskeyClient>"
    assert "PASSKEY_CLIENT_ID_PARAMETER" not in env
    assert {name: env[name] for name in VARIABLES.values()} == {
        "PASSKEY_RP_ID": "example.com",
        "PASSKEY_RP_NAME": "",
        "PASSKEY_ORIGINS": "https://app.example.com",
        "PASSKEY_USER_VERIFICATION": "required",
        "PASSKEY_ATTESTATION": "none",
        "PASSKEY_RESIDENT_KEY": "preferred",
        "PASSKEY_TIMEOUT_SECONDS": "120",
        "PASSKEY_REAUTH_SECONDS": "600",
    }
    # The function takes this configuration, the client's id in its real shape.
    named = Deployment(
        source, {**REQUIRED, **ON, **pool.parameters}, physical_ids={"PasskeyClient": "passkey456"}
    )
    settings = PasskeySettings.from_env(_deployed_env(named, source, ACCOUNT_FUNCTION), app_name="Shop")
    assert (settings.client_id, settings.rp_name) == ("passkey456", "Shop")
    jwt = body["components"]["securitySchemes"]["UserPoolAccessToken"]["x-amazon-apigateway-authorizer"]
    assert jwt["jwtConfiguration"]["audience"] == ["<UserPoolClient>", "<PasskeyClient>"]
    assert body["x-amazon-apigateway-cors"]["allowMethods"] == ["GET", "POST", "PATCH", "DELETE"]


@pytest.mark.parametrize(("passkeys", "methods"), [({}, "POST/*"), (ON, "*/*")], ids=["off", "on"])
def test_behind_the_acl_the_rest_stage_may_invoke_the_function_with_the_methods_its_routes_use(
    source: dict[str, Any], passkeys: dict[str, str], methods: str
) -> None:
    parameters = {**REQUIRED, **GUARDED, **passkeys}
    deployment = Deployment(source, parameters)
    output = translate_offline(source, parameters)
    permission = deployment.resolve(output["Resources"]["AccountRestApiInvokePermission"]["Properties"])
    preflight = deployment.resolve(output["Resources"]["AccountRestApi"]["Properties"]["Body"])["paths"][
        "/account/passkeys"
    ]["options"]

    assert permission["SourceArn"].endswith(f"/{methods}")
    allowed = preflight["x-amazon-apigateway-integration"]["responses"]["default"]["responseParameters"][
        "method.response.header.Access-Control-Allow-Methods"
    ]
    assert allowed == ("'GET,POST,PATCH,DELETE,OPTIONS'" if passkeys else "'POST,OPTIONS'")


# --------------------------------------------------------------------------------- the sign-in page


@pytest.mark.parametrize(("overrides", "base"), [({}, HTTP_BASE), (GUARDED, REST_BASE)], ids=["http", "rest"])
def test_with_passkeys_on_the_page_is_told_its_client_relying_party_and_account_api(
    source: dict[str, Any], overrides: dict[str, str], base: str
) -> None:
    deployment = Deployment(source, {**REQUIRED, **ON, **overrides})
    variables = deployment.resolve(source["Resources"]["SignInApi"]["Properties"]["StageVariables"])

    assert {name: variables[name] for name in PASSKEY_STAGE_VARIABLES} == {
        "passkeyClientId": "<PasskeyClient>",
        "passkeyRpId": "example.com",
        "accountApiUrl": base,
    }

    # The page function reads them as a deployed stage hands them over (ids in their real shapes)
    deployed = Deployment(
        source,
        {**REQUIRED, **ON, **overrides},
        physical_ids={
            "UserPoolClient": "web123",
            "PasskeyClient": "passkey456",
            "AccountApi": "abc",
            "AccountRestApi": "abc",
            "SignInApi": "page",
        },
    )
    stage = deployed.resolve(source["Resources"]["SignInApi"]["Properties"]["StageVariables"])
    stage["accountApiUrl"] = stage["accountApiUrl"].replace("<AccountRestApi.Stage>", "api")
    config = page_config({name: str(value) for name, value in stage.items()}, app_name="Shop")
    api = "https://abc.execute-api.us-east-1.amazonaws.com"
    assert (config.passkey_client_id, config.passkey_rp_id, config.account_api_url) == (
        "passkey456",
        "example.com",
        f"{api}/api/" if overrides else f"{api}/",
    )
    assert api in config.connect_origins
