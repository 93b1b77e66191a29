"""This worker's open tabs: which user and login session each belongs to and what it shows,
indexed by user so that an event for one user touches only that user's tabs. The live layer
registers a tab at the end of each page load (`state/live.py`) and delivers events to the tabs
found here (`state/delivery.py`). No Reflex: a tab is its token."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from microblog.live import events as ev


@dataclass
class Tab:
    user_id: int
    path: str
    session_key: str = ""  # the login session the tab's state belongs to ("" for a visitor)


class TabRegistry:
    """Which user each tab on this worker belongs to and what it shows, indexed by user so a
    per-user event touches only that user's tabs. Closed tabs are dropped when an event finds
    them disconnected (Reflex knows which sockets are connected to this worker)."""

    def __init__(self) -> None:
        self._tabs: dict[str, Tab] = {}
        self._by_user: dict[int, set[str]] = {}
        # The posts each tab lists, with the page (path) that listed them, and their authors
        # (`show_posts`).
        self._shown: dict[str, tuple[str, frozenset[int]]] = {}
        self._authors: dict[str, tuple[str, frozenset[int]]] = {}
        self._boosters: dict[str, tuple[str, frozenset[str]]] = {}

    def register(self, token: str, *, user_id: int, path: str, session_key: str = "") -> None:
        self._unindex(token)
        self._tabs[token] = Tab(user_id=user_id, path=path, session_key=session_key)
        if user_id:
            self._by_user.setdefault(user_id, set()).add(token)

    def show_posts(
        self,
        token: str,
        *,
        path: str,
        post_ids: Iterable[int],
        author_ids: Iterable[int] = (),
        boosters: Iterable[str] = (),
    ) -> None:
        """The posts (and boosts) the page at `path` lists in this tab, whose faces their
        cards draw, and who made the boosts it lists (by name, as the cards say). Recorded by
        the page's loader, which runs before the tab registers (the last on_load), so kept
        apart from it."""
        self._shown[token] = (path, frozenset(post_ids))
        self._authors[token] = (path, frozenset(author_ids))
        self._boosters[token] = (path, frozenset(boosters))

    def may_show_post(self, token: str, tab: Tab, post_id: int) -> bool:
        """Whether the tab may list `post_id`: False only when the page it shows recorded its
        posts and that one is not among them (a page that records nothing is asked anyway), so a
        change to a post opens the states of the tabs listing it, not of every open feed."""
        recorded = self._shown.get(token)
        return recorded is None or recorded[0] != tab.path or post_id in recorded[1]

    def may_reach(self, token: str, tab: Tab, entry_id: int) -> bool:
        """Whether a feed entry with this id (a post that came back, or its boost) may belong
        on the tab's page: its pages run newest first, so not when the page recorded entries
        that are all newer (a page further back). A page that recorded none may take it."""
        recorded = self._shown.get(token)
        if recorded is None or recorded[0] != tab.path or not recorded[1]:
            return True
        return entry_id >= min(recorded[1])

    def may_show_booster(self, token: str, tab: Tab, username: str) -> bool:
        """Whether the tab may list a boost made by `username` (as `may_show_post`)."""
        recorded = self._boosters.get(token)
        return recorded is None or recorded[0] != tab.path or username in recorded[1]

    def may_show_author(self, token: str, tab: Tab, user_id: int) -> bool:
        """Whether the tab may draw a card by `user_id`: as `may_show_post`, for a face that
        changed (USER_CHANGED)."""
        recorded = self._authors.get(token)
        return recorded is None or recorded[0] != tab.path or user_id in recorded[1]

    def forget(self, token: str) -> None:
        self._shown.pop(token, None)
        self._authors.pop(token, None)
        self._boosters.pop(token, None)
        self._unindex(token)

    def _unindex(self, token: str) -> None:
        tab = self._tabs.pop(token, None)
        if tab is not None and tab.user_id:
            tokens = self._by_user.get(tab.user_id, set())
            tokens.discard(token)
            if not tokens:
                self._by_user.pop(tab.user_id, None)

    def prune(self, is_connected: Callable[[str], bool]) -> list[tuple[str, Tab]]:
        """Forget the tabs that are no longer connected; returns them."""
        gone = [(token, tab) for token, tab in self._tabs.items() if not is_connected(token)]
        for token, _ in gone:
            self.forget(token)
        for token in [t for t in self._shown if t not in self._tabs and not is_connected(t)]:
            del self._shown[token]  # recorded by a page load that never registered
            self._authors.pop(token, None)
            self._boosters.pop(token, None)
        return gone

    def of_sessions(self, event: ev.LiveEvent) -> list[str]:
        """The tabs of the sessions a SESSIONS_ENDED event names."""
        if keys := set(filter(None, event.extra.get("keys", "").split(","))):
            return [t for t, tab in self._tabs.items() if tab.session_key in keys]
        keep = event.extra.get("keep", "")
        return [t for t, tab in self.of_users(event.user_ids) if tab.session_key != keep]

    def get(self, token: str) -> Tab | None:
        return self._tabs.get(token)

    def session_keys(self) -> set[str]:
        return {tab.session_key for tab in self._tabs.values() if tab.session_key}

    def of_users(self, user_ids: tuple[int, ...]) -> list[tuple[str, Tab]]:
        return [(t, self._tabs[t]) for u in user_ids for t in self._by_user.get(u, ())]

    def items(self) -> list[tuple[str, Tab]]:
        return list(self._tabs.items())

    def __len__(self) -> int:
        return len(self._tabs)


TABS = TabRegistry()
