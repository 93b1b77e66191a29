"""The dev server's hot reload watches code, not what the app writes while it runs: a log file
rotating (`microblog.log.1`) or an export being written must not restart the backend and drop
every open socket."""

from __future__ import annotations

import importlib
import os

import pytest

from microblog.config import PROJECT_ROOT


def test_logs_and_exports_are_not_watched(monkeypatch: pytest.MonkeyPatch) -> None:
    from reflex.utils.exec import get_reload_paths

    monkeypatch.delenv("REFLEX_HOT_RELOAD_EXCLUDE_PATHS", raising=False)
    monkeypatch.chdir(PROJECT_ROOT)
    import rxconfig

    importlib.reload(rxconfig)  # sets the exclusions, as `reflex run` loading it does
    assert os.environ["REFLEX_HOT_RELOAD_EXCLUDE_PATHS"]
    watched = {path.resolve() for path in get_reload_paths()}
    assert (PROJECT_ROOT / "microblog").resolve() in watched or any(
        path.is_relative_to(PROJECT_ROOT / "microblog") for path in watched
    )
    for folder in ("logs", "instance"):
        assert not any(path.is_relative_to(PROJECT_ROOT / folder) for path in watched)
