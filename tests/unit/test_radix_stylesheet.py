"""The trimmed Radix Themes stylesheet (microblog/web/radix_stylesheet.py) keeps every colour
scale the code names, and only Radix's own parts of the stylesheet."""

from __future__ import annotations

import re
from typing import get_args

from reflex_components_radix.themes.base import LiteralAccentColor

from microblog.config import PROJECT_ROOT
from microblog.web.radix_stylesheet import COLOURS, THEMES, TrimmedRadixThemesPlugin

SCALES = set(get_args(LiteralAccentColor)) | {"slate", "mauve", "sage", "olive", "sand"}
QUOTED = re.compile(r"\"([a-z]+)\"")
CSS_VAR = re.compile(r"var\(--([a-z]+)-a?\d+\)")


def scales_named_in_code() -> dict[str, str]:
    """Every colour scale the code names, with one place it is named."""
    found: dict[str, str] = {}
    for path in (PROJECT_ROOT / "microblog").rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "color_scheme=" in line or "accent_color=" in line or "gray_color=" in line:
                for word in QUOTED.findall(line.split("=", 1)[1]):
                    if word in SCALES:
                        found.setdefault(word, f"{path.name}:{number}")
    for path in (PROJECT_ROOT / "assets").rglob("*.css"):
        for word in CSS_VAR.findall(path.read_text()):
            if word in SCALES:
                found.setdefault(word, path.name)
    return found


def test_every_scale_the_code_names_is_in_the_stylesheet() -> None:
    named = scales_named_in_code()
    assert {"indigo", "red", "gray"} <= set(named)  # the scan finds what is surely there
    missing = {scale: where for scale, where in named.items() if scale not in COLOURS}
    assert not missing, f"add these to COLOURS in microblog/web/radix_stylesheet.py: {missing}"


def test_the_stylesheet_is_radix_parts_with_those_scales_only() -> None:
    paths = TrimmedRadixThemesPlugin().get_stylesheet_paths()
    assert f"{THEMES}/styles.css" not in paths
    assert paths[0] == f"{THEMES}/tokens/base.css"
    assert paths[-2:] == (f"{THEMES}/components.css", f"{THEMES}/utilities.css")
    colours = [p.rsplit("/", 1)[1].removesuffix(".css") for p in paths[1:-2]]
    assert colours == list(COLOURS)
    assert len(COLOURS) < len(SCALES) / 2


def test_a_disabled_plugin_adds_no_stylesheet() -> None:
    assert TrimmedRadixThemesPlugin.create_implicit().get_stylesheet_paths() == ()
