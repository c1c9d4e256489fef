"""The configuration page's parameter tables, written at build time from template.yaml: each
parameter's default, allowed values, description and the environment variable it sets, grouped as
the CloudFormation console groups them. The page cannot disagree with the template it documents.

An MkDocs hook (mkdocs.yml `hooks:`): MkDocs calls `on_page_markdown` for every page.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "template.yaml"
MARKER = "<!-- template-parameters -->"
PAGE = "configuration.md"
COLUMNS = ("Parameter", "Default", "Allowed values", "Sets", "Description")


class _TemplateLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms (`!Ref x`, `!If [...]`) read as their long forms."""


def _intrinsic(loader: _TemplateLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_TemplateLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.load(text, Loader=_TemplateLoader)  # noqa: S506  # nosec B506 - SafeLoader's subclass
    return loaded


def _refs(node: object) -> Iterator[str]:
    """Every name a `Ref` anywhere under node points at (both branches of an `Fn::If` included)."""
    if isinstance(node, list):
        for item in node:
            yield from _refs(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)


def variables_set_by(template: Mapping[str, Any]) -> dict[str, list[str]]:
    """Parameter name → the function environment variables whose value refers to it."""
    environments = [template.get("Globals", {}).get("Function", {}).get("Environment", {})]
    environments += [
        resource.get("Properties", {}).get("Environment", {}) for resource in template["Resources"].values()
    ]
    found: dict[str, list[str]] = {}
    for environment in environments:
        for variable, value in environment.get("Variables", {}).items():
            for name in _refs(value):
                if name in template["Parameters"] and variable not in found.setdefault(name, []):
                    found[name].append(variable)
    return found


def _cell(text: str) -> str:
    # Descriptions are prose for the CloudFormation console: "<AppName>" there is text, not HTML.
    return html.escape(" ".join(text.split()), quote=False).replace("|", "\\|")


def _code(value: object) -> str:
    return f"`{value}`" if str(value) else "*(empty)*"


def _default(spec: Mapping[str, Any]) -> str:
    return _code(spec["Default"]) if "Default" in spec else "**required**"


def _allowed(spec: Mapping[str, Any]) -> str:
    if "AllowedValues" in spec:
        return ", ".join(_code(value) for value in spec["AllowedValues"])
    if "MinValue" in spec or "MaxValue" in spec:
        return f"{spec.get('MinValue', '…')} to {spec.get('MaxValue', '…')}"
    return _cell(spec.get("ConstraintDescription", "any text" if spec["Type"] == "String" else spec["Type"]))


def parameter_tables(template: Mapping[str, Any]) -> str:
    """One Markdown table per console parameter group, in the console's order."""
    parameters: Mapping[str, Any] = template["Parameters"]
    groups = template["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]
    grouped = [name for group in groups for name in group["Parameters"]]
    ungrouped = sorted(set(parameters) - set(grouped))
    unknown = sorted(set(grouped) - set(parameters))
    repeated = sorted({name for name in grouped if grouped.count(name) > 1})
    if ungrouped or unknown or repeated:
        raise ValueError(
            f"template.yaml's ParameterGroups must list each parameter once: not listed {ungrouped}, "
            f"not parameters {unknown}, listed twice {repeated}"
        )
    sets = variables_set_by(template)
    sections: list[str] = []
    for group in groups:
        rows = [f"| {' | '.join(COLUMNS)} |", f"|{'---|' * len(COLUMNS)}"]
        for name in group["Parameters"]:
            spec = parameters[name]
            variables = ", ".join(f"`{variable}`" for variable in sets.get(name, [])) or "stack resources"
            description = _cell(spec.get("Description", ""))
            cells = (f"`{name}`", _default(spec), _allowed(spec), variables, description)
            rows.append(f"| {' | '.join(cells)} |")
        sections.append(f"### {group['Label']['default']}\n\n" + "\n".join(rows))
    return "\n\n".join(sections)


def on_page_markdown(markdown: str, *, page: Any, **_: Any) -> str:  # noqa: ANN401 - MkDocs' Page
    if MARKER in markdown:
        return markdown.replace(MARKER, parameter_tables(load_template()))
    if page.file.src_uri == PAGE:
        raise ValueError(f"docs/{PAGE} must hold the line {MARKER} where the parameter tables go")
    return markdown
