"""`make demo` as a person runs it: a process that prints where things are, serves a sign-in, prints
the link of each email, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import json
import re
import signal
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from pycognito.aws_srp import AWSSRP

from laptop.demo import main
from laptop.existing_pool import ANN
from laptop.local_stack.stack import LOCAL_CREDENTIALS, LocalCognito
from tests.support.demo import Demo, run_demo


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    yield from run_demo(tmp_path)


def test_make_demo_serves_a_sign_in_prints_its_link_and_stops_on_ctrl_c(demo: Demo) -> None:
    url = demo.wait_for(r"Sign-in page\s+(http://localhost:\d+/)").group(1)
    # Passkeys are on by default, for localhost (WebAuthn refuses an IP address as relying party).
    demo.wait_for(rf"Passkeys\s+on for localhost: open the page at {re.escape(url)}")
    client_id = demo.wait_for(r"ClientId (\S+)").group(1)
    passkey_client_id = demo.wait_for(r"PasskeyClientId (\S+)").group(1)
    idp = boto3.client(
        "cognito-idp", region_name="us-east-1", endpoint_url=url.rstrip("/"), **LOCAL_CREDENTIALS
    )
    with urllib.request.urlopen(f"{url}local/config", timeout=5) as response:  # noqa: S310 - loopback
        config = json.load(response)
    assert (config["passkeys"], config["passkeyClientId"], config["passkeyRpId"]) == (
        True,
        passkey_client_id,
        "localhost",
    )
    assert passkey_client_id != client_id

    challenge = idp.initiate_auth(
        AuthFlow="CUSTOM_AUTH", ClientId=client_id, AuthParameters={"USERNAME": "jane@example.com"}
    )
    link = demo.wait_for(r"mail to jane@example\.com: (\S+)").group(1)
    token = link.split("&t=", 1)[1]
    result = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": challenge["ChallengeParameters"]["USERNAME"], "ANSWER": token},
    )
    assert link.startswith(f"{url}#u=jane%40example.com&t=")
    assert "IdToken" in result["AuthenticationResult"]

    demo.process.send_signal(signal.SIGINT)

    assert demo.process.wait(15) == 0
    demo.wait_for(r"^stopped")


def test_make_demo_without_passkeys_serves_on_127_0_0_1_and_says_they_are_off(tmp_path: Path) -> None:
    for demo in run_demo(tmp_path, "--no-passkeys"):
        demo.wait_for(r"Sign-in page\s+http://127\.0\.0\.1:\d+/")
        demo.wait_for(r"Passkeys\s+off$")
        demo.process.send_signal(signal.SIGINT)
        assert demo.process.wait(15) == 0


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_make_demo_stopped_either_way_leaves_no_outbox_behind(
    demo: Demo, tmp_path: Path, stop: signal.Signals
) -> None:
    demo.wait_for(r"Sign-in page\s+http://")
    assert any(path.name.startswith("outbox-") for path in (tmp_path / "tmp").iterdir())

    demo.process.send_signal(stop)

    assert demo.process.wait(15) == 0
    demo.wait_for(r"^stopped")
    assert list((tmp_path / "tmp").iterdir()) == []


def test_make_demo_says_what_to_do_when_its_port_is_taken(capsys: pytest.CaptureFixture[str]) -> None:
    with LocalCognito(port=0) as running:
        port = int(running.url.rsplit(":", 1)[1].rstrip("/"))

        status = main(["--port", str(port)])

    assert status == 1
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_a_stack_that_fails_to_start_raises_instead_of_hanging(tmp_path: Path) -> None:
    outcome: list[BaseException] = []

    def start() -> None:
        try:
            LocalCognito(port=0, template_path=tmp_path / "missing.yaml").start()
        except BaseException as error:
            outcome.append(error)

    starter = threading.Thread(target=start, daemon=True)
    starter.start()
    starter.join(20)

    assert not starter.is_alive(), "start() hung after a failure"
    assert [type(error) for error in outcome] == [FileNotFoundError]


def test_make_demo_on_a_teams_existing_pool_signs_their_user_in_by_link(tmp_path: Path) -> None:
    for demo in run_demo(tmp_path, "--existing-pool"):
        url = demo.wait_for(r"Sign-in page\s+(http://localhost:\d+/)").group(1)
        client_id = demo.wait_for(r"ClientId (\S+)").group(1)
        demo.wait_for(r"Attached to their pool")
        idp = boto3.client(
            "cognito-idp", region_name="us-east-1", endpoint_url=url.rstrip("/"), **LOCAL_CREDENTIALS
        )
        # Ann was theirs before the stack came: her username is their id, her address an alias
        challenge = idp.initiate_auth(
            AuthFlow="CUSTOM_AUTH", ClientId=client_id, AuthParameters={"USERNAME": ANN["email"]}
        )
        link = demo.wait_for(r"mail to ann@example\.com: (\S+)").group(1)
        result = idp.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="CUSTOM_CHALLENGE",
            Session=challenge["Session"],
            ChallengeResponses={
                "USERNAME": challenge["ChallengeParameters"]["USERNAME"],
                "ANSWER": link.split("&t=", 1)[1],
            },
        )
        assert challenge["ChallengeParameters"]["USERNAME"] == ANN["Username"]
        assert "IdToken" in result["AuthenticationResult"]
        demo.process.send_signal(signal.SIGINT)
        assert demo.process.wait(15) == 0


def test_make_demo_in_password_mode_signs_in_with_the_printed_password_then_the_printed_code(
    tmp_path: Path,
) -> None:
    for demo in run_demo(tmp_path, "--sign-in-mode", "password-and-email-code"):
        url = demo.wait_for(r"Sign-in page\s+(http://localhost:\d+/)").group(1)
        password = demo.wait_for(r"jane@example\.com \(password '([^']+)'\)").group(1)
        client_id = demo.wait_for(r"ClientId (\S+)\s+UserPoolId (\S+)").group(1)
        pool_id = re.search(r"UserPoolId (\S+)", "".join(demo.transcript))
        assert pool_id is not None
        idp = boto3.client(
            "cognito-idp", region_name="us-east-1", endpoint_url=url.rstrip("/"), **LOCAL_CREDENTIALS
        )
        srp = AWSSRP("jane@example.com", password, pool_id.group(1), client_id, client=idp)
        parameters = {**srp.get_auth_params(), "CHALLENGE_NAME": "SRP_A"}
        verifier = idp.initiate_auth(AuthFlow="CUSTOM_AUTH", ClientId=client_id, AuthParameters=parameters)
        challenge = idp.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="PASSWORD_VERIFIER",
            Session=verifier["Session"],
            ChallengeResponses=srp.process_challenge(verifier["ChallengeParameters"], parameters),
        )
        code = demo.wait_for(r"mail to jane@example\.com: code (\d+)").group(1)
        result = idp.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="CUSTOM_CHALLENGE",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": challenge["ChallengeParameters"]["USERNAME"], "ANSWER": code},
        )
        assert "IdToken" in result["AuthenticationResult"]
        demo.process.send_signal(signal.SIGINT)
        assert demo.process.wait(15) == 0
