"""The account lifecycle's wiring in template.yaml: the three extra triggers, the account API and who
may call which route, the group that may invite, and the pool settings the lifecycle relies on."""

from __future__ import annotations

from typing import Any

import pytest

from laptop.stack_template import Deployment, load_template
from tests.template.cfn import POOL_MODES, PoolMode, exists, resources_of_type, translate_offline

REQUIRED = {"EmailFrom": "no-reply@example.com"}
AUTHORIZER = "UserPoolAccessToken"
# Route -> whether API Gateway demands a valid access token before the function runs.
ROUTES = {
    "/sign-up": False,
    "/invitations/accept": False,
    "/invitations": True,
    "/account/email": True,
    "/account/email/confirm": True,
}
# The passkey routes: (method, path) -> whether a valid access token is demanded. They exist whether or
# not passkeys are on (a function's events cannot be conditional); off, the function answers 404.
PASSKEY_ROUTES = {
    ("POST", "/passkeys/sign-in-options"): False,
    ("GET", "/account/passkeys"): True,
    ("POST", "/account/passkeys"): True,
    ("POST", "/account/passkeys/options"): True,
    ("PATCH", "/account/passkeys/{id}"): True,
    ("DELETE", "/account/passkeys/{id}"): True,
    ("DELETE", "/users/{username}/passkeys"): True,
}
PASSKEY_PATHS = sorted({path for _, path in PASSKEY_ROUTES})
INTEGRATION_URI = (
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/<AccountApiFunction.Arn>/invocations"
)


@pytest.fixture(scope="module")
def source() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def translated(source: dict[str, Any]) -> dict[str, Any]:
    return translate_offline(source)


def test_each_account_route_is_post_only_and_authorised_as_listed(
    source: dict[str, Any], translated: dict[str, Any]
) -> None:
    # The translator wraps each route in the API's own condition; a stack that has the API has them all.
    paths = Deployment(source, REQUIRED).resolve(
        translated["Resources"]["AccountApi"]["Properties"]["Body"]["paths"]
    )
    assert sorted(paths) == sorted([*ROUTES, *PASSKEY_PATHS])
    routes = {("POST", path): needs_token for path, needs_token in ROUTES.items()} | PASSKEY_ROUTES
    for path in ROUTES:
        assert list(paths[path]) == ["post"], path
    for path in PASSKEY_PATHS:
        assert sorted(paths[path]) == sorted(m.lower() for m, p in PASSKEY_ROUTES if p == path), path
    for (method, path), needs_token in routes.items():
        route = paths[path][method.lower()]
        assert route["security"] == [{AUTHORIZER: []} if needs_token else {"NONE": []}], path
        integration = route["x-amazon-apigateway-integration"]
        assert integration["uri"] == INTEGRATION_URI, path
        assert integration["payloadFormatVersion"] == "2.0"


@pytest.mark.parametrize("pool", POOL_MODES)
def test_tokens_are_checked_against_this_pool_and_its_app_client(
    source: dict[str, Any], translated: dict[str, Any], pool: PoolMode
) -> None:
    deployment = Deployment(source, {**REQUIRED, **pool.parameters})
    body = translated["Resources"]["AccountApi"]["Properties"]["Body"]
    scheme = body["components"]["securitySchemes"][AUTHORIZER]["x-amazon-apigateway-authorizer"]
    assert scheme["type"] == "jwt"
    assert scheme["identitySource"] == "$request.header.Authorization"
    config = deployment.resolve(scheme["jwtConfiguration"])
    assert config["issuer"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool.pool_id}"
    assert config["audience"] == ["<UserPoolClient>"]


def test_the_public_sign_up_route_is_throttled_per_stage(translated: dict[str, Any]) -> None:
    stage = translated["Resources"]["AccountApiApiGatewayDefaultStage"]["Properties"]
    assert stage["DefaultRouteSettings"] == {"ThrottlingBurstLimit": 20, "ThrottlingRateLimit": 10}


def test_only_the_account_apis_may_invoke_the_account_function(translated: dict[str, Any]) -> None:
    permissions = {
        name: p["Properties"]
        for name, p in resources_of_type(translated, "AWS::Lambda::Permission").items()
        if p["Properties"]["FunctionName"] == {"Ref": "AccountApiFunction"}
    }
    # One per HTTP API route, and the REST front's (test_account_rest_front), which exists only
    # behind the web ACL.
    rest = permissions.pop("AccountRestApiInvokePermission")
    assert translated["Resources"]["AccountRestApiInvokePermission"]["Condition"] == "AccountApiBehindWaf"
    assert rest["Principal"] == "apigateway.amazonaws.com"
    assert len(permissions) == len(ROUTES) + len(PASSKEY_ROUTES)
    for permission in permissions.values():
        assert permission["Principal"] == "apigateway.amazonaws.com"
        assert permission["SourceArn"]["Fn::Sub"][1]["__ApiId__"] == {"Ref": "AccountApi"}


