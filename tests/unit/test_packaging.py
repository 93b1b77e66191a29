"""The app as a package (pyproject.toml): the wheel `pip` builds holds every module, the message
catalogs, the license and the `microblog` command, and asks for exactly the runtime
dependencies of requirements.txt, each pinned as constraints.txt pins it.

The wheel is built from a copy of the sources in a temporary folder (setuptools writes
`build/` and `*.egg-info` beside what it builds), without build isolation: setuptools comes
from requirements-dev.txt, so the test needs no download."""

from __future__ import annotations

import email.parser
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from microblog.config import PROJECT_ROOT

# What `pip install .` needs from the project folder.
SOURCES = ("pyproject.toml", "requirements.txt", "README.md", "LICENSE", "microblog")


def _requirements(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("-")]


def _name(requirement: str) -> str:
    return re.split(r"[\[=<>!~ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_runtime_dependencies_are_pinned_as_constraints_pins_them() -> None:
    constraints = {
        _name(line): line.split("==", 1)[1]
        for line in _requirements(PROJECT_ROOT / "constraints.txt")
    }
    for requirement in _requirements(PROJECT_ROOT / "requirements.txt"):
        assert "==" in requirement, f"{requirement} is not pinned"
        assert constraints.get(_name(requirement)) == requirement.split("==", 1)[1], requirement


def test_pyproject_reads_the_dependencies_from_requirements_txt() -> None:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    assert "dependencies" in project["project"]["dynamic"]
    assert "dependencies" not in project["project"]  # one list, not two to keep in step
    dynamic = project["tool"]["setuptools"]["dynamic"]["dependencies"]
    assert dynamic == {"file": ["requirements.txt"]}
    assert project["project"]["scripts"] == {"microblog": "microblog.cli:main"}


def test_the_wheel(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in SOURCES:
        origin = PROJECT_ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / name)
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    built = subprocess.run(
        [*pip, "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("microblog-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = next(n for n in names if n.endswith(".dist-info/METADATA")).rsplit("/", 1)[0]
        metadata = email.parser.Parser().parsestr(archive.read(f"{info}/METADATA").decode())
        entry_points = archive.read(f"{info}/entry_points.txt").decode()

    modules = {
        path.relative_to(PROJECT_ROOT).as_posix()
        for path in (PROJECT_ROOT / "microblog").rglob("*.py")
    }
    assert modules <= names, sorted(modules - names)[:5]
    catalogs = {
        path.relative_to(PROJECT_ROOT).as_posix()
        for path in (PROJECT_ROOT / "microblog" / "translations").rglob("*.[pm]o")
    }
    assert any(name.endswith(".po") for name in catalogs) and catalogs <= names
    assert not any(name.startswith(("tests/", "benchmarks/", "tools/")) for name in names)
    assert f"{info}/licenses/LICENSE" in names
    assert metadata.get_all("Requires-Dist") == _requirements(PROJECT_ROOT / "requirements.txt")
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Requires-Python"] == ">=3.11"
    assert "microblog = microblog.cli:main" in entry_points
