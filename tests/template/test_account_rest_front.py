"""The account API's REST front: with the web ACL on, a REST API behind that ACL serves the same
routes, the HTTP API's endpoint is off, and every URL the stack hands out names the REST stage; with
the ACL off (the default), none of it exists and the HTTP API serves as before."""

from __future__ import annotations

from typing import Any

import pytest

from laptop.stack_template import Deployment, load_template
from tests.template.cfn import POOL_MODES, PoolMode, existing_resources, resources_of_type, translate_offline
from tests.template.test_account_wiring import INTEGRATION_URI, PASSKEY_PATHS, PASSKEY_ROUTES, ROUTES

REQUIRED = {
    "EmailFrom": "no-reply@example.com",
    "SelfSignUp": "true",
    "SignInMode": "password-and-email-code",
}
GUARDED = {**REQUIRED, "SignInRequestsPerIpPer5Minutes": "300"}
CONDITION = "AccountApiBehindWaf"
ACCESS_SCOPE = "aws.cognito.signin.user.admin"
REST_BASE = "https://<AccountRestApi>.execute-api.us-east-1.amazonaws.com/<AccountRestApiapiStage>/"
HTTP_BASE = "https://<AccountApi>.execute-api.us-east-1.amazonaws.com/"
PAGE_ORIGIN = "https://<SignInApi>.execute-api.us-east-1.amazonaws.com"
REST_STAGE = "<AccountRestApi>/<AccountRestApiapiStage>"  # the stage as the translated template names it
STAGE_PATH = "<AccountRestApi>/stages/<AccountRestApi.Stage>"  # and as template.yaml does


@pytest.fixture(scope="module")
def source() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def translated(source: dict[str, Any]) -> dict[str, Any]:
    return translate_offline(source, GUARDED)


def account_urls(deployment: Deployment, translated: dict[str, Any]) -> dict[str, str]:
    """Where the stack points clients at the account API: its output and the sign-in page's variables."""
    page = translated["Resources"]["SignInApiApiGatewayDefaultStage"]["Properties"]["StageVariables"]
    variables = deployment.resolve(page)
    return {
        "output": deployment.resolve(translated["Outputs"]["AccountApiUrl"]["Value"]),
        "signUpUrl": variables["signUpUrl"],
        "acceptInvitationUrl": variables["acceptInvitationUrl"],
    }


def http_endpoint_disabled(deployment: Deployment, translated: dict[str, Any]) -> bool:
    body = translated["Resources"]["AccountApi"]["Properties"]["Body"]
    (server,) = deployment.resolve(body["servers"])
    disabled: bool = server["x-amazon-apigateway-endpoint-configuration"]["disableExecuteApiEndpoint"]
    return disabled


@pytest.mark.parametrize("pool", POOL_MODES)
def test_without_a_rate_there_is_no_rest_front_and_the_http_api_serves(
    source: dict[str, Any], pool: PoolMode
) -> None:
    parameters = {**REQUIRED, **pool.parameters}
    deployment = Deployment(source, parameters)
    translated = translate_offline(source, parameters)

    assert deployment.conditions[CONDITION] is False
    assert [name for name, r in translated["Resources"].items() if r.get("Condition") == CONDITION] != []
    assert [name for name in existing_resources(deployment, translated) if "Rest" in name] == []
    assert not http_endpoint_disabled(deployment, translated)
    assert account_urls(deployment, translated) == {
        "output": HTTP_BASE,
        "signUpUrl": f"{HTTP_BASE}sign-up",
        "acceptInvitationUrl": f"{HTTP_BASE}invitations/accept",
    }
    variables = deployment.resolve(source["Resources"]["AccountApiFunction"]["Properties"]["Environment"])
    assert variables["Variables"]["ACCOUNT_API_PAYLOAD"] == "http"


def test_sam_gives_everything_it_makes_of_the_rest_api_the_apis_condition(translated: dict[str, Any]) -> None:
    made = {
        name: (resource["Type"], resource.get("Condition"))
        for name, resource in translated["Resources"].items()
        if resource["Type"].startswith("AWS::ApiGateway::") or name.startswith("AccountRestApi")
    }

    assert sorted(resource_type for resource_type, _ in made.values()) == [
        "AWS::ApiGateway::Deployment",
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Stage",
        "AWS::Lambda::Permission",
        "AWS::WAFv2::WebACLAssociation",
    ]
    assert {condition for _, condition in made.values()} == {CONDITION}


@pytest.mark.parametrize("pool", POOL_MODES)
def test_the_rest_api_serves_exactly_the_http_apis_routes_secured_as_it_does(
    source: dict[str, Any], pool: PoolMode
) -> None:
    parameters = {**GUARDED, **pool.parameters}
    deployment = Deployment(source, parameters)
    body = deployment.resolve(
        translate_offline(source, parameters)["Resources"]["AccountRestApi"]["Properties"]["Body"]
    )

    assert sorted(body["paths"]) == sorted([*ROUTES, *PASSKEY_PATHS])
    routes = {("POST", path): needs_token for path, needs_token in ROUTES.items()} | PASSKEY_ROUTES
    for path in body["paths"]:
        methods = {method for method, route in routes if route == path}
        assert set(body["paths"][path]) - {"parameters"} == {"options", *(m.lower() for m in methods)}, path
    for (method, path), needs_token in routes.items():
        methods = body["paths"][path]
        route = methods[method.lower()]
        assert route["x-amazon-apigateway-integration"]["type"] == "aws_proxy", path
        assert route["x-amazon-apigateway-integration"]["uri"] == INTEGRATION_URI, path
        # A scope makes the Cognito authorizer take access tokens, which carry it, and not ID tokens.
        assert route.get("security") == (
            [{"UserPoolAccessToken": [ACCESS_SCOPE]}] if needs_token else None
        ), path
        # The preflight is API Gateway's own mock: no authorizer, no function.
        preflight = methods["options"]
        assert "security" not in preflight, path
        assert preflight["x-amazon-apigateway-integration"]["type"] == "mock", path
        headers = preflight["x-amazon-apigateway-integration"]["responses"]["default"]["responseParameters"]
        assert headers["method.response.header.Access-Control-Allow-Origin"] == f"'{PAGE_ORIGIN}'", path
    authorizer = body["securityDefinitions"]["UserPoolAccessToken"]
    assert authorizer["x-amazon-apigateway-authtype"] == "cognito_user_pools"
    assert authorizer["x-amazon-apigateway-authorizer"] == {
        "type": "cognito_user_pools",
        "providerARNs": [pool.pool_arn],
    }
    # API Gateway's own 4xx/5xx answers (a throttled 429) carry the origin too, so the page can read them.
    for response in ("DEFAULT_4XX", "DEFAULT_5XX"):
        parameters_ = body["x-amazon-apigateway-gateway-responses"][response]["responseParameters"]
        assert parameters_["gatewayresponse.header.Access-Control-Allow-Origin"] == f"'{PAGE_ORIGIN}'"


