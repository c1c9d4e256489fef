"""What define loads at cold start, in a fresh interpreter: no boto3, and nothing beyond Powertools'
Logger but the layer's own modules and a few standard ones (its cold start is measured against that
floor by `make bench`; here only what is imported is checked, never how long it takes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from laptop.aws import local_environment

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import importlib.util, json, sys
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
floor = set(sys.modules)
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(json.dumps(sorted(set(sys.modules) - floor)))
"""


def test_define_adds_only_layer_modules_and_stdlib_to_the_logger_floor(tmp_path: Path) -> None:
    env = local_environment(tmp_path, POWERTOOLS_METRICS_DISABLED="false")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT / "functions" / "define_auth_challenge" / "app.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    added = set(json.loads(done.stdout))
    assert {"passwordless.funnel_metrics", "passwordless.session_settings", "passwordless.events"} <= added
    third_party = {
        name.split(".")[0]
        for name in added
        if name.split(".")[0] not in sys.stdlib_module_names and not name.startswith("passwordless")
    }
    assert third_party == set()
    # Nothing that builds or renders email, stores or hashes secrets, talks to AWS, checks a URL
    # (urllib.parse loads ipaddress), judges a sign-up, or reads settings or events beyond its own.
    # On 3.11 the Logger floor itself loads urllib.parse; on the Lambda runtime's 3.13 (make test's
    # second run) it does not.
    for heavy in (
        "boto3",
        "botocore.client",
        "jinja2",
        "hashlib",
        "urllib.parse",
        "passwordless.challenge_issuer",
        "passwordless.keyed_hash",
        "botocore.config",
        "passwordless.secret_store",
        "passwordless.sign_up_rules",
        "passwordless.settings",
        "passwordless.trigger_requests",
    ):
        assert heavy not in added
