"""Attach mode in template.yaml: with ExistingUserPoolId set the stack creates no pool and sets its
triggers on that one through the setup custom resource (TriggerAttachment), naming that pool and
nothing wider; with it empty the stack's own pool carries them and no setup resource exists.

Each test decides the conditions for chosen parameter values (laptop.stack_template.Deployment) on the
template as the SAM transform leaves it, so what is checked is what CloudFormation would create."""

from __future__ import annotations

import fnmatch
import itertools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest

from laptop.stack_template import Deployment, load_template
from passwordless.binding import Binding
from passwordless.secret_store import item_key
from passwordless.trigger_attachment import (
    OWNED_SLOTS,
    Attachment,
    AttachmentRecords,
    AttachmentRefused,
    attachment_from,
)
from tests.template.cfn import (
    EXISTING_POOL,
    EXISTING_POOL_ID,
    as_list,
    checkov_skips,
    existing_resources,
    function_grants,
    iam_statements,
    lint_translated,
    parameter_violation,
    resources_of_type,
    strings_in,
    translate_offline,
    unexplained,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

REQUIRED = {"EmailFrom": "no-reply@example.com"}
ATTACH = {**REQUIRED, **EXISTING_POOL.parameters}
SMS_ROLE = "arn:aws:iam::123456789012:role/service-role/their-pool-sms"
SETUP = "TriggerAttachment"
SETUP_FUNCTION = "TriggerAttachmentFunction"
SETUP_RESOURCES = {SETUP, SETUP_FUNCTION, f"{SETUP_FUNCTION}Role", "TriggerAttachmentLogGroup"}
# The slots attach mode always takes, and those a team may keep for its own functions.
CUSTOM_AUTH = ("DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse")
OPTIONAL = ("PreSignUp", "PostAuthentication", "CustomMessage")
INVOKE_PERMISSIONS = (
    "DefineAuthChallengeInvokePermission",
    "CreateAuthChallengeInvokePermission",
    "VerifyAuthChallengeInvokePermission",
    "PreSignUpInvokePermission",
    "PostAuthenticationInvokePermission",
    "CustomMessageInvokePermission",
)
PLACEHOLDER = re.compile(r"<([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?>")
PASS_ROLE = {
    "Sid": "PassThePoolsSmsRoleBack",
    "Effect": "Allow",
    "Action": "iam:PassRole",
    "Resource": SMS_ROLE,
    "Condition": {"StringEquals": {"iam:PassedToService": "cognito-idp.amazonaws.com"}},
}
MODES = {
    "create": REQUIRED,
    "attach": ATTACH,
    "attach-everything": {
        **ATTACH,
        "SelfSignUp": "true",
        "SignInMode": "password-and-email-code",
        "ReplaceExistingTriggers": "true",
        "KeepPoolTriggers": "CustomMessage",
        "ExistingPoolSmsRoleArn": SMS_ROLE,
    },
    # The SMS role means nothing without an existing pool
    "create-with-sms-role": {**REQUIRED, "ExistingPoolSmsRoleArn": SMS_ROLE},
}
# Pool ids as Cognito writes them: region, underscore, letters and digits.
POOL_IDS = ["us-east-1_AbC123", "eu-west-1_aB3dE5fG7", "us-gov-west-1_Z9"]


@pytest.fixture(scope="module")
def source() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def translated(source: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The SAM transform's output for each of MODES' parameter values."""
    return {mode: translate_offline(source, parameters) for mode, parameters in MODES.items()}


def _slots(deployment: Deployment, source: Mapping[str, Any]) -> dict[str, str]:
    """The custom resource's Triggers as CloudFormation would send them: slot -> "<Function.Arn>"."""
    resolved: dict[str, str] = deployment.resolve(source["Resources"][SETUP]["Properties"]["Triggers"])
    return resolved


def _function_arn(placeholder: str) -> str:
    """The ARN CloudFormation would put where Deployment wrote "<Function.Arn>"."""
    match = PLACEHOLDER.fullmatch(placeholder)
    assert match, placeholder
    return f"arn:aws:lambda:us-east-1:123456789012:function:{match[1]}"


def _pool_functions(source: Mapping[str, Any]) -> dict[str, str]:
    """The own pool's LambdaConfig, resolved: the one wiring both modes must agree on."""
    config: dict[str, str] = Deployment(source, REQUIRED).resolve(
        source["Resources"]["UserPool"]["Properties"]["LambdaConfig"]
    )
    return config


# ----------------------------------------------------------------------------- both modes, linted


@pytest.mark.parametrize("mode", list(MODES))
def test_cfn_lint_finds_nothing_in_either_mode_once_translated(
    translated: dict[str, dict[str, Any]], mode: str, tmp_path: Path
) -> None:
    # Given the parameter values, cfn-lint resolves each Ref to them and judges that stack
    assert lint_translated(translated[mode], tmp_path, MODES[mode]) == []


@pytest.mark.parametrize("mode", list(MODES))
def test_each_mode_creates_its_own_pool_or_the_setup_resources_never_both(
    source: dict[str, Any], translated: dict[str, dict[str, Any]], mode: str
) -> None:
    deployment = Deployment(source, MODES[mode])
    created = existing_resources(deployment, translated[mode])
    pools = set(resources_of_type({"Resources": created}, "AWS::Cognito::UserPool"))
    setup = {name for name in created if name.startswith(SETUP)}
    if "ExistingUserPoolId" in MODES[mode]:
        assert (pools, setup) == (set(), SETUP_RESOURCES)
    else:
        assert (pools, setup) == ({"UserPool"}, set())
    # Nothing the stack creates names a resource this mode leaves out (a Ref, GetAtt or Sub to one
    # would fail the deploy), and nothing waits on one.
    left_out = set(translated[mode]["Resources"]) - set(created)
    named = {m.group(1) for text in strings_in(created) for m in PLACEHOLDER.finditer(text)}
    assert not named & left_out, named & left_out
    waits_on = {d for resource in created.values() for d in as_list(resource.get("DependsOn", []))}
    assert not waits_on & left_out, waits_on & left_out
    outputs = existing_resources(deployment, {"Resources": source["Outputs"]})
    assert not {m.group(1) for text in strings_in(outputs) for m in PLACEHOLDER.finditer(text)} & left_out


# ------------------------------------------------------------------------------- IAM on that pool


@pytest.mark.parametrize("mode", ["attach", "attach-everything"])
def test_every_grant_on_a_user_pool_names_only_the_existing_pool(
    source: dict[str, Any], translated: dict[str, dict[str, Any]], mode: str
) -> None:
    created = existing_resources(Deployment(source, MODES[mode]), translated[mode])
    granted_by: set[str] = set()
    for name, resource in created.items():
        for statement in iam_statements(resource.get("Properties", {})):
            actions = as_list(statement["Action"])
            resources = as_list(statement.get("Resource", []))
            if any(a.startswith("cognito-idp:") for a in actions) or any(
                "cognito-idp" in r or "userpool" in r for r in resources
            ):
                assert resources == [EXISTING_POOL.pool_arn], (name, statement)
                granted_by.add(name)
    assert granted_by == {
        "AccountApiFunctionRole",
        "PostAuthenticationVerifyEmailPolicy",
        f"{SETUP_FUNCTION}Role",
    }


@pytest.mark.parametrize(
    ("mode", "passes_role"),
    [("attach", False), ("attach-everything", True), ("create-with-sms-role", False)],
)
def test_the_setup_function_holds_exactly_what_it_needs_and_passes_only_the_pools_sms_role(
    source: dict[str, Any], translated: dict[str, dict[str, Any]], mode: str, passes_role: bool
) -> None:
    parameters = MODES[mode]
    deployment = Deployment(source, parameters)
    output = translated[mode]
    created = existing_resources(deployment, output)
    pass_role = [
        (name, s)
        for name, resource in created.items()
        for s in iam_statements(resource.get("Properties", {}))
        if "iam:PassRole" in as_list(s["Action"])
    ]
    # Only with the role named, on the setup function, for that role, and only towards Cognito
    assert pass_role == ([(f"{SETUP_FUNCTION}Role", PASS_ROLE)] if passes_role else [])
    if SETUP_FUNCTION not in created:
        return
    pool, table = EXISTING_POOL.pool_arn, "<SignInSecretsTable.Arn>"
    assert function_grants(deployment, output, SETUP_FUNCTION) == {
        ("cognito-idp:DescribeUserPool", pool),
        ("cognito-idp:UpdateUserPool", pool),
        ("dynamodb:GetItem", table),
        ("dynamodb:PutItem", table),
        ("dynamodb:DeleteItem", table),
        *([("iam:PassRole", SMS_ROLE)] if passes_role else []),
    }
    # The function is told the one role it may hand back, and refuses a pool that sends SMS by another.
    assert created[SETUP]["Properties"]["SmsRoleArn"] == parameters.get("ExistingPoolSmsRoleArn", "")


class _RecordingTable:
    """A DynamoDB client that keeps items by key in memory and records every key it is asked for."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.keys: list[str] = []

    def get_item(self, *, Key: dict[str, Any], **_: Any) -> dict[str, Any]:
        self.keys.append(Key["pk"]["S"])
        item = self.items.get(Key["pk"]["S"])
        return {"Item": item} if item else {}

    def put_item(self, *, Item: dict[str, Any], **_: Any) -> dict[str, Any]:
        self.keys.append(Item["pk"]["S"])
        self.items[Item["pk"]["S"]] = Item
        return {}

    def delete_item(self, *, Key: dict[str, Any], **_: Any) -> dict[str, Any]:
        self.keys.append(Key["pk"]["S"])
        self.items.pop(Key["pk"]["S"], None)
        return {}


def test_the_setup_functions_table_grant_reaches_only_its_own_records(
    source: dict[str, Any], translated: dict[str, dict[str, Any]]
) -> None:
    created = existing_resources(Deployment(source, ATTACH), translated["attach"])
    role = created[f"{SETUP_FUNCTION}Role"]["Properties"]
    (statement,) = [s for s in iam_statements(role) if s.get("Sid") == "RecordWhatTheSlotsHeld"]
    assert statement["Resource"] == "<SignInSecretsTable.Arn>"
    (leading_keys,) = statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
    assert statement["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [leading_keys]}}

    # When the function records, reads and forgets what an attachment replaced
    table = _RecordingTable()
    records = AttachmentRecords(cast("DynamoDBClient", table), "<SignInSecretsTable>")
    attachment_id = f"{EXISTING_POOL_ID}:passwordless-test:{SETUP}"
    records.write(attachment_id, {"PreSignUp": None})
    assert records.read(attachment_id) == {"PreSignUp": None}
    records.forget(attachment_id)

    # Then every key it used is one the condition allows (IAM's StringLike: * is any run of
    # characters), and a user's sign-in item is not
    assert len(table.keys) == 3
    assert all(fnmatch.fnmatchcase(key, leading_keys) for key in table.keys), table.keys
    sign_in_item = item_key(Binding(EXISTING_POOL_ID, "client", "jane@example.com"))
    assert not fnmatch.fnmatchcase(sign_in_item, leading_keys)


def test_the_invoke_permissions_exist_before_the_setup_sets_the_triggers(source: dict[str, Any]) -> None:
    # Cognito may invoke a trigger the moment it is set, and the setup function's first lines must
    # land in the stack's log group, not in one Lambda makes and the stack never deletes.
    setup = source["Resources"][SETUP]
    assert set(setup["DependsOn"]) == {*INVOKE_PERMISSIONS, "TriggerAttachmentLogGroup"}
    for name in INVOKE_PERMISSIONS:
        assert source["Resources"][name]["Type"] == "AWS::Lambda::Permission"


# --------------------------------------------------------------------------------- trigger slots


@pytest.mark.parametrize(
    ("overrides", "slots"),
    [
        pytest.param({}, {*CUSTOM_AUTH, "PostAuthentication", "CustomMessage"}, id="defaults"),
        pytest.param({"SelfSignUp": "true"}, {*CUSTOM_AUTH, *OPTIONAL}, id="self-sign-up"),
        pytest.param(
            {"KeepPoolTriggers": "PostAuthentication,CustomMessage"}, set(CUSTOM_AUTH), id="keep-two"
        ),
        pytest.param(
            {"KeepPoolTriggers": "PreSignUp", "SelfSignUp": "true"},
            {*CUSTOM_AUTH, "PostAuthentication", "CustomMessage"},
            id="keep-pre-sign-up",
        ),
    ],
)
def test_the_setup_resource_sets_exactly_the_slots_this_stack_takes(
    source: dict[str, Any], overrides: dict[str, str], slots: set[str]
) -> None:
    deployment = Deployment(source, {**ATTACH, **overrides})
    triggers = _slots(deployment, source)
    # The same function in each slot as the stack's own pool would run there
    assert triggers == {slot: _pool_functions(source)[slot] for slot in slots}
    properties = deployment.resolve(source["Resources"][SETUP]["Properties"])
    assert properties["ServiceToken"] == f"<{SETUP_FUNCTION}.Arn>"
    assert properties["UserPoolId"] == EXISTING_POOL_ID
    # And the function takes these properties as CloudFormation sends them (ARNs as text)
    arns = {slot: _function_arn(placeholder) for slot, placeholder in triggers.items()}
    for replace in ("true", "false"):
        attachment = attachment_from({**properties, "Triggers": arns, "ReplaceExistingTriggers": replace})
        assert (attachment.user_pool_id, dict(attachment.triggers)) == (EXISTING_POOL_ID, arns)
        assert attachment.replace_existing is (replace == "true")


def test_cfn_lint_cannot_see_a_misspelt_slot_in_the_setup_resource_but_the_function_refuses_it(
    source: dict[str, Any],
) -> None:
    # A custom resource's properties are free-form to cfn-lint, so the slots' spelling is held to the
    # function's list here: a misspelt one never reaches a pool.
    written = set(source["Resources"][SETUP]["Properties"]["Triggers"])
    assert written == set(OWNED_SLOTS) == set(_pool_functions(source))
    with pytest.raises(AttachmentRefused, match="DefineAuthChalenge"):
        Attachment(EXISTING_POOL_ID, {"DefineAuthChalenge": "arn:aws:lambda:us-east-1:1:function:x"})


def _orderings() -> list[tuple[str, ...]]:
    """Every subset of the optional slots, in every order."""
    return [
        ordering
        for size in range(len(OPTIONAL) + 1)
        for subset in itertools.combinations(OPTIONAL, size)
        for ordering in itertools.permutations(subset)
    ]


@pytest.mark.parametrize("self_sign_up", ["true", "false"])
@pytest.mark.parametrize("kept", _orderings(), ids=lambda kept: ",".join(kept) or "none")
def test_is_it_in_the_list_conditions_hold_for_every_subset_in_every_order(
    source: dict[str, Any], kept: tuple[str, ...], self_sign_up: str
) -> None:
    # Given KeepPoolTriggers listing `kept`, a value the template admits
    value = ",".join(kept)
    assert parameter_violation(source["Parameters"]["KeepPoolTriggers"], value) is None

    # When CloudFormation decides the conditions
    deployment = Deployment(source, {**ATTACH, "KeepPoolTriggers": value, "SelfSignUp": self_sign_up})

    # Then the pool keeps exactly the listed slots, and PreSignUp is attached only with self sign-up
    conditions = deployment.conditions
    assert {slot for slot in OPTIONAL if conditions[f"PoolKeeps{slot}"]} == set(kept)
    attached = {slot for slot in OPTIONAL if conditions[f"Attach{slot}"]}
    expected = set(OPTIONAL) - set(kept) - (set() if self_sign_up == "true" else {"PreSignUp"})
    assert attached == expected
    assert set(_slots(deployment, source)) == {*CUSTOM_AUTH, *expected}


# --------------------------------------------------------------------------------- checkov skips


def test_the_setup_resources_skip_the_checks_the_others_skip_each_with_its_own_reason(
    source: dict[str, Any],
) -> None:
    skips = checkov_skips(source)
    ids: dict[str, set[str]] = {}
    for name, skip in skips:
        ids.setdefault(name, set()).add(skip["id"])
    # The rule the skip test holds every resource to covers these too
    assert unexplained([(name, skip) for name, skip in skips if name.startswith(SETUP)]) == []
    assert ids[SETUP_FUNCTION] == ids["DefineAuthChallengeFunction"]
    assert ids["TriggerAttachmentLogGroup"] == ids["DefineAuthChallengeLogGroup"]
    # Written for a function CloudFormation invokes, not copied from the triggers' reasons
    theirs = {skip["comment"] for name, skip in skips if name == "DefineAuthChallengeFunction"}
    assert not theirs & {skip["comment"] for name, skip in skips if name == SETUP_FUNCTION}


# ---------------------------------------------------------------------------- parameter patterns


@pytest.mark.parametrize(
    ("parameter", "admitted", "refused"),
    [
        pytest.param(
            "ExistingUserPoolId",
            ["", *POOL_IDS],
            [
                "us-east-1",
                "_AbC123",
                "us-east-1_",
                "us-east-1_Ab-C",
                "us-east-1_AbC123 ",
                "us-east-1_AbC123\n",
                " us-east-1_AbC123",
                "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC123",
                "us-east-1_*",
            ],
            id="ExistingUserPoolId",
        ),
        pytest.param(
            "KeepPoolTriggers",
            [
                "",
                "PreSignUp",
                "PostAuthentication,CustomMessage",
                "CustomMessage,PreSignUp,PostAuthentication",
            ],
            [
                # The custom-auth triggers are always this stack's
                "DefineAuthChallenge",
                "PreSignUp,VerifyAuthChallengeResponse",
                # Anything that merely contains a slot's name would fool the "is it in the list" test
                "NotPreSignUp",
                "PreSignUpX",
                "PreSignUp;CustomMessage",
                "PreSignUp, CustomMessage",
                "PreSignUp,",
                ",PreSignUp",
                "presignup",
            ],
            id="KeepPoolTriggers",
        ),
        pytest.param(
            "ExistingPoolSmsRoleArn",
            [
                "",
                SMS_ROLE,
                "arn:aws:iam::123456789012:role/CognitoSMS_1+=,.@-",
                "arn:aws-cn:iam::123456789012:role/sms",
            ],
            [
                # PassRole names this value: a wildcard would let the function pass any role
                "arn:aws:iam::123456789012:role/*",
                "arn:aws:iam::*:role/sms",
                "arn:aws:iam::123456789012:role/",
                "arn:aws:iam::123456789012:user/sms",
                "arn:aws:iam::12345678901:role/sms",
                "arn:aws:sns:us-east-1:123456789012:sms",
                "arn:aws:iam::123456789012:role/a b",
                "sms",
            ],
            id="ExistingPoolSmsRoleArn",
        ),
    ],
)
def test_attach_mode_parameters_admit_good_values_and_refuse_bad_ones(
    source: dict[str, Any], parameter: str, admitted: list[str], refused: list[str]
) -> None:
    spec = source["Parameters"][parameter]
    assert [v for v in admitted if parameter_violation(spec, v) is not None] == []
    assert [v for v in refused if parameter_violation(spec, v) is None] == []


@pytest.mark.parametrize("pool_id", POOL_IDS)
def test_a_pool_id_the_template_admits_is_one_the_setup_function_takes(
    source: dict[str, Any], pool_id: str
) -> None:
    assert parameter_violation(source["Parameters"]["ExistingUserPoolId"], pool_id) is None
    assert attachment_from({"UserPoolId": pool_id, "Triggers": {}}).user_pool_id == pool_id


def test_post_authentication_knows_the_stacks_client_by_the_name_the_client_is_given(
    source: dict[str, Any],
) -> None:
    # PostAuthentication verifies an address only after a sign-in through this client, in both modes
    client_name = source["Resources"]["UserPoolClient"]["Properties"]["ClientName"]
    assert (
        source["Globals"]["Function"]["Environment"]["Variables"]["EMAIL_SIGN_IN_CLIENT_NAME"] == client_name
    )


@pytest.mark.parametrize(
    "pool", [{}, {"ExistingUserPoolId": "us-east-1_AbC123"}], ids=["own-pool", "existing-pool"]
)
def test_the_admins_group_is_created_unless_the_pool_keeps_its_own(
    source: dict[str, Any], pool: dict[str, str]
) -> None:
    # An existing pool may already have the group the account API checks: the stack then adds none
    for create, expected in (("true", True), ("false", False)):
        deployment = Deployment(
            source, {"EmailFrom": "no-reply@example.com", **pool, "CreateAdminGroup": create}
        )
        group = source["Resources"]["AdministratorsGroup"]
        assert deployment.conditions[group["Condition"]] is expected, create
        # The account API checks the same name either way
        env = source["Resources"]["AccountApiFunction"]["Properties"]["Environment"]["Variables"]
        assert env["ADMIN_GROUP"] == {"Ref": "AdminGroupName"} == group["Properties"]["GroupName"]
