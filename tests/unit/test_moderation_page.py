"""The moderators' page and what it adds to the services: the report in context, the undo of a
dismissal, the audit log by keyset, the reporter told the outcome, the author's hidden post
marked with the reason in the card read (and live), and the page's state called as Reflex calls
it (every handler refuses a non-moderator). On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session

import microblog.microblog  # noqa: F401  (registers every page, state and handler)
from microblog.live import events as ev
from microblog.live.tabs import Tab
from microblog.models import User
from microblog.services import moderation, notifications, posts, safety
from microblog.services.errors import Conflict, Forbidden
from microblog.services.post_rows import cards_by_id
from microblog.state import delivery
from microblog.state.feed import FeedState
from microblog.state.moderation import ModerationState, _moderators_among
from microblog.state.post_cards import read_changed_card
from tests.tab_state import session_token, tab_state

AddUser = Callable[..., User]


@pytest.fixture
def people(session: Session, add_user: AddUser) -> tuple[User, User, User]:
    """A moderator (granted the role), a reporter and a troll."""
    mod, ann, troll = (add_user(session, name) for name in ("mod", "ann", "troll"))
    moderation.set_moderator(session, user_id=mod.id, moderator=True)
    session.commit()
    return mod, ann, troll


def _post(session: Session, user: User, body: str) -> int:
    post = posts.create_post(session, author_id=user.id or 0, body=body)
    session.commit()
    return post.id or 0


def _kinds(session: Session, user: User) -> list[str]:
    rows = notifications.list_notifications(session, user_id=user.id, page=1, per_page=50).items
    return [row.kind for row in rows]


@pytest.mark.usefixtures("use_engine")
def test_report_context_shows_post_account_and_history(
    session: Session, people: tuple[User, User, User]
) -> None:
    mod, ann, troll = people
    bad = _post(session, troll, "nasty words")
    first = safety.report_account(session, reporter_id=ann.id, user_id=troll.id, reason="spam")
    second = safety.report_post(
        session, reporter_id=ann.id, post_id=bad, reason="abuse", comment="rude"
    )
    session.commit()
    context = moderation.report_context(session, moderator_id=mod.id, report_id=second.id or 0)
    assert (context.report.reason, context.report.comment) == ("abuse", "rude")
    assert context.post is not None and context.post.body == "nasty words"
    assert context.account.username == "troll" and not context.account.suspended
    assert [r.id for r in context.history] == [second.id, first.id]
    assert "@" not in repr(context.account)  # no email address reaches a moderator's page
    with pytest.raises(Forbidden):
        moderation.report_context(session, moderator_id=ann.id, report_id=second.id or 0)

    # Once hidden, the moderator still sees the post in context (as its author does).
    moderation.hide_post(session, moderator_id=mod.id, post_id=bad, reason="insults")
    session.commit()
    context = moderation.report_context(session, moderator_id=mod.id, report_id=second.id or 0)
    assert context.post_hidden and context.post is not None and context.post.hidden


@pytest.mark.usefixtures("use_engine")
def test_reporter_is_told_the_outcome_and_a_dismissal_can_be_undone(
    session: Session, people: tuple[User, User, User]
) -> None:
    mod, ann, troll = people
    report = safety.report_account(session, reporter_id=ann.id, user_id=troll.id, reason="spam")
    session.commit()
    moderation.dismiss_report(session, moderator_id=mod.id, report_id=report.id or 0)
    session.commit()
    assert notifications.REPORT_RESOLVED in _kinds(session, ann)
    assert notifications.REPORT_ACTIONED not in _kinds(session, ann)

    moderation.reopen_report(session, moderator_id=mod.id, report_id=report.id or 0, reason="oops")
    session.commit()
    queue = moderation.list_open_reports(session, moderator_id=mod.id, page=1, per_page=10)
    assert [r.id for r in queue.items] == [report.id]
    with pytest.raises(Conflict):
        moderation.reopen_report(session, moderator_id=mod.id, report_id=report.id or 0)
    with pytest.raises(Forbidden):
        moderation.reopen_report(session, moderator_id=ann.id, report_id=report.id or 0)

    moderation.limit_account(
        session, moderator_id=mod.id, user_id=troll.id, reason="spammy", report_id=report.id
    )
    session.commit()
    assert notifications.REPORT_ACTIONED in _kinds(session, ann)
    lines = moderation.audit_log(session, moderator_id=mod.id, page=1, per_page=10).items
    assert [(line.action, line.reason, line.report_id) for line in lines[:3]] == [
        ("limit", "spammy", report.id),
        ("reopen", "oops", report.id),
        ("dismiss", "", report.id),
    ]


@pytest.mark.usefixtures("use_engine")
def test_audit_log_pages_by_keyset_without_count(
    session: Session, people: tuple[User, User, User], sent_sql: list[str]
) -> None:
    mod, _ann, troll = people
    for _ in range(3):
        moderation.limit_account(session, moderator_id=mod.id, user_id=troll.id)
        moderation.unlimit_account(session, moderator_id=mod.id, user_id=troll.id)
    session.commit()
    everything = moderation.audit_log(session, moderator_id=mod.id, page=1, per_page=50).items
    seen: list[int] = []
    before: int | None = None
    sent_sql.clear()
    while True:
        lines, before = moderation.audit_log_before(
            session, moderator_id=mod.id, before_id=before, per_page=3
        )
        seen += [line.id for line in lines]
        if before is None:
            break
    assert seen == [line.id for line in everything]  # newest first, each once
    assert len(seen) == 7  # six actions and the grant of the role
    reads = [sql for sql in sent_sql if "FROM moderation_action" in sql]
    assert not any("count(" in sql.lower() for sql in reads)
    pages = [sql for sql in reads if "ORDER BY" in sql]  # the rest: which lines were undone
    assert len(pages) == 3 and len(reads) <= 6
    assert all("moderation_action.id <" in sql for sql in pages[1:])  # the keyset


@pytest.mark.usefixtures("use_engine")
def test_the_author_sees_a_hidden_post_marked_with_the_reason(
    session: Session, people: tuple[User, User, User], sent_sql: list[str]
) -> None:
    mod, ann, troll = people
    bad, fine = _post(session, troll, "nasty"), _post(session, troll, "fine")
    moderation.hide_post(session, moderator_id=mod.id, post_id=bad, reason="insults")
    session.commit()
    sent_sql.clear()
    own = cards_by_id(session, [bad, fine], viewer_id=troll.id or 0)
    assert len(sent_sql) == 1  # the reason is a column of the cards' one statement
    assert (own[bad].hidden, own[bad].hidden_reason) == (True, "insults")
    assert (own[fine].hidden, own[fine].hidden_reason) == (False, "")
    assert bad not in cards_by_id(session, [bad], viewer_id=ann.id or 0)
    assert bad not in cards_by_id(session, [bad], viewer_id=0)


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_hiding_drops_the_card_live_except_for_its_author(
    session: Session, people: tuple[User, User, User], published: list[ev.LiveEvent]
) -> None:
    mod, ann, troll = people
    bad = _post(session, troll, "nasty")
    tabs = []
    for reader in (ann, troll):
        feed = await tab_state(FeedState, token=session_token(session, reader), path="/explore")
        await FeedState.load_explore.fn(feed)
        assert bad in [row.id for row in feed.posts]
        tabs.append((feed, reader))
    published.clear()
    moderation.hide_post(session, moderator_id=mod.id, post_id=bad, reason="insults")
    session.commit()
    (event,) = [e for e in published if e.kind == ev.POST_CHANGED]
    changed = read_changed_card(session, event, set())
    for feed, reader in tabs:
        await feed._on_post_changed(changed, Tab(user_id=reader.id or 0, path="/explore"))
    (ann_feed, _), (troll_feed, _) = tabs
    assert bad not in [row.id for row in ann_feed.posts]
    (card,) = [row for row in troll_feed.posts if row.id == bad]
    assert (card.hidden, card.hidden_reason) == (True, "insults")


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_the_page_works_for_a_moderator_and_refuses_everyone_else(
    session: Session, people: tuple[User, User, User], add_user: AddUser
) -> None:
    mod, ann, troll = people
    bad = _post(session, troll, "nasty")
    report = safety.report_post(session, reporter_id=ann.id, post_id=bad, reason="abuse")
    session.commit()

    outsider = await tab_state(
        ModerationState, token=session_token(session, ann), path="/moderation"
    )
    await ModerationState.load.fn(outsider)
    assert not outsider.allowed and outsider.reports == [] and outsider.error
    # Every handler checks again: an event sent by hand changes nothing.
    await ModerationState.select_report.fn(outsider, report.id)
    assert outsider.report is None and outsider.reports == []
    outsider.report = moderation.report_context(  # even with a report forced into its state
        session, moderator_id=mod.id, report_id=report.id or 0
    ).report
    await ModerationState.act.fn(outsider, "suspend")
    session.expire_all()
    assert not session.get(User, troll.id).suspended  # type: ignore[union-attr]
    await ModerationState.grant_role.fn(outsider)
    await ModerationState.older_log.fn(outsider)

    page = await tab_state(ModerationState, token=session_token(session, mod), path="/moderation")
    await ModerationState.load.fn(page)
    assert page.allowed and not page.is_admin
    assert [r.id for r in page.reports] == [report.id]
    await ModerationState.select_report.fn(page, report.id)
    assert page.report is not None and [p.id for p in page.post] == [bad]
    await ModerationState.set_reason.fn(page, "insults")
    await ModerationState.act.fn(page, "hide")
    assert page.error == "" and page.post_hidden and page.reports == []
    assert page.log[0].action == "hide" and page.log[0].reason == "insults"
    await ModerationState.undo_logged.fn(page, page.log[0].id)
    assert not page.post_hidden and page.log[0].action == "unhide"
    await ModerationState.act.fn(page, "suspend")  # the report is resolved: the account still
    session.expire_all()
    assert session.get(User, troll.id).suspended  # type: ignore[union-attr]
    await ModerationState.undo.fn(page, "unsuspend")
    session.expire_all()
    assert not session.get(User, troll.id).suspended  # type: ignore[union-attr]
    await ModerationState.grant_role.fn(page)  # not an administrator
    assert page.role_error


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_an_administrator_grants_and_revokes_the_role(
    session: Session, add_user: AddUser
) -> None:
    boss, _ann = add_user(session, "boss"), add_user(session, "ann")
    boss.is_admin = True
    session.add(boss)
    session.commit()
    page = await tab_state(ModerationState, token=session_token(session, boss), path="/moderation")
    await ModerationState.load.fn(page)
    assert page.allowed and page.is_admin and page.moderators == []
    await ModerationState.set_grant_name.fn(page, "nobody-here")
    await ModerationState.grant_role.fn(page)
    assert page.role_error and page.moderators == []
    await ModerationState.set_grant_name.fn(page, "ann")
    await ModerationState.grant_role.fn(page)
    assert page.role_error == "" and page.moderators == ["ann"]
    assert page.log[0].action == "grant_moderator" and page.log[0].target == "ann"
    await ModerationState.revoke_role.fn(page, "ann")
    assert page.moderators == []


@pytest.mark.usefixtures("use_engine")
def test_report_events_open_only_moderators_tabs(
    session: Session, people: tuple[User, User, User]
) -> None:
    mod, ann, troll = people
    readers = {mod.id or 0, ann.id or 0, troll.id or 0}
    event = ev.LiveEvent(safety.REPORTS_CHANGED)
    assert _moderators_among(session, event, readers) == {mod.id}
    (sub,) = delivery._SUBSCRIPTIONS[safety.REPORTS_CHANGED]
    assert sub.wants(Tab(user_id=mod.id or 0, path="/moderation"))
    assert not sub.wants(Tab(user_id=mod.id or 0, path="/explore"))


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_a_suspension_drops_the_authors_posts_from_open_feeds(
    session: Session, people: tuple[User, User, User], published: list[ev.LiveEvent]
) -> None:
    mod, ann, troll = people
    bad, kept = _post(session, troll, "spam spam"), _post(session, mod, "hello")
    feed = await tab_state(FeedState, token=session_token(session, ann), path="/explore")
    await FeedState.load_explore.fn(feed)
    published.clear()
    moderation.suspend_account(session, moderator_id=mod.id, user_id=troll.id, reason="spam")
    session.commit()
    (event,) = [e for e in published if e.kind == ev.ACCOUNT_SUSPENDED]
    assert event.author_id == troll.id
    (sub,) = delivery._SUBSCRIPTIONS[ev.ACCOUNT_SUSPENDED][:1]
    assert sub.with_event
    await feed._on_account_suspended(event)
    shown = [row.id for row in feed.posts]
    assert bad not in shown and kept in shown
