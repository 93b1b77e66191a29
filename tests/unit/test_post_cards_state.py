"""What a reader does on a list of cards (state/post_cards.py `PostCardsState`, mixed into the
feeds and the profile): each handler calls the service for the signed-in reader and changes the
card in place; a live POST_CHANGED is read once for every tab showing the post, each tab keeps
its reader's own flags (the actor's tabs re-read theirs), and cards whose post or boost is gone
are dropped."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlmodel import Session

import microblog.microblog  # noqa: F401  (registers every page, state and handler)
from microblog.live import events as ev
from microblog.live.tabs import TABS, Tab
from microblog.models import User
from microblog.services import follows, posts, reactions
from microblog.state import delivery
from microblog.state.feed import FeedState
from microblog.state.post_cards import read_changed_card
from microblog.state.profile import ProfileState
from tests.tab_state import session_token, tab_state

AddUser = Callable[..., User]


def _write(session: Session, author: User, body: str) -> int:
    post = posts.create_post(session, author_id=author.id or 0, body=body)
    session.commit()
    return post.id or 0


async def _explore_of(session: Session, reader: User | None) -> FeedState:
    token = session_token(session, reader) if reader else ""
    feed = await tab_state(FeedState, token=token, path="/explore")
    await FeedState.load_explore.fn(feed)
    return feed


def _card(feed: FeedState, post_id: int):
    (card,) = [row for row in feed.posts if row.entry_id == post_id]
    return card


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_like_and_boost_toggle_the_readers_own_and_move_the_counts(
    session: Session, add_user: AddUser
) -> None:
    alice, bob = add_user(session, "alice"), add_user(session, "bob")
    post_id = _write(session, alice, "hello")
    feed = await _explore_of(session, bob)

    await FeedState.toggle_like.fn(feed, post_id)
    card = _card(feed, post_id)
    assert (card.liked, card.like_count) == (True, 1)
    await FeedState.toggle_boost.fn(feed, post_id)
    card = _card(feed, post_id)
    assert (card.boosted, card.boost_count, card.liked) == (True, 1, True)
    await FeedState.toggle_like.fn(feed, post_id)
    assert (_card(feed, post_id).liked, _card(feed, post_id).like_count) == (False, 0)
    # The database agrees (the service moved the counters).
    row = posts.get_post_row(session, post_id=post_id, viewer_id=bob.id or 0)
    assert (row.like_count, row.boost_count, row.liked, row.boosted) == (0, 1, False, True)


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_a_visitor_is_sent_to_log_in_and_nothing_changes(
    session: Session, add_user: AddUser
) -> None:
    alice = add_user(session, "alice")
    post_id = _write(session, alice, "hello")
    feed = await _explore_of(session, None)
    redirect = await FeedState.toggle_like.fn(feed, post_id)
    assert "/login?next=%2Fexplore" in str(redirect)
    assert posts.get_post_row(session, post_id=post_id).like_count == 0


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_editing_keeps_the_text_on_a_refusal_and_shows_the_new_text_once_saved(
    session: Session, add_user: AddUser
) -> None:
    alice, bob = add_user(session, "alice"), add_user(session, "bob")
    post_id = _write(session, alice, "first words")
    others = _write(session, bob, "bob's")
    feed = await _explore_of(session, alice)

    await FeedState.start_edit.fn(feed, others)  # not hers: no edit box
    assert feed.editing_id == 0
    await FeedState.start_edit.fn(feed, post_id)
    assert (feed.editing_id, feed.edit_draft) == (post_id, "first words")

    too_long = "x" * 501
    await FeedState.set_edit_draft.fn(feed, too_long)
    assert feed.edit_chars_left == -1
    await FeedState.save_edit.fn(feed)
    assert feed.edit_error and feed.edit_draft == too_long and feed.editing_id == post_id
    assert posts.get_post(session, post_id=post_id).body == "first words"

    await FeedState.set_edit_draft.fn(feed, "better words")
    await FeedState.save_edit.fn(feed)
    assert (feed.editing_id, feed.edit_error) == (0, "")
    card = _card(feed, post_id)
    assert "better words" in card.body_html and card.edited_at


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_delete_only_ones_own_post(session: Session, add_user: AddUser) -> None:
    alice, bob = add_user(session, "alice"), add_user(session, "bob")
    mine, others = _write(session, alice, "mine"), _write(session, bob, "bob's")
    feed = await _explore_of(session, alice)
    refused = await FeedState.delete_post.fn(feed, others)
    assert refused is not None and any(row.id == others for row in feed.posts)
    assert await FeedState.delete_post.fn(feed, mine) is None
    assert [row.id for row in feed.posts] == [others]


def _deliver(event: ev.LiveEvent, session: Session, *tabs: tuple[FeedState, User]):
    """What delivery does for each tab: one shared read, then each tab's handler."""
    changed = read_changed_card(session, event, set())
    return [
        feed._on_post_changed(changed, Tab(user_id=reader.id or 0, path="/explore"))
        for feed, reader in tabs
    ]


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_a_changed_post_is_read_once_for_every_tab_and_each_keeps_its_own_flags(
    session: Session, add_user: AddUser, sent_sql: list[str], published: list[ev.LiveEvent]
) -> None:
    alice, bob, carol = (add_user(session, name) for name in ("alice", "bob", "carol"))
    shown, other = _write(session, alice, "shown"), _write(session, carol, "other")
    bob_feed, carol_feed = await _explore_of(session, bob), await _explore_of(session, carol)
    await FeedState.toggle_like.fn(bob_feed, shown)  # Bob's own like, in his tab

    published.clear()
    reactions.like_post(session, user_id=carol.id or 0, post_id=shown)  # Carol, elsewhere
    session.commit()
    (event,) = [e for e in published if e.kind == ev.POST_CHANGED]
    assert (event.ref_id, event.author_id) == (shown, carol.id)
    sent_sql.clear()
    changed = read_changed_card(session, event, set())
    assert len([sql for sql in sent_sql if "post_like" in sql]) == 1  # one read for all tabs
    sent_sql.clear()
    await bob_feed._on_post_changed(changed, Tab(user_id=bob.id or 0, path="/explore"))
    assert not sent_sql  # Bob's tab asks the database nothing
    card = _card(bob_feed, shown)
    assert (card.like_count, card.liked) == (2, True)  # Bob's own "liked" stays his
    assert _card(bob_feed, other).like_count == 0  # a card the event is not about stays

    # Carol made the change: her tab re-reads its own card, and sees her like.
    await carol_feed._on_post_changed(changed, Tab(user_id=carol.id or 0, path="/explore"))
    assert (_card(carol_feed, shown).like_count, _card(carol_feed, shown).liked) == (2, True)

    sent_sql.clear()
    nothing = read_changed_card(session, ev.post_changed(999_999), set())
    before = list(bob_feed.posts)
    await bob_feed._on_post_changed(nothing, Tab(user_id=bob.id or 0, path="/explore"))
    assert bob_feed.posts == before  # not shown here: nothing changes

    posts.delete_post(session, post_id=shown, user_id=alice.id or 0)
    session.commit()
    deleted = [e for e in published if e.kind == ev.POST_CHANGED][-1]
    gone = read_changed_card(session, deleted, set())
    await bob_feed._on_post_changed(gone, Tab(user_id=bob.id or 0, path="/explore"))
    assert [row.id for row in bob_feed.posts] == [other]


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_an_unboost_drops_that_boost_from_feeds_that_show_it(
    session: Session, add_user: AddUser, published: list[ev.LiveEvent]
) -> None:
    alice, bob, carol = (add_user(session, name) for name in ("alice", "bob", "carol"))
    shown = _write(session, alice, "worth sharing")
    follows.follow(session, follower_id=bob.id or 0, followed_id=carol.id or 0)
    reactions.boost_post(session, user_id=carol.id or 0, post_id=shown)
    session.commit()
    token = session_token(session, bob)
    home = await tab_state(FeedState, token=token, path="/")
    await FeedState.load_home.fn(home)
    boosts = [row for row in home.posts if row.boosted_by == "carol"]
    assert [row.id for row in boosts] == [shown]

    published.clear()
    reactions.unboost_post(session, user_id=carol.id or 0, post_id=shown)
    session.commit()
    (event,) = [e for e in published if e.kind == ev.POST_CHANGED]
    assert event.extra == {"gone": str(boosts[0].entry_id)}
    changed = read_changed_card(session, event, set())
    await home._on_post_changed(changed, Tab(user_id=bob.id or 0, path="/"))
    assert not [row for row in home.posts if row.boosted_by == "carol"]


