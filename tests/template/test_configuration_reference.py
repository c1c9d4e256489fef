"""The configuration page's parameter tables come from template.yaml at build time (the MkDocs hook in
docs/hooks/template_parameters.py); these checks hold the tables to the template they are built from."""

from __future__ import annotations

import copy
import importlib.util
import re
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from laptop.stack_template import load_template

ROOT = Path(__file__).resolve().parents[2]
HOOK_PATH = ROOT / "docs" / "hooks" / "template_parameters.py"
CONFIGURATION_PAGE = ROOT / "docs" / "configuration.md"
ROW = re.compile(r"^\| `(\w+)` \| (.*?) \| (.*?) \| (.*?) \| (.*) \|$")


def _load_hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("template_parameters", HOOK_PATH)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = _load_hook()


def page(src_uri: str) -> SimpleNamespace:
    return SimpleNamespace(file=SimpleNamespace(src_uri=src_uri))


def rows(markdown: str) -> dict[str, tuple[str, str, str, str]]:
    found: dict[str, tuple[str, str, str, str]] = {}
    for line in markdown.splitlines():
        match = ROW.match(line)
        if match:
            name, *cells = match.groups()
            assert name not in found, f"{name} has two rows"
            found[name] = (cells[0], cells[1], cells[2], cells[3])
    return found


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def test_the_hook_reads_the_template_as_cfn_lint_does(template: dict[str, Any]) -> None:
    # The build has no cfn-lint (its venv holds only MkDocs); its small loader must agree with it.
    assert hook.load_template() == template


def test_there_is_one_row_per_parameter_with_its_default(template: dict[str, Any]) -> None:
    table = rows(hook.parameter_tables(template))
    assert sorted(table) == sorted(template["Parameters"])
    for name, spec in template["Parameters"].items():
        default = table[name][0]
        if "Default" not in spec:
            assert default == "**required**", name
        elif str(spec["Default"]) == "":
            assert default == "*(empty)*", name
        else:
            assert default == f"`{spec['Default']}`", name


def test_allowed_values_and_bounds_are_the_templates(template: dict[str, Any]) -> None:
    table = rows(hook.parameter_tables(template))
    assert table["EmailProvider"][1] == "`ses`, `sendgrid`"
    spec = template["Parameters"]["CodeLength"]
    assert table["CodeLength"][1] == f"{spec['MinValue']} to {spec['MaxValue']}"
    # A pattern is shown as the sentence CloudFormation prints when a value fails it.
    assert table["EmailFrom"][1] == template["Parameters"]["EmailFrom"]["ConstraintDescription"]


def test_each_parameter_names_the_function_variable_it_sets(template: dict[str, Any]) -> None:
    table = rows(hook.parameter_tables(template))
    assert table["AppName"][2] == "`APP_NAME`"
    # SignInUrl reaches the functions through an Fn::If (the stack's own page when it is empty), and
    # the account function through its origin too.
    assert table["SignInUrl"][2] == "`SIGN_IN_URL`, `ACCOUNT_API_ALLOWED_ORIGIN`"
    assert table["LogLevel"][2] == "`POWERTOOLS_LOG_LEVEL`"
    # Parameters that shape resources rather than code say so.
    assert table["LogRetentionInDays"][2] == "stack resources"
    variables = hook.variables_set_by(template)
    globals_env = template["Globals"]["Function"]["Environment"]["Variables"]
    for variable, value in globals_env.items():
        if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in template["Parameters"]:
            assert variable in variables[value["Ref"]]


def test_descriptions_are_text_not_markup(template: dict[str, Any]) -> None:
    # Given a description holding table and HTML syntax
    changed = copy.deepcopy(template)
    changed["Parameters"]["AppName"]["Description"] = 'Shown as "Sign in to <AppName>" | a & b'
    # Then the cell shows it as text, and the row still has five cells
    description = rows(hook.parameter_tables(changed))["AppName"][3]
    assert description == 'Shown as "Sign in to &lt;AppName&gt;" \\| a &amp; b'


def test_a_parameter_missing_from_the_console_groups_fails_the_build(template: dict[str, Any]) -> None:
    changed = copy.deepcopy(template)
    changed["Parameters"]["Unlisted"] = {"Type": "String", "Default": ""}
    with pytest.raises(ValueError, match=r"not listed \['Unlisted'\]"):
        hook.parameter_tables(changed)


def test_the_page_gets_the_tables_where_its_marker_is() -> None:
    markdown = f"# Configuration\n\nBefore.\n\n{hook.MARKER}\n\nAfter.\n"
    built = hook.on_page_markdown(markdown, page=page("configuration.md"), config={}, files=[])
    assert hook.MARKER not in built
    assert built.startswith("# Configuration\n\nBefore.\n\n### ")
    assert built.endswith("\n\nAfter.\n")
    assert "| `EmailProvider` |" in built


def test_the_configuration_page_without_its_marker_fails_the_build() -> None:
    with pytest.raises(ValueError, match="must hold the line"):
        hook.on_page_markdown("# Configuration\n", page=page("configuration.md"), config={}, files=[])
    # Other pages pass through untouched.
    assert hook.on_page_markdown("# Deploy\n", page=page("deploy.md"), config={}, files=[]) == "# Deploy\n"


def test_the_configuration_page_holds_the_marker() -> None:
    assert hook.MARKER in CONFIGURATION_PAGE.read_text(encoding="utf-8").splitlines()
