"""The environment a benchmark child runs in: what the Lambda functions get (laptop.aws), and no
AWS configuration or credentials from this machine's files, as in a Lambda container."""

from __future__ import annotations

import os
from pathlib import Path

from laptop.aws import local_environment

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ("define_auth_challenge", "create_auth_challenge", "verify_auth_challenge")
SHORT_NAMES = {
    "define_auth_challenge": "define",
    "create_auth_challenge": "create",
    "verify_auth_challenge": "verify",
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