@pytest.fixture
def open_tabs(session: Session, add_user: AddUser) -> Iterator[int]:
    """A reader with Home, Explore, a profile and Messages open, and a visitor on Explore."""
    reader = add_user(session, "reader").id or 0
    tabs = {
        "home": (reader, "/"),
        "explore": (reader, "/explore"),
        "profile": (reader, "/user/someone"),
        "messages": (reader, "/messages"),
        "visitor-explore": (0, "/explore"),
    }
    for token, (user_id, path) in tabs.items():
        TABS.register(token, user_id=user_id, path=path, session_key=f"key-{user_id}")
    yield reader
    for token in tabs:
        TABS.forget(token)


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine", "open_tabs")
async def test_post_changed_reaches_every_page_listing_cards_visitors_too() -> None:
    found = await delivery.targets(ev.LiveEvent(ev.POST_CHANGED, ref_id=5))
    cards = {(token, state) for token, state, _ in found if state in (FeedState, ProfileState)}
    assert cards == {
        ("home", FeedState),
        ("explore", FeedState),
        ("visitor-explore", FeedState),
        ("profile", ProfileState),
    }


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine", "open_tabs")
async def test_a_tab_that_recorded_its_posts_is_asked_only_about_those() -> None:
    """A like on one post must not open the state of every open feed: the list pages record
    which posts they list (`_list_posts`), and only those tabs are asked."""

    async def asked(post_id: int) -> set[str]:
        found = await delivery.targets(ev.LiveEvent(ev.POST_CHANGED, ref_id=post_id))
        return {token for token, state, _ in found if state in (FeedState, ProfileState)}

    TABS.show_posts("explore", path="/explore", post_ids={5, 9})
    TABS.show_posts("home", path="/user/someone", post_ids={5})  # recorded on another page
    assert await asked(5) == {"home", "explore", "visitor-explore", "profile"}
    assert await asked(6) == {"home", "visitor-explore", "profile"}
    # What a tab recorded goes with it when it closes.
    TABS.forget("explore")
    assert TABS.may_show_post("explore", TABS.get("home"), 6)  # type: ignore[arg-type]


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_loading_a_feed_records_the_posts_it_lists(
    session: Session, add_user: AddUser
) -> None:
    alice = add_user(session, "alice")
    post_id = _write(session, alice, "hello")
    feed = await _explore_of(session, alice)
    token = feed.router.session.client_token
    TABS.register(token, user_id=alice.id or 0, path="/explore")
    try:
        tab = TABS.get(token)
        assert tab is not None
        assert TABS.may_show_post(token, tab, post_id)
        assert not TABS.may_show_post(token, tab, post_id + 1)
    finally:
        TABS.forget(token)
