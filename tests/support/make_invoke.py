"""`make invoke` as a person runs it: `python -m laptop.invoke` in a subprocess at the repository root,
without the caller's OUTBOX_DIR unless one is given, its exit status, stdout and stderr kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def invoke(*args: str, outbox: Path | None = None) -> Run:
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
