"""template.yaml, translated offline as CloudFormation's SAM transform would, resolved for chosen
parameter values, held to the settings contract and linted by cfn-lint (also after translation)."""

from __future__ import annotations

import ast
import copy
import inspect
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, get_args

import pytest
from cfnlint.api import ManualArgs, lint

from bench import cost
from laptop.stack_template import TEMPLATE_PATH, Deployment, load_template
from passwordless.session_settings import SessionSettings
from passwordless.settings import EmailProvider, Settings
from passwordless.settings_reader import SettingsError
from passwordless.web.http_api import STAGE_VARIABLES
from tests.template.cfn import (
    BASIC_EXECUTION_ROLE,
    EXISTING_POOL,
    LINT_REGIONS,
    POOL_MODES,
    ROOT,
    PoolMode,
    as_list,
    exists,
    function_grants,
    function_named,
    iam_statements,
    lint_translated,
    parameter_violation,
    problems,
    resources_of_type,
    rule_refusals,
    strings_in,
    translate_offline,
)

TRIGGERS = {
    "DefineAuthChallenge": "DefineAuthChallengeFunction",
    "CreateAuthChallenge": "CreateAuthChallengeFunction",
    "VerifyAuthChallengeResponse": "VerifyAuthChallengeFunction",
    "PreSignUp": "PreSignUpFunction",
    "PostAuthentication": "PostAuthenticationFunction",
    "CustomMessage": "CustomMessageFunction",
}
FUNCTIONS = tuple(TRIGGERS.values())
# The account API: sign-up, invitations, email change. Not a trigger, so it may name the pool.
ACCOUNT_FUNCTION = "AccountApiFunction"
# The stack's own sign-in page: a fourth function, created only when SignInUrl is empty.
PAGE_FUNCTION = "SignInPageFunction"
PAGE_RESOURCES = {"SignInApi", PAGE_FUNCTION, "SignInPageLogGroup"}
PAGE_CONDITION = "CreateSignInPage"
PAGE_URL = {"Fn::Sub": "https://${SignInApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"}
# Attach mode's setup function: CloudFormation invokes it (a custom resource), Cognito never does.
SETUP_FUNCTION = "TriggerAttachmentFunction"
# Secrets Manager invokes it to rotate the HMAC key secret, only when HmacKeyRotationDays is set.
ROTATION_FUNCTION = "HmacKeyRotationFunction"
EVERY_FUNCTION = (*FUNCTIONS, PAGE_FUNCTION, ACCOUNT_FUNCTION, SETUP_FUNCTION, ROTATION_FUNCTION)
# Settings fields a deployed function never reads: the outbox provider exists only on a laptop, and
# EmailProvider's AllowedValues leave it out.
LAPTOP_ONLY_ENV = {"OUTBOX_DIR"}
# The least a function needs to start; everything else has a default in settings.py.
REQUIRED_ENV = {
    "TABLE_NAME": "<SignInSecretsTable>",
    "HMAC_KEY_SECRET_ID": "<HmacKeySecret>",
    "EMAIL_FROM": "no-reply@example.com",
    "SIGN_IN_URL": "https://app.example.com/sign-in",
}
REQUIRED_PARAMETERS = {"EmailFrom": "no-reply@example.com"}
# Settings the stack fills in from its own resources rather than from a parameter.
STACK_ENV = {"EMAIL_SIGN_IN_CLIENT_NAME": "passwordless-test-web", "HMAC_KEY_ID": ""}
# A stack whose links open the app's own page; without SignInUrl the stack serves one itself.
OWN_PAGE = {"SignInUrl": "https://app.example.com/sign-in"}
# Passkeys on (tests/template/test_passkeys.py holds the rest of them).
PASSKEYS_ON = {"PasskeyRelyingPartyId": "example.com", "PasskeyAllowedOrigins": "https://app.example.com"}
# The functions that take part in passkey sign-ins, besides the account API, and what they get then.
PASSKEY_TRIGGERS = ("CreateAuthChallengeFunction", "VerifyAuthChallengeFunction")
PASSKEY_TRIGGER_ENV = {
    "PASSKEY_RP_ID",
    "PASSKEY_RP_NAME",
    "PASSKEY_ORIGINS",
    "PASSKEY_USER_VERIFICATION",
    "PASSKEY_ATTESTATION",
    "PASSKEY_RESIDENT_KEY",
    "PASSKEY_TIMEOUT_SECONDS",
    "PASSKEY_REAUTH_SECONDS",
    "PASSKEY_CLIENT_ID_PARAMETER",
}


@pytest.fixture(scope="module")
def source() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def translated(source: dict[str, Any]) -> dict[str, Any]:
    return translate_offline(source)


def _globals_env(source: Mapping[str, Any]) -> dict[str, Any]:
    return source["Globals"]["Function"]["Environment"]["Variables"]


def _env_names_read_by_settings() -> set[str]:
    # Settings.from_env reads define's three through SessionSettings.from_env.
    source = inspect.getsource(Settings.from_env) + inspect.getsource(SessionSettings.from_env)
    return set(re.findall(r'"([A-Z][A-Z0-9_]+)"', source))


def _parameter_backed_env(source: Mapping[str, Any]) -> dict[str, str]:
    """SETTINGS_VAR -> template parameter, for every settings variable whose value is a parameter."""
    return {
        name: value["Ref"]
        for name, value in _globals_env(source).items()
        if not name.startswith("POWERTOOLS_")
        and isinstance(value, dict)
        and value.get("Ref") in source["Parameters"]
    }


