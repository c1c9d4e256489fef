"""CustomMessage trigger: the messages Cognito itself sends (sign-up and attribute verification codes,
password reset, admin invitations, MFA codes), worded by our templates in the user's language.

Cognito hands us placeholders (request.codeParameter, usually "{####}", and for AdminCreateUser
request.usernameParameter, usually "{username}") and swaps in the real values after we answer, so no
secret ever passes through this function. Each placeholder must appear in our text exactly as given,
exactly once: it is passed to the templates as a value (a "{#" written into a template would open a
Jinja comment) and accepted only when HTML autoescaping cannot change it.

Whatever we cannot handle (a malformed event, a source we have no templates for, a message over
Cognito's limits) leaves the response as Cognito sent it, so Cognito sends its default message: a
verification email in the wrong words is better than none, and raising would fail the user's action.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from passwordless.email.locales import LOCALES, app_name_for, resolve_locale
from passwordless.email.template_sets import TemplateSets, one_line
from passwordless.events import MalformedEvent

if TYPE_CHECKING:
    from passwordless.security_events import SecurityLog
    from passwordless.settings import Settings

Event = dict[str, Any]

TRIGGER_PREFIX = "CustomMessage_"
SOURCES: Mapping[str, str] = {
    "CustomMessage_SignUp": "sign_up",
    "CustomMessage_ResendCode": "resend_code",
    "CustomMessage_ForgotPassword": "forgot_password",
    "CustomMessage_UpdateUserAttribute": "update_user_attribute",
    "CustomMessage_VerifyUserAttribute": "verify_user_attribute",
    "CustomMessage_AdminCreateUser": "admin_create_user",
    "CustomMessage_Authentication": "authentication",
}
"""triggerSource -> its template set, templates/<locale>/cognito/<name>/."""

# Cognito's limits on what the trigger returns (MessageTemplateType): longer is refused.
MAX_EMAIL_MESSAGE = 20_000
MAX_EMAIL_SUBJECT = 140
MAX_SMS_MESSAGE = 140

_MAX_PLACEHOLDER = 64
_MAX_SOURCE = 64
_MAX_ATTRIBUTE = 2048  # Cognito's own limit on an attribute value
_ESCAPED_BY_HTML = frozenset("<>&\"'")
_PARTS = ("subject.txt", "body.html", "sms.txt")
TEMPLATES = TemplateSets(LOCALES, (f"cognito/{name}" for name in SOURCES.values()), _PARTS)


@dataclass(frozen=True)
class CustomMessageRequest:
    source: str
    """The triggerSource, which may be one we do not handle (see `template`)."""
    locale: str
    """userAttributes.locale as the user set it ("" for none); resolved against what we ship later."""
    code_parameter: str
    username_parameter: str
    """"" unless Cognito sent one (AdminCreateUser)."""

    @property
    def template(self) -> str | None:
        return SOURCES.get(self.source)


@dataclass(frozen=True)
class CognitoMessage:
    email_subject: str
    email_message: str
    sms_message: str


def parse_custom_message(event: object) -> CustomMessageRequest:
    """The fields a CustomMessage event must have for us to answer it; MalformedEvent otherwise.

    Any CustomMessage_ source parses (so an event file for a source Cognito adds later still runs);
    whether we have templates for it is `template`'s answer."""
    if not isinstance(event, dict):
        raise MalformedEvent("the event must be a JSON object")
    source = event.get("triggerSource")
    if not isinstance(source, str) or not source.startswith(TRIGGER_PREFIX) or len(source) > _MAX_SOURCE:
        raise MalformedEvent("triggerSource is not one this trigger handles")
    request = event.get("request")
    if not isinstance(request, dict):
        raise MalformedEvent("request must be an object")
    if not isinstance(event.get("response"), dict):
        raise MalformedEvent("response must be an object")
    attributes = request.get("userAttributes", {})
    if not isinstance(attributes, dict):
        raise MalformedEvent("request.userAttributes must be an object")
    locale = attributes.get("locale", "")
    if not isinstance(locale, str) or len(locale) > _MAX_ATTRIBUTE:
        raise MalformedEvent("request.userAttributes.locale must be a string")
    code = _placeholder(request, "codeParameter")
    if code is None:
        raise MalformedEvent("request.codeParameter must be a placeholder")
    username = _placeholder(request, "usernameParameter")
    if username is None and source == "CustomMessage_AdminCreateUser":
        raise MalformedEvent("request.usernameParameter must be a placeholder")
    return CustomMessageRequest(source, locale, code, username or "")


def _placeholder(request: Mapping[str, Any], key: str) -> str | None:
    """A placeholder our text can carry verbatim: short, printable, no whitespace, and nothing HTML
    autoescaping would rewrite (Cognito would then not find it and send the placeholder itself)."""
    value = request.get(key)
    if value is None:
        return None
    if (
        not isinstance(value, str)
        or not 0 < len(value) <= _MAX_PLACEHOLDER
        or not value.isprintable()
        or any(c.isspace() or c in _ESCAPED_BY_HTML for c in value)
    ):
        raise MalformedEvent(f"request.{key} must be a placeholder")
    return value


def compose(request: CustomMessageRequest, template: str, settings: Settings) -> CognitoMessage:
    """Our subject, HTML email and SMS for one source, in the user's language."""
    locale = resolve_locale(request.locale, settings.default_locale)
    subject_template, html_template, sms_template = TEMPLATES[(locale, f"cognito/{template}")]
    context: dict[str, Any] = {
        "app_name": app_name_for(settings, locale),
        "locale": locale,
        "code": request.code_parameter,
        "username": request.username_parameter,
    }
    subject = one_line(subject_template.render(context))
    context["subject"] = subject
    return CognitoMessage(
        email_subject=subject,
        email_message=html_template.render(context),
        sms_message=one_line(sms_template.render(context)),
    )


def respond_to_custom_message(event: Event, audit: SecurityLog, settings: Settings) -> Event:
    """The event with our message in its response, or exactly as it came when we cannot answer it."""
    try:
        request = parse_custom_message(event)
    except MalformedEvent as error:
        return _left_to_cognito(event, audit, str(error))
    if request.template is None:
        return _left_to_cognito(event, audit, "no templates for this triggerSource")
    message = compose(request, request.template, settings)
    problem = _problem(request, message)
    if problem:
        return _left_to_cognito(event, audit, problem)
    response = {
        **event["response"],
        "emailSubject": message.email_subject,
        "emailMessage": message.email_message,
        "smsMessage": message.sms_message,
    }
    return {**event, "response": response}


def _left_to_cognito(event: Event, audit: SecurityLog, reason: str) -> Event:
    audit.event("rejected", trigger="custom_message", reason=reason)
    return event


def _problem(request: CustomMessageRequest, message: CognitoMessage) -> str:
    """Why Cognito would refuse this message (or send a broken one); "" when it is fine.

    A configured APP_NAME can make a subject or an SMS too long; Cognito's default then beats a
    failed sign-up."""
    if len(message.email_subject) > MAX_EMAIL_SUBJECT:
        return "the email subject is over Cognito's limit"
    if len(message.email_message) > MAX_EMAIL_MESSAGE:
        return "the email message is over Cognito's limit"
    if len(message.sms_message) > MAX_SMS_MESSAGE:
        return "the SMS message is over Cognito's limit"
    placeholders = [request.code_parameter]
    if request.template == "admin_create_user":
        placeholders.append(request.username_parameter)
    for placeholder in placeholders:
        for part in (message.email_message, message.sms_message):
            if part.count(placeholder) != 1:
                return "a placeholder is not in the message exactly once"
    return ""
