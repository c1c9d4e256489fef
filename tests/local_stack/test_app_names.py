"""Every email a German reader gets from the local stack calls the app by the German name
APP_NAMES_BY_LOCALE gives it, never by the English APP_NAME: the sign-in link, the new-sign-in notice,
an email change's code and its notice, an administrator's invitation, and Cognito's own invitation
worded by CustomMessage. Each comes from a different place in the code that composes an email."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.local_stack import JANE_EMAIL, JOHN_EMAIL, Mail, RunningStack, start_stack

ENGLISH = "the passwordless demo"
GERMAN = "die Passwordless-Demo"


@pytest.fixture
def named_stack(tmp_path: Path) -> Iterator[RunningStack]:
    yield from start_stack(
        tmp_path,
        RESEND_MIN_SECONDS="0",
        NOTIFY_NEW_SIGN_IN="true",
        APP_NAME=ENGLISH,
        APP_NAMES_BY_LOCALE=f'{{"de": "{GERMAN}"}}',
    )


def assert_german_name(mail: Mail) -> None:
    assert GERMAN in mail.subject, mail.subject
    assert GERMAN in mail.text
    for part in (mail.subject, mail.text, mail.html):
        assert ENGLISH not in part


def test_a_german_readers_sign_in_and_its_notice_name_the_app_in_german(named_stack: RunningStack) -> None:
    # When John (locale de) signs in by link
    named_stack.sign_in_by_link(JOHN_EMAIL)

    # Then the sign-in email and the new-sign-in notice both use the German name
    sign_in, notice = named_stack.mail_to(JOHN_EMAIL)
    assert_german_name(sign_in)
    assert_german_name(notice)
    # And Jane, who set no locale, reads the English one
    named_stack.sign_in_by_link(JANE_EMAIL)
    assert all(ENGLISH in mail.subject for mail in named_stack.mail_to(JANE_EMAIL))


def test_a_german_readers_email_change_names_the_app_in_german(named_stack: RunningStack) -> None:
    tokens = named_stack.sign_in_by_link(JOHN_EMAIL)

    status, _ = named_stack.api(
        "/account/email", {"email": "john.neu@example.org"}, token=tokens["AccessToken"]
    )
    assert status == 202
    [code_mail] = named_stack.mail_to("john.neu@example.org")
    assert_german_name(code_mail)
    status, _ = named_stack.api(
        "/account/email/confirm",
        {"email": "john.neu@example.org", "code": code_mail.code},
        token=tokens["AccessToken"],
    )

    assert status == 200
    assert_german_name(named_stack.mail_to(JOHN_EMAIL)[-1])


def test_an_invitation_to_a_german_reader_names_the_app_in_german(named_stack: RunningStack) -> None:
    named_stack.add_to_group(named_stack.jane, "admins")
    admin = named_stack.sign_in_by_link(JANE_EMAIL)

    status, answer = named_stack.api(
        "/invitations", {"email": "neu@example.org", "locale": "de"}, token=admin["AccessToken"]
    )

    assert status == 201, answer
    [invitation] = named_stack.mail_to("neu@example.org")
    assert_german_name(invitation)


def test_cognitos_own_invitation_to_a_german_reader_names_the_app_in_german(
    named_stack: RunningStack,
) -> None:
    # AdminCreateUser's message is Cognito's, worded by the CustomMessage trigger
    named_stack.idp.admin_create_user(
        UserPoolId=named_stack.pool_id,
        Username="anna@example.org",
        UserAttributes=[{"Name": "email", "Value": "anna@example.org"}, {"Name": "locale", "Value": "de"}],
        DesiredDeliveryMediums=["EMAIL"],
    )

    [mail] = named_stack.mail_to("anna@example.org")
    assert GERMAN in mail.subject
    assert ENGLISH not in mail.subject + mail.html
