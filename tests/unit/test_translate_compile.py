"""`translate compile` (run by every `make` target) leaves compiled catalogs alone when their
content would not change: a rewritten .mo or catalog module restarts a running `make run`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo

from microblog.config import PROJECT_ROOT
from microblog.i18n import tools
from microblog.i18n.catalogs import SUPPORTED, TRANSLATIONS_DIR
from microblog.i18n.jsexport import ASSETS_DIR, render_modules


def _compile() -> str:
    done = subprocess.run(
        [sys.executable, "-m", "microblog", "translate", "compile"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "MICROBLOG_ENV": "test"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def test_compiling_twice_writes_nothing_the_second_time() -> None:
    compiled = [TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.mo" for lang in SUPPORTED]
    compiled += [ASSETS_DIR / name for name in render_modules()]
    _compile()  # up to date, whatever the checkout held
    before = {path: path.stat().st_mtime_ns for path in compiled}
    shown = _compile()
    assert {path: path.stat().st_mtime_ns for path in compiled} == before
    assert "Wrote" not in shown and shown.count("Unchanged") == len(compiled)


def test_a_changed_catalog_is_written_and_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only what changed is written, and what is written is a real .mo of the new text."""
    shutil.copytree(TRANSLATIONS_DIR / "es", tmp_path / "es")
    monkeypatch.setattr(tools, "TRANSLATIONS_DIR", tmp_path)
    mo = tmp_path / "es" / "LC_MESSAGES" / "messages.mo"
    mo.unlink()
    assert tools._compile_mo("es") == (mo, True)
    first = mo.stat().st_mtime_ns
    assert tools._compile_mo("es") == (mo, False)
    assert mo.stat().st_mtime_ns == first
    po = tmp_path / "es" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    assert 'msgstr "Explorar"' in text
    po.write_text(text.replace('msgstr "Explorar"', 'msgstr "Explorar ya"'), encoding="utf-8")
    assert tools._compile_mo("es") == (mo, True)
    with mo.open("rb") as compiled:
        assert read_mo(compiled).get("Explore").string == "Explorar ya"
