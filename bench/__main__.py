"""`python -m bench` (make bench): measure, print the table, write bench/results.json and the chart."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
from pathlib import Path

from bench import (
    chart,
    cold_init,
    cost,
    machine,
    memory_model,
    per_sign_in,
    report,
    response_timing,
    throughput,
    warm_cpu,
)
from bench.aws_meter import AwsMeter
from bench.environment import ROOT
from laptop.local_stack.stack import LocalCognito


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=21, help="cold-init runs per child (at least 10)")
    parser.add_argument("--invocations", type=int, default=60, help="invocations per function container")
    parser.add_argument("--sign-ins", type=int, default=40, help="measured sign-ins per round, local stack")
    parser.add_argument(
        "--sign-in-rounds", type=int, default=5, help="sign-in rounds; the median is reported"
    )
    parser.add_argument("--load", type=int, default=300, help="sign-ins in the throughput run")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--load-runs", type=int, default=3, help="throughput runs; the median is reported")
    parser.add_argument("--timing-pairs", type=int, default=200, help="known + unknown InitiateAuth pairs")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--chart", type=Path, default=ROOT / "docs" / "cold-init.png")
    parser.add_argument("--memory-chart", type=Path, default=ROOT / "docs" / "memory-model.png")
    args = parser.parse_args()

    # The stack's request log and the handlers' JSON logs would bury the table.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    about = machine.describe()
    print(f"measuring on {about['cpu']} ({about['cores']} cores), Python {about['python']} ...", flush=True)
    cold = cold_init.measure(max(args.runs, 10))
    with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
        meter = AwsMeter()
        # SES (template.yaml's default provider, answered by embedded moto) and metrics on, as deployed.
        deployed = {"EMAIL_PROVIDER": "ses", "POWERTOOLS_METRICS_DISABLED": "false"}
        with LocalCognito(port=0, environment=deployed, wrap_handler=meter.wrap) as stack:
            config = stack.running_config
            pool = warm_cpu.Pool(stack.url, config.user_pool_id, config.client_id)
            containers = warm_cpu.measure(pool, args.invocations)
            rounds = per_sign_in.measure_rounds(stack, meter, args.sign_in_rounds, args.sign_ins)
            sign_in = per_sign_in.median_round(rounds)
        loads = throughput.measure_runs(args.load, args.concurrency, args.load_runs)
        timing = response_timing.measure(args.timing_pairs)
    counts = {k: v / sign_in.sign_ins for k, v in sign_in.invocations.items()}
    requests = {f: {n: c / sign_in.sign_ins for n, c in r.items()} for f, r in sign_in.requests.items()}
    warm = {c.function: c.warm_cpu_seconds for c in containers.values()}
    money = cost.per_million(counts, warm, requests)

    results = report.Results(
        about, cold, containers, sign_in, throughput.median_run(loads), money, rounds, loads, timing
    )
    print(report.table(results))
    document = report.document(results)
    model = memory_model.table(memory_model.from_results(document), memory_model.other_cost(money))
    document["memory_model"] = model
    print(memory_model.summary(model))
    args.json.write_text(json.dumps(document, indent=2) + "\n")
    chart.draw(cold, about, args.chart)
    chart.draw_memory_model(model, about, args.memory_chart)
    written = ", ".join(str(path.relative_to(ROOT)) for path in (args.json, args.chart, args.memory_chart))
    print(f"\nwrote {written}")


if __name__ == "__main__":
    main()
