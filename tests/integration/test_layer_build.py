"""The layer as `sam build` makes it: layers/passwordless/Makefile's build-PasswordlessLayer, run the way
SAM's makefile builder runs it (ARTIFACTS_DIR set), offline. pip installs from a folder holding one
wheel built here, which ships a stray top-level `test` and `tests` package as sendgrid's wheel does;
the layer must end up with the dependencies and the passwordless package under python/, and neither
stray package (it would shadow the standard library's `test` in every function)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jinja2
import pytest

from passwordless.email import precompile
from tests.template.cfn import ROOT

LAYER_DIR = ROOT / "layers" / "passwordless"
TARGET = "build-PasswordlessLayer"
MAKE = shutil.which("make") or "make"


def python_with_pip() -> str:
    """An interpreter that can run `-m pip` (uv's venvs have none; the one they were made from has)."""
    for python in (Path(sys.executable), Path(sys.base_prefix) / "bin" / "python3"):
        found = subprocess.run([python, "-m", "pip", "--version"], capture_output=True, check=False)
        if found.returncode == 0:
            return str(python)
    pytest.fail(f"no python with pip next to {sys.executable}; the layer's Makefile installs with pip")


def fake_wheel(folder: Path) -> Path:
    """strayer 1.0: its own package, plus the top-level `test` and `tests` a careless wheel ships."""
    files = {
        "strayer/__init__.py": "",
        "test/__init__.py": "",
        "test/unit/test_strayer.py": "def test_nothing():\n    pass\n",
        "tests/__init__.py": "",
        "strayer-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: strayer\nVersion: 1.0\n",
        "strayer-1.0.dist-info/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
        "strayer-1.0.dist-info/top_level.txt": "strayer\ntest\ntests\n",
    }
    record = "".join(f"{name},,\n" for name in files) + "strayer-1.0.dist-info/RECORD,,\n"
    wheel = folder / "strayer-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in {**files, "strayer-1.0.dist-info/RECORD": record}.items():
            archive.writestr(name, text)
    return wheel


def run_target(*variables: str, artifacts: Path | None) -> subprocess.CompletedProcess[str]:
    """`make build-PasswordlessLayer` in the layer's folder, with ARTIFACTS_DIR as SAM sets it."""
    # Not as part of an outer make's job server (make test's): this make runs on its own.
    outer = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "ARTIFACTS_DIR", "PYTHONPATH")
    env = {name: value for name, value in os.environ.items() if name not in outer}
    # The real requirements put Jinja in the layer, where the template precompile finds it; the fake
    # ones here do not, so it comes from this test's own packages.
    env["PYTHONPATH"] = str(Path(jinja2.__file__).parent.parent)
    if artifacts is not None:
        env["ARTIFACTS_DIR"] = str(artifacts)
    return subprocess.run(
        [MAKE, "--no-print-directory", "-C", str(LAYER_DIR), TARGET, *variables],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_layer_holds_its_packages_under_python_and_no_stray_test_package(tmp_path: Path) -> None:
    # Given a wheel that ships top-level `test` and `tests` packages, and requirements naming it
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    fake_wheel(wheels)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("strayer==1.0\n", encoding="utf-8")
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()

    # When SAM's makefile builder runs the layer's target
    built = run_target(
        f"PYTHON={python_with_pip()}",
        f"REQUIREMENTS={requirements}",
        f"PIP_ARGS=--no-index --find-links {wheels}",
        artifacts=artifacts,
    )

    # Then the dependency and the passwordless package are where Lambda looks (/opt/python)
    assert built.returncode == 0, built.stderr
    python = artifacts / "python"
    assert (python / "strayer" / "__init__.py").is_file()
    assert (python / "passwordless" / "settings.py").is_file()
    assert (python / "passwordless" / "email" / "templates" / "de" / "sign_in" / "body.html").is_file()
    # And neither stray package, nor the build's own files, nor bytecode for any Python but the
    # runtime's (3.13), which a build by that Python compiles for every module it ships
    assert not (python / "test").exists()
    assert not (python / "tests").exists()
    assert sorted(path.name for path in artifacts.iterdir()) == ["python"]
    compiled = {path.name.split(".")[1] for path in python.rglob("*.pyc")}
    templates = python / "passwordless" / "email" / "__pycache__" / "templates"
    if sys.version_info[:2] == (3, 13):
        assert compiled == {"cpython-313"}
        assert (python / "passwordless" / "__pycache__" / "settings.cpython-313.pyc").is_file()
        # And every email template's compiled code, for the runtime's Python
        assert built.stdout.count("compiled ") == 1, built.stdout
        shipped = len(precompile.compile_all())
        assert len(list(templates.glob("*.cpython-313.jinja"))) == shipped, built.stdout
    else:
        assert compiled == set()
        assert not templates.exists()


def test_without_artifacts_dir_the_target_refuses_to_build() -> None:
    done = run_target(artifacts=None)

    assert done.returncode != 0
    assert "ARTIFACTS_DIR" in done.stderr
