"""The Makefile as a person meets it: `make help` lines up, `make invoke` names the functions it runs,
and `make invite` finds the demo on the PORT it was started on. Each runs the real `make`, with this
test's own venv standing in for .venv."""

from __future__ import annotations

import re

from laptop.handlers import FUNCTIONS, ROOT
from tests.support.local_stack import RunningStack
from tests.support.make_runner import make


def test_help_lists_every_target_with_its_description_in_one_column() -> None:
    done = make("help")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("  make ")]
    targets = re.findall(r"^([a-zA-Z_-]+):.*## ", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert [line.split()[1] for line in lines] == targets
    # Every description starts in the same column, after at least two spaces
    starts = {re.match(r"  make \S+ +", line).end() for line in lines}  # type: ignore[union-attr]
    assert len(starts) == 1
    assert all(re.match(r"  make \S+  ", line) for line in lines)


def test_invoke_without_a_function_names_exactly_the_functions_it_runs() -> None:
    done = make("invoke")
    assert done.returncode == 2
    listed = re.search(r"one of: ([a-z_, ]+)\)", done.stderr)
    assert listed is not None, done.stderr
    assert listed.group(1).split(", ") == list(FUNCTIONS)
    assert "sign_in_page" not in done.stderr


def test_invite_talks_to_the_demo_on_its_port(local_stack: RunningStack) -> None:
    # Given the demo on a port that is not the default
    port = local_stack.stack.url.rstrip("/").rsplit(":", 1)[1]
    assert port != "8765"
    # When an operator invites someone with the same PORT the demo was started with
    done = make("invite", "EMAIL=pia@example.com", f"PORT={port}")
    # Then the invitation reached that stack
    assert done.returncode == 0, done.stderr
    assert [mail.to for mail in local_stack.mail()] == ["pia@example.com"]
