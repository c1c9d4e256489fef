"""The real `make`, run the way a person runs it, with this test's own venv standing in for .venv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from laptop.handlers import ROOT

# This interpreter's venv in place of .venv, which make must neither build nor rebuild (-o): the
# other suite may be running on it.
VENV = [f"BIN={Path(sys.executable).parent}", "-o", ".venv/.installed"]
# Stage times go nowhere: the outer `make test` prints its own from the file these would append to.
QUIET = [f"STAGE_TIMES={os.devnull}"]
MAKE = shutil.which("make") or "make"


def make(*args: str) -> subprocess.CompletedProcess[str]:
    # Not as part of an outer make's job server (make test's): this make runs on its own.
    outer = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    return subprocess.run(
        [MAKE, "--no-print-directory", *args, *VENV, *QUIET],
        cwd=ROOT,
        env={name: value for name, value in os.environ.items() if name not in outer},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
