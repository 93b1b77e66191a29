"""The user popup (hover card): one card at a time, loaded when it opens.

Preloading a card for every username on a page would cost a few queries per row on every page
view, and most cards are never opened; so the card is read only when the reader hovers, and this
state holds just that one card (a tab's state is sent to and kept for the browser: keep it small).
"""

from __future__ import annotations

import reflex as rx

from microblog.db import run_db
from microblog.i18n import translate
from microblog.schemas import UserCard
from microblog.services.errors import DomainError
from microblog.services.safety import SAFETY_CHANGED
from microblog.services.user_popup import follow_from_card, user_card
from microblog.state import delivery
from microblog.state.locale import language_of
from microblog.state.profile import ProfileState
from microblog.state.session import SessionState, login_required


class UserPopupState(rx.State):
    card: UserCard | None = None
    # The username most recently asked for; `error` belongs to it.
    loading_username: str = ""
    error: str = ""

    async def _viewer_id(self) -> int | None:
        """Who is reading. Showing a card only decides which button to draw, so the session
        already checked on this page load is good enough (changing anything re-checks it)."""
        session = await self.get_state(SessionState)
        if not session.auth_checked:
            return await session.current_user_id()
        return session.user_id or None

    @rx.event
    async def open_card(self, username: str, is_open: bool) -> None:
        """`on_open_change` of a hover card, with the username bound in front of the open flag
        (`UserPopupState.open_card(username)`: Reflex appends the trigger's own argument).

        Every opening reads afresh, so counts and Follow/Unfollow are never stale; closing does
        nothing, because the close of one card can arrive after the next card has opened."""
        if not is_open or not username:
            return
        self.loading_username, self.error = username, ""
        viewer_id = await self._viewer_id()
        try:
            card = await run_db(lambda db: user_card(db, username=username, viewer_id=viewer_id))
        except DomainError as problem:
            self.card, self.error = None, translate(problem.message, await language_of(self))
            return
        self.card = card

    @rx.event
    async def toggle_follow(self) -> rx.event.EventSpec | None:
        """Follow or unfollow the user on the open card, as its button said. The login session is
        re-checked first (it may have ended in another tab), and the card is re-read in the same
        transaction so the counts shown are the ones just written."""
        card = self.card
        if card is None or card.is_self:
            return None
        return await self._toggle(card)

    @login_required
    async def _toggle(self, card: UserCard, *, user_id: int) -> rx.event.EventSpec | None:
        try:
            after = await run_db(
                lambda db: follow_from_card(
                    db,
                    viewer_id=user_id,
                    user_id=card.id,
                    username=card.username,
                    following=not card.is_following,
                )
            )
        except DomainError as problem:
            self.error = translate(problem.message, await language_of(self))
            self.loading_username = card.username
            return None
        self.card, self.error = after.card, ""
        await self._sync_profile(after.card, user_id, after.viewer_counts)
        return None

    async def _sync_profile(
        self, fresh: UserCard, viewer_id: int, viewer_counts: tuple[int, int]
    ) -> None:
        """A follow from a popup on a profile page changes the numbers on that page (either the
        profile shown is the one followed, or it is the reader's own — "follow back" from the
        followers tab): update them from what was just read rather than leave them stale."""
        profile = await self.get_state(ProfileState)
        if not profile.loaded or profile.not_found:
            return
        if profile.profile.id == fresh.id:
            profile.followers_count, profile.following_count = fresh.followers, fresh.following
            profile.is_following = fresh.is_following
        elif profile.profile.id == viewer_id:
            profile.followers_count, profile.following_count = viewer_counts

    async def _on_safety_changed(self) -> None:
        """The reader blocked, unblocked, muted or unmuted someone (from this card's menu, or
        anywhere): the open card is read again, so its menu offers the other choice."""
        card = self.card
        if card is None:
            return
        viewer_id = (await self.get_state(SessionState)).user_id or None
        try:
            fresh = await run_db(
                lambda db: user_card(db, username=card.username, viewer_id=viewer_id)
            )
        except DomainError:
            return
        self.card = fresh


delivery.subscribe(SAFETY_CHANGED, UserPopupState, "_on_safety_changed")