def test_the_rest_stage_is_regional_and_throttled_like_the_http_api(translated: dict[str, Any]) -> None:
    (stage,) = resources_of_type(translated, "AWS::ApiGateway::Stage").values()
    api = translated["Resources"]["AccountRestApi"]["Properties"]
    http = translated["Resources"]["AccountApiApiGatewayDefaultStage"]["Properties"]["DefaultRouteSettings"]

    assert api["EndpointConfiguration"] == {"Types": ["REGIONAL"]}
    (settings,) = stage["Properties"]["MethodSettings"]
    assert (settings["ResourcePath"], settings["HttpMethod"]) == ("/*", "*")
    assert (settings["ThrottlingRateLimit"], settings["ThrottlingBurstLimit"]) == (
        http["ThrottlingRateLimit"],
        http["ThrottlingBurstLimit"],
    )


def test_only_the_rest_apis_stage_may_invoke_the_function_through_it(
    source: dict[str, Any], translated: dict[str, Any]
) -> None:
    permission = Deployment(source, GUARDED).resolve(
        translated["Resources"]["AccountRestApiInvokePermission"]
    )

    assert permission["Properties"] == {
        "Action": "lambda:InvokeFunction",
        "FunctionName": "<AccountApiFunction>",
        "Principal": "apigateway.amazonaws.com",
        "SourceArn": f"arn:aws:execute-api:us-east-1:123456789012:{REST_STAGE}/POST/*",
    }


@pytest.mark.parametrize("pool", POOL_MODES)
def test_one_acl_guards_the_pool_and_the_rest_stage_with_a_rule_for_each(
    source: dict[str, Any], pool: PoolMode
) -> None:
    deployment = Deployment(source, {**GUARDED, **pool.parameters})
    resources = existing_resources(deployment, source)
    associations = {
        r["Properties"]["ResourceArn"]: r["Properties"]["WebACLArn"]
        for r in resources.values()
        if r["Type"] == "AWS::WAFv2::WebACLAssociation"
    }

    assert associations == {
        pool.pool_arn: "<SignInWebAcl.Arn>",
        f"arn:aws:apigateway:us-east-1::/restapis/{STAGE_PATH}": "<SignInWebAcl.Arn>",
    }
    sign_in, account = resources["SignInWebAcl"]["Properties"]["Rules"]
    assert (sign_in["Priority"], account["Priority"]) == (0, 1)
    assert account["Action"] == {"Block": {}}
    rate = account["Statement"]["RateBasedStatement"]
    assert (rate["Limit"], rate["EvaluationWindowSec"], rate["AggregateKeyType"]) == ("300", 300, "IP")
    # Counted: requests without an x-amz-target header, which every Cognito API call carries.
    assert rate["ScopeDownStatement"] == {
        "NotStatement": {
            "Statement": {
                "SizeConstraintStatement": {
                    "FieldToMatch": {"SingleHeader": {"Name": "x-amz-target"}},
                    "ComparisonOperator": "GT",
                    "Size": 0,
                    "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
                }
            }
        }
    }


@pytest.mark.parametrize("pool", POOL_MODES)
def test_behind_the_acl_the_http_api_answers_nothing_and_every_url_names_the_rest_stage(
    source: dict[str, Any], pool: PoolMode
) -> None:
    parameters = {**GUARDED, **pool.parameters}
    deployment = Deployment(source, parameters)
    translated = translate_offline(source, parameters)

    assert http_endpoint_disabled(deployment, translated)
    assert account_urls(deployment, translated) == {
        "output": REST_BASE,
        "signUpUrl": f"{REST_BASE}sign-up",
        "acceptInvitationUrl": f"{REST_BASE}invitations/accept",
    }
    variables = deployment.resolve(source["Resources"]["AccountApiFunction"]["Properties"]["Environment"])
    assert (
        variables["Variables"]["ACCOUNT_API_PAYLOAD"],
        variables["Variables"]["ACCOUNT_API_ALLOWED_ORIGIN"],
    ) == (
        "rest",
        PAGE_ORIGIN,
    )


def test_with_a_sign_in_url_of_its_own_the_function_answers_that_pages_origin(source: dict[str, Any]) -> None:
    deployment = Deployment(source, {**GUARDED, "SignInUrl": "https://login.example.com/sign-in/"})

    variables = deployment.resolve(source["Resources"]["AccountApiFunction"]["Properties"]["Environment"])

    assert variables["Variables"]["ACCOUNT_API_ALLOWED_ORIGIN"] == "https://login.example.com"
