"""What the moderation issue's last round adds, on SQLite and PostgreSQL: an unhidden post comes
back on open feeds and threads (as a hide removed it, through POST_CHANGED); a suspension drops
the account's boosts from open pages too; a conversation's menu knows whether it is muted; the
queue pages by keyset (no COUNT) and steps back when its page empties; the audit log marks what
a later line undid, and a second undo is refused; the user card knows whether the reader blocks
or mutes its user (its menu offers the other choice), live."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session, select

import microblog.microblog  # noqa: F401  (registers every page, state and handler)
from microblog.live import events as ev
from microblog.live.tabs import TABS, Tab
from microblog.models import Post, User
from microblog.services import follows, moderation, posts, reactions, safety
from microblog.services.errors import Conflict, NotFound
from microblog.services.user_popup import user_card
from microblog.state.feed import FeedState
from microblog.state.moderation import ModerationState
from microblog.state.post_cards import _may_show_changed, _may_show_suspended, read_changed_card
from microblog.state.safety import SafetyState
from microblog.state.thread import ThreadState
from microblog.state.user_popup import UserPopupState
from tests.tab_state import session_token, tab_state

AddUser = Callable[..., User]


@pytest.fixture
def people(session: Session, add_user: AddUser) -> tuple[User, User, User]:
    """A moderator (granted the role), a reader and a troll."""
    mod, ann, troll = (add_user(session, name) for name in ("mod", "ann", "troll"))
    moderation.set_moderator(session, user_id=mod.id, moderator=True)
    session.commit()
    return mod, ann, troll


def _post(session: Session, user: User, body: str, reply_to: int | None = None) -> int:
    post = posts.create_post(session, author_id=user.id or 0, body=body, reply_to_id=reply_to)
    session.commit()
    return post.id or 0


async def _deliver(session: Session, event: ev.LiveEvent, tabs: list[tuple[object, Tab]]) -> None:
    """What the live layer does with a POST_CHANGED: the card read once, then each tab."""
    changed = read_changed_card(session, event, set())
    for state, tab in tabs:
        if isinstance(state, ThreadState):
            await state._on_thread_changed(event.ref_id, tab)
        else:
            await state._on_post_changed(changed, tab)  # type: ignore[attr-defined]


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_an_unhidden_post_comes_back_on_open_feeds_and_threads(
    session: Session, people: tuple[User, User, User], published: list[ev.LiveEvent]
) -> None:
    mod, ann, troll = people
    root = _post(session, mod, "a question")
    bad = _post(session, troll, "a rude answer", reply_to=root)
    newer = _post(session, mod, "a later post")
    feed = await tab_state(FeedState, token=session_token(session, ann), path="/explore")
    await FeedState.load_explore.fn(feed)
    thread = await tab_state(ThreadState, token=session_token(session, ann), path=f"/post/{root}")
    await ThreadState.load.fn(thread)
    alone = await tab_state(ThreadState, token=session_token(session, ann), path=f"/post/{bad}")
    await ThreadState.load.fn(alone)
    assert bad in [r.id for r in feed.posts] and bad in [r.id for r in thread.posts]
    tabs: list[tuple[object, Tab]] = [
        (feed, Tab(user_id=ann.id or 0, path="/explore")),
        (thread, Tab(user_id=ann.id or 0, path=f"/post/{root}")),
        (alone, Tab(user_id=ann.id or 0, path=f"/post/{bad}")),
    ]

    published.clear()
    moderation.hide_post(session, moderator_id=mod.id, post_id=bad, reason="rude")
    session.commit()
    for event in [e for e in published if e.kind == ev.POST_CHANGED]:
        await _deliver(session, event, tabs)
    assert bad not in [r.id for r in feed.posts] and bad not in [r.id for r in thread.posts]
    assert alone.not_found

    published.clear()
    moderation.unhide_post(session, moderator_id=mod.id, post_id=bad)
    session.commit()
    changed = [e for e in published if e.kind == ev.POST_CHANGED]
    assert {e.ref_id for e in changed} == {bad, root}  # the post, and the parent it answers
    (restored,) = [e for e in changed if e.ref_id == bad]
    assert restored.extra["restored"] == str(bad)
    # The feed tab no longer lists the post, but its window reaches it: it is asked.
    TABS.show_posts("feed-tab", path="/explore", post_ids=[newer, root])
    assert _may_show_changed("feed-tab", Tab(user_id=ann.id or 0, path="/explore"), restored)
    TABS.show_posts("far-tab", path="/explore", post_ids=[newer + 1])  # a page of newer posts
    assert not _may_show_changed("far-tab", Tab(user_id=ann.id or 0, path="/explore"), restored)
    TABS.forget("feed-tab")
    TABS.forget("far-tab")
    mod_feed = await tab_state(FeedState, token=session_token(session, mod), path="/explore")
    await FeedState.load_explore.fn(mod_feed)
    mod_feed.posts = [r for r in mod_feed.posts if r.id != bad]  # as the hide left it
    tabs.append((mod_feed, Tab(user_id=mod.id or 0, path="/explore")))  # the moderator's own
    for event in changed:
        await _deliver(session, event, tabs)
    assert [r.id for r in feed.posts][:3] == [newer, bad, root]
    assert bad in [r.id for r in mod_feed.posts]
    assert bad in [r.id for r in thread.posts]
    assert not alone.not_found and alone.post.id == bad


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_a_suspension_drops_the_accounts_boosts_from_open_feeds(
    session: Session, people: tuple[User, User, User], published: list[ev.LiveEvent]
) -> None:
    mod, ann, troll = people
    other = _post(session, mod, "worth sharing")
    follows.follow(session, follower_id=ann.id or 0, followed_id=troll.id or 0)
    reactions.boost_post(session, user_id=troll.id or 0, post_id=other)
    session.commit()
    home = await tab_state(FeedState, token=session_token(session, ann), path="/")
    await FeedState.load_home.fn(home)
    assert [(r.id, r.boosted_by) for r in home.posts] == [(other, "troll")]
    # The tab records the booster, so the suspension concerns it though troll wrote nothing.
    TABS.show_posts(
        "home-tab",
        path="/",
        post_ids=[r.entry_id for r in home.posts],
        author_ids=[r.author_id for r in home.posts],
        boosters=["troll"],
    )

    published.clear()
    moderation.suspend_account(session, moderator_id=mod.id, user_id=troll.id, reason="spam")
    session.commit()
    (event,) = [e for e in published if e.kind == ev.ACCOUNT_SUSPENDED]
    assert event.extra["username"] == "troll"
    assert _may_show_suspended("home-tab", Tab(user_id=ann.id or 0, path="/"), event)
    TABS.forget("home-tab")
    await home._on_account_suspended(event)
    assert home.posts == []


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_lifting_a_suspension_brings_the_accounts_posts_back_on_open_feeds(
    session: Session, people: tuple[User, User, User], published: list[ev.LiveEvent]
) -> None:
    mod, ann, troll = people
    own = _post(session, troll, "my own words")
    other = _post(session, mod, "worth sharing")
    follows.follow(session, follower_id=ann.id or 0, followed_id=troll.id or 0)
    reactions.boost_post(session, user_id=troll.id or 0, post_id=other)
    session.commit()
    boost = session.exec(select(Post.id).where(Post.boost_of_id == other)).one()
    moderation.suspend_account(session, moderator_id=mod.id, user_id=troll.id, reason="spam")
    session.commit()
    home = await tab_state(FeedState, token=session_token(session, ann), path="/")
    await FeedState.load_home.fn(home)
    assert home.posts == []  # troll's post and boost are gone while the suspension holds
    TABS.show_posts("home-tab", path="/", post_ids=[other])  # as if it listed older posts

    published.clear()
    moderation.unsuspend_account(session, moderator_id=mod.id, user_id=troll.id)
    session.commit()
    (event,) = [e for e in published if e.kind == ev.POST_CHANGED]
    assert event.ref_id == own and event.extra["restored"] == str(max(own, boost))
    assert _may_show_changed("home-tab", Tab(user_id=ann.id or 0, path="/"), event)
    TABS.show_posts("far-tab", path="/", post_ids=[boost + 100])  # all newer
    assert not _may_show_changed("far-tab", Tab(user_id=ann.id or 0, path="/"), event)
    TABS.forget("home-tab")
    TABS.forget("far-tab")
    await _deliver(session, event, [(home, Tab(user_id=ann.id or 0, path="/"))])
    shown = [(r.id, r.boosted_by) for r in home.posts]
    assert shown == [(other, "troll"), (own, "")]

    published.clear()  # an account that never posted: nothing to bring back, nothing sent
    moderation.suspend_account(session, moderator_id=mod.id, user_id=ann.id, reason="test")
    moderation.unsuspend_account(session, moderator_id=mod.id, user_id=ann.id)
    session.commit()
    assert [e for e in published if e.kind == ev.POST_CHANGED] == []


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_the_conversation_menu_offers_only_what_applies(
    session: Session, people: tuple[User, User, User]
) -> None:
    mod, ann, _troll = people
    root = _post(session, mod, "a question")
    reply = _post(session, ann, "an answer", reply_to=root)
    thread = await tab_state(ThreadState, token=session_token(session, ann), path=f"/post/{reply}")
    await ThreadState.load.fn(thread)
    assert not thread.conversation_muted
    menus = await thread.get_state(SafetyState)
    await SafetyState.mute_conversation.fn(menus, root)
    assert thread.conversation_muted
    assert safety.conversation_muted(session, user_id=ann.id or 0, post_id=reply)
    await ThreadState.load.fn(thread)  # read again: still muted
    assert thread.conversation_muted
    await SafetyState.unmute_conversation.fn(menus, reply)
    assert not thread.conversation_muted
    await ThreadState.load.fn(thread)
    assert not thread.conversation_muted


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_the_queue_pages_by_keyset_and_steps_back_when_emptied(
    session: Session,
    people: tuple[User, User, User],
    add_user: AddUser,
    sent_sql: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mod, ann, troll = people
    reporters = [add_user(session, f"r{i}") for i in range(5)]
    made = [
        safety.report_account(session, reporter_id=r.id, user_id=troll.id, reason="spam").id
        for r in reporters
    ]
    session.commit()
    sent_sql.clear()
    seen: list[int] = []
    after: int | None = None
    while True:
        items, after = moderation.open_reports_after(
            session, moderator_id=mod.id, after_id=after, per_page=2
        )
        seen += [r.id for r in items]
        if after is None:
            break
    assert seen == made  # oldest first, each once
    reads = [sql for sql in sent_sql if "FROM report" in sql]
    assert len(reads) == 3 and not any("count(" in sql.lower() for sql in reads)
    assert all("report.id >" in sql for sql in reads[1:])

    monkeypatch.setattr("microblog.state.moderation.QUEUE_SIZE", 2)
    page = await tab_state(ModerationState, token=session_token(session, mod), path="/moderation")
    await ModerationState.load.fn(page)
    assert [r.id for r in page.reports] == made[:2]
    assert page.has_later_reports and not page.has_earlier_reports
    await ModerationState.later_reports.fn(page)
    await ModerationState.later_reports.fn(page)
    assert [r.id for r in page.reports] == made[4:] and not page.has_later_reports
    assert page.has_earlier_reports
    # Another moderator resolves the last one: the live re-read steps back to a page with some.
    moderation.dismiss_report(session, moderator_id=mod.id, report_id=made[4])
    session.commit()
    await page._on_reports_changed()
    assert [r.id for r in page.reports] == made[2:4] and not page.has_later_reports
    await ModerationState.earlier_reports.fn(page)
    assert [r.id for r in page.reports] == made[:2] and not page.has_earlier_reports
    # A new report lands at the end of the queue: the first page says there is more.
    safety.report_account(session, reporter_id=ann.id, user_id=troll.id, reason="spam")
    session.commit()
    await page._on_reports_changed()
    assert page.has_later_reports


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_the_audit_log_offers_undo_only_while_an_action_holds(
    session: Session, people: tuple[User, User, User]
) -> None:
    mod, ann, troll = people
    bad = _post(session, troll, "nasty")
    report = safety.report_post(session, reporter_id=ann.id, post_id=bad, reason="abuse")
    session.commit()
    moderation.dismiss_report(session, moderator_id=mod.id, report_id=report.id)
    moderation.hide_post(session, moderator_id=mod.id, post_id=bad, reason="first")
    moderation.unhide_post(session, moderator_id=mod.id, post_id=bad)
    moderation.hide_post(session, moderator_id=mod.id, post_id=bad, reason="again")
    moderation.limit_account(session, moderator_id=mod.id, user_id=troll.id)
    moderation.unlimit_account(session, moderator_id=mod.id, user_id=troll.id)
    moderation.suspend_account(session, moderator_id=mod.id, user_id=troll.id)
    session.commit()

    lines, _ = moderation.audit_log_before(
        session, moderator_id=mod.id, before_id=None, per_page=20
    )
    state = [(line.action, line.reason, line.undone) for line in lines[:7]]
    assert state == [
        ("suspend", "", False),
        ("unlimit", "", False),
        ("limit", "", True),
        ("hide", "again", False),
        ("unhide", "", False),
        ("hide", "first", True),
        ("dismiss", "", False),
    ]
    paged = moderation.audit_log(session, moderator_id=mod.id, page=1, per_page=20).items
    assert [line.undone for line in paged] == [line.undone for line in lines]

    # A second undo is refused with a clear message, and changes nothing.
    moderation.unsuspend_account(session, moderator_id=mod.id, user_id=troll.id)
    moderation.unhide_post(session, moderator_id=mod.id, post_id=bad)
    moderation.reopen_report(session, moderator_id=mod.id, report_id=report.id)
    session.commit()
    with pytest.raises(Conflict, match="already"):
        moderation.unsuspend_account(session, moderator_id=mod.id, user_id=troll.id)
    with pytest.raises(NotFound, match="not hidden"):
        moderation.unhide_post(session, moderator_id=mod.id, post_id=bad)
    with pytest.raises(Conflict, match="already open"):
        moderation.reopen_report(session, moderator_id=mod.id, report_id=report.id)
    session.rollback()
    lines, _ = moderation.audit_log_before(
        session, moderator_id=mod.id, before_id=None, per_page=20
    )
    assert [line.action for line in lines[:3]] == ["reopen", "unhide", "unsuspend"]
    assert all(line.undone for line in lines if line.action in moderation.UNDO)

    # The page's Undo on a line already undone does nothing (the button is not drawn either).
    page = await tab_state(ModerationState, token=session_token(session, mod), path="/moderation")
    await ModerationState.load.fn(page)
    (old_limit,) = [line for line in page.log if line.action == "limit"]
    await ModerationState.undo_logged.fn(page, old_limit.id)
    assert page.log[0].action == "reopen" and page.error == ""


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_the_user_card_knows_blocks_and_mutes_and_follows_them_live(
    session: Session, people: tuple[User, User, User], published: list[ev.LiveEvent]
) -> None:
    _mod, ann, troll = people
    fresh = user_card(session, username="troll", viewer_id=ann.id)
    assert (fresh.blocked, fresh.muted) == (False, False)
    assert not user_card(session, username="ann", viewer_id=ann.id).blocked  # one's own card
    popup = await tab_state(UserPopupState, token=session_token(session, ann), path="/explore")
    await UserPopupState.open_card.fn(popup, "troll", True)
    assert popup.card is not None and not popup.card.muted
    menus = await popup.get_state(SafetyState)
    published.clear()
    await SafetyState.mute.fn(menus, troll.id, 0)
    (event,) = [e for e in published if e.kind == safety.SAFETY_CHANGED]
    assert ann.id in event.user_ids
    await popup._on_safety_changed()  # what the delivery does on the event
    assert popup.card is not None and popup.card.muted and not popup.card.blocked
    safety.block_user(session, blocker_id=ann.id or 0, blocked_id=troll.id or 0)
    session.commit()
    await popup._on_safety_changed()
    assert popup.card is not None and popup.card.blocked
