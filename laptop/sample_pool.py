"""The pools the setup function's sample events (events/attach_triggers_*.json) meet, and those events.

Attach mode sets this product's triggers on a pool another team made. Each event finds its pool in
the state it was written for, as laptop.sample_state's users are for the sign-in events:

- THEIR_POOL_ID: their pool as they run it, their PreTokenGeneration its one trigger; the Create
  attaches to it.
- ATTACHED_POOL_ID: such a pool as that Create leaves it, this product's triggers set and what each
  slot held recorded in the stack's table; the Update and the Delete meet it.
- TAKEN_POOL_ID: their own PreSignUp trigger holds a slot this product wants, and the Create does not
  allow replacing it: the refused case.

The requests are CloudFormation's (laptop.cloudformation.custom_resource_event) with their fixed
RequestIds; their ResponseURL is a placeholder that laptop.invoke replaces with a local one.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from laptop.aws import REGION
from laptop.cloudformation import ACCOUNT_ID, STACK_ID, custom_resource_event
from laptop.existing_pool import THEIR_SIGN_UP_TRIGGER, THEIR_TOKEN_TRIGGER
from laptop.handlers import logical_id
from laptop.sample_state import file_pool_as
from passwordless.trigger_attachment import AttachmentRecords, PoolTriggers, attachment_from

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import LambdaConfigTypeTypeDef
    from mypy_boto3_dynamodb import DynamoDBClient

Event = dict[str, Any]

THEIR_POOL_ID = "us-east-1_The1rUsers"
ATTACHED_POOL_ID = "us-east-1_Attached1"
TAKEN_POOL_ID = "us-east-1_TakenSl0t"
LOGICAL_ID = "TriggerAttachment"
# The name the setup function gives an attachment (functions/attach_triggers/app.py, physical_id).
ATTACHED_PHYSICAL_ID = f"{ATTACHED_POOL_ID}:{STACK_ID.rsplit('/', 1)[-1]}:{LOGICAL_ID}"
# A presigned S3 URL in shape only: its signature opens nothing.
RESPONSE_URL = (
    "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/"
    "sample-request?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=placeholder"
)
_REQUEST_IDS = uuid.UUID("7a1c0f3e-5b2d-4e8a-9c61-0d4f2b8e6a17")  # namespace of the events' RequestIds

# A few settings away from Cognito's defaults: UpdateUserPool would reset them if a write left them out.
THEIR_SETTINGS: dict[str, Any] = {
    "MfaConfiguration": "OPTIONAL",
    "AutoVerifiedAttributes": ["email"],
    "UsernameConfiguration": {"CaseSensitive": False},
    "DeletionProtection": "ACTIVE",
    "UserPoolTags": {"team": "identity"},
}


# The LambdaConfig slot each of this product's functions takes.
SLOTS = {
    "pre_sign_up": "PreSignUp",
    "define_auth_challenge": "DefineAuthChallenge",
    "create_auth_challenge": "CreateAuthChallenge",
    "verify_auth_challenge": "VerifyAuthChallengeResponse",
    "post_authentication": "PostAuthentication",
    "custom_message": "CustomMessage",
}


def _ours(*functions: str) -> dict[str, str]:
    """{slot: this stack's function ARN}, for the functions named."""
    return {
        SLOTS[function]: f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:passwordless-{logical_id(function)}"
        for function in functions
    }


CREATED = _ours(
    "pre_sign_up",
    "define_auth_challenge",
    "create_auth_challenge",
    "verify_auth_challenge",
    "post_authentication",
)
UPDATED = {**CREATED, **_ours("custom_message")}  # a stack update that adds the custom messages


def properties(pool_id: str, triggers: Mapping[str, str]) -> dict[str, Any]:
    """The resource's properties, text as CloudFormation passes them."""
    return {"UserPoolId": pool_id, "Triggers": dict(triggers), "ReplaceExistingTriggers": "false"}


def build_setup_events() -> dict[str, Event]:
    """File stem -> request."""
    attached = properties(ATTACHED_POOL_ID, CREATED)
    requests = {
        "attach_triggers_create": _request("Create", properties(THEIR_POOL_ID, CREATED)),
        "attach_triggers_create_taken_slot": _request("Create", properties(TAKEN_POOL_ID, CREATED)),
        "attach_triggers_update": _request(
            "Update",
            properties(ATTACHED_POOL_ID, UPDATED),
            physical_id=ATTACHED_PHYSICAL_ID,
            old_properties=attached,
        ),
        "attach_triggers_delete": _request("Delete", attached, physical_id=ATTACHED_PHYSICAL_ID),
    }
    # CloudFormation gives every request its own id; one derived from the file's name keeps each
    # build of the files the same.
    return {
        stem: {**event, "RequestId": str(uuid.uuid5(_REQUEST_IDS, stem))} for stem, event in requests.items()
    }


def _request(request_type: str, props: dict[str, Any], **more: Any) -> Event:  # noqa: ANN401 - passed on
    event = custom_resource_event(
        request_type, props, response_url=RESPONSE_URL, logical_id=LOGICAL_ID, **more
    )
    # CloudFormation repeats the ServiceToken among the properties it sends.
    for key in ("ResourceProperties", "OldResourceProperties"):
        if key in event:
            event[key]["ServiceToken"] = event["ServiceToken"]
    return event


def seed_existing_pools(
    cognito: CognitoIdentityProviderClient, dynamodb: DynamoDBClient, table: str, region: str
) -> None:
    """The three pools in embedded Cognito under their ids, the attached one as the Create left it."""
    pools: dict[str, LambdaConfigTypeTypeDef] = {
        THEIR_POOL_ID: {"PreTokenGeneration": THEIR_TOKEN_TRIGGER},
        ATTACHED_POOL_ID: {"PreTokenGeneration": THEIR_TOKEN_TRIGGER},
        TAKEN_POOL_ID: {"PreTokenGeneration": THEIR_TOKEN_TRIGGER, "PreSignUp": THEIR_SIGN_UP_TRIGGER},
    }
    for pool_id, lambda_config in pools.items():
        created = cognito.create_user_pool(
            PoolName="their-users", LambdaConfig=lambda_config, **THEIR_SETTINGS
        )
        file_pool_as(region, created["UserPool"]["Id"], pool_id)
    # The attachment the Create made, by the setup function's own logic: the slots set, what they held
    # recorded under the resource's name.
    triggers = PoolTriggers(cognito, AttachmentRecords(dynamodb, table))
    triggers.attach(ATTACHED_PHYSICAL_ID, attachment_from(properties(ATTACHED_POOL_ID, CREATED)))
