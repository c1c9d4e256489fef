"""A small PNG of each function's cold init beside its floor and its target."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib as mpl

mpl.use("Agg")  # files only, no display

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bench.cold_init import FLOORS, TARGETS, ColdInit


def draw(cold: dict[str, ColdInit], machine: dict[str, str], path: Path) -> None:
    names = list(FLOORS) + list(TARGETS)
    values = [cold[name].import_median * 1000 for name in names]
    labels = ["Logger\nfloor", "boto3 + DynamoDB\nfloor", *TARGETS]
    colours = ["#9aa5b1", "#9aa5b1"] + ["#1a56db"] * len(TARGETS)
    figure, axes = plt.subplots(figsize=(6.4, 3.4), dpi=120)
    bars = axes.bar(labels, values, color=colours)
    # Inside the bars, so a target line just above a bar never crosses its label.
    axes.bar_label(bars, fmt="%.0f ms", fontsize=8, label_type="center", color="white")
    for index, name in enumerate(TARGETS, start=len(FLOORS)):
        floor, limit = TARGETS[name]
        ceiling = cold[floor].import_median * 1000 * limit
        axes.hlines(ceiling, index - 0.4, index + 0.4, colors="#c81e1e", linestyles="dashed", linewidth=1)
    axes.plot([], [], color="#c81e1e", linestyle="dashed", linewidth=1, label="target (floor x limit)")
    axes.legend(fontsize=8, loc="upper left", frameon=False)
    axes.set_ylabel("import, ms (median)")
    title = f"Cold init vs floors — {machine['date']}, {machine['cores']} cores, Python {machine['python']}"
    _save(figure, axes, title, path)


def draw_memory_model(model: dict[str, Any], machine: dict[str, str], path: Path) -> None:
    """Modelled sign-in trigger time against the cost of 1M sign-ins, one point per memory size."""
    rows = model["rows"]
    costs = [row["cost_per_million"] for row in rows]
    figure, axes = plt.subplots(figsize=(6.4, 3.6), dpi=120)
    for key, label, colour in (
        ("sign_in_cold_ms", "cold sign-in", "#c81e1e"),
        ("sign_in_warm_ms", "warm sign-in", "#1a56db"),
    ):
        seconds = [row[key] / 1000 for row in rows]
        axes.plot(costs, seconds, marker="o", color=colour, label=label)
        for row, cost, value in zip(rows, costs, seconds, strict=True):
            axes.annotate(
                f"{row['memory_mb']} MB", (cost, value), fontsize=7, xytext=(4, 4), textcoords="offset points"
            )
    axes.set_yscale("log")
    axes.set_xlabel("cost per 1M sign-ins, $ (modelled)")
    axes.set_ylabel("trigger time per sign-in, s (modelled)")
    axes.legend(fontsize=8, frameon=False)
    title = f"Memory size: latency against cost — {machine['date']}, CPU measured on {machine['cores']} cores"
    _save(figure, axes, title, path)


def _save(figure: Figure, axes: Axes, title: str, path: Path) -> None:
    """The house style every chart shares: a small title, no top or right frame, small ticks."""
    axes.set_title(title, fontsize=9)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
