"""Reflex's root module without all of Radix Themes.

Reflex's root module (`.web/app/root.jsx`, loaded by every page) puts the libraries it bundles
on `window.__reflex`, for components evaluated in the browser at run time (`rx.dynamic`). One
of them is `@radix-ui/themes`, imported whole (`import * as radix_ui_themes`): every page then
loaded every Radix Themes component (Select, Tabs, ScrollArea, Slider, DataList...), about
40 KB of the 56 KB root chunk gzipped, used or not. This app has no run-time components.

`frontend_lazy_bundled_libraries=True` (rxconfig.py) turns those imports into loaders that run
only when such a component is evaluated; but the loader still names the whole package, so the
bundler keeps every component in a chunk that the pages load anyway. `LeanRootPlugin` drops the
loaders of the libraries in `DROPPED` from the generated root module, so the build keeps only
the Radix components the pages import by name. Measured in docs/performance.md ("What every
page loads"); `tests/unit/test_root_module.py` checks the rewrite and the built bundle.
"""

from __future__ import annotations

import json
import re
from typing import Any

from reflex_base.plugins.base import Plugin

ROOT_MODULE = "app/root.jsx"
DROPPED = ("@radix-ui/themes",)


def without_runtime_libraries(root: str, dropped: tuple[str, ...] = DROPPED) -> str:
    """The root module without the lazy loaders (and, should Reflex import them eagerly, the
    whole-namespace imports and `window.__reflex` entries) of `dropped`."""
    for library in dropped:
        name = json.dumps(library)
        root = re.sub(
            rf"^\s*{re.escape(name)}: \(\) => import\({re.escape(name)}\),\n", "", root, flags=re.M
        )
        eager = re.search(rf"^import \* as (\w+) from {re.escape(name)};\n", root, flags=re.M)
        if eager:
            alias = eager.group(1)
            root = root.replace(eager.group(0), "", 1)
            root = re.sub(rf"^\s*{re.escape(name)}: {alias},\n", "", root, flags=re.M)
    return root


class LeanRootPlugin(Plugin):
    """In rxconfig.py's plugins: the root module without Radix Themes' whole namespace."""

    def pre_compile(self, **context: Any) -> None:
        context["add_modify_task"](ROOT_MODULE, without_runtime_libraries)
