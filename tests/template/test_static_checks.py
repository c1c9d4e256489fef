"""The static security checks `make lint` runs: bandit on the code and checkov on template.yaml.

They are gates only if they can fail: these tests run each tool exactly as the Makefile does on
deliberately bad input and see it fail, and hold every checkov skip in template.yaml to a written
reason, kept in the resource it concerns."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from laptop.stack_template import TEMPLATE_PATH, load_template
from tests.template.cfn import checkov_skips, unexplained

ROOT = Path(__file__).resolve().parents[2]
MAKEFILE = ROOT / "Makefile"
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"


def makefile_command(pattern: str) -> list[str]:
    """The words of the one Makefile line matching `pattern`, so the tests run what `make lint` runs."""
    [line] = [line for line in MAKEFILE.read_text().splitlines() if re.match(pattern, line)]
    return shlex.split(line)


def test_every_checkov_skip_names_one_check_and_says_why_it_does_not_apply() -> None:
    skips = checkov_skips(load_template())

    assert skips, "template.yaml has inline skips; if it no longer does, drop this test's premise"
    assert unexplained(skips) == []
    ids_per_resource = [(name, skip["id"]) for name, skip in skips]
    assert len(ids_per_resource) == len(set(ids_per_resource)), "a check skipped twice on one resource"


def test_the_skip_rule_refuses_a_missing_or_token_reason() -> None:
    skips = [
        ("Table", {"id": "CKV_AWS_119"}),
        ("Table", {"id": "CKV_AWS_28", "comment": "not needed"}),
        ("Table", {"id": "ALL", "comment": "a reason of more than eight words but no check id"}),
        ("Table", {"id": "CKV_AWS_158", "comment": "a specific reason of more than eight words here"}),
    ]

    assert [line.split(": ", 1)[1] for line in unexplained(skips)] == [str(s) for _, s in skips[:3]]


def test_no_check_is_skipped_or_softened_for_the_whole_template() -> None:
    command = makefile_command(r"CHECKOV :=")
    assert not {"--skip-check", "--soft-fail", "-s", "--soft-fail-on", "--check", "-c"} & set(command)
    assert not list(ROOT.glob(".checkov.y*ml")), "a config file would apply skips to every resource"
    assert "checkov:skip" not in TEMPLATE_PATH.read_text(), "skips live in Metadata, with their reason"


def run_checkov(template: Path) -> subprocess.CompletedProcess[str]:
    # `CHECKOV := <venv>/bin/checkov <flags>` in the Makefile; `make lint` adds `-f template.yaml`.
    flags = makefile_command(r"CHECKOV :=")[3:]
    return subprocess.run(
        [str(CHECKOV), *flags, "-f", str(template)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(not CHECKOV.exists(), reason="no .venv-checkov: `make lint` or `make test` builds it")
def test_checkov_reads_the_templates_skips_and_fails_a_template_that_breaks_a_check(
    tmp_path: Path,
) -> None:
    # Given template.yaml with point-in-time recovery taken off the table (CKV_AWS_28)
    text = TEMPLATE_PATH.read_text()
    recovery = "      PointInTimeRecoverySpecification:\n        PointInTimeRecoveryEnabled: true\n"
    assert text.count(recovery) == 1
    broken = tmp_path / "template.yaml"
    broken.write_text(text.replace(recovery, ""))

    # When checkov runs on it as `make lint` runs it
    result = run_checkov(broken)

    # Then exactly that check fails, the run fails, and every Metadata skip was honoured
    assert result.returncode == 1, result.stdout + result.stderr
    summary = re.search(r"Passed checks: (\d+), Failed checks: (\d+), Skipped checks: (\d+)", result.stdout)
    assert summary, result.stdout
    assert int(summary[2]) == 1
    assert re.findall(r"Check: (CKV\w+):.*\n\s+FAILED for resource: (\S+)", result.stdout) == [
        ("CKV_AWS_28", "AWS::DynamoDB::Table.SignInSecretsTable")
    ]
    assert int(summary[3]) == len(checkov_skips(load_template()))


BAD_CODE = {
    # subprocess with shell=True on a variable: bandit B602, HIGH severity
    "high": "import subprocess\n\ndef run(command: str) -> None:\n    subprocess.call(command, shell=True)\n",
    # SQL built by string formatting: bandit B608, MEDIUM severity
    "medium": "def query(name: str) -> str:\n    return \"SELECT * FROM users WHERE name = '%s'\" % name\n",
    # try/except/pass: bandit B110, LOW severity
    "low": "def quiet() -> None:\n    try:\n        open('x')\n    except Exception:\n        pass\n",
}


@pytest.mark.parametrize("severity", list(BAD_CODE))
def test_bandit_as_make_lint_runs_it_fails_on_a_finding_of_any_severity(
    tmp_path: Path, severity: str
) -> None:
    source = tmp_path / f"{severity}.py"
    source.write_text(BAD_CODE[severity])
    # `BANDIT := $(BIN)/bandit <flags>`: the same flags, on the bad file instead
    flags = makefile_command(r"BANDIT :=")[3:]
    bandit = Path(sys.executable).parent / "bandit"

    result = subprocess.run(
        [str(bandit), *flags, str(source)], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"Severity: {severity.capitalize()}" in result.stdout