def _deployed_env(source: Mapping[str, Any], overrides: Mapping[str, str]) -> dict[str, str]:
    """The environment a function would see in a stack deployed with these parameter values."""
    env = Deployment(source, overrides).resolve(_globals_env(source))
    return {name: str(value) for name, value in env.items()}


def _role_of(translated: Mapping[str, Any], function: str) -> dict[str, Any]:
    role_ref = translated["Resources"][function]["Properties"]["Role"]
    return translated["Resources"][role_ref["Fn::GetAtt"][0]]


# ---------------------------------------------------------------------------------------- wiring


def test_pool_triggers_point_at_the_right_functions(translated: dict[str, Any]) -> None:
    (pool,) = resources_of_type(translated, "AWS::Cognito::UserPool").values()
    assert pool["Properties"]["LambdaConfig"] == {
        trigger: {"Fn::GetAtt": [function, "Arn"]} for trigger, function in TRIGGERS.items()
    }


@pytest.mark.parametrize("pool", POOL_MODES)
def test_only_the_pool_may_invoke_each_trigger(
    source: dict[str, Any], translated: dict[str, Any], pool: PoolMode
) -> None:
    deployment = Deployment(source, {**REQUIRED_PARAMETERS, **pool.parameters})
    permissions = [
        p
        for p in resources_of_type(translated, "AWS::Lambda::Permission").values()
        if function_named(p) not in {PAGE_FUNCTION, ACCOUNT_FUNCTION, ROTATION_FUNCTION}
    ]
    by_function = {function_named(p): p for p in permissions}
    assert sorted(by_function) == sorted(FUNCTIONS)
    assert len(permissions) == len(FUNCTIONS)
    for permission in by_function.values():
        # Both pool modes: the pool invokes the triggers whichever of the two sets them.
        assert exists(deployment, permission)
        properties = deployment.resolve(permission["Properties"])
        assert properties["Action"] == "lambda:InvokeFunction"
        assert properties["Principal"] == "cognito-idp.amazonaws.com"
        assert properties["SourceAccount"] == "123456789012"
        assert properties["SourceArn"] == pool.pool_arn


def test_functions_run_python313_on_arm64_within_cognitos_budget(
    source: dict[str, Any], translated: dict[str, Any]
) -> None:
    functions = resources_of_type(translated, "AWS::Lambda::Function")
    assert sorted(functions) == sorted(EVERY_FUNCTION)
    # The setup function exists only on an existing pool, where it sets the triggers.
    assert functions[SETUP_FUNCTION]["Condition"] == "AttachToPool"
    assert Deployment(source, REQUIRED_PARAMETERS).conditions["AttachToPool"] is False
    # The rotation function exists only while the secret is rotated.
    assert functions[ROTATION_FUNCTION]["Condition"] == "RotateHmacKey"
    assert Deployment(source, REQUIRED_PARAMETERS).conditions["RotateHmacKey"] is False
    assert (
        Deployment(source, {**REQUIRED_PARAMETERS, **EXISTING_POOL.parameters}).conditions["AttachToPool"]
        is True
    )
    timeouts = {
        # Cognito abandons a trigger after 5 s; the account API answers API Gateway, which waits 30 s;
        # CloudFormation waits an hour for a custom resource, and the setup function needs a minute.
        **dict.fromkeys(FUNCTIONS, 5),
        PAGE_FUNCTION: 5,
        ACCOUNT_FUNCTION: 29,
        SETUP_FUNCTION: 60,
        # Secrets Manager waits for each rotation step; four small Secrets Manager calls at most.
        ROTATION_FUNCTION: 30,
    }
    (layer_name, layer) = next(iter(resources_of_type(translated, "AWS::Lambda::LayerVersion").items()))
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    # The memory a person waits on is a parameter per group; housekeeping nobody waits for is 128 MB.
    memory = {
        **{function: {"Ref": "TriggerMemorySize"} for function in FUNCTIONS},
        PAGE_FUNCTION: {"Ref": "AccountApiMemorySize"},
        ACCOUNT_FUNCTION: {"Ref": "AccountApiMemorySize"},
        SETUP_FUNCTION: 128,
        ROTATION_FUNCTION: 128,
    }
    for name, function in functions.items():
        properties = function["Properties"]
        assert properties["Runtime"] == "python3.13"
        assert properties["Architectures"] == ["arm64"]
        assert properties["Timeout"] == timeouts[name], name
        assert properties["MemorySize"] == memory[name], name
        assert properties["Handler"] == "app.lambda_handler"
        assert properties["Layers"] == [{"Ref": layer_name}]


def test_the_default_memory_size_is_the_knee_make_bench_found(source: dict[str, Any]) -> None:
    knee = json.loads((ROOT / "bench" / "results.json").read_text(encoding="utf-8"))["memory_model"][
        "knee_mb"
    ]
    parameters = source["Parameters"]
    assert parameters["TriggerMemorySize"]["Default"] == knee == cost.TEMPLATE_MEMORY_MB
    assert parameters["AccountApiMemorySize"]["Default"] == knee
    for name in ("TriggerMemorySize", "AccountApiMemorySize"):
        assert (parameters[name]["MinValue"], parameters[name]["MaxValue"]) == (128, 10240), name


