"""Keeps the shape of the code true as it grows: which layer may import which, and every page
builds without a Reflex deprecation (a deprecated API is tomorrow's breakage)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "microblog"

# Layer -> top-level imports it must never make.
FORBIDDEN = {
    "models.py": {"reflex", "microblog.state", "microblog.services", "fastapi"},
    "schemas.py": {"reflex", "microblog.state", "fastapi"},
    "security.py": {"reflex", "microblog.state", "fastapi"},
    "config.py": {"reflex", "microblog.state", "microblog.services"},
    "db.py": {"reflex", "microblog.state"},
    "services": {"reflex", "microblog.state", "microblog.pages", "fastapi", "starlette"},
    "live": {"reflex", "microblog.state", "microblog.services", "fastapi", "starlette"},
    "i18n": {"reflex", "microblog.state", "microblog.services", "fastapi", "starlette"},
    # The REST API calls services like the states do, never the UI layers or the web stack.
    "api": {
        "reflex",
        "microblog.state",
        "microblog.pages",
        "microblog.components",
        "microblog.web",
    },
    # The Mastodon client API likewise: services, never the UI layers or the web stack.
    "mastodon": {
        "reflex",
        "microblog.state",
        "microblog.pages",
        "microblog.components",
        "microblog.web",
    },
    # The HTML-serving stack around the app: services and widgets, never the Reflex states.
    "web": {"microblog.state", "microblog.pages", "microblog.components"},
    # States call services and know nothing of how a page draws them or of the HTTP side.
    "state": {"microblog.pages", "microblog.components", "microblog.web", "microblog.api"},
    "jobs.py": {"reflex", "microblog.state", "microblog.web", "microblog.api"},
    # The operator's commands call services, as the states and the API do.
    "admin.py": {"reflex", "microblog.state", "microblog.web", "microblog.api", "fastapi"},
    "backup.py": {"reflex", "microblog.state", "microblog.web", "microblog.api", "fastapi"},
    # The instruments; the web side, the states and the live delivery measure into them.
    "metrics.py": {"reflex", "microblog.state", "microblog.web", "fastapi", "starlette"},
    # The client-address rule and the readiness checks serve the API, the states, the web
    # stack and the production stack alike: plain code under all of them.
    "client_address.py": {"reflex", "fastapi", "starlette", "microblog.state", "microblog.web"},
    "health.py": {"reflex", "fastapi", "starlette", "microblog.state", "microblog.web"},
    # The production stack runs the app as processes; it never reaches into the UI layers.
    "stack": {"microblog.state", "microblog.pages", "microblog.components", "microblog.api"},
    "pages": {"microblog.services", "microblog.db", "sqlmodel", "sqlalchemy"},
    "components": {"microblog.services", "microblog.db", "sqlmodel", "sqlalchemy"},
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _files(layer: str) -> list[Path]:
    target = PACKAGE / layer
    return sorted(target.rglob("*.py")) if target.is_dir() else [target]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_one_way(layer: str) -> None:
    offences = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _files(layer)
        for name in _imports(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer])
    ]
    assert offences == []


# The live layer reaches the features only through what they subscribe (state/delivery.py) or
# register for a page load (state/live.py `on_connect`): it imports no feature's state.
LIVE_LAYER_MAY_IMPORT = {
    "state/delivery.py": {"microblog.state.session"},
    "state/live.py": {"microblog.state.session", "microblog.state.delivery"},
}


def _state_modules_imported(path: Path) -> set[str]:
    """The modules of microblog.state a file imports, `from microblog.state import x` included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("microblog.state."))
        elif isinstance(node, ast.ImportFrom) and node.module == "microblog.state":
            found.update(f"microblog.state.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "microblog.state."
        ):
            found.add(node.module or "")
    return found


@pytest.mark.parametrize("module", sorted(LIVE_LAYER_MAY_IMPORT))
def test_the_live_layer_imports_no_feature_state(module: str) -> None:
    imported = _state_modules_imported(PACKAGE / module)
    assert imported - LIVE_LAYER_MAY_IMPORT[module] == set()


def test_every_page_builds_without_reflex_deprecations(monkeypatch: pytest.MonkeyPatch) -> None:
    from reflex_base.utils import log

    seen: list[str] = []
    monkeypatch.setattr(
        log,
        "deprecate",
        lambda *, feature_name, reason, **_: seen.append(f"{feature_name}: {reason}"),
    )
    from reflex_base.config import reload_config

    from microblog import microblog as composition_root

    reload_config()  # rxconfig.py's deprecations count too
    pages = composition_root.app._unevaluated_pages
    assert {"index", "explore", "login", "register", "user/[username]", "404"} <= set(pages)
    for page in pages.values():
        rendered = page.component().render()
        assert rendered  # a page that renders to nothing is a bug too
    assert seen == []
