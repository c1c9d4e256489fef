"""Full sign-ins per second on the local stack as `make demo` runs it (outbox mail, the template's
defaults, the functions logging warnings only), driven by bench.load_client in another process with
`concurrency` threads.

`python -m bench.throughput [--load N] [--concurrency C]` runs this part of `make bench` alone.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import os
from dataclasses import dataclass
from typing import Any

from bench.environment import run_module
from laptop.demo import DEMO_LOG_LEVEL
from laptop.local_stack.stack import LocalCognito


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
    with LocalCognito(port=0, environment={"POWERTOOLS_LOG_LEVEL": DEMO_LOG_LEVEL}) as stack:
        config = stack.running_config
        # One user per sign-in: the template's limits (one email a minute per user) stay as deployed.
        emails = [f"load-{index}@example.com" for index in range(total)]
        for email in emails:
            stack.add_user(email)
        result = run_module(
            "bench.load_client",
            stack.url.rstrip("/"),
            config.client_id,
            str(config.outbox_dir),
            str(concurrency),
            *emails,
            failure="the load client failed",
        )
    return Throughput(concurrency, result["sign_ins"], result["errors"], result["kinds"], result["seconds"])


def measure_runs(total: int, concurrency: int, runs: int) -> list[Throughput]:
    """`runs` runs, each a fresh `python -m bench.throughput` (the stack in a new process, as `make demo`
    starts it, not in one that already ran other stacks and holds their memory). A run of a few
    seconds on a shared machine can lose a second to other work, so make bench reports the median."""
    return [Throughput(**_child_run(total, concurrency)) for _ in range(runs)]


def _child_run(total: int, concurrency: int) -> dict[str, Any]:
    args = ("--load", str(total), "--concurrency", str(concurrency), "--json")
    return run_module("bench.throughput", *args, failure="the throughput run failed")


def median_run(runs: list[Throughput]) -> Throughput:
    return sorted(runs, key=lambda run: run.per_second)[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__)
    parser.add_argument("--load", type=int, default=300, help="sign-ins, one user each")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
        result = measure(args.load, args.concurrency)
    if args.json:
        print(json.dumps(dataclasses.asdict(result)))
        return
    print(
        f"{result.per_second:.1f} sign-ins/s at concurrency {result.concurrency}: {result.sign_ins} "
        f"sign-ins in {result.seconds:.1f} s, {result.errors} errors {result.error_kinds or ''}".rstrip()
    )


if __name__ == "__main__":
    main()
