"""Full sign-ins per second on the local stack as `make demo` runs it (outbox mail, the template's
defaults), driven by bench.load_client in another process with `concurrency` threads."""

from __future__ import annotations

import json
import subprocess  # nosec B404 - runs this venv's own Python on our own module
import sys
from dataclasses import dataclass

from bench.environment import ROOT
from laptop.local_stack.stack import LocalStack


@dataclass(frozen=True)
class Throughput:
    concurrency: int
    sign_ins: int
    errors: int
    error_kinds: list[str]
    seconds: float

    @property
    def per_second(self) -> float:
        return (self.sign_ins - self.errors) / self.seconds


def measure(total: int, concurrency: int) -> Throughput:
    with LocalStack(port=0) as stack:
        config = stack.running_config
        # One user per sign-in: the template's limits (one email a minute per user) stay as deployed.
        emails = [f"load-{index}@example.com" for index in range(total)]
        for email in emails:
            stack.add_user(email)
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [
                sys.executable,
                "-m",
                "bench.load_client",
                stack.url.rstrip("/"),
                config.client_id,
                str(config.outbox_dir),
                str(concurrency),
                *emails,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"the load client failed:\n{done.stderr.strip()}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return Throughput(concurrency, result["sign_ins"], result["errors"], result["kinds"], result["seconds"])
