"""The local stack's SRP server side against a real Cognito client (pycognito's AWSSRP): the password the
user has verifies, and nothing else does."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycognito import aws_srp

from laptop.local_stack import srp

POOL_ID = "eu-west-1_AbCd"
POOL_NAME = "AbCd"
LOGIN = "jane@example.com"
USER_ID = "8f1e6a52-3c1d-4b7a-9e0f-2a4b6c8d0e1f"
PASSWORD = "correct horse battery staple 1A!"


def _client(password: str = PASSWORD, pool_id: str = POOL_ID) -> aws_srp.AWSSRP:
    return aws_srp.AWSSRP(LOGIN, password, pool_id, "client-id", client=object())


def _sign_in(
    client: aws_srp.AWSSRP, challenge: srp.PasswordVerifierChallenge, user_id: str = USER_ID
) -> dict[str, str]:
    """The ChallengeResponses the client sends for this challenge."""
    parameters = challenge.challenge_parameters(username=USER_ID, user_id_for_srp=user_id)
    responses: dict[str, str] = client.process_challenge(parameters, client.get_auth_params())
    return responses


def _verifies(
    challenge: srp.PasswordVerifierChallenge,
    responses: dict[str, str],
    *,
    pool_name: str = POOL_NAME,
    user_id: str = USER_ID,
    secret_block: str | None = None,
) -> bool:
    return srp.verify_password_claim(
        challenge.key,
        pool_name=pool_name,
        user_id=user_id,
        secret_block=challenge.secret_block if secret_block is None else secret_block,
        timestamp=responses["TIMESTAMP"],
        signature=responses["PASSWORD_CLAIM_SIGNATURE"],
    )


def _challenge(
    client: aws_srp.AWSSRP, password: str = PASSWORD, **overrides: str
) -> srp.PasswordVerifierChallenge:
    arguments = {"pool_id": POOL_ID, "user_id": USER_ID, "password": password} | overrides
    return srp.start_password_verifier(srp_a=client.get_auth_params()["SRP_A"], **arguments)


def test_the_group_is_the_one_cognito_clients_use() -> None:
    assert int(aws_srp.N_HEX, 16) == srp.N
    assert srp.N.bit_length() == 3072
    assert int(aws_srp.G_HEX, 16) == srp.G
    assert _client().val_k == srp.K


@pytest.mark.parametrize("value", [0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, srp.N, srp.N - 1, srp.K])
def test_numbers_are_padded_as_the_clients_pad_them(value: int) -> None:
    assert srp._pad(value) == bytes.fromhex(aws_srp.pad_hex(value))


def test_the_key_is_the_one_the_client_derives() -> None:
    client = _client()
    challenge = _challenge(client)
    derived = client.get_password_authentication_key(
        USER_ID, PASSWORD, int(challenge.srp_b, 16), challenge.salt
    )
    assert challenge.key == derived
    assert len(challenge.key) == srp.KEY_LENGTH


def test_the_right_password_verifies() -> None:
    client = _client()
    challenge = _challenge(client)
    responses = _sign_in(client, challenge)
    assert responses["PASSWORD_CLAIM_SECRET_BLOCK"] == challenge.secret_block
    assert responses["USERNAME"] == USER_ID
    assert _verifies(challenge, responses)


def test_the_client_signs_over_user_id_for_srp_not_the_login() -> None:
    client = _client()
    challenge = _challenge(client)
    responses = _sign_in(client, challenge)
    assert _verifies(challenge, responses, user_id=USER_ID)
    assert not _verifies(challenge, responses, user_id=LOGIN)


def test_a_wrong_password_does_not_verify() -> None:
    client = _client(password=PASSWORD + "x")
    challenge = _challenge(client)
    assert not _verifies(challenge, _sign_in(client, challenge))


def test_a_tampered_timestamp_does_not_verify() -> None:
    client = _client()
    challenge = _challenge(client)
    responses = _sign_in(client, challenge)
    stamp = responses["TIMESTAMP"]
    hour = int(stamp.split(" ")[3][:2])
    tampered = stamp.replace(f" {hour:02d}:", f" {(hour + 1) % 24:02d}:", 1)
    assert tampered != stamp
    assert not _verifies(challenge, responses | {"TIMESTAMP": tampered})


def test_a_different_secret_block_does_not_verify() -> None:
    client = _client()
    challenge = _challenge(client)
    responses = _sign_in(client, challenge)
    other = base64.b64encode(secrets.token_bytes(64)).decode()
    assert not _verifies(challenge, responses, secret_block=other)
    assert not _verifies(challenge, responses, secret_block="not base64!")


def test_a_different_pool_or_user_does_not_verify() -> None:
    client = _client()
    challenge = _challenge(client)
    responses = _sign_in(client, challenge)
    assert not _verifies(challenge, responses, pool_name="AbCe")
    assert not _verifies(challenge, responses, pool_name=POOL_ID)
    assert not _verifies(challenge, responses, user_id=USER_ID + "x")


def test_a_challenge_for_another_pool_or_user_does_not_verify() -> None:
    client = _client()
    for_other_pool = _challenge(client, pool_id="eu-west-1_Other")
    assert not _verifies(for_other_pool, _sign_in(client, for_other_pool))
    for_other_user = _challenge(client, user_id="someone-else")
    assert not _verifies(for_other_user, _sign_in(client, for_other_user))


def test_a_client_of_another_pool_does_not_verify() -> None:
    client = _client(pool_id="us-east-1_AbCd2")
    challenge = _challenge(client)
    assert not _verifies(challenge, _sign_in(client, challenge))


@pytest.mark.parametrize(
    "signature",
    ["", "garbage!", "@@@@", "é", "\ud800", base64.b64encode(b"x" * 32).decode(), "AAAA" * 11],
)
def test_a_garbage_signature_does_not_verify(signature: str) -> None:
    client = _client()
    challenge = _challenge(client)
    responses = _sign_in(client, challenge)
    assert not _verifies(challenge, responses | {"PASSWORD_CLAIM_SIGNATURE": signature})


def test_text_no_client_could_encode_does_not_verify() -> None:
    client = _client()
    challenge = _challenge(client)
    responses = _sign_in(client, challenge)
    assert not _verifies(challenge, responses | {"TIMESTAMP": "\ud800"})
    assert not _verifies(challenge, responses, user_id="\udfff")


@pytest.mark.parametrize("multiple", [0, 1, 2, 7])
def test_an_srp_a_that_is_zero_mod_n_is_refused(multiple: int) -> None:
    with pytest.raises(srp.SrpRefused, match="zero"):
        srp.start_password_verifier(
            pool_id=POOL_ID, user_id=USER_ID, password=PASSWORD, srp_a=f"{srp.N * multiple:x}"
        )


@pytest.mark.parametrize("srp_a", ["", "xyz", "-1", "+1", "0x10", "1_0", " 10", "10 ", "1" * 2000])
def test_an_srp_a_that_is_not_hex_is_refused(srp_a: str) -> None:
    with pytest.raises(srp.SrpRefused, match="hex"):
        srp.start_password_verifier(pool_id=POOL_ID, user_id=USER_ID, password=PASSWORD, srp_a=srp_a)


def test_a_zero_u_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(srp, "_scrambler", lambda big_a, big_b: 0)
    with pytest.raises(srp.SrpRefused, match="u is zero"):
        _challenge(_client())


def test_a_pool_id_without_a_name_is_refused() -> None:
    assert srp.pool_name_of(POOL_ID) == POOL_NAME
    for pool_id in ["AbCd", "eu-west-1_", ""]:
        with pytest.raises(ValueError, match="not a user pool id"):
            srp.pool_name_of(pool_id)


def test_the_public_values_are_spelled_as_cognito_spells_them() -> None:
    challenge = _challenge(_client())
    for number in (challenge.salt, challenge.srp_b):
        assert number == f"{int(number, 16):x}"
    assert 0 < int(challenge.srp_b, 16) < srp.N
    assert int(challenge.salt, 16) < 2**128
    assert base64.b64encode(base64.b64decode(challenge.secret_block)).decode() == challenge.secret_block
    assert challenge.key.hex() not in repr(challenge)
    assert set(challenge.challenge_parameters(username="u", user_id_for_srp="i")) == {
        "SALT",
        "SECRET_BLOCK",
        "SRP_B",
        "USERNAME",
        "USER_ID_FOR_SRP",
    }


def test_each_challenge_draws_fresh_values() -> None:
    client = _client()
    first, second = _challenge(client), _challenge(client)
    assert first.salt != second.salt
    assert first.srp_b != second.srp_b
    assert first.secret_block != second.secret_block
    assert first.key != second.key


def _decoy(client: aws_srp.AWSSRP) -> srp.PasswordVerifierChallenge:
    return srp.decoy_password_verifier(
        pool_id=POOL_ID, user_id=USER_ID, srp_a=client.get_auth_params()["SRP_A"]
    )


def test_the_decoy_looks_like_a_challenge_and_never_verifies() -> None:
    client = _client()
    decoy = _decoy(client)
    genuine = _challenge(client)
    assert isinstance(decoy, srp.PasswordVerifierChallenge)
    assert 0 < int(decoy.srp_b, 16) < srp.N
    assert decoy.salt == f"{int(decoy.salt, 16):x}"
    assert len(base64.b64decode(decoy.secret_block)) == len(base64.b64decode(genuine.secret_block))
    responses = _sign_in(client, decoy)
    assert not _verifies(decoy, responses)
    message = (
        (POOL_NAME + USER_ID).encode() + base64.b64decode(decoy.secret_block) + b"Mon Jan 1 00:00:00 UTC 2024"
    )
    signed_with_its_key = base64.b64encode(hmac.digest(decoy.key, message, hashlib.sha256)).decode()
    assert not srp.verify_password_claim(
        decoy.key,
        pool_name=POOL_NAME,
        user_id=USER_ID,
        secret_block=decoy.secret_block,
        timestamp="Mon Jan 1 00:00:00 UTC 2024",
        signature=signed_with_its_key,
    )
    assert _decoy(client).salt != decoy.salt


@pytest.mark.parametrize("srp_a", [srp.N_HEX, "0", "zz", "-1", "1" * 2000])
def test_the_decoy_refuses_the_same_srp_a_a_real_challenge_refuses(srp_a: str) -> None:
    """Else an SRP_A only a real challenge refuses would tell which addresses have accounts."""
    with pytest.raises(srp.SrpRefused):
        srp.start_password_verifier(pool_id=POOL_ID, user_id=USER_ID, password=PASSWORD, srp_a=srp_a)
    with pytest.raises(srp.SrpRefused):
        srp.decoy_password_verifier(pool_id=POOL_ID, user_id=USER_ID, srp_a=srp_a)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(password=st.text(min_size=1, max_size=64), other=st.text(min_size=1, max_size=64))
def test_any_password_verifies_and_no_other_does(password: str, other: str) -> None:
    client = _client(password=password)
    challenge = _challenge(client, password=password)
    assert _verifies(challenge, _sign_in(client, challenge))
    if other != password:
        client.password = other
        assert not _verifies(challenge, _sign_in(client, challenge))
