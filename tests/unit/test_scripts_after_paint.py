"""The build's pages ask for their JavaScript after the first paint (web/scripts_after_paint.py):
the rewrite of a page as React Router's prerender writes it, and the plugin in rxconfig.py.
tests/e2e/test_prod_build.py checks a real build in a browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

from microblog.web.scripts_after_paint import (
    INERT_TYPE,
    ScriptsAfterPaintPlugin,
    rewrite_pages,
    scripts_after_paint,
    with_preload,
)

MODULE = (
    'import "/assets/manifest-1.js";\nimport * as route0 from "/assets/root-2.js";\n'
    'window.__reactRouterRouteModules = {"root":route0};\n'
    'import("/assets/entry.client-3.js"); // "</script>" in a string'
)
# The shape of a prerendered page (React Router 7, Reflex 0.10), shortened.
PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/>'
    '<link as="style" href="/assets/styles.css" rel="preload"/><title>Explore</title>'
    '<link rel="modulepreload" href="/assets/manifest-1.js"/>'
    '<link rel="modulepreload" href="/assets/entry.client-3.js"/>'
    '<link rel="modulepreload" href="/assets/root-2.js"/>'
    "<script>window.__reactRouterContext = {};</script></head><body>"
    '<script type="module" async="">' + MODULE.replace("</script>", "<\\/script>") + "</script>"
    '<div class="rx-Html feed-first-paint"></div><script>$RC("B:1","S:1")</script></body></html>'
)


def _preloads_in_loader(page: str) -> list[str]:
    found = re.search(r"var preloads = (\[.*?\]), started", page, re.S)
    assert found, page
    return json.loads(found.group(1))


def test_the_preloads_move_into_the_loader_and_the_module_script_stays_inert() -> None:
    page = scripts_after_paint(PAGE)
    head, body = page.split("</head>")
    assert '<link rel="modulepreload"' not in head
    assert '<script type="module"' not in page
    # The module script's element keeps its place and its text (React hydrates it), under a
    # type no browser runs; the loader runs that text.
    escaped = MODULE.replace("</script>", "<\\/script>")
    assert f'<body><script type="{INERT_TYPE}" async="">{escaped}</script>' in body
    assert f"document.querySelector('script[type=\"{INERT_TYPE}\"]').textContent" in body
    # Everything else is where it was; the loader is the body's last element.
    assert '<link as="style" href="/assets/styles.css" rel="preload"/>' in head
    assert '<div class="rx-Html feed-first-paint"></div><script>$RC("B:1","S:1")</script>' in body
    assert body.endswith("})();</script></body></html>")
    assert _preloads_in_loader(page) == [
        "/assets/manifest-1.js",
        "/assets/entry.client-3.js",
        "/assets/root-2.js",
    ]


def test_a_module_added_to_the_loader_is_asked_for_first() -> None:
    page = with_preload(scripts_after_paint(PAGE), "/assets/catalog_es-4.js")
    assert _preloads_in_loader(page) == [
        "/assets/catalog_es-4.js",
        "/assets/manifest-1.js",
        "/assets/entry.client-3.js",
        "/assets/root-2.js",
    ]
    assert with_preload(PAGE, "/assets/catalog_es-4.js") == PAGE  # no loader: left alone


def test_nothing_in_the_loader_can_end_its_script_early() -> None:
    page = scripts_after_paint(PAGE.replace("root-2.js", "root-</script>.js"))
    loader = page[page.rindex("<script>(function") :]
    assert loader.count("</script>") == 1  # its own end
    assert "/assets/root-<\\/script>.js" in loader


def test_a_page_without_a_module_script_or_already_rewritten_is_left_alone() -> None:
    plain = "<html><head></head><body><p>static</p></body></html>"
    assert scripts_after_paint(plain) == plain
    once = scripts_after_paint(PAGE)
    assert scripts_after_paint(once) == once


def test_the_plugin_rewrites_every_page_of_the_build(tmp_path: Path) -> None:
    (tmp_path / "explore").mkdir()
    (tmp_path / "explore" / "index.html").write_text(PAGE)
    (tmp_path / "404.html").write_text(PAGE)
    (tmp_path / "robots.txt").write_text("User-agent: *\n")
    assert rewrite_pages(tmp_path) == 2
    ScriptsAfterPaintPlugin().post_build(static_dir=tmp_path)  # again: nothing left to move
    for page in (tmp_path / "explore" / "index.html", tmp_path / "404.html"):
        assert page.read_text() == scripts_after_paint(PAGE)
    assert (tmp_path / "robots.txt").read_text() == "User-agent: *\n"


def test_rxconfig_uses_the_plugin() -> None:
    import rxconfig

    assert any(isinstance(plugin, ScriptsAfterPaintPlugin) for plugin in rxconfig.config.plugins)
