"""The figures as a table, the targets as PASS/MISS lines, and the JSON document behind both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.cold_init import FLOOR_OF, FLOORS, TARGETS, ColdInit
from bench.cost import PRICES_DATE, Cost
from bench.kms_key_cost import report_lines as kms_report_lines
from bench.per_sign_in import PerSignIn
from bench.response_timing import Timing
from bench.throughput import Throughput
from bench.warm_cpu import Container

RSS_LIMIT_MB = 100
# What a cold container's first sign-in may still cost beyond its init: the requests themselves.
FIRST_INVOCATION_MS = {"create": 20.0, "verify": 5.0}


@dataclass(frozen=True)
class Target:
    name: str
    measured: float
    limit: float
    unit: str
    relation: str = "<="

    @property
    def verdict(self) -> str:
        holds = {
            "<=": self.measured <= self.limit,
            ">=": self.measured >= self.limit,
            "==": abs(self.measured - self.limit) < 1e-9,
        }[self.relation]
        return "PASS" if holds else "MISS"

    def line(self) -> str:
        target = f"{self.relation} {self.limit:g}{self.unit}"
        return f"  {self.verdict}  {self.name}: {self.measured:.3g}{self.unit} (target {target})"


@dataclass(frozen=True)
class Results:
    machine: dict[str, str]
    cold: dict[str, ColdInit]
    containers: dict[str, Container]
    sign_in: PerSignIn
    load: Throughput
    cost: Cost
    sign_in_rounds: list[PerSignIn]
    """Every round of the per-sign-in measure; `sign_in` is the median one."""
    load_runs: list[Throughput]
    """Every throughput run; `load` is the median one."""
    timing: Timing | None = None
    """Known against unknown addresses' InitiateAuth times, under a provider of varying latency."""


def targets(results: Results) -> list[Target]:
    cold, sign_in, load = results.cold, results.sign_in, results.load
    found = [
        Target(
            f"{name} cold init / {floor} floor",
            cold[name].import_median / cold[floor].import_median,
            limit,
            "x",
        )
        for name, (floor, limit) in TARGETS.items()
    ]
    found += [
        Target(
            f"{name} first invocation CPU",
            results.containers[name].first_invocation_cpu_seconds * 1000,
            limit,
            " ms",
        )
        for name, limit in FIRST_INVOCATION_MS.items()
    ]
    found += [
        Target(f"{name} peak RSS", container.peak_rss_mb, RSS_LIMIT_MB, " MB")
        for name, container in results.containers.items()
    ]
    found += [
        Target(
            "DynamoDB requests per issued secret (create)",
            sign_in.per_secret("dynamodb", "create_auth_challenge"),
            3,
            "",
        ),
        Target("DynamoDB requests per sign-in (create + verify)", sign_in.per_sign_in("dynamodb"), 3, ""),
        Target("email calls per issued secret", sign_in.per_secret("email"), 1, "", "=="),
        Target("warm trigger CPU per sign-in", sign_in.cpu_per_sign_in * 1000, 5, " ms"),
        Target(f"sign-ins/s at concurrency {load.concurrency}", load.per_second, 50, "/s", ">="),
    ]
    if (timing := results.timing) is not None:
        found += [
            Target("known / unknown InitiateAuth median ratio", timing.median_ratio, 1.05, "x"),
            Target("known vs unknown InitiateAuth times, KS p-value", timing.ks_p_value, 0.05, "", ">="),
        ]
    return found


def _cpu(measured: PerSignIn) -> float:
    return measured.cpu_per_sign_in


