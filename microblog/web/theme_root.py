"""The page's light or dark theme is set once, on `<html>`, not again on Radix's root element.

Two of Reflex's providers follow the reader's colour mode. The theme provider
(`utils/react-theme.js`) puts `light` or `dark` on `<html>`, as the inline script in the `<head>`
does before the first paint. `RadixThemesColorModeProvider` then writes the same class on the
Radix Themes root (`.radix-themes[data-is-root-theme="true"]`), which the server draws
without one, right after the hydration. Radix's stylesheet declares variables on a root
that has the class (`--lightningcss-light`, `--lightningcss-dark`, `color-scheme`), so the
root's variables change, and every element under it, the whole page, has its style matched
again: a 19-44 ms style pass in Lighthouse's traces of a phone's page load, four times that under
Lighthouse's slowdown (docs/performance.md, "The theme root's class").

The root does not need the class: Radix's colours for `<html class="dark">` reach every
`.radix-themes` element without one (`:is(.dark, .dark-theme) :where(.radix-themes:not(.light,
.light-theme))`), the light ones come from `:root`, and the theme provider sets `color-scheme`
on `<html>`. `ThemeRootPlugin` replaces the provider's module in the generated frontend with
one that only renders its children, so the class is written once, on `<html>`.
"""

from __future__ import annotations

from typing import Any

from reflex_base.plugins.base import Plugin

PROVIDER_MODULE = "components/reflex/radix_themes_color_mode_provider.js"

# The module Reflex generates, as far as this plugin relies on it: a default export that takes
# `children` and writes the resolved mode on the root theme's class.
REFLEX_SIGNATURE = "export default function RadixThemesColorModeProvider({ children })"
REFLEX_WRITE = "radixRoot.classList.add(resolvedTheme)"

PROVIDER = """// microblog/web/theme_root.py: the colour mode's class is on <html> only.
export default function RadixThemesColorModeProvider({ children }) {
  return children;
}
"""


class ProviderChanged(RuntimeError):
    """Reflex's colour-mode provider is not the module this plugin was written for."""


def provider_without_root_class(generated: str) -> str:
    """Our provider in place of Reflex's `generated` one; refuses a module it does not know, so
    that a Reflex upgrade that changes the provider is looked at rather than overwritten."""
    if generated == PROVIDER:
        return generated
    if REFLEX_SIGNATURE not in generated or REFLEX_WRITE not in generated:
        raise ProviderChanged(
            f"{PROVIDER_MODULE} is not the provider microblog/web/theme_root.py replaces; "
            "check what it does now before replacing it"
        )
    return PROVIDER


class ThemeRootPlugin(Plugin):
    """In rxconfig.py's plugins: the Radix root theme keeps the class the server drew."""

    def pre_compile(self, **context: Any) -> None:
        context["add_modify_task"](PROVIDER_MODULE, provider_without_root_class)
