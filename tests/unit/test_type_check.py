"""The type check's Reflex plugin (tools/mypy_reflex.py), on a small page module: a state var
read on the class is the Var Reflex gives, a handler is an EventHandler, `rx.event.EventSpec` is
a type, and a misspelt state var is still an error. `make test` runs mypy over the whole tree
just before, so its cache makes this quick there."""

from __future__ import annotations

from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api")

ROOT = Path(__file__).resolve().parents[2]

PAGE = """\
import reflex as rx

from microblog.state.feed import FeedState

reveal_type(FeedState.posts)
reveal_type(FeedState.draft)
reveal_type(FeedState.has_next)
reveal_type(FeedState.page)
reveal_type(FeedState.load_home)


def next_page() -> rx.event.EventSpec:
    return FeedState.load_home()


FeedState.postz
"""


def test_the_plugin_types_state_vars_and_handlers_as_reflex_makes_them(tmp_path: Path) -> None:
    module = tmp_path / "microblog_type_probe.py"  # a project module to the plugin
    module.write_text(PAGE)
    report, errors, status = mypy_api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            str(module),
        ]
    )
    assert errors == ""
    lines = [line.split(": ", 1)[1] for line in report.splitlines() if ": " in line]
    revealed = [line.removeprefix("note: Revealed type is ") for line in lines[:5]]
    assert revealed == [
        '"reflex_base.vars.sequence.ArrayVar[list[microblog.schemas.PostRow]]"',
        '"reflex_base.vars.sequence.StringVar[str]"',
        '"reflex_base.vars.number.BooleanVar"',
        '"reflex_base.vars.number.NumberVar[int]"',
        '"reflex_base.event.EventHandler"',
    ]
    assert lines[5:] == ['error: "type[FeedState]" has no attribute "postz"  [attr-defined]']
    assert status == 1