@pytest.mark.parametrize(("self_sign_up", "group"), [("false", "admins"), ("true", "operators")])
@pytest.mark.parametrize("pool", POOL_MODES)
def test_the_account_function_knows_its_pool_client_group_and_whether_sign_up_is_open(
    source: dict[str, Any],
    self_sign_up: str,
    group: str,
    pool: PoolMode,
) -> None:
    deployment = Deployment(
        source, {**REQUIRED, **pool.parameters, "SelfSignUp": self_sign_up, "AdminGroupName": group}
    )
    own = source["Resources"]["AccountApiFunction"]["Properties"]["Environment"]["Variables"]
    assert deployment.resolve(own) == {
        "USER_POOL_ID": pool.pool_id,
        "USER_POOL_CLIENT_ID": "<UserPoolClient>",
        "ADMIN_GROUP": group,
        "SELF_SIGN_UP": self_sign_up,
        # The HTTP API's payload unless the web ACL is on (test_account_rest_front).
        "ACCOUNT_API_PAYLOAD": "http",
        "ACCOUNT_API_ALLOWED_ORIGIN": "https://<SignInApi>.execute-api.us-east-1.amazonaws.com",
    }
    # The app client and the admins group are the stack's own, in whichever pool it uses.
    for name in ("AdministratorsGroup", "UserPoolClient"):
        assert exists(deployment, source["Resources"][name]), name
        assert deployment.resolve(source["Resources"][name]["Properties"]["UserPoolId"]) == pool.pool_id, name
    admins = deployment.resolve(source["Resources"]["AdministratorsGroup"]["Properties"])
    assert admins["GroupName"] == group


@pytest.mark.parametrize("pool", POOL_MODES)
def test_the_verify_email_grant_is_attached_outside_the_role_so_the_pool_can_name_the_trigger(
    source: dict[str, Any], pool: PoolMode
) -> None:
    # The stack's own pool's LambdaConfig names PostAuthenticationFunction; an inline grant on the
    # pool's ARN in the function's role would make the pool depend on itself.
    assert "Policies" not in source["Resources"]["PostAuthenticationFunction"]["Properties"]
    deployment = Deployment(source, {**REQUIRED, **pool.parameters})
    policy = deployment.resolve(source["Resources"]["PostAuthenticationVerifyEmailPolicy"]["Properties"])
    assert policy["Roles"] == ["<PostAuthenticationFunctionRole>"]
    (statement,) = policy["PolicyDocument"]["Statement"]
    # Marking the address verified, and asking which client the sign-in came through
    assert statement["Action"] == [
        "cognito-idp:AdminUpdateUserAttributes",
        "cognito-idp:DescribeUserPoolClient",
    ]
    assert statement["Resource"] == pool.pool_arn


def test_passwords_when_used_follow_nist_length_not_composition_and_invitations_fit_their_life(
    source: dict[str, Any],
) -> None:
    pool = source["Resources"]["UserPool"]["Properties"]
    policy = pool["Policies"]["PasswordPolicy"]
    # SP 800-63B 3.1.1.2: length matters, composition rules do not.
    assert policy["MinimumLength"] >= 8
    assert not any(policy[f"Require{kind}"] for kind in ("Lowercase", "Uppercase", "Numbers", "Symbols"))
    lifetime = source["Parameters"]["InvitationLifetimeSeconds"]
    assert lifetime["MaxValue"] <= policy["TemporaryPasswordValidityDays"] * 86_400


def test_app_clients_read_but_never_write_the_address_or_its_verification(translated: dict[str, Any]) -> None:
    for client in resources_of_type(translated, "AWS::Cognito::UserPoolClient").values():
        writable = set(client["Properties"]["WriteAttributes"])
        assert writable == {"name", "locale"}
        assert {"email", "email_verified"} <= set(client["Properties"]["ReadAttributes"])


@pytest.mark.parametrize(
    ("self_sign_up", "expected"),
    [("true", "https://<AccountApi>.execute-api.us-east-1.amazonaws.com/sign-up"), ("false", "")],
)
def test_the_page_is_told_where_to_sign_up_only_when_sign_up_is_open(
    source: dict[str, Any], self_sign_up: str, expected: str
) -> None:
    deployment = Deployment(source, {**REQUIRED, "SelfSignUp": self_sign_up})
    variables = source["Resources"]["SignInApi"]["Properties"]["StageVariables"]
    assert deployment.resolve(variables["signUpUrl"]) == expected


@pytest.mark.parametrize(
    ("sign_in_url", "origin"),
    [
        ("", "https://<SignInApi>.execute-api.us-east-1.amazonaws.com"),
        ("https://app.example.com/sign-in", "https://app.example.com"),
        ("https://app.example.com:8443", "https://app.example.com:8443"),
    ],
)
def test_only_the_sign_in_pages_origin_may_call_the_account_api_from_a_browser(
    source: dict[str, Any], sign_in_url: str, origin: str
) -> None:
    deployment = Deployment(source, {**REQUIRED, "SignInUrl": sign_in_url})
    cors = deployment.resolve(source["Resources"]["AccountApi"]["Properties"]["CorsConfiguration"])
    assert cors == {
        "AllowOrigins": [origin],
        "AllowMethods": ["POST"],
        "AllowHeaders": ["authorization", "content-type"],
        "MaxAge": 300,
    }


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (
            "password-and-email-code",
            "https://<AccountApi>.execute-api.us-east-1.amazonaws.com/invitations/accept",
        ),
        ("email", ""),
    ],
)
def test_the_page_lets_invitees_choose_a_password_only_in_password_mode(
    source: dict[str, Any], mode: str, expected: str
) -> None:
    deployment = Deployment(source, {**REQUIRED, "SignInMode": mode})
    variables = source["Resources"]["SignInApi"]["Properties"]["StageVariables"]
    assert deployment.resolve(variables["acceptInvitationUrl"]) == expected
