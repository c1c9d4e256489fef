"""Sign-ins through the local stack as an app makes them: boto3 over HTTP, nothing but an endpoint
override, against the real trigger handlers."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError

from tests.support.local_stack import JANE_EMAIL, JOHN_EMAIL, RunningStack


def refusal(call: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - the test's own 127.0.0.1 URL
        return json.loads(response.read())


def verified_claims(stack: RunningStack, token: str, **expected: str) -> dict[str, Any]:
    """Claims of a token checked the way an app checks Cognito's: signature by the JWKS URL's key."""
    config = get_json(f"{stack.stack.url}local/config")
    key = jwt.PyJWKClient(config["jwksUri"]).get_signing_key_from_jwt(token)
    claims: dict[str, Any] = jwt.decode(
        token, key.key, algorithms=["RS256"], issuer=config["issuer"], options={"verify_aud": False}
    )
    for name, value in expected.items():
        assert claims[name] == value, name
    return claims


def test_a_typed_code_signs_in_within_the_session_that_asked(local_stack: RunningStack) -> None:
    challenge = local_stack.initiate(JANE_EMAIL)

    assert challenge["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert challenge["ChallengeParameters"]["email"] == "j\u2022\u2022\u2022@example.com"
    assert challenge["ChallengeParameters"]["USERNAME"] == local_stack.jane
    [mail] = local_stack.mail()
    assert mail.to == JANE_EMAIL
    assert mail.code not in json.dumps(challenge)
    assert mail.link_token not in json.dumps(challenge)

    result = local_stack.answer(challenge, mail.code)["AuthenticationResult"]

    id_claims = verified_claims(local_stack, result["IdToken"], token_use="id", email=JANE_EMAIL)
    assert id_claims["aud"] == local_stack.client_id
    assert id_claims["cognito:username"] == local_stack.jane
    assert id_claims["email_verified"] is True
    assert not [claim for claim in id_claims if claim.startswith("cognito:") and claim != "cognito:username"]
    access = verified_claims(
        local_stack, result["AccessToken"], token_use="access", username=local_stack.jane
    )
    assert access["client_id"] == local_stack.client_id
    assert result["TokenType"] == "Bearer"
    assert result["ExpiresIn"] == 3600  # template.yaml: AccessTokenValidity 60 minutes
    assert local_stack.idp.get_user(AccessToken=result["AccessToken"])["Username"] == local_stack.jane


def test_the_link_signs_in_from_a_fresh_session_without_a_second_email(local_stack: RunningStack) -> None:
    asking = local_stack.initiate(JANE_EMAIL)
    [mail] = local_stack.mail()

    # The link opened elsewhere: a new InitiateAuth, answered with the token from the fragment.
    landing = local_stack.initiate(JANE_EMAIL)
    result = local_stack.answer(landing, mail.link_token)

    assert "AuthenticationResult" in result
    assert len(local_stack.mail()) == 1, "reusing the live secret sends nothing"
    # The secret is spent: the asking session's code no longer works.
    retry = local_stack.answer(asking, mail.code)
    assert retry["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert "AuthenticationResult" not in retry


def test_resend_voids_the_first_secret_and_the_new_code_works(local_stack: RunningStack) -> None:
    challenge = local_stack.initiate(JANE_EMAIL)
    [first] = local_stack.mail()

    again = local_stack.answer(challenge, "resend", ClientMetadata={"resend": "true"})
    second = local_stack.mail()[-1]

    assert len(local_stack.mail()) == 2
    assert second.code != first.code
    wrong = local_stack.answer(again, first.code)
    assert "AuthenticationResult" not in wrong
    assert "AuthenticationResult" in local_stack.answer(wrong, second.code)


def test_resend_within_the_gap_sends_nothing_and_looks_the_same(throttled_stack: RunningStack) -> None:
    challenge = throttled_stack.initiate(JANE_EMAIL)

    again = throttled_stack.answer(challenge, "resend", ClientMetadata={"resend": "true"})

    assert len(throttled_stack.mail()) == 1
    assert again["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert set(again["ChallengeParameters"]) == set(challenge["ChallengeParameters"])
    # The first email still works.
    assert "AuthenticationResult" in throttled_stack.answer(again, throttled_stack.mail()[0].code)


def test_an_unknown_address_gets_the_same_answers_and_no_mail(local_stack: RunningStack) -> None:
    known = local_stack.initiate(JOHN_EMAIL)
    unknown = local_stack.initiate("nobody@example.com")

    assert set(unknown) == set(known)
    assert set(unknown["ChallengeParameters"]) == set(known["ChallengeParameters"])
    assert unknown["ChallengeParameters"]["email"] == "n\u2022\u2022\u2022@example.com"
    assert len(unknown["ChallengeParameters"]["USERNAME"]) == len(known["ChallengeParameters"]["USERNAME"])
    assert (
        local_stack.initiate("nobody@example.com")["ChallengeParameters"]["USERNAME"]
        == (unknown["ChallengeParameters"]["USERNAME"])
    )
    assert [mail.to for mail in local_stack.mail()] == [JOHN_EMAIL]

    def fail(challenge: dict[str, Any]) -> tuple[str, str]:
        for _ in range(2):
            challenge = local_stack.answer(challenge, "000000")
        return refusal(lambda: local_stack.answer(challenge, "000000"))

    assert fail(unknown) == fail(known) == ("NotAuthorizedException", "Incorrect username or password.")


def test_a_session_string_works_once(local_stack: RunningStack) -> None:
    challenge = local_stack.initiate(JANE_EMAIL)
    local_stack.answer(challenge, "000000")

    code, message = refusal(lambda: local_stack.answer(challenge, local_stack.mail()[0].code))

    assert (code, message) == (
        "NotAuthorizedException",
        "Invalid session for the user, session can only be used once.",
    )


def test_a_session_expires_after_the_clients_auth_session_validity(local_stack: RunningStack) -> None:
    challenge = local_stack.initiate(JANE_EMAIL)
    local_stack.clock.advance(15 * 60 + 1)  # template.yaml: AuthSessionValidity 15

    code, message = refusal(lambda: local_stack.answer(challenge, local_stack.mail()[0].code))
    replay = refusal(lambda: local_stack.answer(challenge, local_stack.mail()[0].code))

    assert (code, message) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")
    assert replay == (code, message), "an expired session stays expired, it is not 'used'"


def test_a_session_is_still_good_just_before_it_expires(local_stack: RunningStack) -> None:
    challenge = local_stack.initiate(JANE_EMAIL)
    local_stack.clock.advance(15 * 60 - 5)

    # Only the session's clock moved (the secret's lives in the handlers), so a wrong answer shows
    # the session was accepted: Cognito answers with the next challenge, not a session error.
    assert local_stack.answer(challenge, "000000")["ChallengeName"] == "CUSTOM_CHALLENGE"


def test_refresh_token_auth_issues_new_tokens_until_the_refresh_token_is_revoked(
    local_stack: RunningStack,
) -> None:
    challenge = local_stack.initiate(JANE_EMAIL)
    signed_in = local_stack.answer(challenge, local_stack.mail()[0].code)["AuthenticationResult"]
    refresh = {"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": local_stack.client_id}

    renewed = local_stack.idp.initiate_auth(
        **refresh, AuthParameters={"REFRESH_TOKEN": signed_in["RefreshToken"]}
    )

    result = renewed["AuthenticationResult"]
    assert "RefreshToken" not in result
    claims = verified_claims(local_stack, result["IdToken"], token_use="id", email=JANE_EMAIL)
    assert claims["jti"] != jwt.decode(signed_in["IdToken"], options={"verify_signature": False})["jti"]
    local_stack.idp.revoke_token(Token=signed_in["RefreshToken"], ClientId=local_stack.client_id)
    assert (
        refusal(
            lambda: local_stack.idp.initiate_auth(
                **refresh, AuthParameters={"REFRESH_TOKEN": signed_in["RefreshToken"]}
            )
        )[0]
        == "NotAuthorizedException"
    )


def test_a_forged_refresh_token_is_refused(local_stack: RunningStack) -> None:
    forged = jwt.encode(
        {"token_use": "refresh", "username": local_stack.jane}, "a-guessed-key-" * 3, algorithm="HS256"
    )

    code, message = refusal(
        lambda: local_stack.idp.initiate_auth(
            AuthFlow="REFRESH_TOKEN_AUTH",
            ClientId=local_stack.client_id,
            AuthParameters={"REFRESH_TOKEN": forged},
        )
    )

    assert (code, message) == ("NotAuthorizedException", "Invalid Refresh Token")


def test_the_admin_operations_sign_in_the_same_way(local_stack: RunningStack) -> None:
    ids = {"UserPoolId": local_stack.pool_id, "ClientId": local_stack.client_id}
    challenge = local_stack.idp.admin_initiate_auth(
        **ids, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": JANE_EMAIL}
    )

    result = local_stack.idp.admin_respond_to_auth_challenge(
        **ids,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": challenge["ChallengeParameters"]["USERNAME"],
            "ANSWER": local_stack.mail()[0].code,
        },
    )

    verified_claims(local_stack, result["AuthenticationResult"]["IdToken"], email=JANE_EMAIL)


def test_an_address_typed_with_capitals_finds_the_account(local_stack: RunningStack) -> None:
    challenge = local_stack.initiate("Jane@Example.COM")

    assert challenge["ChallengeParameters"]["USERNAME"] == local_stack.jane
    assert [mail.to for mail in local_stack.mail()] == [JANE_EMAIL]


def test_a_disabled_user_cannot_sign_in(local_stack: RunningStack) -> None:
    local_stack.idp.admin_disable_user(UserPoolId=local_stack.pool_id, Username=JANE_EMAIL)

    assert refusal(lambda: local_stack.initiate(JANE_EMAIL)) == (
        "NotAuthorizedException",
        "User is disabled.",
    )
    assert local_stack.mail() == []


def test_a_user_disabled_mid_sign_in_gets_no_tokens(local_stack: RunningStack) -> None:
    challenge = local_stack.initiate(JANE_EMAIL)
    local_stack.idp.admin_disable_user(UserPoolId=local_stack.pool_id, Username=JANE_EMAIL)

    assert refusal(lambda: local_stack.answer(challenge, local_stack.mail()[0].code)) == (
        "NotAuthorizedException",
        "User is disabled.",
    )


def test_revoking_the_refresh_token_revokes_the_access_tokens_of_that_sign_in(
    local_stack: RunningStack,
) -> None:
    signed_in = local_stack.answer(local_stack.initiate(JANE_EMAIL), local_stack.mail()[0].code)[
        "AuthenticationResult"
    ]
    renewed = local_stack.idp.initiate_auth(
        AuthFlow="REFRESH_TOKEN_AUTH",
        ClientId=local_stack.client_id,
        AuthParameters={"REFRESH_TOKEN": signed_in["RefreshToken"]},
    )["AuthenticationResult"]

    local_stack.idp.revoke_token(Token=signed_in["RefreshToken"], ClientId=local_stack.client_id)

    for access_token in (signed_in["AccessToken"], renewed["AccessToken"]):
        assert refusal(lambda token=access_token: local_stack.idp.get_user(AccessToken=token)) == (
            "NotAuthorizedException",
            "Access Token has been revoked",
        )


def test_a_refresh_keeps_the_sign_ins_auth_time_and_origin(local_stack: RunningStack) -> None:
    signed_in = local_stack.answer(local_stack.initiate(JANE_EMAIL), local_stack.mail()[0].code)[
        "AuthenticationResult"
    ]
    local_stack.clock.advance(30 * 60)

    renewed = local_stack.idp.initiate_auth(
        AuthFlow="REFRESH_TOKEN_AUTH",
        ClientId=local_stack.client_id,
        AuthParameters={"REFRESH_TOKEN": signed_in["RefreshToken"]},
    )["AuthenticationResult"]

    before, after = (
        jwt.decode(r["IdToken"], options={"verify_signature": False}) for r in (signed_in, renewed)
    )
    assert after["auth_time"] == before["auth_time"], (
        "a refresh is not a new sign-in (step-up checks read this)"
    )
    assert after["origin_jti"] == before["origin_jti"]
    assert after["iat"] >= before["iat"] + 30 * 60
