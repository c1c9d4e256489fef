"""`make soak` in miniature, so `make test` runs its code: concurrent sign-ins by code and by link on
the local stack, none lost, no secret spent twice, one email per issued secret."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from laptop.soak import SoakReport, main, run_soak


@pytest.mark.slow
def test_a_small_soak_loses_nothing_and_spends_each_secret_once(tmp_path: Path) -> None:
    report = run_soak(sign_ins=40, threads=4, replays=6, outbox_dir=tmp_path / "outbox")

    assert report.signed_in == 40
    assert report.by_kind == Counter({"code": 20, "link": 20})
    assert report.lost == 0
    assert not report.errors
    assert report.double_used == 0
    assert report.not_consumed == 0
    assert report.replays == 6
    assert report.replays_accepted == 0
    # 40 sign-ins each needed a fresh secret; replays asked again and may have been emailed one more.
    assert 40 < report.emails == report.issued <= 46
    assert len(report.latencies) == 40
    assert report.passed


def test_the_verdict_fails_on_any_broken_check() -> None:
    good = SoakReport(
        sign_ins=10,
        threads=2,
        by_kind=Counter({"code": 5, "link": 5}),
        signed_in=10,
        errors=Counter(),
        double_used=0,
        not_consumed=0,
        emails=10,
        issued=10,
        replays=2,
        replays_accepted=0,
        seconds=1.0,
        latencies=[0.1] * 10,
    )
    broken = [
        replace(good, signed_in=9),
        replace(good, errors=Counter({"NotAuthorizedException": 1})),
        replace(good, double_used=1),
        replace(good, not_consumed=1),
        replace(good, emails=11),
        replace(good, replays_accepted=1),
    ]

    assert good.passed
    assert "PASS" in good.table()
    assert [report.passed for report in broken] == [False] * len(broken)
    assert all("FAIL" in report.table() for report in broken)


def test_the_command_prints_the_figures_and_exits_zero() -> None:
    out = io.StringIO()

    assert main(["--sign-ins", "4", "--threads", "2", "--replays", "1"], out=out) == 0

    printed = out.getvalue()
    for figure in ("lost", "double-used", "emails / issued secrets", "sign-ins/s", "latency p50 / p95"):
        assert figure in printed
    assert "verdict" in printed
    assert "PASS" in printed
