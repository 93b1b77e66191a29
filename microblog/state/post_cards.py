"""What a reader does on a list of post cards (Like, Boost, Edit, Delete) and the live re-read of
a card when its post changes, shared by every page that lists posts (home, explore, a profile,
and the thread and tag pages): each page's state takes `PostCardsState` as a mixin, so it owns
its `posts` and the handlers change them in place.

Every rule is the service's (services/reactions.py, services/posts.py): the handlers only call
it, for the signed-in reader (`@login_required`; a visitor is sent to log in), and show what it
answered. A change reaches the other open pages as `POST_CHANGED`: each worker reads the post's
card once (services/post_rows.cards_by_id) for every tab showing it, and each tab keeps its own
reader's "liked" and "boosted"; the tabs of the reader who made the change re-read their own
cards. A card whose post is gone is dropped. A new picture of an
author (`USER_CHANGED`) is read once for every tab, and the tabs listing their posts draw it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

import reflex as rx
from sqlmodel import Session

from microblog.config import get_settings
from microblog.db import run_db, run_read
from microblog.i18n import translate
from microblog.live import events as ev
from microblog.live.tabs import TABS, Tab
from microblog.schemas import PostRow, PostVersion, UserFace
from microblog.services import avatars, reactions
from microblog.services import posts as post_service
from microblog.services.errors import DomainError, NotFound
from microblog.services.post_rows import cards_by_id
from microblog.services.rich_text import post_length
from microblog.services.safety import SAFETY_CHANGED
from microblog.state import delivery
from microblog.state.compose_media import EditMediaState
from microblog.state.locale import language_of
from microblog.state.session import SessionState, login_required
from microblog.state.text_input import refused_text


def _with_counts(row: PostRow, counts: reactions.Counts) -> PostRow:
    return replace(
        row,
        like_count=counts.like_count,
        boost_count=counts.boost_count,
        reply_count=counts.reply_count,
        liked=counts.liked,
        boosted=counts.boosted,
    )


class PostCardsState(rx.State, mixin=True):
    posts: list[PostRow] = []
    # The one post being edited on this page (0: none), its draft and the service's answer.
    editing_id: int = 0
    editing_entry: int = 0  # the card it is open on: its entry_id (a boost's, or the post's id)
    edit_draft: str = ""
    edit_error: str = ""

    @rx.var
    def edit_chars_left(self) -> int:
        """As the compose form counts (services/rich_text.post_length, the server's rule)."""
        return get_settings().post_max_length - post_length(self.edit_draft)

    def _list_posts(self, rows: list[PostRow], *, faces: Iterable[int] = ()) -> None:
        """Show these cards, and tell the live layer which posts this tab lists, so a change to
        any other post does not open this tab's state (live/tabs.py `may_show_post`), and whose
        faces it draws (the cards' authors, and `faces`: a profile's owner)."""
        self.posts = rows
        TABS.show_posts(
            self.router.session.client_token,
            path=self.router.url.path,
            post_ids={row.id for row in rows} | {row.entry_id for row in rows},
            author_ids={row.author_id for row in rows} | set(faces),
            boosters={row.boosted_by for row in rows if row.boosted_by},
        )

    async def _reread_page(self) -> None:
        """Read this page again for the tab's reader (a post came back: it may belong here).
        Each page that lists posts says how; a page that cannot take one back does nothing."""

    def _apply(self, counts: reactions.Counts) -> None:
        """The post's new counters on every card that shows it (a post and a boost of it)."""
        self.posts = [
            _with_counts(row, counts) if row.id == counts.post_id else row for row in self.posts
        ]

    def _drop(self, post_id: int) -> None:
        self.posts = [row for row in self.posts if post_id not in (row.id, row.entry_id)]

    async def _react(
        self, post_id: int, change: Callable[..., reactions.Counts], user_id: int
    ) -> rx.event.EventSpec | None:
        try:
            counts = await run_db(lambda db: change(db, user_id=user_id, post_id=post_id))
        except NotFound:
            self._drop(post_id)  # deleted meanwhile
            return None
        except DomainError as problem:
            return rx.toast.error(translate(problem.message, await language_of(self)))
        self._apply(counts)
        return None

    @rx.event
    @login_required
    async def toggle_like(self, post_id: int, *, user_id: int) -> rx.event.EventSpec | None:
        target = int(post_id)
        liked = any(row.liked for row in self.posts if row.id == target)
        change = reactions.unlike_post if liked else reactions.like_post
        return await self._react(target, change, user_id)

    @rx.event
    @login_required
    async def toggle_boost(self, post_id: int, *, user_id: int) -> rx.event.EventSpec | None:
        target = int(post_id)
        boosted = any(row.boosted for row in self.posts if row.id == target)
        change = reactions.unboost_post if boosted else reactions.boost_post
        return await self._react(target, change, user_id)

    @rx.event
    @login_required
    async def start_edit(self, post_id: int, entry_id: int = 0, *, user_id: int) -> None:
        """Open the edit box on one of the reader's own posts, with its text and pictures (and
        their alt texts) as they are now, on the card it was asked from (`entry_id`: a post and
        a boost of it can both be listed). The box gets its own upload ticket."""
        target = int(post_id)
        row = next((r for r in self.posts if r.id == target and r.author_id == user_id), None)
        if row is None:
            return
        pictures = await self.get_state(EditMediaState)
        await pictures._give_up(user_id)  # another edit left open in this tab
        pictures._show(row.media)
        pictures.issue_ticket()
        self.editing_id, self.edit_draft, self.edit_error = target, row.body, ""
        self.editing_entry = int(entry_id or 0) or target

    @rx.event
    async def cancel_edit(self) -> None:
        """Close the box; the post stays as it was. Pictures uploaded into the box are
        discarded now (any the tab never got to discard go with the hourly clean-up)."""
        user_id = await (await self.get_state(SessionState)).current_user_id()
        await (await self.get_state(EditMediaState))._give_up(user_id or 0)
        self._close_edit()

    def _close_edit(self) -> None:
        self.editing_id, self.edit_draft, self.edit_error = 0, "", ""
        self.editing_entry = 0

    @rx.event
    async def set_edit_draft(self, value: str) -> None:
        if problem := await refused_text(self, value):
            self.edit_error = problem
            return
        self.edit_draft = value
        if self.edit_error and post_length(value.strip()) <= get_settings().post_max_length:
            self.edit_error = ""

    @rx.event
    @login_required
    async def save_edit(self, _form: dict | None = None, *, user_id: int) -> None:
        """Save the edit box: the text, and the pictures in the box's order with their alt
        texts (those taken out are deleted). On a refusal the box stays open with the text,
        the pictures and the reason."""
        target, body = self.editing_id, self.edit_draft
        if not target:
            return
        pictures = await self.get_state(EditMediaState)
        media_ids, alt_texts = pictures.chosen()
        try:
            await run_db(
                lambda db: post_service.edit_post(
                    db,
                    post_id=target,
                    user_id=user_id,
                    body=body,
                    media_ids=media_ids,
                    alt_texts=alt_texts,
                )
            )
        except DomainError as problem:
            self.edit_error = translate(problem.message, await language_of(self))
            return
        pictures.clear()
        self._close_edit()
        await self._reread(target)

    @rx.event
    @login_required
    async def delete_post(self, post_id: int, *, user_id: int) -> rx.event.EventSpec | None:
        """Delete one of the reader's own posts (confirmed in a dialog) and drop its cards."""
        target = int(post_id)
        try:
            await run_db(lambda db: post_service.delete_post(db, post_id=target, user_id=user_id))
        except NotFound:
            pass  # already gone (another tab): just stop showing it
        except DomainError as problem:
            return rx.toast.error(translate(problem.message, await language_of(self)))
        if self.editing_id == target:
            await (await self.get_state(EditMediaState))._give_up(user_id)
            self._close_edit()
        self._drop(target)
        return None

    async def _reread(self, post_id: int) -> None:
        """Re-read, for this tab's reader, the cards showing `post_id` (one statement); drop
        those whose entry is gone. Nothing to do when this page does not show the post."""
        entries = [
            row.entry_id or row.id for row in self.posts if post_id in (row.id, row.entry_id)
        ]
        if not entries:
            return
        viewer = (await self.get_state(SessionState)).user_id or 0
        fresh = await run_read(lambda db: cards_by_id(db, entries, viewer_id=viewer))
        self.posts = [
            fresh.get(row.entry_id or row.id, row)
            for row in self.posts
            if (row.entry_id or row.id) not in entries or (row.entry_id or row.id) in fresh
        ]

    async def _on_post_changed(self, changed: ChangedCard, tab: Tab) -> None:
        """A post this tab may show changed. The tabs of whoever changed it re-read their own
        cards (their "liked" or "boosted" may be what changed); every other tab takes the card
        read once for all of them (`read_changed_card`) and keeps its reader's own flags,
        which someone else's like, boost or edit cannot change."""
        event, card = changed
        post_id = event.ref_id
        if (
            event.extra.get("restored")
            and card is not None
            and not any(post_id in (row.id, row.entry_id) for row in self.posts)
        ):
            # Back (a moderator unhid it): it, or a boost of it, may belong on this page (the
            # moderator's own pages too).
            await self._reread_page()
            return
        if tab.user_id and tab.user_id == event.author_id:
            await self._reread(event.ref_id)
            return
        gone = int(event.extra.get("gone", 0))
        if not any(row.id == post_id or (gone and row.entry_id == gone) for row in self.posts):
            return  # leave the state untouched: nothing to send to this tab
        if card is None and any(
            row.id == post_id and row.author_id == tab.user_id for row in self.posts
        ):
            # Gone for a visitor, but perhaps only hidden by a moderator: its author still sees
            # it, marked with the reason (their own read; a hide is rare).
            await self._reread(post_id)
            return
        kept: list[PostRow] = []
        for row in self.posts:
            if gone and row.entry_id == gone:
                continue  # an unboost: that feed entry is gone
            if row.id != post_id:
                kept.append(row)
            elif card is not None:  # a post that is gone is dropped from every card
                kept.append(
                    replace(
                        card,
                        entry_id=row.entry_id,
                        boosted_by=row.boosted_by,
                        liked=row.liked,
                        boosted=row.boosted,
                    )
                )
        self.posts = kept

    async def _on_account_suspended(self, event: ev.LiveEvent) -> None:
        """A moderator suspended an author: their posts, and the boosts they made of anyone's
        posts, leave this page at once."""
        author, name = event.author_id, event.extra.get("username", "")

        def theirs(row: PostRow) -> bool:
            return row.author_id == author or bool(name and row.boosted_by == name)

        if any(theirs(row) for row in self.posts):
            self.posts = [row for row in self.posts if not theirs(row)]

    async def _on_user_changed(self, face: UserFace | None, _tab: Tab) -> None:
        """An author's picture changed: their cards on this page draw the new one."""
        if face is None or not any(row.author_id == face.user_id for row in self.posts):
            return
        self.posts = [
            replace(row, author_avatar=face.card, author_username=face.username)
            if row.author_id == face.user_id
            else row
            for row in self.posts
        ]


# What every tab showing a changed post gets: the event, and the post's card as a visitor sees
# it (None when the post is gone).
ChangedCard = tuple[ev.LiveEvent, PostRow | None]


def read_changed_card(db: Session, event: ev.LiveEvent, _readers: set[int]) -> ChangedCard:
    """Once per event and worker, however many tabs show the post: its card with no reader's
    flags (one statement), instead of one statement per open tab."""
    return event, cards_by_id(db, [event.ref_id], viewer_id=0).get(event.ref_id)


def _face_of_author(db: Session, event: ev.LiveEvent, _readers: set[int]) -> UserFace | None:
    """What every tab drawing the author's cards is sent: their face, read once."""
    return avatars.user_face(db, user_id=event.author_id)


def subscribe_cards(state: type[PostCardsState], where: Callable[[Tab], bool]) -> None:
    """Have the tabs showing `state`'s page (`where`) refresh a card when its post changes:
    visitors' tabs too, since they see the counts. A page that lists its cards with
    `_list_posts` is asked only about the posts it lists."""
    delivery.subscribe(
        ev.POST_CHANGED,
        state,
        "_on_post_changed",
        where=where,
        visitors=True,
        read=read_changed_card,
        concerns=_may_show_changed,
    )
    subscribe_faces(state, where)
    subscribe_suspensions(state, where)


def _may_show_changed(token: str, tab: Tab, event: ev.LiveEvent) -> bool:
    """The tabs listing the post, and, for a post that came back, those whose page it (or
    its newest boost) may belong on."""
    if TABS.may_show_post(token, tab, event.ref_id):
        return True
    restored = int(event.extra.get("restored", 0))
    return bool(restored) and TABS.may_reach(token, tab, restored)


def _may_show_suspended(token: str, tab: Tab, event: ev.LiveEvent) -> bool:
    """The tabs that may list a post or a boost by the suspended account."""
    name = event.extra.get("username", "")
    return TABS.may_show_author(token, tab, event.author_id) or bool(
        name and TABS.may_show_booster(token, tab, name)
    )


def subscribe_suspensions(state: type[PostCardsState], where: Callable[[Tab], bool]) -> None:
    """Have the tabs showing `state`'s page (`where`) drop a suspended account's posts and
    boosts at once (`state._on_account_suspended(event)`)."""
    delivery.subscribe(
        ev.ACCOUNT_SUSPENDED,
        state,
        "_on_account_suspended",
        where=where,
        visitors=True,
        with_event=True,
        concerns=_may_show_suspended,
    )


def subscribe_faces(state: type[PostCardsState], where: Callable[[Tab], bool]) -> None:
    """Have the tabs showing `state`'s page (`where`) draw an author's new picture on their
    cards: read once for all of them, sent only to the tabs that list a post of theirs."""
    delivery.subscribe(
        ev.USER_CHANGED,
        state,
        "_on_user_changed",
        where=where,
        visitors=True,
        read=_face_of_author,
        concerns=lambda token, tab, event: TABS.may_show_author(token, tab, event.author_id),
    )


def subscribe_safety(state: type[PostCardsState], where: Callable[[Tab], bool]) -> None:
    """Have the tabs of a blocker, the blocked and a muter showing `state`'s page (`where`)
    re-read it when a block or mute changes (services/safety.py SAFETY_CHANGED names just
    them): a block hides both ways at once, a mute the muter's side, on every open page.
    `state._on_safety_changed()` re-reads for the tab's own user."""
    delivery.subscribe(SAFETY_CHANGED, state, "_on_safety_changed", where=where)


class PostHistoryState(rx.State):
    """The versions of one post, for the dialog the "edited" marker opens."""

    versions: list[PostVersion] = []
    history_error: str = ""

    @rx.event
    async def history_toggled(self, post_id: int, opened: bool) -> None:
        """The dialog opened (read the versions) or closed."""
        if not opened:
            return
        target = int(post_id)
        self.versions, self.history_error = [], ""
        try:
            self.versions = await run_read(lambda db: post_service.post_history(db, post_id=target))
        except NotFound as problem:
            self.history_error = translate(problem.message, await language_of(self))
