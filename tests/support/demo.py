"""`make demo` as a process: `python -m laptop.demo --port 0`, with what it prints read line by line, so
a test can wait for the page's address and for each email's link as a person at the terminal would."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Demo:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: queue.Queue[str] = queue.Queue()
        self.transcript: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.transcript.append(line)
            if match := re.search(pattern, line):
                return match
        raise AssertionError(f"no line matching {pattern!r}; the demo printed:\n{''.join(self.transcript)}")

    def printed_after(self, seconds: float) -> list[str]:
        """Every line printed so far, once `seconds` more have passed: the demo prints each email a
        moment after it lands, so a line that must not come needs that long to be missed for sure."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                self.transcript.append(self.lines.get(timeout=left))
            except queue.Empty:
                break
        return list(self.transcript)


def run_demo(tmp_path: Path, *arguments: str) -> Iterator[Demo]:
    # Its temporary folders (the outbox) go where the test can see what is left of them.
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "laptop.demo", "--port", "0", *arguments],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(temporary)},
    )
    demo = Demo(process)
    try:
        yield demo
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        demo.reader.join(10)  # it stops at end of output; only then is the pipe ours to close
        assert process.stdout is not None
        process.stdout.close()