def test_code_locations_hold_what_sam_build_needs(source: dict[str, Any]) -> None:
    layer = source["Resources"]["PasswordlessLayer"]
    # The layer's own Makefile builds it (tests/integration/test_layer_build.py runs it), for the
    # runtime and architecture the layer declares.
    assert layer["Metadata"] == {"BuildMethod": "makefile", "BuildArchitecture": "arm64"}
    layer_dir = ROOT / layer["Properties"]["ContentUri"]
    assert (layer_dir / "requirements.txt").is_file()
    assert (layer_dir / "passwordless" / "settings.py").is_file()
    makefile = (layer_dir / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^build-PasswordlessLayer:", makefile, re.MULTILINE)
    (runtime,) = layer["Properties"]["CompatibleRuntimes"]
    assert re.search(rf"^PYTHON_VERSION \?= {runtime.removeprefix('python')}$", makefile, re.MULTILINE)
    (architecture,) = layer["Properties"]["CompatibleArchitectures"]
    machine = {"arm64": "aarch64", "x86_64": "x86_64"}[architecture]
    platforms = re.search(r"^PLATFORMS \?= (.+)$", makefile, re.MULTILINE)
    assert platforms is not None
    assert all(platform.endswith(f"_{machine}") for platform in platforms.group(1).split())
    for function in EVERY_FUNCTION:
        properties = source["Resources"][function]["Properties"]
        module, handler = properties["Handler"].split(".")
        code = ROOT / properties["CodeUri"] / f"{module}.py"
        defined = {
            node.name for node in ast.parse(code.read_text(encoding="utf-8")).body if hasattr(node, "name")
        }
        assert handler in defined, code


def test_each_function_writes_to_a_stack_owned_log_group(source: dict[str, Any]) -> None:
    groups = resources_of_type(source, "AWS::Logs::LogGroup").values()
    names = {group["Properties"]["LogGroupName"]["Fn::Sub"] for group in groups}
    assert names == {f"/aws/lambda/${{{function}}}" for function in EVERY_FUNCTION}
    for group in groups:
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionInDays"}
        (function,) = re.findall(r"\$\{(\w+)\}", group["Properties"]["LogGroupName"]["Fn::Sub"])
        assert group.get("Condition") == source["Resources"][function].get("Condition")
    assert source["Parameters"]["LogRetentionInDays"]["Default"] == 30


# ---------------------------------------------------------------------------- user pool and client


@pytest.mark.parametrize(
    ("mode", "extra_flows"),
    [("email", []), ("password-and-email-code", ["ALLOW_ADMIN_USER_PASSWORD_AUTH"])],
)
def test_every_app_client_is_custom_auth_only_and_hides_user_existence(
    source: dict[str, Any], translated: dict[str, Any], mode: str, extra_flows: list[str]
) -> None:
    clients = resources_of_type(translated, "AWS::Cognito::UserPoolClient")
    assert sorted(clients) == ["PasskeyClient", "UserPoolClient"]
    deployment = Deployment(source, {**REQUIRED_PARAMETERS, **PASSKEYS_ON, "SignInMode": mode})
    for name, client in clients.items():
        properties = deployment.resolve(client["Properties"])
        assert properties["PreventUserExistenceErrors"] == "ENABLED"
        assert properties["AuthSessionValidity"] == 15
        # No USER_PASSWORD_AUTH or USER_SRP_AUTH in either mode: the password mode's SRP runs inside
        # CUSTOM_AUTH, where define insists on the emailed code after it; the admin flow is IAM-signed,
        # and only the web client's (the passkey client never finishes an invitation).
        flows = extra_flows if name == "UserPoolClient" else []
        assert sorted(properties["ExplicitAuthFlows"]) == sorted(
            ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", *flows]
        ), name
        assert properties["GenerateSecret"] is False
        assert properties["EnableTokenRevocation"] is True
        # The assurance statement (SECURITY.md, docs/security/index.md) quotes these lifetimes: a change
        # must change it too.
        assert (properties["AccessTokenValidity"], properties["IdTokenValidity"]) == (60, 60)
        assert properties["RefreshTokenValidity"] == 30
        assert properties["TokenValidityUnits"] == {
            "AccessToken": "minutes",
            "IdToken": "minutes",
            "RefreshToken": "days",
        }
        assert "email" in properties["ReadAttributes"]
        assert "email" not in properties["WriteAttributes"]


def test_pool_signs_in_by_case_insensitive_email_and_cognitos_own_sign_up_stays_closed(
    source: dict[str, Any],
) -> None:
    pool = source["Resources"]["UserPool"]["Properties"]
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    assert pool["UserPoolTier"] == "LITE"
    assert {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True} in pool[
        "Schema"
    ]
    assert pool["AccountRecoverySetting"]["RecoveryMechanisms"] == [{"Name": "verified_email", "Priority": 1}]
    # Self sign-up (off by default) goes through the account API: Cognito's SignUp would tell anyone
    # whether an address has an account, so it stays closed whatever SelfSignUp says.
    assert source["Parameters"]["SelfSignUp"]["Default"] == "false"
    for self_sign_up in ("true", "false"):
        opened = Deployment(source, {**REQUIRED_PARAMETERS, "SelfSignUp": self_sign_up})
        assert opened.resolve(pool["AdminCreateUserConfig"]) == {"AllowAdminCreateUserOnly": True}
    by_default = Deployment(source, REQUIRED_PARAMETERS)
    assert by_default.resolve(pool["DeletionProtection"]) == "INACTIVE"


def test_table_is_keyed_by_pk_only_with_ttl_encryption_and_recovery(source: dict[str, Any]) -> None:
    (table,) = resources_of_type(source, "AWS::DynamoDB::Table").values()
    properties = table["Properties"]
    assert properties["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert properties["AttributeDefinitions"] == [{"AttributeName": "pk", "AttributeType": "S"}]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Delete"


def test_hmac_key_is_generated_by_the_stack_and_never_output(source: dict[str, Any]) -> None:
    (name, secret) = next(iter(resources_of_type(source, "AWS::SecretsManager::Secret").items()))
    assert secret["Properties"]["GenerateSecretString"] == {"PasswordLength": 64, "ExcludePunctuation": True}
    assert _globals_env(source)["HMAC_KEY_SECRET_ID"] == {
        "Fn::If": ["UseSecretsManagerKey", {"Ref": name}, ""]
    }
    assert "SecretString" not in secret["Properties"]
    assert "{{resolve:secretsmanager" not in TEMPLATE_PATH.read_text(encoding="utf-8")


@pytest.mark.parametrize("pool", POOL_MODES)
def test_outputs_name_what_clients_and_operators_need(source: dict[str, Any], pool: PoolMode) -> None:
    deployment = Deployment(source, {**REQUIRED_PARAMETERS, **pool.parameters})
    outputs = {name: output["Value"] for name, output in source["Outputs"].items()}
    assert deployment.resolve(outputs["UserPoolId"]) == pool.pool_id
    assert deployment.resolve(outputs["UserPoolArn"]) == pool.pool_arn
    assert outputs["UserPoolClientId"] == {"Ref": "UserPoolClient"}
    assert outputs["TableName"] == {"Ref": "SignInSecretsTable"}
    assert outputs["HmacKeySecretArn"] == {"Ref": "HmacKeySecret"}
    assert source["Outputs"]["HmacKeySecretArn"]["Condition"] == "UseSecretsManagerKey"
    assert outputs["HmacKeyAliasName"] == {"Ref": "HmacKeyAlias"}
    assert source["Outputs"]["HmacKeyAliasName"]["Condition"] == "UseKmsKey"
    assert outputs["SignInPageUrl"] == PAGE_URL
    assert source["Outputs"]["SignInPageUrl"]["Condition"] == PAGE_CONDITION


# ------------------------------------------------------------------------------------------- IAM


def test_no_statement_grants_a_wildcard_action_or_resource(translated: dict[str, Any]) -> None:
    # A key policy's "*" resource is the key itself; its one statement is checked on its own below.
    resources = {
        name: resource
        for name, resource in translated["Resources"].items()
        if resource["Type"] != "AWS::KMS::Key"
    }
    statements = list(iam_statements(resources))
    assert len(statements) > 3  # the trust policies plus create's and verify's grants
    for statement in statements:
        assert not {"NotAction", "NotResource"} & set(statement), statement
        assert not [a for a in strings_in(statement["Action"]) if "*" in a], statement
        wild = [r for r in strings_in(statement.get("Resource", [])) if "*" in r]
        if statement.get("Sid") == "HmacKeyMac":
            # Every KMS key of the account, narrowed by the tag only this stack's HMAC keys carry.
            assert wild == ["arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*"], statement
            tag = statement["Condition"]["StringEquals"]["aws:ResourceTag/passwordless-hmac-key"]
            assert tag == {"Ref": "AWS::StackName"}, statement
        else:
            assert not wild, statement
    (key,) = resources_of_type(translated, "AWS::KMS::Key").values()
    (admin,) = key["Properties"]["KeyPolicy"]["Statement"]
    assert admin["Principal"] == {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}
    for role in resources_of_type(translated, "AWS::IAM::Role").values():
        assert role["Properties"]["ManagedPolicyArns"] == [BASIC_EXECUTION_ROLE]


def test_define_has_no_data_access(translated: dict[str, Any]) -> None:
    role = _role_of(translated, "DefineAuthChallengeFunction")
    assert role["Properties"].get("Policies", []) == []
    actions = [a for s in iam_statements(role["Properties"]) for a in strings_in(s["Action"])]
    assert actions == ["sts:AssumeRole"]


@pytest.mark.parametrize(
    ("overrides", "email_grants"),
    [
        pytest.param(
            {},
            {
                ("ses:SendEmail", "arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com"),
                ("ses:SendEmail", "arn:aws:ses:us-east-1:123456789012:identity/example.com"),
            },
            id="ses",
        ),
        pytest.param(
            {"SesConfigurationSet": "sign-in-events"},
            {
                ("ses:SendEmail", "arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com"),
                ("ses:SendEmail", "arn:aws:ses:us-east-1:123456789012:identity/example.com"),
                ("ses:SendEmail", "arn:aws:ses:us-east-1:123456789012:configuration-set/sign-in-events"),
            },
            id="ses-with-configuration-set",
        ),
        pytest.param(
            {
                "EmailProvider": "sendgrid",
                "SendGridApiKeySecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:sg-AbCdEf",
            },
            {
                (
                    "secretsmanager:GetSecretValue",
                    "arn:aws:secretsmanager:us-east-1:123456789012:secret:sg-AbCdEf",
                )
            },
            id="sendgrid",
        ),
    ],
)
def test_each_role_holds_exactly_what_its_trigger_needs(
    source: dict[str, Any],
    translated: dict[str, Any],
    overrides: dict[str, str],
    email_grants: set[tuple[str, str]],
) -> None:
    deployment = Deployment(source, {**REQUIRED_PARAMETERS, **overrides})
    table, key = "<SignInSecretsTable.Arn>", "<HmacKeySecret>"
    create = function_grants(deployment, translated, "CreateAuthChallengeFunction")
    verify = function_grants(deployment, translated, "VerifyAuthChallengeFunction")
    assert create == {
        ("dynamodb:GetItem", table),
        ("dynamodb:UpdateItem", table),
        ("secretsmanager:GetSecretValue", key),
        *email_grants,
    }
    assert verify == {
        ("dynamodb:UpdateItem", table),
        ("secretsmanager:GetSecretValue", key),
    }
    pool = "<UserPool.Arn>"
    users = {
        (f"cognito-idp:{action}", pool)
        for action in (
            "AdminCreateUser",
            "AdminDeleteUser",
            "AdminSetUserPassword",
            "AdminGetUser",
            "AdminUpdateUserAttributes",
            "ListUsers",
        )
    }
    accounts = function_grants(deployment, translated, ACCOUNT_FUNCTION)
    assert accounts == {
        *users,
        ("dynamodb:GetItem", table),
        ("dynamodb:UpdateItem", table),
        ("secretsmanager:GetSecretValue", key),
        *email_grants,
    }
    for function in ("PreSignUpFunction", "CustomMessageFunction"):
        assert function_grants(deployment, translated, function) == set(), function
    verified = {("cognito-idp:AdminUpdateUserAttributes", pool), ("cognito-idp:DescribeUserPoolClient", pool)}
    assert function_grants(deployment, translated, "PostAuthenticationFunction") == verified
    notifying = Deployment(source, {**REQUIRED_PARAMETERS, **overrides, "NotifyNewSignIn": "true"})
    assert function_grants(notifying, translated, "PostAuthenticationFunction") == {*verified, *email_grants}
    password_mode = Deployment(
        source, {**REQUIRED_PARAMETERS, **overrides, "SignInMode": "password-and-email-code"}
    )
    assert function_grants(password_mode, translated, ACCOUNT_FUNCTION) == accounts | {
        ("cognito-idp:AdminInitiateAuth", pool),
        ("cognito-idp:AdminRespondToAuthChallenge", pool),
    }


def test_ses_may_only_send_as_the_configured_sender(
    source: dict[str, Any], translated: dict[str, Any]
) -> None:
    deployment = Deployment(source, {**REQUIRED_PARAMETERS, "EmailFrom": "hello@mail.example.org"})
    policy = deployment.resolve(translated["Resources"]["EmailSendingPolicy"]["Properties"])
    (ses,) = [s for s in iam_statements(policy["PolicyDocument"]) if s["Action"] == "ses:SendEmail"]
    assert ses["Condition"] == {"StringEquals": {"ses:FromAddress": "hello@mail.example.org"}}
    assert sorted(ses["Resource"]) == [
        "arn:aws:ses:us-east-1:123456789012:identity/hello@mail.example.org",
        "arn:aws:ses:us-east-1:123456789012:identity/mail.example.org",
    ]


# --------------------------------------------------------------------------- settings contract


def test_settings_fields_are_read_from_their_upper_case_names() -> None:
    # The template maps parameters to fields through these names; a renamed one would drift silently.
    fields = {name.upper() for name in Settings._fields}
    assert fields == _env_names_read_by_settings()


def test_functions_get_exactly_the_variables_settings_reads(
    source: dict[str, Any], translated: dict[str, Any]
) -> None:
    env = _globals_env(source)
    settings_env = {name for name in env if not name.startswith("POWERTOOLS_")}
    assert settings_env == _env_names_read_by_settings() - LAPTOP_ONLY_ENV
    assert env["POWERTOOLS_SERVICE_NAME"] == "passwordless"
    assert env["POWERTOOLS_LOG_LEVEL"] == {"Ref": "LogLevel"}
    assert env["TABLE_NAME"] == {"Ref": "SignInSecretsTable"}
    for function in FUNCTIONS:
        variables = translated["Resources"][function]["Properties"]["Environment"]["Variables"]
        # Create and verify get the passkey settings besides, each absent while passkeys are off.
        extra = PASSKEY_TRIGGER_ENV if function in PASSKEY_TRIGGERS else set()
        assert variables == {**env, **{name: variables[name] for name in extra}}, function
        assert set(variables) - set(env) == extra, function
        off = Deployment(source, REQUIRED_PARAMETERS)
        assert off.resolve(variables) == off.resolve(env), function
    # The page inherits them too (Globals), minus the one that would make it depend on its own API.
    page_env = translated["Resources"][PAGE_FUNCTION]["Properties"]["Environment"]["Variables"]
    assert page_env == {**env, "SIGN_IN_URL": ""}


def test_required_env_is_exactly_what_settings_cannot_default() -> None:
    Settings.from_env(REQUIRED_ENV)
    for name in REQUIRED_ENV:
        with pytest.raises(SettingsError, match=name):
            Settings.from_env({k: v for k, v in REQUIRED_ENV.items() if k != name})


def test_parameters_without_default_are_the_required_settings(source: dict[str, Any]) -> None:
    parameter_backed = _parameter_backed_env(source)
    required = {parameter for env, parameter in parameter_backed.items() if env in REQUIRED_ENV}
    no_default = {name for name, spec in source["Parameters"].items() if "Default" not in spec}
    assert required == no_default == set(REQUIRED_PARAMETERS)


def test_every_parameter_default_is_the_settings_default(source: dict[str, Any]) -> None:
    code_defaults = Settings.from_env(REQUIRED_ENV)
    compared = 0
    for env_name, parameter in _parameter_backed_env(source).items():
        if env_name in REQUIRED_ENV:
            continue
        expected = getattr(code_defaults, env_name.lower())
        default = source["Parameters"][parameter]["Default"]
        if isinstance(expected, Mapping):
            assert json.loads(default) == expected, parameter
        elif isinstance(expected, bool):
            assert default == str(expected).lower(), parameter
        elif isinstance(expected, tuple):
            assert tuple(d for d in str(default).split(",") if d) == expected, parameter
        else:
            assert type(expected)(default) == expected, parameter
            assert str(default) == str(expected), parameter
        compared += 1
    assert compared == len(_env_names_read_by_settings() - LAPTOP_ONLY_ENV - set(STACK_ENV)) - len(
        REQUIRED_ENV
    )


def test_a_stack_with_all_defaults_configures_the_functions_as_the_code_defaults(
    source: dict[str, Any],
) -> None:
    deployed = Settings.from_env(_deployed_env(source, {**REQUIRED_PARAMETERS, **OWN_PAGE}))
    assert deployed == Settings.from_env({**REQUIRED_ENV, **STACK_ENV})


def test_email_providers_offered_are_ones_settings_accepts(source: dict[str, Any]) -> None:
    offered = set(source["Parameters"]["EmailProvider"]["AllowedValues"])
    assert offered == set(get_args(EmailProvider)) - {"outbox"}


def _numeric_parameters() -> Iterator[tuple[str, str, dict[str, Any]]]:
    source = load_template()
    for env_name, parameter in _parameter_backed_env(source).items():
        spec = source["Parameters"][parameter]
        if spec["Type"] == "Number":
            yield env_name, parameter, spec


@pytest.mark.parametrize(("env_name", "parameter", "spec"), list(_numeric_parameters()))
def test_numeric_bounds_are_the_bounds_settings_enforces(
    env_name: str, parameter: str, spec: dict[str, Any]
) -> None:
    step = 1 if isinstance(spec["Default"], int) else 0.01
    low, high = spec["MinValue"], spec["MaxValue"]
    for inside in (low, high):
        assert getattr(Settings.from_env({**REQUIRED_ENV, env_name: str(inside)}), env_name.lower()) == inside
    for outside in (low - step, high + step):
        with pytest.raises(SettingsError, match=env_name):
            Settings.from_env({**REQUIRED_ENV, env_name: str(outside)})


def test_numeric_parameters_cover_every_number_setting() -> None:
    names = {env_name for env_name, _, _ in _numeric_parameters()}
    numeric_fields = {
        name.upper()
        for name, value in Settings.from_env(REQUIRED_ENV)._asdict().items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    }
    assert names == numeric_fields


URL_CANDIDATES = [
    "https://app.example.com/sign-in",
    "https://app.example.com:8443/a/b?client=web",
    "https://api.eu.sendgrid.com",
    "http://app.example.com/sign-in",
    "http://localhost:3000/sign-in",
    "https://app.example.com/sign-in#token",
    "https://user:pass@app.example.com/",
    "https://@app.example.com/",
    "javascript:alert(1)",
    "https:///path-only",
    "https://app.example.com/with space",
    "ftp://app.example.com/",
]
EMAIL_CANDIDATES = [
    "no-reply@example.com",
    "a.b+c@mail.example.org",
    "no-reply@localhost",
    "no reply@example.com",
    "@example.com",
    "no-reply@",
    "a@b@example.com",
    "Name <no-reply@example.com>",
]


APP_NAME_CANDIDATES = [
    "Example Shop",
    'Müller & Söhne "Online"',
    "A" * 64,
    "A" * 65,
    "",
    "<b>Shop</b>",
    "Shop\r\nBcc: victim@example.com",
]
APP_NAMES_BY_LOCALE_CANDIDATES = [
    "{}",
    '{"de": "die Passwordless-Demo"}',
    '{ "de" : "Ihr Shop" , "pt_BR": "a loja", "de-AT": "Müller & Söhne \\"Online\\"" }',
    '{"de": "%s"}' % ("D" * 64),
    '{"de": "%s"}' % ("D" * 65),
    '{"de": ""}',
    '{"de": "<b>Demo</b>"}',
    '{"de": "a\\nb"}',
    '{"de": "\\u003cb\\u003e"}',
    '{"de": "die Demo",}',
    '{"de": "die Demo"',
    '{"deutsch": "die Demo"}',
    '["de", "die Demo"]',
    '{"de": 1}',
    "{garbage}",
]


@pytest.mark.parametrize(
    ("parameter", "env_name", "candidates"),
    [
        ("SignInUrl", "SIGN_IN_URL", URL_CANDIDATES),
        ("SendGridApiHost", "SENDGRID_API_HOST", URL_CANDIDATES),
        ("EmailFrom", "EMAIL_FROM", EMAIL_CANDIDATES),
        ("AppName", "APP_NAME", APP_NAME_CANDIDATES),
        ("AppNamesByLocale", "APP_NAMES_BY_LOCALE", APP_NAMES_BY_LOCALE_CANDIDATES),
    ],
)
def test_patterns_never_admit_a_value_settings_refuses(
    source: dict[str, Any], parameter: str, env_name: str, candidates: list[str]
) -> None:
    admitted = [v for v in candidates if parameter_violation(source["Parameters"][parameter], v) is None]
    assert admitted
    assert len(admitted) < len(candidates)
    for value in admitted:
        Settings.from_env({**REQUIRED_ENV, env_name: value})


def test_every_parameter_is_in_exactly_one_console_group(source: dict[str, Any]) -> None:
    groups = source["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]
    grouped = [name for group in groups for name in group["Parameters"]]
    assert sorted(grouped) == sorted(source["Parameters"])


def test_every_default_satisfies_its_own_constraints(source: dict[str, Any]) -> None:
    for name, spec in source["Parameters"].items():
        if "Default" in spec:
            assert parameter_violation(spec, str(spec["Default"])) is None, name


@pytest.mark.parametrize(
    ("overrides", "holds"),
    [
        ({"EmailProvider": "sendgrid"}, False),
        (
            {
                "EmailProvider": "sendgrid",
                "SendGridApiKeySecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:sg-AbCdEf",
            },
            True,
        ),
        ({"EmailProvider": "ses"}, True),
    ],
)
def test_sendgrid_without_an_api_key_is_refused_at_deploy_time(
    source: dict[str, Any], overrides: dict[str, str], holds: bool
) -> None:
    deployment = Deployment(source, {**REQUIRED_PARAMETERS, **overrides})
    refused = rule_refusals(deployment, source)
    assert refused == ([] if holds else ["EmailProvider sendgrid needs SendGridApiKeySecretArn"])
    # The functions agree: settings refuses the same configuration at cold start.
    env = _deployed_env(source, {**REQUIRED_PARAMETERS, **overrides})
    if holds:
        Settings.from_env(env)
    else:
        with pytest.raises(SettingsError, match="SENDGRID_API_KEY_SECRET_ID"):
            Settings.from_env(env)


def test_a_rule_the_offline_evaluator_cannot_decide_is_an_error_not_a_pass(source: dict[str, Any]) -> None:
    # Given a rule using a function only CloudFormation's Rules know
    broken = copy.deepcopy(source)
    broken["Rules"]["Unreadable"] = {
        "Assertions": [{"Assert": {"Fn::Contains": [["a"], {"Ref": "EmailFrom"}]}, "AssertDescription": "x"}]
    }
    # Then evaluating it fails loudly instead of counting the unresolved expression as true
    with pytest.raises(TypeError, match="Unreadable"):
        rule_refusals(Deployment(broken, REQUIRED_PARAMETERS), broken)


# --------------------------------------------------------------------------------- sign-in page


def _references(node: object, unless: str | None = None) -> set[str]:
    """Logical ids that node names through Ref, Fn::GetAtt or Fn::Sub (what CloudFormation orders by);
    with `unless`, leaving out what only the true branch of an Fn::If on that condition names."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= _references(item, unless)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Fn::If" and value[0] == unless:
                found |= _references(value[2], unless)
            elif key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else value.split(".")[0])
            elif key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                found |= {name.split(".")[0] for name in re.findall(r"\$\{([^}!]+)\}", text)}
                found |= _references(value[1:] if isinstance(value, list) else [], unless)
            else:
                found |= _references(value, unless)
    return found


def _dependencies(template: Mapping[str, Any], name: str) -> set[str]:
    """Every resource name needs, directly or through others, before it can be created."""
    resources = template["Resources"]
    seen: set[str] = set()
    pending = [name]
    while pending:
        resource = resources[pending.pop()]
        direct = _references(resource) | set(as_list(resource.get("DependsOn", [])))
        for found in (direct & set(resources)) - seen:
            seen.add(found)
            pending.append(found)
    return seen


def test_the_page_exists_only_when_no_sign_in_url_is_given(
    source: dict[str, Any], translated: dict[str, Any]
) -> None:
    assert source["Parameters"]["SignInUrl"]["Default"] == ""
    assert Deployment(source, REQUIRED_PARAMETERS).conditions[PAGE_CONDITION] is True
    assert Deployment(source, {**REQUIRED_PARAMETERS, **OWN_PAGE}).conditions[PAGE_CONDITION] is False
    conditional = {
        name for name, r in translated["Resources"].items() if r.get("Condition") == PAGE_CONDITION
    }
    assert PAGE_RESOURCES | {"SignInApiApiGatewayDefaultStage", f"{PAGE_FUNCTION}Role"} <= conditional
    # Outside an Fn::If on the same condition, naming a conditional resource needs the condition too,
    # or a stack with SignInUrl set would refer to something that was never created.
    for name, resource in translated["Resources"].items():
        if _references(resource.get("Properties", {}), unless=PAGE_CONDITION) & conditional:
            assert name in conditional, name
    assert "SignInApi" in _references(translated["Resources"]["CreateAuthChallengeFunction"])


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, "https://<SignInApi>.execute-api.us-east-1.amazonaws.com/"),
        (OWN_PAGE, OWN_PAGE["SignInUrl"]),
    ],
    ids=["stack-page", "own-page"],
)
def test_links_open_the_stacks_page_unless_a_sign_in_url_is_given(
    source: dict[str, Any], overrides: dict[str, str], expected: str
) -> None:
    env = _deployed_env(source, {**REQUIRED_PARAMETERS, **overrides})
    assert env["SIGN_IN_URL"] == expected
    assert Settings.from_env(env).sign_in_url_for("any-client") == expected
    if not overrides:
        page_url = Deployment(source, REQUIRED_PARAMETERS).resolve(
            source["Outputs"]["SignInPageUrl"]["Value"]
        )
        assert page_url == expected


def test_the_api_serves_the_page_and_its_two_assets_through_the_page_function(
    translated: dict[str, Any],
) -> None:
    api = translated["Resources"]["SignInApi"]
    paths = api["Properties"]["Body"]["paths"]
    assert sorted(paths) == ["/", "/sign-in.css", "/sign-in.js"]
    for route in paths.values():
        integration = json.dumps(route)
        assert "${SignInPageFunction.Arn}" in integration
        assert '"payloadFormatVersion": "2.0"' in integration
        assert '"get"' in integration
    permissions = [
        p["Properties"]
        for p in resources_of_type(translated, "AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == {"Ref": PAGE_FUNCTION}
    ]
    assert len(permissions) == 3
    for permission in permissions:
        assert permission["Principal"] == "apigateway.amazonaws.com"
        assert permission["SourceArn"]["Fn::Sub"][1]["__ApiId__"] == {"Ref": "SignInApi"}


def test_the_stage_hands_the_page_its_configuration(translated: dict[str, Any]) -> None:
    stage = translated["Resources"]["SignInApiApiGatewayDefaultStage"]
    assert stage["Properties"]["StageName"] == "$default"
    variables = stage["Properties"]["StageVariables"]
    assert {name: variables[name] for name in STAGE_VARIABLES} == {
        "region": {"Ref": "AWS::Region"},
        "clientId": {"Ref": "UserPoolClient"},
        "resendAfterSeconds": {"Ref": "ResendMinSeconds"},
    }
    # The optional ones: where "sign in or sign up" posts the address and where a password-mode
    # invitation's chosen password goes (tests/template/test_account_wiring.py checks their values),
    # and passkeys' three (tests/template/test_passkeys.py).
    assert set(variables) - set(STAGE_VARIABLES) == {
        "signUpUrl",
        "acceptInvitationUrl",
        "passkeyClientId",
        "passkeyRpId",
        "accountApiUrl",
    }


def test_neither_the_page_nor_its_api_needs_the_pool(translated: dict[str, Any]) -> None:
    # The pool needs the triggers, and create needs the API's URL: needing the pool back is a cycle.
    for name in ("SignInApi", PAGE_FUNCTION):
        needs = _dependencies(translated, name)
        assert not needs & {"UserPool", "UserPoolClient", "SignInApiApiGatewayDefaultStage"}, (name, needs)
    assert "UserPoolClient" in _dependencies(translated, "SignInApiApiGatewayDefaultStage")
    assert "SignInApi" in _dependencies(translated, "CreateAuthChallengeFunction")


def test_the_page_function_has_no_data_access(translated: dict[str, Any]) -> None:
    role = _role_of(translated, PAGE_FUNCTION)
    assert role["Properties"].get("Policies", []) == []
    assert role["Properties"]["ManagedPolicyArns"] == [BASIC_EXECUTION_ROLE]
    actions = [a for s in iam_statements(role["Properties"]) for a in strings_in(s["Action"])]
    assert actions == ["sts:AssumeRole"]
    assert "Policies" not in translated["Resources"][PAGE_FUNCTION]["Properties"]


# -------------------------------------------------------------------------------------- cfn-lint


def _lint_source(text: str) -> list[str]:
    return problems(lint(text, config=ManualArgs(regions=LINT_REGIONS)))


def test_cfn_lint_finds_nothing_in_the_template() -> None:
    assert _lint_source(TEMPLATE_PATH.read_text(encoding="utf-8")) == []


def test_cfn_lint_finds_nothing_in_the_translated_template(
    translated: dict[str, Any], tmp_path: Path
) -> None:
    assert lint_translated(translated, tmp_path) == []


def test_cfn_lint_catches_a_trigger_typo_the_translator_lets_through(
    source: dict[str, Any], tmp_path: Path
) -> None:
    # Given the pool's DefineAuthChallenge trigger misspelt
    broken = copy.deepcopy(source)
    config = broken["Resources"]["UserPool"]["Properties"]["LambdaConfig"]
    config["DefineAuthChalenge"] = config.pop("DefineAuthChallenge")
    # When the SAM transform runs, it passes the misspelt slot on to CloudFormation
    output = translate_offline(broken)
    (pool,) = resources_of_type(output, "AWS::Cognito::UserPool").values()
    assert "DefineAuthChalenge" in pool["Properties"]["LambdaConfig"]
    # Then cfn-lint refuses it, both in template.yaml (as `make lint` runs it) and once translated
    for found in (_lint_source(json.dumps(broken)), lint_translated(output, tmp_path)):
        assert [p for p in found if p.startswith("E3002") and "DefineAuthChalenge" in p], found


def test_the_translated_template_has_no_circular_dependency(
    translated: dict[str, Any], tmp_path: Path
) -> None:
    assert not [p for p in lint_translated(translated, tmp_path) if p.startswith("E3004")]


def test_cfn_lint_catches_the_cycle_the_page_functions_own_sign_in_url_breaks(
    source: dict[str, Any], tmp_path: Path
) -> None:
    # Given the page function inheriting Globals' SIGN_IN_URL, which names the page's own API
    broken = copy.deepcopy(source)
    del broken["Resources"][PAGE_FUNCTION]["Properties"]["Environment"]
    # Then the translated template is a cycle CloudFormation would refuse, and cfn-lint says so
    cycles = [p for p in lint_translated(translate_offline(broken), tmp_path) if p.startswith("E3004")]
    assert cycles
    assert all("SignInApi" in p or PAGE_FUNCTION in p for p in cycles), cycles
