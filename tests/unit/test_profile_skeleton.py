"""The production build prerenders one profile page (microblog/web/profile_skeleton.py)."""

from __future__ import annotations

from reflex.utils.frontend_skeleton import _update_react_router_config
from reflex_base.config import get_config

from microblog.web.profile_skeleton import (
    CONVERSATION_SKELETON,
    SKELETON,
    ProfileSkeletonPlugin,
    _skeleton_of,
    _with_skeleton,
)


def test_the_production_config_prerenders_the_skeleton_too() -> None:
    config = _update_react_router_config(get_config(), prerender_routes=True)
    changed = _with_skeleton(config)
    assert '"prerender": true' not in changed
    assert (
        '[...getStaticPaths(), "/user/_", "/post/_", "/tag/_", "/messages/_", '
        '"/reset_password/_", "/confirm/_", "/send_message/_"]'
    ) in changed
    assert SKELETON == "/user/_"
    # Everything else React Router reads is untouched.
    assert changed.replace(changed[changed.index('"prerender"') :], "") == config.replace(
        config[config.index('"prerender"') :], ""
    )


def test_a_config_without_prerendering_is_left_alone() -> None:
    config = _update_react_router_config(get_config(), prerender_routes=False)
    assert _with_skeleton(config) == config


def test_the_plugin_is_part_of_the_app() -> None:
    assert any(isinstance(plugin, ProfileSkeletonPlugin) for plugin in get_config().plugins)


def test_the_skeleton_is_no_ones_profile() -> None:
    from microblog.services.users import USERNAME_RE

    assert not USERNAME_RE.match(SKELETON.rsplit("/", 1)[-1])
    assert not USERNAME_RE.match(CONVERSATION_SKELETON.rsplit("/", 1)[-1])  # nor conversation


def test_links_from_emails_are_answered_with_their_pages_skeleton() -> None:
    def page_for(path: str, method: str = "GET") -> str | None:
        return _skeleton_of({"type": "http", "method": method, "path": path})

    assert page_for("/reset_password/eyJhbGciOi.x-y_z") == "/reset_password/_/"
    assert page_for("/confirm/abc123/") == "/confirm/_/"
    assert page_for("/send_message/susan") == "/send_message/_/"
    assert page_for("/user/susan") == SKELETON + "/"
    assert page_for("/reset_password_request") is None  # a page of its own
    assert page_for("/reset_password/a/b") is None  # no such page
    assert page_for("/confirm/abc123", method="POST") is None
