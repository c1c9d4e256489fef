"""The passkey settings: off unless a relying party is named, and every variable checked by name."""

from __future__ import annotations

import pytest

from passwordless.passkeys.config import PasskeySettings
from passwordless.settings_reader import SettingsError

ON = {
    "PASSKEY_RP_ID": "example.com",
    "PASSKEY_ORIGINS": "https://app.example.com",
    "PASSKEY_CLIENT_ID": "abc123",
}


def test_passkeys_are_off_without_a_relying_party_id() -> None:
    off = PasskeySettings.from_env({"PASSKEY_ORIGINS": "https://app.example.com", "PASSKEY_CLIENT_ID": "x"})

    assert not off.enabled
    assert off == PasskeySettings()


def test_the_defaults_require_user_verification_prefer_discoverable_keys_and_want_no_attestation() -> None:
    on = PasskeySettings.from_env(ON, app_name="Example Shop")

    assert on.enabled
    assert on.require_user_verification
    assert (on.user_verification, on.resident_key, on.attestation) == ("required", "preferred", "none")
    assert (on.timeout_seconds, on.reauth_seconds) == (120, 600)
    assert on.rp_name == "Example Shop"
    assert on.origins == ("https://app.example.com",)


def test_several_exact_origins_and_localhost_for_the_demo() -> None:
    local = PasskeySettings.from_env(
        {
            **ON,
            "PASSKEY_RP_ID": "LOCALHOST",
            "PASSKEY_ORIGINS": "http://localhost:8765, http://localhost:9000",
        }
    )

    assert local.rp_id == "localhost"
    assert local.origins == ("http://localhost:8765", "http://localhost:9000")


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"PASSKEY_RP_ID": "127.0.0.1"}, "PASSKEY_RP_ID"),
        ({"PASSKEY_RP_ID": "https://example.com"}, "PASSKEY_RP_ID"),
        ({"PASSKEY_ORIGINS": ""}, "PASSKEY_ORIGINS"),
        ({"PASSKEY_ORIGINS": "https://example.org"}, "PASSKEY_ORIGINS"),
        ({"PASSKEY_ORIGINS": "https://notexample.com"}, "PASSKEY_ORIGINS"),
        ({"PASSKEY_ORIGINS": "http://app.example.com"}, "PASSKEY_ORIGINS"),
        ({"PASSKEY_ORIGINS": "https://app.example.com/sign-in"}, "PASSKEY_ORIGINS"),
        ({"PASSKEY_USER_VERIFICATION": "sometimes"}, "PASSKEY_USER_VERIFICATION"),
        ({"PASSKEY_ATTESTATION": "enterprise"}, "PASSKEY_ATTESTATION"),
        ({"PASSKEY_RESIDENT_KEY": "yes"}, "PASSKEY_RESIDENT_KEY"),
        ({"PASSKEY_TIMEOUT_SECONDS": "5"}, "PASSKEY_TIMEOUT_SECONDS"),
        ({"PASSKEY_REAUTH_SECONDS": "999999"}, "PASSKEY_REAUTH_SECONDS"),
        ({"PASSKEY_CLIENT_ID": ""}, "PASSKEY_CLIENT_ID"),
        ({"PASSKEY_CLIENT_ID": "not an id"}, "PASSKEY_CLIENT_ID"),
        (
            {"PASSKEY_CLIENT_ID": "", "PASSKEY_CLIENT_ID_PARAMETER": "bad name!"},
            "PASSKEY_CLIENT_ID_PARAMETER",
        ),
    ],
)
def test_a_bad_variable_fails_fast_naming_it(changes: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        PasskeySettings.from_env({**ON, **changes})


def test_the_deployed_triggers_may_name_an_ssm_parameter_instead_of_the_client() -> None:
    deployed = PasskeySettings.from_env(
        {
            **ON,
            "PASSKEY_CLIENT_ID": "",
            "PASSKEY_CLIENT_ID_PARAMETER": "/passwordless/stack/passkey-client-id",
        }
    )

    assert (deployed.client_id, deployed.client_id_parameter) == ("", "/passwordless/stack/passkey-client-id")
