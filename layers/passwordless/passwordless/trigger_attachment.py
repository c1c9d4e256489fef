"""This product's triggers on a user pool it did not create, and the pool put back when they leave.

Cognito's UpdateUserPool resets every setting it is not given to its default: a write meant to change
two trigger slots would also wipe the pool's MFA, messages, recovery and the rest. So every write here
carries every writable setting the pool reports, read with DescribeUserPool and kept to the members
botocore's UpdateUserPool input declares (nested structures too), and changes only the LambdaConfig
slots this product owns. A pool that reports a setting this botocore cannot name is refused with
nothing written, since that setting could not be written back.

What each slot held before is recorded (in the stack's table) before the first write, so the stack's
deletion restores it; a slot someone changed since is left as they set it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError
from botocore.model import ListShape, MapShape, Shape, StructureShape

from passwordless.dynamodb_values import error_name, item_key_value, read_item, string_value
from passwordless.errors import StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient

# The LambdaConfig entries this product may set; a pool's other triggers are never touched.
OWNED_SLOTS = (
    "PreSignUp",
    "DefineAuthChallenge",
    "CreateAuthChallenge",
    "VerifyAuthChallengeResponse",
    "PostAuthentication",
    "CustomMessage",
)
USER_POOL_ID = re.compile(r"^[\w-]+_[0-9a-zA-Z]+$")
FUNCTION_ARN = re.compile(r"^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$")
# UpdateUserPool's members whose DescribeUserPool counterparts carry another name.
RENAMED = {"UserPoolId": "Id", "PoolName": "Name"}


class AttachmentRefused(Exception):
    """Why the pool was left as it was, in words for the stack's events: slot names, a pool id and
    function ARNs, never a secret."""


class PoolNotFound(AttachmentRefused):
    pass


def writable(value: Any, shape: Shape) -> Any:  # noqa: ANN401 - a DescribeUserPool value
    """`value` reduced to what `shape` (an UpdateUserPool input shape) can carry, at every depth."""
    if isinstance(shape, StructureShape) and isinstance(value, Mapping):
        return {
            name: writable(value[name], member) for name, member in shape.members.items() if name in value
        }
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [writable(item, shape.member) for item in value]
    if isinstance(shape, MapShape) and isinstance(value, Mapping):
        return {key: writable(item, shape.value) for key, item in value.items()}
    return value


def update_request(pool: Mapping[str, Any], shape: StructureShape) -> dict[str, Any]:
    """UpdateUserPool's arguments that leave `pool` (DescribeUserPool's UserPool) exactly as it is."""
    request: dict[str, Any] = {}
    for name, member in shape.members.items():
        source = RENAMED.get(name, name)
        if source in pool:
            request[name] = writable(pool[source], member)
    return request


def unknown_settings(raw: Any, shape: Shape, path: str = "UserPool") -> list[str]:  # noqa: ANN401 - JSON
    """Where DescribeUserPool's raw JSON holds a member `shape` (its output shape) does not declare:
    botocore drops those when it parses, so no write could carry them back."""
    found: list[str] = []
    if isinstance(shape, StructureShape) and isinstance(raw, Mapping):
        for name, value in raw.items():
            if name not in shape.members:
                found.append(f"{path}.{name}")
            else:
                found += unknown_settings(value, shape.members[name], f"{path}.{name}")
    elif isinstance(shape, ListShape) and isinstance(raw, list):
        for index, item in enumerate(raw):
            found += unknown_settings(item, shape.member, f"{path}[{index}]")
    elif isinstance(shape, MapShape) and isinstance(raw, Mapping):
        for key, item in raw.items():
            found += unknown_settings(item, shape.value, f"{path}.{key}")
    return found


@dataclass(frozen=True)
class Attachment:
    """One stack's claim on a pool: the slots it sets, to which function, and whether it may take a
    slot another function holds."""

    user_pool_id: str
    triggers: Mapping[str, str]
    replace_existing: bool = False
    sms_role_arn: str = ""
    """The pool's SNS caller role, which a write passes back to Cognito: the stack may pass only it."""

    def __post_init__(self) -> None:
        stray = sorted(set(self.triggers) - set(OWNED_SLOTS))
        if stray:
            raise AttachmentRefused(f"not a trigger this product sets: {', '.join(stray)}")


