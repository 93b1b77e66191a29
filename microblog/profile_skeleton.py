"""One prerendered page for every profile.

Reflex prerenders the pages with fixed addresses (`/explore`), whose HTML the browser shows and
React then hydrates. A profile's address has a parameter, so it got Reflex's empty SPA fallback
page instead and was rendered on the client, where the profile's data, arriving meanwhile,
waited behind that first render: in a new tab it took about 105 ms from its data to its posts,
against 35 ms on the feeds (docs/performance.md, third session). The profile's first render does
not depend on the name (it shows the layout and "loading" until the page's data arrives), so
one page prerendered at `SKELETON` serves every `/user/<name>` (see
`api/profile_skeleton.py`).
"""

from __future__ import annotations

from typing import Any

from reflex_base.plugins.base import Plugin

SKELETON = "/user/_"
"""The profile address that is prerendered (`_` is not a valid username)."""

REACT_ROUTER_CONFIG = "react-router.config.js"
_PRERENDER_ALL = '"prerender": true'


def _with_skeleton(config: str) -> str:
    """React Router's config with the skeleton added to the prerendered paths (a production
    build prerenders all fixed paths; a dev config has no prerender key and stays as it is)."""
    if _PRERENDER_ALL not in config:
        return config
    every_path = f'"prerender": async ({{ getStaticPaths }}) => [...getStaticPaths(), "{SKELETON}"]'
    return config.replace(_PRERENDER_ALL, every_path)


class ProfileSkeletonPlugin(Plugin):
    """Adds `SKELETON` to the paths the production build prerenders."""

    def pre_compile(self, **context: Any) -> None:
        context["add_modify_task"](REACT_ROUTER_CONFIG, _with_skeleton)
