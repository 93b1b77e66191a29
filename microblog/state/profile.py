"""A user's profile: card, counts, follow button, and the posts / followers / following tabs."""

from __future__ import annotations

from dataclasses import replace

import reflex as rx

from microblog.config import get_settings
from microblog.db import run_db, run_read
from microblog.i18n import translate
from microblog.live.tabs import Tab
from microblog.routes import conversation_url, page_url, profile_username, user_url
from microblog.schemas import UserFace, UserPublic
from microblog.services.errors import DomainError, NotFound
from microblog.services.pagination import clamp_page
from microblog.services.profile import follow_from_profile, read_profile, tab_of
from microblog.state.locale import language_of
from microblog.state.page_data import PageData
from microblog.state.post_cards import PostCardsState, subscribe_cards, subscribe_safety
from microblog.state.session import SessionState, login_required

_NOBODY = UserPublic(
    id=0, username="", about_me="", last_seen="", member_since="", avatar="", avatar_small=""
)


class ProfileState(PageData, PostCardsState, rx.State):
    profile: UserPublic = _NOBODY
    not_found: bool = False
    followers_count: int = 0
    following_count: int = 0
    is_following: bool = False
    is_self: bool = False
    tab: str = "posts"
    people: list[UserPublic] = []
    page: int = 1
    has_next: bool = False
    has_prev: bool = False
    follow_error: str = ""
    # services/profile.py ProfileView: they block the reader; the reader blocks / mutes them.
    blocks_viewer: bool = False
    blocked: bool = False
    muted: bool = False

    @rx.var
    def send_message_href(self) -> str:
        return conversation_url(self.profile.username)

    @rx.var
    def newer_href(self) -> str:
        return self._href(self.page - 1)

    @rx.var
    def older_href(self) -> str:
        return self._href(self.page + 1)

    def _href(self, page: int) -> str:
        return page_url(user_url(self.profile.username, self.tab), page)

    def _username_from_path(self) -> str:
        return profile_username(self.router.url.path) or ""

    @rx.event
    async def load(self) -> None:
        await self._read(await (await self.get_state(SessionState)).current_user_id())

    async def _on_safety_changed(self) -> None:
        """A block or mute of the reader's changed: re-read the profile (its posts, and the
        menu's Block/Unblock, Mute/Unmute) for them."""
        await self._read((await self.get_state(SessionState)).user_id or None)

    async def _reread_page(self) -> None:
        """A post came back (unhidden): the page again (as `_on_safety_changed`)."""
        await self._on_safety_changed()

    async def _read(self, viewer_id: int | None) -> None:
        params = self.router.url.query_parameters
        tab = tab_of(params.get("tab"))
        page, per_page = clamp_page(params.get("page")), get_settings().posts_per_page
        username = self._username_from_path()

        try:
            view = await run_read(
                lambda db: read_profile(
                    db,
                    username=username,
                    viewer_id=viewer_id,
                    tab=tab,
                    page=page,
                    per_page=per_page,
                )
            )
        except NotFound:
            self.not_found, self.profile = True, _NOBODY
            self._set_loaded()
            self.posts, self.people = [], []
            return
        listing = view.listing
        self.not_found = False
        self.profile = view.user
        self.followers_count, self.following_count = view.followers_count, view.following_count
        self.is_following = view.is_following
        self.is_self = view.is_self
        self.blocks_viewer, self.blocked, self.muted = view.blocks_viewer, view.blocked, view.muted
        self.tab = tab
        self._list_posts(view.posts, faces=(view.user.id,))
        self.people = view.people
        self.page, self.has_next, self.has_prev = listing.page, listing.has_next, listing.has_prev
        self.follow_error = ""
        self._set_loaded()

    @login_required
    async def _change_follow(self, *, start: bool, user_id: int) -> rx.event.EventSpec | None:
        target = self.profile.id
        try:
            self.followers_count, self.following_count = await run_db(
                lambda db: follow_from_profile(
                    db, viewer_id=user_id, user_id=target, following=start
                )
            )
        except DomainError as problem:
            self.follow_error = translate(problem.message, await language_of(self))
            return None
        self.is_following = start
        self.follow_error = ""
        return None

    async def _on_user_changed(self, face: UserFace | None, tab: Tab) -> None:
        """A new picture: on this user's own profile, the card's too."""
        await super()._on_user_changed(face, tab)
        if face is not None and face.user_id == self.profile.id:
            self.profile = replace(self.profile, avatar=face.large, avatar_small=face.small)

    @rx.event
    async def follow(self) -> rx.event.EventSpec | None:
        return await self._change_follow(start=True)

    @rx.event
    async def unfollow(self) -> rx.event.EventSpec | None:
        return await self._change_follow(start=False)


# A post on an open profile changed (counters, text, deleted): re-read its card there.
subscribe_cards(ProfileState, lambda tab: profile_username(tab.path) is not None)
subscribe_safety(ProfileState, lambda tab: profile_username(tab.path) is not None)