def attachment_from(properties: Mapping[str, Any]) -> Attachment:
    """The custom resource's properties: UserPoolId, Triggers ({slot: function ARN}) and
    ReplaceExistingTriggers ("true" or "false", as CloudFormation passes every value as text)."""
    pool, triggers = properties.get("UserPoolId"), properties.get("Triggers", {})
    replace = properties.get("ReplaceExistingTriggers", "false")
    sms_role = properties.get("SmsRoleArn", "")
    if not isinstance(pool, str) or not USER_POOL_ID.match(pool):
        raise AttachmentRefused("UserPoolId must be a user pool id such as us-east-1_Abc123")
    if not isinstance(triggers, Mapping) or not all(
        isinstance(arn, str) and FUNCTION_ARN.match(arn) for arn in triggers.values()
    ):
        raise AttachmentRefused("Triggers must map trigger names to Lambda function ARNs")
    if replace not in ("true", "false"):
        raise AttachmentRefused("ReplaceExistingTriggers must be true or false")
    if not isinstance(sms_role, str):
        raise AttachmentRefused("SmsRoleArn must be empty or an IAM role ARN")
    return Attachment(pool, dict(triggers), replace_existing=replace == "true", sms_role_arn=sms_role)


def check_sms_role(pool: Mapping[str, Any], allowed: str) -> None:
    """Refuses a pool whose SMS role the stack may not pass back to Cognito (its write would be
    denied half-way otherwise)."""
    role = pool.get("SmsConfiguration", {}).get("SnsCallerArn")
    if role and role != allowed:
        raise AttachmentRefused(
            f"the user pool sends SMS through the role {role}; set ExistingPoolSmsRoleArn to it, so the "
            "stack may hand it back to Cognito when it writes the pool's settings"
        )


