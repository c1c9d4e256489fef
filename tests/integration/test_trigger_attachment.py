"""Attaching the triggers to a pool this product did not create (moto, whose UpdateUserPool resets
every setting it is not given, as Cognito's does): only the owned LambdaConfig slots change, a slot
another function holds is refused or, when allowed, replaced and given back, and detaching restores
the pool as it was."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
import pytest

from laptop.aws import REGION
from laptop.existing_pool import (
    OUR_FUNCTION,
    OUR_TRIGGERS,
    THEIR_SIGN_UP_TRIGGER,
    THEIR_TOKEN_TRIGGER,
    create_existing_pool,
)
from passwordless.settings import Settings
from passwordless.trigger_attachment import (
    RENAMED,
    Attachment,
    AttachmentRecords,
    AttachmentRefused,
    PoolTriggers,
    unknown_settings,
    update_request,
)

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

ARN = OUR_FUNCTION
OURS = OUR_TRIGGERS
ID = "us-east-1_pool:stack:TriggerAttachment"


@pytest.fixture
def cognito(aws: Settings) -> CognitoIdentityProviderClient:
    return boto3.client("cognito-idp", region_name=REGION)


@pytest.fixture
def records(aws: Settings) -> AttachmentRecords:
    return AttachmentRecords(boto3.client("dynamodb", region_name=REGION), aws.table_name)


@pytest.fixture
def triggers(cognito: CognitoIdentityProviderClient, records: AttachmentRecords) -> PoolTriggers:
    return PoolTriggers(cognito, records)


def pool_as_it_stands(cognito: CognitoIdentityProviderClient, pool_id: str) -> dict[str, Any]:
    pool = dict(cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"])
    pool.pop("LastModifiedDate")
    return pool


def with_triggers(pool: dict[str, Any], **slots: str) -> dict[str, Any]:
    return {**pool, "LambdaConfig": {**pool["LambdaConfig"], **slots}}


def test_update_user_pool_can_carry_every_setting_describe_user_pool_reports(aws: Settings) -> None:
    # Every member UpdateUserPool takes is read back from DescribeUserPool: none would be reset.
    model = boto3.client("cognito-idp", region_name=REGION).meta.service_model
    update = model.operation_model("UpdateUserPool").input_shape
    described = model.shape_for("UserPoolType")
    assert update is not None
    missing = {name for name in update.members if RENAMED.get(name, name) not in described.members}  # type: ignore[attr-defined]
    assert missing == set()


def test_the_write_repeats_each_setting_at_every_depth(cognito: CognitoIdentityProviderClient) -> None:
    # Given their pool, described
    pool = cognito.describe_user_pool(UserPoolId=create_existing_pool(cognito))["UserPool"]
    shape = cognito.meta.service_model.operation_model("UpdateUserPool").input_shape
    # When the write that leaves it as it is is built
    request = update_request(pool, shape)  # type: ignore[arg-type]
    # Then it names the pool and repeats every setting, nested ones included, and nothing read-only
    assert request["UserPoolId"] == pool["Id"]
    assert request["PoolName"] == "their-users"
    assert request["Policies"] == pool["Policies"]
    assert request["AdminCreateUserConfig"]["InviteMessageTemplate"]["EmailSubject"] == "Welcome"
    assert request["UserPoolTags"] == {"team": "identity", "cost-centre": "42"}
    assert not {"Arn", "CreationDate", "SchemaAttributes", "EstimatedNumberOfUsers"} & set(request)


def test_attaching_changes_only_the_owned_slots_and_detaching_restores_the_pool(
    cognito: CognitoIdentityProviderClient, triggers: PoolTriggers
) -> None:
    # Given their pool with every setting moto keeps away from its default
    pool_id = create_existing_pool(cognito)
    before = pool_as_it_stands(cognito, pool_id)
    # When the triggers are attached
    triggers.attach(ID, Attachment(pool_id, OURS))
    # Then the pool is as it was but for the four slots, their PreTokenGeneration trigger kept
    after = pool_as_it_stands(cognito, pool_id)
    assert after == with_triggers(before, **OURS)
    assert after["LambdaConfig"]["PreTokenGeneration"] == THEIR_TOKEN_TRIGGER
    # And detaching gives back exactly the pool they had
    triggers.detach(ID, Attachment(pool_id, OURS))
    assert pool_as_it_stands(cognito, pool_id) == before


def test_a_slot_another_function_holds_is_refused_and_nothing_changes(
    cognito: CognitoIdentityProviderClient, triggers: PoolTriggers, records: AttachmentRecords
) -> None:
    pool_id = create_existing_pool(cognito, LambdaConfig={"PreSignUp": THEIR_SIGN_UP_TRIGGER})
    before = pool_as_it_stands(cognito, pool_id)
    with pytest.raises(AttachmentRefused) as refused:
        triggers.attach(ID, Attachment(pool_id, OURS))
    # The refusal names the slot and the function that holds it
    assert "PreSignUp" in str(refused.value)
    assert THEIR_SIGN_UP_TRIGGER in str(refused.value)
    assert "ReplaceExistingTriggers" in str(refused.value)
    assert pool_as_it_stands(cognito, pool_id) == before
    assert records.read(ID) == {}


@pytest.mark.parametrize("requests", [1, 2], ids=["once", "retried by CloudFormation"])
def test_a_replaced_trigger_is_put_back_when_the_stack_goes(
    cognito: CognitoIdentityProviderClient, triggers: PoolTriggers, requests: int
) -> None:
    # Given an attachment that replaced their trigger (a retried request must still remember theirs)
    pool_id = create_existing_pool(cognito, LambdaConfig={"PreSignUp": THEIR_SIGN_UP_TRIGGER})
    before = pool_as_it_stands(cognito, pool_id)
    for _ in range(requests):
        triggers.attach(ID, Attachment(pool_id, OURS, replace_existing=True))
    assert pool_as_it_stands(cognito, pool_id)["LambdaConfig"]["PreSignUp"] == OURS["PreSignUp"]
    # Then deleting gives their trigger back, not ours
    triggers.detach(ID, Attachment(pool_id, OURS))
    assert pool_as_it_stands(cognito, pool_id) == before


def test_an_update_follows_new_functions_and_gives_back_a_slot_no_longer_wanted(
    cognito: CognitoIdentityProviderClient, triggers: PoolTriggers
) -> None:
    pool_id = create_existing_pool(cognito, LambdaConfig={"PreSignUp": THEIR_SIGN_UP_TRIGGER})
    before = pool_as_it_stands(cognito, pool_id)
    triggers.attach(ID, Attachment(pool_id, OURS, replace_existing=True))
    # When the stack is updated: new define function, PreSignUp switched off (no replace allowed now)
    newer = {**OURS, "DefineAuthChallenge": ARN.format("define-v2")}
    del newer["PreSignUp"]
    triggers.attach(ID, Attachment(pool_id, newer), ours_before=OURS)
    config = pool_as_it_stands(cognito, pool_id)["LambdaConfig"]
    assert config["DefineAuthChallenge"] == ARN.format("define-v2")
    assert config["PreSignUp"] == THEIR_SIGN_UP_TRIGGER
    # And deleting then restores the pool they had
    triggers.detach(ID, Attachment(pool_id, newer))
    assert pool_as_it_stands(cognito, pool_id) == before


def test_a_slot_someone_changed_since_is_left_as_they_set_it(
    cognito: CognitoIdentityProviderClient, triggers: PoolTriggers
) -> None:
    pool_id = create_existing_pool(cognito)
    triggers.attach(ID, Attachment(pool_id, OURS))
    # Given someone moved CreateAuthChallenge to their own function after the attach
    now = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    theirs = ARN.format("their-create")
    request = update_request(
        {**now, "LambdaConfig": {**now["LambdaConfig"], "CreateAuthChallenge": theirs}},
        cognito.meta.service_model.operation_model("UpdateUserPool").input_shape,  # type: ignore[arg-type]
    )
    cognito.update_user_pool(**request)
    # When the stack is deleted
    triggers.detach(ID, Attachment(pool_id, OURS))
    # Then their choice stays; the other slots are empty again
    config = pool_as_it_stands(cognito, pool_id)["LambdaConfig"]
    assert config == {"PreTokenGeneration": THEIR_TOKEN_TRIGGER, "CreateAuthChallenge": theirs}


def test_detaching_from_a_pool_already_deleted_succeeds(
    cognito: CognitoIdentityProviderClient, triggers: PoolTriggers, records: AttachmentRecords
) -> None:
    pool_id = create_existing_pool(cognito, DeletionProtection="INACTIVE")
    triggers.attach(ID, Attachment(pool_id, OURS))
    cognito.delete_user_pool(UserPoolId=pool_id)
    triggers.detach(ID, Attachment(pool_id, OURS))
    assert records.read(ID) == {}


def test_an_unknown_pool_is_refused_by_name(triggers: PoolTriggers) -> None:
    with pytest.raises(AttachmentRefused, match="no user pool us-east-1_missing"):
        triggers.attach(ID, Attachment("us-east-1_missing", OURS))


def test_a_setting_this_sdk_cannot_name_is_found_at_any_depth(cognito: CognitoIdentityProviderClient) -> None:
    shape = cognito.meta.service_model.shape_for("UserPoolType")
    raw = {
        "Id": "us-east-1_x",
        "FutureSetting": {"On": True},
        "Policies": {"PasswordPolicy": {"MinimumLength": 12, "FutureRule": 1}},
        "SchemaAttributes": [{"Name": "email", "FutureFlag": True}],
        "UserPoolTags": {"team": "identity"},
    }
    assert unknown_settings(raw, shape) == [
        "UserPool.FutureSetting",
        "UserPool.Policies.PasswordPolicy.FutureRule",
        "UserPool.SchemaAttributes[0].FutureFlag",
    ]


def test_a_pool_reporting_such_a_setting_is_refused_before_any_write(
    cognito: CognitoIdentityProviderClient, triggers: PoolTriggers, records: AttachmentRecords
) -> None:
    # Given DescribeUserPool's answer carries a member newer than this botocore
    pool_id = create_existing_pool(cognito)
    before = pool_as_it_stands(cognito, pool_id)

    def newer_service(http_response: Any, **_: Any) -> None:
        http_response._content = http_response.content.replace(b'"Id":', b'"FutureSetting": 1, "Id":', 1)

    cognito.meta.events.register_first("after-call.cognito-idp.DescribeUserPool", newer_service)
    with pytest.raises(AttachmentRefused, match=r"cannot write back \(UserPool.FutureSetting\)"):
        triggers.attach(ID, Attachment(pool_id, OURS))
    cognito.meta.events.unregister("after-call.cognito-idp.DescribeUserPool", newer_service)
    assert pool_as_it_stands(cognito, pool_id) == before
    assert records.read(ID) == {}


def test_only_the_owned_slots_may_be_named() -> None:
    with pytest.raises(AttachmentRefused, match="PreTokenGeneration"):
        Attachment("us-east-1_x", {"PreTokenGeneration": ARN.format("x")})


SMS_ROLE = "arn:aws:iam::123456789012:role/their-cognito-sms"


def test_a_pool_that_sends_sms_is_attached_only_with_its_role_named(
    cognito: CognitoIdentityProviderClient, triggers: PoolTriggers
) -> None:
    # Given their pool sends SMS through its own role
    pool_id = create_existing_pool(
        cognito, SmsConfiguration={"SnsCallerArn": SMS_ROLE, "ExternalId": "theirs"}
    )
    before = pool_as_it_stands(cognito, pool_id)
    # When the stack does not name that role, it is refused by name and nothing is written
    with pytest.raises(AttachmentRefused, match="ExistingPoolSmsRoleArn") as refused:
        triggers.attach(ID, Attachment(pool_id, OURS))
    assert SMS_ROLE in str(refused.value)
    assert pool_as_it_stands(cognito, pool_id) == before
    # And naming it, the write carries the SMS settings through
    triggers.attach(ID, Attachment(pool_id, OURS, sms_role_arn=SMS_ROLE))
    assert pool_as_it_stands(cognito, pool_id) == with_triggers(before, **OURS)


def test_without_the_answer_as_cognito_sent_it_nothing_is_written(
    cognito: CognitoIdentityProviderClient, triggers: PoolTriggers, records: AttachmentRecords
) -> None:
    # Given botocore no longer telling the attachment what DescribeUserPool sent
    pool_id = create_existing_pool(cognito)
    before = pool_as_it_stands(cognito, pool_id)
    cognito.meta.events.unregister("after-call.cognito-idp.DescribeUserPool", triggers._keep_raw)
    # Then the unknown-settings check cannot run, so the attach refuses rather than write blind
    with pytest.raises(AttachmentRefused, match="could not be read as Cognito sent them"):
        triggers.attach(ID, Attachment(pool_id, OURS))
    assert pool_as_it_stands(cognito, pool_id) == before
    assert records.read(ID) == {}
