"""A user pool someone else made, as a team that already runs Cognito has one: every setting moto
stores set away from its default, another team's PreTokenGeneration trigger, a password app client
and users who sign in with passwords. Attaching this product must leave all of it as it was."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

THEIR_TOKEN_TRIGGER = "arn:aws:lambda:us-east-1:123456789012:function:their-pre-token-generation"
THEIR_SIGN_UP_TRIGGER = "arn:aws:lambda:us-east-1:123456789012:function:their-pre-sign-up"

POOL_SETTINGS: dict[str, Any] = {
    "PoolName": "their-users",
    "Policies": {
        "PasswordPolicy": {
            "MinimumLength": 14,
            "RequireUppercase": True,
            "RequireLowercase": True,
            "RequireNumbers": True,
            "RequireSymbols": False,
            "TemporaryPasswordValidityDays": 3,
        }
    },
    "DeletionProtection": "ACTIVE",
    "LambdaConfig": {"PreTokenGeneration": THEIR_TOKEN_TRIGGER},
    "AutoVerifiedAttributes": ["email"],
    "AliasAttributes": ["email", "preferred_username"],
    "VerificationMessageTemplate": {
        "EmailMessage": "Your code is {####}",
        "EmailSubject": "Verify your address",
        "DefaultEmailOption": "CONFIRM_WITH_CODE",
    },
    "SmsAuthenticationMessage": "Your sign-in code is {####}",
    "MfaConfiguration": "OPTIONAL",
    "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True},
    "EmailConfiguration": {
        "EmailSendingAccount": "COGNITO_DEFAULT",
        "ReplyToEmailAddress": "help@example.com",
    },
    "UserPoolTags": {"team": "identity", "cost-centre": "42"},
    "AdminCreateUserConfig": {
        "AllowAdminCreateUserOnly": True,
        "InviteMessageTemplate": {
            "EmailMessage": "Hello {username}, your password is {####}",
            "EmailSubject": "Welcome",
            "SMSMessage": "Hello {username}: {####}",
        },
    },
    "Schema": [{"Name": "tenant", "AttributeDataType": "String", "Mutable": True}],
    "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]},
    "UsernameConfiguration": {"CaseSensitive": False},
    "AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
}


def create_existing_pool(cognito: CognitoIdentityProviderClient, **overrides: Any) -> str:  # noqa: ANN401
    """The pool's id; `overrides` replace settings (a LambdaConfig with a taken slot, say)."""
    pool = cognito.create_user_pool(**{**POOL_SETTINGS, **overrides})["UserPool"]
    return pool["Id"]
