"""The parent stacks in examples/ nest this application (AWS::Serverless::Application), one for each
pool mode, and the template carries what the Serverless Application Repository needs to publish it.
Each example is linted as written and, translated by the SAM transform as `sam deploy` would after
`sam package`, linted again; it may pass the nested application only parameters it declares."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint

from laptop.stack_template import ROOT, load_template
from tests.template.cfn import LINT_REGIONS, lint_translated, problems, resources_of_type, translate_offline

EXAMPLES = sorted((ROOT / "examples").glob("*/template.yaml"))
NESTED_URL = "https://artifacts-bucket.s3.amazonaws.com/passwordless/template.yaml"


def nested(example: dict[str, Any]) -> dict[str, Any]:
    (application,) = resources_of_type(example, "AWS::Serverless::Application").values()
    return application


def as_packaged(example: dict[str, Any]) -> dict[str, Any]:
    """What `sam package` hands CloudFormation: the local Location uploaded, an https URL instead."""
    packaged = copy.deepcopy(example)
    nested(packaged)["Properties"]["Location"] = NESTED_URL
    return packaged


def test_there_is_an_example_for_each_pool_mode() -> None:
    modes = {
        "ExistingUserPoolId" in nested(load_template(path))["Properties"]["Parameters"] for path in EXAMPLES
    }
    assert modes == {True, False}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.parent.name)
def test_each_example_nests_this_template_with_parameters_it_declares(path: Path) -> None:
    example = load_template(path)
    application = nested(example)["Properties"]
    assert (path.parent / application["Location"]).resolve() == ROOT / "template.yaml"
    declared = load_template()["Parameters"]
    given = application["Parameters"]
    assert set(given) <= set(declared)
    required = {name for name, spec in declared.items() if "Default" not in spec}
    assert required <= set(given)
    # Every output an example reads from the nested stack is one the template has
    read = set(re.findall(r"'Passwordless', 'Outputs\.(\w+)'", str(example)))
    assert read
    assert read <= set(load_template()["Outputs"])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.parent.name)
def test_each_example_lints_as_written_and_once_translated(path: Path, tmp_path: Path) -> None:
    assert problems(lint(path.read_text(encoding="utf-8"), config=ManualArgs(regions=LINT_REGIONS))) == []
    translated = translate_offline(as_packaged(load_template(path)))
    (stack,) = resources_of_type(translated, "AWS::CloudFormation::Stack").values()
    assert stack["Properties"]["TemplateURL"] == NESTED_URL
    assert lint_translated(translated, tmp_path) == []


def test_the_serverless_application_repository_can_publish_the_template() -> None:
    metadata = load_template()["Metadata"]["AWS::ServerlessRepo::Application"]
    for field in (
        "Name",
        "Description",
        "Author",
        "SpdxLicenseId",
        "LicenseUrl",
        "ReadmeUrl",
        "SemanticVersion",
    ):
        assert metadata[field], field
    assert metadata["Labels"]
    # The files it names exist, and the licence and version are the project's
    assert (ROOT / metadata["LicenseUrl"]).is_file()
    assert (ROOT / metadata["ReadmeUrl"]).is_file()
    assert "MIT No Attribution" in (ROOT / metadata["LicenseUrl"]).read_text(encoding="utf-8")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{metadata["SemanticVersion"]}"' in pyproject
    assert f'license = {{ text = "{metadata["SpdxLicenseId"]}" }}' in pyproject
    assert re.fullmatch(r"\d+\.\d+\.\d+", metadata["SemanticVersion"])
