"""Radix Themes' stylesheet without the colour scales the app never uses.

Reflex's `RadixThemesPlugin` imports `@radix-ui/themes/styles.css`: every component's rules,
the utility classes and the tokens of all 31 colour scales (light, dark, alpha and P3 variants
of each), 92 KB gzipped and render-blocking on every page. Radix publishes the same stylesheet
in parts for exactly this (its "tree-shaking" imports): `tokens/base.css` (the theme's tokens,
no colours), one file per colour scale, `components.css` and `utilities.css`. This plugin asks
for those parts with only the scales the app names, which leaves about 40 % of the tokens out
(measured in docs/performance.md, "What every page loads").

`COLOURS` must name every scale the code uses: a `color_scheme=` of a component, a
`var(--<scale>-N)` in assets/*.css, the accent and its grey. A scale left out renders its
elements without colour; tests/unit/test_radix_stylesheet.py reads the code for the scales it
names and fails when one is missing here.
"""

from __future__ import annotations

import dataclasses
from typing import Any

# reflex-components-radix has no py.typed marker (as reflex-components-core, pyproject.toml).
from reflex_components_radix.plugin import RadixThemesPlugin  # type: ignore[import-untyped]

ACCENT = "indigo"
# Radix pairs each accent with a grey ("auto"): indigo's is slate.
GREY = "slate"
COLOURS = (
    ACCENT,
    GREY,
    "gray",  # color_scheme="gray" and var(--gray-N) use the neutral scale itself
    "red",
    "green",
    "amber",
    # the avatars' hues (assets/microblog.css, .post-avatar[data-hue])
    "tomato",
    "jade",
    "plum",
    "cyan",
    "orange",
    "grass",
)
THEMES = "@radix-ui/themes"


@dataclasses.dataclass
class TrimmedRadixThemesPlugin(RadixThemesPlugin):  # type: ignore[misc]
    """RadixThemesPlugin, with the stylesheet in Radix's own parts, only the used colours."""

    def get_stylesheet_paths(self, **context: Any) -> tuple[str, ...]:
        if not self.enabled:
            return ()
        return (
            f"{THEMES}/tokens/base.css",
            *(f"{THEMES}/tokens/colors/{colour}.css" for colour in COLOURS),
            f"{THEMES}/components.css",
            f"{THEMES}/utilities.css",
        )
