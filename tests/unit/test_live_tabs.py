"""The per-worker registry of open tabs that live events are delivered to."""

from __future__ import annotations

import pytest

from microblog.live.tabs import Tab, TabRegistry
from microblog.state.live import badge

pytestmark = pytest.mark.anyio


def test_tabs_are_found_by_user_and_moved_when_re_registered() -> None:
    tabs = TabRegistry()
    tabs.register("t1", user_id=7, path="/")
    tabs.register("t2", user_id=7, path="/explore")
    tabs.register("t3", user_id=8, path="/")
    tabs.register("visitor", user_id=0, path="/explore")
    assert sorted(t for t, _ in tabs.of_users((7,))) == ["t1", "t2"]
    assert tabs.of_users((9,)) == []

    tabs.register("t2", user_id=8, path="/messages")  # logged in as someone else in that tab
    assert [t for t, _ in tabs.of_users((7,))] == ["t1"]
    assert sorted(t for t, _ in tabs.of_users((8,))) == ["t2", "t3"]
    assert dict(tabs.items())["t2"] == Tab(user_id=8, path="/messages")
    assert len(tabs) == 4


def test_prune_forgets_closed_tabs_everywhere() -> None:
    tabs = TabRegistry()
    for token, user in (("a", 1), ("b", 1), ("c", 2), ("v", 0)):
        tabs.register(token, user_id=user, path="/")
    assert sorted(t for t, _ in tabs.prune(lambda token: token in {"b", "v"})) == ["a", "c"]
    assert [t for t, _ in tabs.of_users((1,))] == ["b"]
    assert tabs.of_users((2,)) == []
    assert sorted(t for t, _ in tabs.items()) == ["b", "v"]
    tabs.forget("b")
    tabs.forget("b")  # twice is fine
    assert tabs.of_users((1,)) == []


def test_badge_text() -> None:
    assert badge(0) == ""
    assert badge(3) == "3"
    assert badge(99) == "99"
    assert badge(100) == "99+"


class _App:
    """What the pruning needs of an app: its state store, and no socket connected here."""

    event_namespace = None

    def __init__(self) -> None:
        from reflex.istate.manager.memory import StateManagerMemory

        self.state_manager = StateManagerMemory()


async def test_a_closed_visitors_tab_state_is_dropped_at_once() -> None:
    """A visitor's closed tab does not keep its state for Reflex's hour-long token expiry; a
    signed-in reader's closed tab keeps it (its reconnect finds its page)."""
    import reflex as rx

    from microblog.live.tabs import TABS
    from microblog.state.delivery import prune_closed_tabs

    app = _App()
    for token in ("visitor-tab", "reader-tab"):
        async with app.state_manager.modify_state(rx.BaseStateToken(ident=token, cls=rx.State)):
            pass
    TABS.register("visitor-tab", user_id=0, path="/explore")
    TABS.register("reader-tab", user_id=5, path="/", session_key="k")
    try:
        assert prune_closed_tabs(app) == 1  # type: ignore[arg-type]
        assert set(app.state_manager.states) == {"reader-tab"}
        assert TABS.get("visitor-tab") is None and TABS.get("reader-tab") is None
    finally:
        TABS.forget("visitor-tab")
        TABS.forget("reader-tab")
        await app.state_manager.close()
