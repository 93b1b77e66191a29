"""Under `make run` the frontend dev server passes the API, its docs and the health checks to
the backend (microblog/web/dev_api_proxy.py), so /api/docs answers on the public address."""

from __future__ import annotations

import json
import re

from microblog.web.dev_api_proxy import PROXIED, with_proxy

# The part of Reflex's generated vite.config.js the plugin edits.
CONFIG = """export default defineConfig((config) => ({
  server: {
    port: process.env.PORT,
    hmr: true,
  },
}));"""


def test_the_api_and_health_paths_go_to_the_backend() -> None:
    edited = with_proxy(CONFIG, "http://localhost:8000")
    proxy = json.loads(re.search(r"proxy: (\{.*\}),\n", edited).group(1))  # type: ignore[union-attr]
    assert set(proxy) == set(PROXIED)
    assert {"/api", "/healthz", "/readyz", "/feeds/", "/robots.txt", "/sitemap.xml"} <= set(proxy)
    assert {route["target"] for route in proxy.values()} == {"http://localhost:8000"}
    assert "port: process.env.PORT" in edited  # the rest is kept


def test_a_config_of_another_shape_or_already_proxied_is_left_alone() -> None:
    assert with_proxy("export default {}", "http://x") == "export default {}"
    once = with_proxy(CONFIG, "http://localhost:8000")
    assert with_proxy(once, "http://localhost:8000") == once
