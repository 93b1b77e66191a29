"""The root module without Radix Themes' whole namespace (microblog/web/root_module.py): the
rewrite of what Reflex generates, in both of its forms, and the plugin in rxconfig.py."""

from __future__ import annotations

from microblog.web.root_module import ROOT_MODULE, LeanRootPlugin, without_runtime_libraries

# What Reflex 0.10.1 writes into .web/app/root.jsx with frontend_lazy_bundled_libraries=True...
LAZY = """import * as utils_state from "$/utils/state";

if (typeof window !== "undefined") {
  window.__reflex = { ...window.__reflex,
    "$/utils/state": utils_state,
  };
  const loaders = {
    "@radix-ui/themes": () => import("@radix-ui/themes"),
  };
  let pending;
}
"""

# ... and without it (the default).
EAGER = """import * as utils_state from "$/utils/state";
import * as radix_ui_themes from "@radix-ui/themes";

function ReflexProviders({children}) {
  useEffect(() => {
    window.__reflex = {
    "$/utils/state": utils_state,
    "@radix-ui/themes": radix_ui_themes,
    };
  }, []);
}
"""


def test_the_lazy_loader_of_radix_themes_is_dropped_and_the_rest_kept() -> None:
    lean = without_runtime_libraries(LAZY)
    assert "@radix-ui/themes" not in lean
    assert "const loaders = {\n  };" in lean
    assert '"$/utils/state": utils_state,' in lean


def test_the_eager_import_of_radix_themes_is_dropped_with_its_window_entry() -> None:
    lean = without_runtime_libraries(EAGER)
    assert "radix" not in lean
    assert 'import * as utils_state from "$/utils/state";' in lean
    assert '"$/utils/state": utils_state,' in lean


def test_a_named_import_of_a_radix_component_is_left_alone() -> None:
    named = 'import {Theme as RadixThemesTheme} from "@radix-ui/themes"\n' + LAZY
    assert without_runtime_libraries(named).startswith(named.splitlines()[0])


def test_the_plugin_rewrites_the_root_module() -> None:
    tasks: list[tuple[str, object]] = []
    LeanRootPlugin().pre_compile(add_modify_task=lambda path, fn: tasks.append((path, fn)))
    assert tasks == [(ROOT_MODULE, without_runtime_libraries)]
    assert ROOT_MODULE == "app/root.jsx"


def test_rxconfig_uses_the_plugin_and_lazy_libraries() -> None:
    import rxconfig

    assert any(isinstance(plugin, LeanRootPlugin) for plugin in rxconfig.config.plugins)
    assert rxconfig.config.frontend_lazy_bundled_libraries is True
