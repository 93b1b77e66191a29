"""The frontend build is made again only when what it is made from changes
(microblog/stack/build.py): the key, and `ensure_build` around a stand-in for `reflex export`.
The real build runs in tests/e2e/test_production.py."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from microblog.stack import build


def _tree(root: Path) -> Path:
    (root / "microblog").mkdir(parents=True)
    (root / "microblog" / "pages.py").write_text("PAGE = 1\n")
    (root / "assets").mkdir()
    (root / "assets" / "site.css").write_text("body {}\n")
    (root / "reflex.lock").mkdir()
    (root / "reflex.lock" / "bun.lock").write_text("{}\n")
    (root / "rxconfig.py").write_text("config = 1\n")
    return root


def test_the_key_follows_the_sources_and_the_public_url(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    key = build.build_key("http://localhost:8080", root)
    assert build.build_key("http://localhost:8080", root) == key
    assert build.build_key("https://blog.example.org", root) != key
    (root / "microblog" / "__pycache__").mkdir()
    (root / "microblog" / "__pycache__" / "pages.cpython-311.pyc").write_bytes(b"\0")
    assert build.build_key("http://localhost:8080", root) == key  # bytecode is not a source
    (root / "assets" / "site.css").write_text("body { color: red }\n")
    assert build.build_key("http://localhost:8080", root) != key


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return _tree(tmp_path / "project")


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """`reflex export` replaced by a stand-in that writes a page into the build folder; the
    commands it was asked to run."""
    ran: list[list[str]] = []

    def export(
        command: list[str], *, env: dict[str, str], **_kwargs: object
    ) -> subprocess.CompletedProcess[bytes]:
        ran.append(command)
        client = Path(env["REFLEX_WEB_WORKDIR"]) / "build" / "client"
        client.mkdir(parents=True, exist_ok=True)
        (client / "index.html").write_text("<html></html>")
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(build.subprocess, "run", export)
    return ran


def test_a_second_start_with_nothing_changed_does_not_build(
    tmp_path: Path, project: Path, builds: list[list[str]]
) -> None:
    web = tmp_path / "web"
    assert build.ensure_build("http://localhost:8080", web, root=project) is True
    assert builds and "--frontend-only" in builds[0] and "--no-zip" in builds[0]
    assert build.ensure_build("http://localhost:8080", web, root=project) is False
    assert len(builds) == 1
    (project / "microblog" / "pages.py").write_text("PAGE = 2\n")
    assert build.ensure_build("http://localhost:8080", web, root=project) is True
    assert build.ensure_build("http://localhost:9090", web, root=project) is True  # new address
    assert len(builds) == 3


def test_without_bun_a_stale_build_is_refused_with_the_reason(
    tmp_path: Path, project: Path, builds: list[list[str]]
) -> None:
    """A container's runtime stage has no bun: it runs the build it was made with, or says
    why it cannot."""
    web = tmp_path / "web"
    build.ensure_build("http://localhost:8080", web, root=project)
    assert build.ensure_build("http://localhost:8080", web, may_build=False, root=project) is False
    with pytest.raises(build.BuildFailed, match="another PUBLIC_URL"):
        build.ensure_build("https://blog.example.org", web, may_build=False, root=project)
    with pytest.raises(build.BuildFailed, match="no frontend build"):
        build.ensure_build(
            "http://localhost:8080", tmp_path / "none", may_build=False, root=project
        )
    assert len(builds) == 1