def attached(
    config: Mapping[str, Any], wanted: Attachment, ours_before: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The LambdaConfig with `wanted`'s slots set, and the functions it replaced, by slot.

    A slot is free when empty, already the wanted function, or held by `ours_before` (this stack's
    previous functions, on an update). Another function's slot is refused unless replace_existing."""
    replaced: dict[str, str] = {}
    for slot, function in wanted.triggers.items():
        current = config.get(slot)
        if not current or current in (function, ours_before.get(slot)):
            continue
        if not wanted.replace_existing:
            raise AttachmentRefused(
                f"the user pool's {slot} trigger is {current}; set ReplaceExistingTriggers=true to replace "
                "it (it is put back when this stack is deleted), or skip this product's trigger there"
            )
        replaced[slot] = current
    return {**config, **wanted.triggers}, replaced


def released(
    config: Mapping[str, Any], ours: Mapping[str, str], previous: Mapping[str, str | None]
) -> dict[str, Any]:
    """The LambdaConfig with each slot that still holds our function given back what it held."""
    restored = dict(config)
    for slot, function in ours.items():
        if config.get(slot) != function:
            continue  # someone changed it since: theirs now
        before = previous.get(slot)
        if before:
            restored[slot] = before
        else:
            restored.pop(slot, None)
    return restored


class AttachmentRecords:
    """What each slot held before this stack took it, one item per attachment in the stack's table.

    The key ("attachment#<id>") cannot meet a sign-in item's ("<pool id>#<username>"): a pool id
    starts with its region."""

    def __init__(self, db: DynamoDBClient, table: str) -> None:
        self._db = db
        self._table = table

    @staticmethod
    def _key(attachment_id: str) -> str:
        return f"attachment#{attachment_id}"

    def read(self, attachment_id: str) -> dict[str, str | None]:
        item = read_item(self._db, self._table, self._key(attachment_id))
        if item is None:
            return {}
        previous: dict[str, str | None] = json.loads(item["previous"]["S"])
        return previous

    def write(self, attachment_id: str, previous: Mapping[str, str | None]) -> None:
        item = {
            **item_key_value(self._key(attachment_id)),
            "previous": string_value(json.dumps(dict(previous))),
        }
        try:
            self._db.put_item(TableName=self._table, Item=item)
        except (ClientError, BotoCoreError) as error:
            raise StorageUnavailable(error_name(error)) from None

    def forget(self, attachment_id: str) -> None:
        try:
            self._db.delete_item(TableName=self._table, Key=item_key_value(self._key(attachment_id)))
        except (ClientError, BotoCoreError) as error:
            raise StorageUnavailable(error_name(error)) from None


class PoolTriggers:
    """Reads and writes one pool's LambdaConfig, carrying every other setting through unchanged."""

    def __init__(self, cognito: CognitoIdentityProviderClient, records: AttachmentRecords) -> None:
        self._cognito = cognito
        self._records = records
        model = cognito.meta.service_model
        update_shape = model.operation_model("UpdateUserPool").input_shape
        if not isinstance(update_shape, StructureShape):
            raise TypeError("botocore's Cognito model has no UpdateUserPool input")
        self._update_shape = update_shape
        self._pool_shape = model.shape_for("UserPoolType")
        self._raw_pool: Any = None
        cognito.meta.events.register("after-call.cognito-idp.DescribeUserPool", self._keep_raw)

    def _keep_raw(self, http_response: Any, **_: Any) -> None:  # noqa: ANN401 - botocore's event
        self._raw_pool = json.loads(http_response.content or b"{}").get("UserPool")

    def _describe(self, user_pool_id: str) -> dict[str, Any]:
        self._raw_pool = None
        try:
            pool = self._cognito.describe_user_pool(UserPoolId=user_pool_id)["UserPool"]
        except self._cognito.exceptions.ResourceNotFoundException:
            raise PoolNotFound(f"no user pool {user_pool_id} in this account and region") from None
        if self._raw_pool is None:
            # Without the answer as sent, nothing shows what botocore dropped: write nothing.
            raise AttachmentRefused("the user pool's settings could not be read as Cognito sent them")
        unknown = unknown_settings(self._raw_pool, self._pool_shape)
        if unknown:
            raise AttachmentRefused(
                "the user pool has settings this function's AWS SDK cannot write back "
                f"({', '.join(unknown)}); deploy a release with a newer SDK"
            )
        return dict(pool)

    def _write(self, pool: Mapping[str, Any], config: Mapping[str, Any]) -> None:
        if dict(config) == dict(pool.get("LambdaConfig", {})):
            return  # nothing to change (a retried request): no write at all
        request = update_request({**pool, "LambdaConfig": config}, self._update_shape)
        self._cognito.update_user_pool(**request)

    def attach(
        self, attachment_id: str, wanted: Attachment, ours_before: Mapping[str, str] | None = None
    ) -> None:
        """Sets `wanted`'s slots; on an update, `ours_before` are the slots the stack set until now,
        and those no longer wanted are given back."""
        before = dict(ours_before or {})
        pool = self._describe(wanted.user_pool_id)
        check_sms_role(pool, wanted.sms_role_arn)
        config, replaced = attached(pool.get("LambdaConfig", {}), wanted, before)
        previous = self._records.read(attachment_id)
        dropped = {slot: function for slot, function in before.items() if slot not in wanted.triggers}
        config = released(config, dropped, previous)
        # The first record of a slot wins, so a retried request never records our own function.
        record = {slot: previous.get(slot, replaced.get(slot)) for slot in wanted.triggers}
        # Recorded before the write: a write that fails after it leaves nothing a deletion cannot undo.
        self._records.write(attachment_id, record)
        self._write(pool, config)

    def detach(self, attachment_id: str, attachment: Attachment) -> None:
        """Gives back every slot that still holds our function; a pool already gone needs nothing."""
        try:
            pool = self._describe(attachment.user_pool_id)
        except PoolNotFound:
            self._records.forget(attachment_id)
            return
        check_sms_role(pool, attachment.sms_role_arn)
        ours = attachment.triggers
        previous = self._records.read(attachment_id)
        self._write(pool, released(pool.get("LambdaConfig", {}), ours, previous))
        self._records.forget(attachment_id)
