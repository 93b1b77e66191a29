"""Reflex configuration. Everything that varies comes from the environment (see .env.example)."""

import os

import reflex as rx
from dotenv import load_dotenv
from reflex_base.constants import PackageJson
from reflex_base.plugins.sitemap import SitemapPlugin

from microblog.config import (
    PROJECT_ROOT,
    public_addresses,
    tab_state_store,
    trusted_proxy_hops,
    written_folders,
)
from microblog.web.dev_api_proxy import DevApiProxyPlugin
from microblog.web.page_languages import PageLanguagesPlugin
from microblog.web.profile_skeleton import ProfileSkeletonPlugin
from microblog.web.radix_stylesheet import ACCENT, TrimmedRadixThemesPlugin
from microblog.web.root_module import LeanRootPlugin
from microblog.web.scripts_after_paint import ScriptsAfterPaintPlugin
from microblog.web.theme_root import ThemeRootPlugin

# The same optional .env file the app's settings read (microblog/config.py), for the names below.
load_dotenv(PROJECT_ROOT / ".env", override=False)

# No client event of ours comes near 64 KiB; Reflex's default (1 MB) let any visitor park a
# megabyte in a tab's state per message.
os.environ.setdefault("REFLEX_SOCKET_MAX_HTTP_BUFFER_SIZE", str(64 * 1024))

# The backend runs under uvicorn (gunicorn's process manager in production), not granian: every
# open tab holds a websocket, and granian's buffers make each one cost the worker several times
# what uvicorn's does (docs/live-performance.md#memory-per-tab).
os.environ.setdefault("REFLEX_USE_GRANIAN", "false")

# What the app writes while it runs (logs, exports) is data, not code: the dev server's hot
# reload must not restart the backend (and drop every socket) each time a log file rotates.
_excluded = written_folders()
for _folder in _excluded:
    _folder.mkdir(parents=True, exist_ok=True)  # Reflex compares existing folders only
os.environ.setdefault("REFLEX_HOT_RELOAD_EXCLUDE_PATHS", ":".join(map(str, _excluded)))

# The dev frontend listens on all interfaces by default; keep it on loopback unless told otherwise.
_frontend_host = os.environ.get("FRONTEND_HOST", "127.0.0.1")
PackageJson.Commands.DEV = f"react-router dev --host {_frontend_host}"

_frontend_port = int(os.environ.get("REFLEX_FRONTEND_PORT", "3000"))
_backend_port = int(os.environ.get("REFLEX_BACKEND_PORT", "8000"))
# Every address follows from PUBLIC_URL (microblog/config.py, `public_addresses`): the pages'
# own, the backend's (the same under `make prod`; the backend port under `make run`), CORS.
_addresses = public_addresses()
_redis_url = os.environ.get("REDIS_URL") or None
# Per-tab state: Redis when configured, the disk while developing, memory otherwise (why: the
# docstring of tab_state_store). Set only when chosen, so that REDIS_URL still selects Redis.
_store = tab_state_store(os.environ.get("MICROBLOG_ENV", "development"), _redis_url)

config = rx.Config(
    app_name="microblog",
    frontend_port=_frontend_port,
    backend_port=_backend_port,
    backend_host=os.environ.get("BACKEND_HOST", "127.0.0.1"),
    deploy_url=_addresses.site,
    api_url=_addresses.backend,
    # Only our own pages may open a websocket with the user's cookie.
    cors_allowed_origins=_addresses.origins,
    # The client address behind reverse proxies: the same rule as microblog/client_address.py.
    trusted_proxy_hops=trusted_proxy_hops(),
    disable_plugins=[SitemapPlugin],
    # The tutorial's REDIS_URL: per-tab state in Redis, so several backend workers can run.
    redis_url=_redis_url,
    **({"state_manager_mode": _store} if _store else {}),
    telemetry_enabled=False,
    # Reflex's root module otherwise imports the whole of every bundled library (all of Radix
    # Themes) on every page, for run-time components (`rx.dynamic`) this app has none of: lazy
    # loaders instead, and LeanRootPlugin below drops Radix Themes' (web/root_module.py).
    frontend_lazy_bundled_libraries=True,
    show_built_with_reflex=False,
    plugins=[
        # Radix Themes with only the colour scales we use (microblog/web/radix_stylesheet.py).
        TrimmedRadixThemesPlugin(theme=rx.theme(accent_color=ACCENT, radius="medium")),
        ProfileSkeletonPlugin(),
        # Every page loads only the Radix components the pages use (microblog/web/root_module.py).
        LeanRootPlugin(),
        # The colour mode's class on <html> only, not again on Radix's root (web/theme_root.py).
        ThemeRootPlugin(),
        # The pages ask for their JavaScript after their first paint (web/scripts_after_paint.py).
        ScriptsAfterPaintPlugin(),
        # Each page in each language, from the pages above as they are now: keep it after every
        # plugin that rewrites the built pages (web/page_languages.py).
        PageLanguagesPlugin(),
        # `make run`: the API, its docs and the health checks on the public (frontend) address.
        *([DevApiProxyPlugin(_addresses.backend)] if _addresses.backend != _addresses.site else []),
    ],
)
