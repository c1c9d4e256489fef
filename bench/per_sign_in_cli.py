"""`python -m bench.per_sign_in_cli`: only make bench's per-sign-in part (requests, emails, warm trigger
CPU), in a few rounds, for comparing a change to the triggers without the cold-init and load runs."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import statistics

from bench import per_sign_in
from bench.aws_meter import AwsMeter
from laptop.local_stack.stack import LocalCognito


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.per_sign_in_cli", description=__doc__)
    parser.add_argument("--sign-ins", type=int, default=40, help="measured sign-ins per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds on one warm stack")
    args = parser.parse_args()

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
        meter = AwsMeter()
        # As make bench runs it: SES on embedded moto and metrics on, as deployed.
        deployed = {"EMAIL_PROVIDER": "ses", "POWERTOOLS_METRICS_DISABLED": "false"}
        with LocalCognito(port=0, environment=deployed, wrap_handler=meter.wrap) as stack:
            rounds = per_sign_in.measure_rounds(stack, meter, args.rounds, args.sign_ins)
    last = rounds[-1]
    print(f"{last.sign_ins} sign-ins per round, {len(rounds)} rounds, {last.issued_secrets} secrets issued")
    print("  invocations: " + ", ".join(f"{k} {v / last.sign_ins:g}" for k, v in last.invocations.items()))
    for function, requests in last.requests.items():
        per = ", ".join(f"{name} {count / last.sign_ins:g}" for name, count in requests.items())
        print(f"  {function}: {per}")
    print(
        f"  DynamoDB per sign-in {last.per_sign_in('dynamodb'):g}, per issued secret (create)"
        f" {last.per_secret('dynamodb', 'create_auth_challenge'):g}, emails per secret"
        f" {last.per_secret('email'):g}"
    )
    cpu = sorted(r.cpu_per_sign_in * 1000 for r in rounds)
    print(
        f"  warm trigger CPU per sign-in, ms: median {statistics.median(cpu):.2f}, min {cpu[0]:.2f}"
        f" (rounds: {', '.join(f'{c:.2f}' for c in cpu)})"
    )


if __name__ == "__main__":
    main()
