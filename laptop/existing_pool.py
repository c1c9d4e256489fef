"""A user pool someone else made, as a team that already runs Cognito has one: every setting moto
stores set away from its default, another team's PreTokenGeneration trigger, a password app client
and users who sign in with passwords. Attaching this product must leave all of it as it was.

`make demo EXISTING_POOL=1` starts the local stack on `create_team_pool`'s pool; the tests attach to
`create_existing_pool`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from laptop.aws import REGION

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

ACCOUNT_ID = "123456789012"
THEIR_TOKEN_TRIGGER = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:their-pre-token-generation"
THEIR_SIGN_UP_TRIGGER = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:their-pre-sign-up"
# This product's functions as a stack names them, for the slots an attachment sets by default.
OUR_FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:passwordless-{{}}"
OUR_TRIGGERS = {
    "DefineAuthChallenge": OUR_FUNCTION.format("define"),
    "CreateAuthChallenge": OUR_FUNCTION.format("create"),
    "VerifyAuthChallengeResponse": OUR_FUNCTION.format("verify"),
    "PreSignUp": OUR_FUNCTION.format("pre-sign-up"),
}

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


# The team's users. Usernames are their own ids; the email is an alias, verified or not.
ANN = {
    "Username": "5f0c2a9e-ann",
    "email": "ann@example.com",
    "password": "Their-Password-123!",  # nosec B105 - a demo user's, in the laptop's own moto pool
}
BOB = {"Username": "9b1d7e44-bob", "email": "bob@example.com"}
THEIR_CLIENT_NAME = "their-web"


def create_team_pool(cognito: CognitoIdentityProviderClient) -> str:
    """Their pool with their password app client and two users: Ann (verified email, a password)
    and Bob (an address never verified). The pool's id."""
    pool_id = create_existing_pool(cognito, DeletionProtection="INACTIVE")
    cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=THEIR_CLIENT_NAME,
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )
    for user, verified in ((ANN, "true"), (BOB, "false")):
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=user["Username"],
            UserAttributes=[
                {"Name": "email", "Value": user["email"]},
                {"Name": "email_verified", "Value": verified},
            ],
            MessageAction="SUPPRESS",
        )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=ANN["Username"], Password=ANN["password"], Permanent=True
    )
    return pool_id