def table(results: Results) -> str:
    machine, cold, containers = results.machine, results.cold, results.containers
    sign_in, load, cost = results.sign_in, results.load, results.cost
    ms = 1000
    lines = [
        f"{machine['date']}  {machine['cpu']}, {machine['cores']} cores, Python {machine['python']}",
        "",
        f"Cold init (median of {len(next(iter(cold.values())).import_seconds)} runs, interleaved)",
        f"  {'':32} {'import ms':>10} {'child ms':>10} {'ratio':>7} {'min ms':>8} {'min ratio':>9}",
    ]
    for name, result in cold.items():
        floor = FLOOR_OF.get(name, name)
        ratio = result.import_median / cold[floor].import_median
        least = result.import_min / cold[floor].import_min
        label = FLOORS.get(name, f"{name} (vs {floor} floor)")
        lines.append(
            f"  {label:32} {result.import_median * ms:10.1f} {result.total_median * ms:10.1f} {ratio:6.2f}x"
            f" {result.import_min * ms:8.1f} {least:8.2f}x"
        )
    lines += [
        "",
        "Per function, in its own process over HTTP to the local stack",
        f"  {'':8} {'invocations':>11} {'errors':>7} {'first CPU ms':>13} {'warm CPU ms':>12}"
        f" {'peak RSS MB':>12}",
    ]
    for name, c in containers.items():
        lines.append(
            f"  {name:8} {c.invocations:11d} {c.errors:7d} {c.first_invocation_cpu_seconds * ms:13.2f}"
            f" {c.warm_cpu_seconds * ms:12.3f} {c.peak_rss_mb:12.1f}"
        )
    lines += [
        "",
        f"Per sign-in through the local stack (the median of {len(results.sign_in_rounds)} rounds of"
        f" {sign_in.sign_ins} warm sign-ins; {sign_in.issued_secrets} secrets issued in it)",
        "  invocations: "
        + ", ".join(f"{k} {v / sign_in.sign_ins:g}" for k, v in sign_in.invocations.items()),
    ]
    for function, requests in sign_in.requests.items():
        per = ", ".join(f"{name} {count / sign_in.sign_ins:g}" for name, count in requests.items())
        lines.append(f"  {function}: {per}")
    lines += [
        f"  warm trigger CPU (moto excluded): {sign_in.cpu_per_sign_in * ms:.2f} ms per sign-in (rounds: "
        + ", ".join(f"{r.cpu_per_sign_in * ms:.2f}" for r in sorted(results.sign_in_rounds, key=_cpu))
        + ")",
        "",
        f"Throughput (the median of {len(results.load_runs)} runs): {load.sign_ins} sign-ins, concurrency"
        f" {load.concurrency}, {load.errors} errors, {load.seconds:.1f} s -> {load.per_second:.1f} sign-ins/s"
        f" (runs: {', '.join(f'{run.per_second:.1f}' for run in results.load_runs)})",
        "",
        f"Cost per 1M sign-ins (list prices of {PRICES_DATE}): ${cost.total:.2f}",
    ]
    lines += [f"  {line:18} ${value:8.2f}" for line, value in cost.lines.items()]
    lines += ["", *kms_report_lines()]
    if results.timing is not None:
        lines += ["", "Response time, sent or not", f"  {results.timing.line()}"]
    lines += ["", "Targets (reported, not asserted)"]
    lines += [target.line() for target in targets(results)]
    return "\n".join(lines)


def document(results: Results) -> dict[str, Any]:
    machine, cold, containers = results.machine, results.cold, results.containers
    sign_in, load, cost = results.sign_in, results.load, results.cost
    return {
        "machine": machine,
        "cold_init": {
            name: {
                "import_ms_median": round(c.import_median * 1000, 2),
                "child_ms_median": round(c.total_median * 1000, 2),
                "import_ms_min": round(c.import_min * 1000, 2),
                "import_ms": [round(s * 1000, 2) for s in c.import_seconds],
                "child_ms": [round(s * 1000, 2) for s in c.total_seconds],
            }
            for name, c in cold.items()
        },
        "per_function": {
            name: {
                "invocations": c.invocations,
                "errors": c.errors,
                "first_invocation_cpu_ms": round(c.first_invocation_cpu_seconds * 1000, 3),
                "warm_cpu_ms": round(c.warm_cpu_seconds * 1000, 3),
                "peak_rss_mb": round(c.peak_rss_mb, 1),
            }
            for name, c in containers.items()
        },
        "per_sign_in": {
            "sign_ins": sign_in.sign_ins,
            "issued_secrets": sign_in.issued_secrets,
            "invocations": sign_in.invocations,
            "requests": sign_in.requests,
            "warm_trigger_cpu_ms": round(sign_in.cpu_per_sign_in * 1000, 3),
            "warm_trigger_cpu_ms_rounds": [
                round(r.cpu_per_sign_in * 1000, 3) for r in results.sign_in_rounds
            ],
        },
        "throughput": {
            "concurrency": load.concurrency,
            "sign_ins": load.sign_ins,
            "errors": load.errors,
            "error_kinds": load.error_kinds,
            "seconds": round(load.seconds, 2),
            "sign_ins_per_second": round(load.per_second, 1),
            "sign_ins_per_second_runs": [round(run.per_second, 1) for run in results.load_runs],
        },
        "cost_per_million_sign_ins": {
            "prices_date": PRICES_DATE,
            "lines": {k: round(v, 2) for k, v in cost.lines.items()},
            "total": round(cost.total, 2),
            "dominant": cost.dominant,
        },
        **({"response_timing": results.timing.document()} if results.timing is not None else {}),
        "targets": [
            {"name": t.name, "measured": round(t.measured, 3), "limit": t.limit, "verdict": t.verdict}
            for t in targets(results)
        ],
    }
