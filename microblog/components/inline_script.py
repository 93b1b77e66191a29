"""A small script of assets/ written into every page's `<head>` rather than asked for.

The head's three scripts that must run before the first paint (public_origin.js, tab_token.js,
i18n/html_lang.js; microblog.py says what each does) were files: blocking requests,
revalidated on every page load since their names carry no content hash
(web/asset_caching.py), so the browser stopped reading the page until three round trips to
the server came back (docs/performance.md, "The head's scripts in the page"). Together they
are about 2 KB.

They are React elements of the page, as Reflex's own colour-mode script is, so the prerender
and the live page hold the same text and hydration finds what it expects (the build's HTML
rewritten after the fact would not: React compares a script's text, error 418).
"""

from __future__ import annotations

from pathlib import Path

import reflex as rx

ASSETS = Path(__file__).resolve().parents[2] / "assets"
INLINE_MAX = 4096
"""A larger script stays a file: written in, it would be sent again with every page."""


def inline_script(name: str, **attrs: str) -> rx.Component:
    """assets/`name` as an inline `<script>` with `attrs` (`data-origin`: a script reads its
    own element's attributes through `document.currentScript`, as it did from the file)."""
    text = (ASSETS / name).read_text(encoding="utf-8")
    if len(text.encode()) > INLINE_MAX or "</script" in text.lower():
        raise ValueError(f"assets/{name} cannot be written into the page; load it as a file")
    return rx.el.script(text, custom_attrs=attrs)
