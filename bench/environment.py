"""The environment a benchmark child runs in: what the Lambda functions get (laptop.aws), and no
AWS configuration or credentials from this machine's files, as in a Lambda container."""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404 - runs this venv's own Python on our own modules
import sys
from pathlib import Path
from typing import Any

from laptop.aws import local_environment

ROOT = Path(__file__).resolve().parent.parent
# The functions every sign-in runs (PostAuthentication once it has succeeded).
FUNCTIONS = ("define_auth_challenge", "create_auth_challenge", "verify_auth_challenge", "post_authentication")
SHORT_NAMES = {
    "define_auth_challenge": "define",
    "create_auth_challenge": "create",
    "verify_auth_challenge": "verify",
    "post_authentication": "post_auth",
}


def child_environment(outbox: Path, **overrides: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        # No ~/.aws files and no instance metadata: credentials come from the variables, as in Lambda.
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        **local_environment(outbox),
        # Metrics on, as deployed: the laptop turns them off, but their cost is part of each trigger's.
        "POWERTOOLS_METRICS_DISABLED": "false",
        **overrides,
    }


def function_dir(function: str) -> Path:
    return ROOT / "functions" / function


def run_module(module: str, *args: str, failure: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """`python -m module args` from the repo root; its report is the JSON on its last stdout line
    (what comes before is the functions' own logging). Raises with `failure` and its stderr."""
    done = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "-m", module, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{failure}:\n{done.stderr.strip()}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report
