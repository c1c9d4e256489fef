"""`make invoke` as a person runs it: `python -m laptop.invoke` at the repository root, without the
caller's OUTBOX_DIR unless one is given, its exit status, stdout and stderr kept.

`invoke` runs the command's own entry point (laptop.invoke.main) in this process, with stdout and
stderr captured: the same code, minus an interpreter start per event. `invoke_in_a_subprocess` runs
the real command line; one smoke test uses it, so the module's `__main__` stays proven.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from laptop import invoke as laptop_invoke

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str

    def document(self) -> Any:
        # json.loads refuses trailing data: this also proves stdout is ONE document and nothing else.
        return json.loads(self.stdout)

    def response(self) -> dict[str, Any]:
        response = self.document()["response"]
        assert isinstance(response, dict)
        return response

    def mail_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("mail: ")]


@contextlib.contextmanager
def _outbox_variable(outbox: Path | None) -> Iterator[None]:
    saved = os.environ.pop("OUTBOX_DIR", None)
    if outbox is not None:
        os.environ["OUTBOX_DIR"] = str(outbox)
    try:
        yield
    finally:
        os.environ.pop("OUTBOX_DIR", None)
        if saved is not None:
            os.environ["OUTBOX_DIR"] = saved


def invoke(*args: str, outbox: Path | None = None) -> Run:
    stdout, stderr = io.StringIO(), io.StringIO()
    with (
        _outbox_variable(outbox),
        contextlib.chdir(ROOT),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
    ):
        try:
            returncode = laptop_invoke.main(list(args))
        except SystemExit as exit_:  # argparse's refusal of a command line
            returncode = exit_.code if isinstance(exit_.code, int) else 2
    return Run(returncode, stdout.getvalue(), stderr.getvalue())


def invoke_in_a_subprocess(*args: str, outbox: Path | None = None) -> Run:
    env = {name: value for name, value in os.environ.items() if name != "OUTBOX_DIR"}
    if outbox is not None:
        env["OUTBOX_DIR"] = str(outbox)
    done = subprocess.run(
        [sys.executable, "-m", "laptop.invoke", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)
