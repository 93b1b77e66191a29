"""Under `make run`, the API (and its docs), the health endpoints, the feeds, robots.txt, the
sitemaps and the app manifest answer on the public address too: the frontend dev server passes
them to the backend, so http://localhost:3000/api/docs works as it does under `make prod`,
where nginx serves everything on one port. Without this the dev server answered them with the
app's own page (a blank "Not Found"). It also answers every page with the status and the head
tags production gives it (dev_pages.py): 404 for an unknown address, user or post.

A Reflex plugin that adds Vite's `server.proxy` to the generated vite.config.js; production
builds ignore the dev server's settings.
"""

from __future__ import annotations

import json
from typing import Any

from reflex_base.plugins.base import Plugin

from microblog.web.dev_pages import VITE_PLUGIN

VITE_CONFIG = "vite.config.js"
PROXIED = (
    "/api",
    "/healthz",
    "/readyz",
    # web/syndication.py: what feed readers, crawlers and browsers ask the site for.
    "/feeds/",
    "/robots.txt",
    "/sitemap.xml",
    "/sitemaps/",
    "/manifest.webmanifest",
    # The Mastodon client API's sign-in and server description (microblog/mastodon).
    "/oauth/",
    "/.well-known/nodeinfo",
    "/nodeinfo/",
)
_SERVER_BLOCK = "  server: {\n"


def with_proxy(config: str, backend: str) -> str:
    """vite.config.js with the paths above passed to `backend` (unchanged if its server block
    is not where Reflex writes it)."""
    if _SERVER_BLOCK not in config or "proxy:" in config:
        return config
    routes = {path: {"target": backend, "changeOrigin": False} for path in PROXIED}
    return config.replace(_SERVER_BLOCK, f"{_SERVER_BLOCK}    proxy: {json.dumps(routes)},\n", 1)


_PLUGINS = "  plugins: [\n"
_EXPORT = "export default defineConfig("


def with_page_answers(config: str, backend: str) -> str:
    """vite.config.js with dev_pages.py's plugin first in its list: pages answered with the
    status and head tags production gives them (unchanged if the config is of another shape
    or already has it)."""
    if _PLUGINS not in config or _EXPORT not in config or "microblogPages(" in config:
        return config
    config = config.replace(_EXPORT, VITE_PLUGIN.lstrip() + "\n" + _EXPORT, 1)
    return config.replace(_PLUGINS, f"{_PLUGINS}    microblogPages({json.dumps(backend)}),\n", 1)


class DevApiProxyPlugin(Plugin):
    """`DevApiProxyPlugin(backend_url)`, in rxconfig.py."""

    def __init__(self, backend: str) -> None:
        self.backend = backend

    def pre_compile(self, **context: Any) -> None:
        context["add_modify_task"](
            VITE_CONFIG,
            lambda config: with_page_answers(with_proxy(config, self.backend), self.backend),
        )
