"""Sample events for the CustomMessage trigger (functions/custom_message), merged into events/ by
laptop.sample_events.

Shaped as Cognito sends them: placeholders instead of codes (Cognito fills in the real values after
the trigger answers), a response of nulls, and for AdminCreateUser no app client (Cognito's own
"CLIENT_ID_NOT_APPLICABLE") and a username placeholder.
"""

from __future__ import annotations

from typing import Any

from laptop.aws import REGION
from laptop.sample_state import JANE, SAMPLE_CLIENT_ID, SAMPLE_POOL_ID, SampleUser

Event = dict[str, Any]

SDK_VERSION = "aws-sdk-unknown-unknown"
CODE_PARAMETER = "{####}"
USERNAME_PARAMETER = "{username}"
LINK_PARAMETER = "{##Click Here##}"
NO_CLIENT = "CLIENT_ID_NOT_APPLICABLE"

# A user who chose German (the locale attribute a user may write), to show the second language.
GRETA = SampleUser(username="0b6e2f4a-93d1-4c58-a7e0-6d2c1b9f8a34", email="greta@example.com", locale="de")
NEW_PERSON = SampleUser(
    username="5f1d7c3b-2a84-4e96-b0c5-8d3e9a1f2b67", email="new.person@example.com", locale=""
)


def build_message_events() -> dict[str, Event]:
    """File stem -> event: one per source we word, one for a German user, one for a source we do not."""
    return {
        "custom_message_sign_up": _message("SignUp", NEW_PERSON, status="UNCONFIRMED"),
        "custom_message_resend_code": _message("ResendCode", NEW_PERSON, status="UNCONFIRMED"),
        "custom_message_forgot_password": _message("ForgotPassword", JANE),
        "custom_message_forgot_password_de": _message("ForgotPassword", GRETA),
        "custom_message_update_user_attribute": _message("UpdateUserAttribute", JANE, verified=False),
        "custom_message_verify_user_attribute": _message("VerifyUserAttribute", JANE, verified=False),
        "custom_message_admin_create_user": _message(
            "AdminCreateUser", NEW_PERSON, status="FORCE_CHANGE_PASSWORD", client=NO_CLIENT
        ),
        "custom_message_authentication": _message("Authentication", JANE),
        # A source Cognito might add one day: the response stays untouched and Cognito's default goes out.
        "custom_message_unknown_source": _message("SomethingNew", JANE),
    }


def _message(
    source: str,
    user: SampleUser,
    *,
    status: str = "CONFIRMED",
    verified: bool = True,
    client: str = SAMPLE_CLIENT_ID,
) -> Event:
    attributes = {
        "sub": user.username,
        "email": user.email,
        "email_verified": "true" if verified else "false",
        "cognito:user_status": status,
    }
    if user.locale:
        attributes["locale"] = user.locale
    admin = source == "AdminCreateUser"
    return {
        "version": "1",
        "region": REGION,
        "userPoolId": SAMPLE_POOL_ID,
        "userName": user.username,
        "callerContext": {"awsSdkVersion": SDK_VERSION, "clientId": client},
        "triggerSource": f"CustomMessage_{source}",
        "request": {
            "userAttributes": attributes,
            "codeParameter": CODE_PARAMETER,
            "linkParameter": LINK_PARAMETER,
            "usernameParameter": USERNAME_PARAMETER if admin else None,
        },
        "response": {"smsMessage": None, "emailMessage": None, "emailSubject": None},
    }
