"""Reports, the moderators' actions and the audit log; suspension ends sessions and API tokens;
hidden posts and limited or suspended accounts in the feeds, tags and search; the spam brakes.
On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlmodel import Session

from microblog.config import get_settings
from microblog.models import User
from microblog.services import (
    api_tokens,
    auth_sessions,
    follows,
    moderation,
    notifications,
    posts,
    safety,
    search,
    tags,
    threads,
    users,
)
from microblog.services.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests
from microblog.services.spam_brakes import check_spam_brake

AddUser = Callable[..., User]


@pytest.fixture(autouse=True)
def _builtin_search() -> Iterator[None]:
    search.use_external(None)
    yield
    search.reset_external()


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


def _explore(session: Session, viewer: User | None) -> list[int]:
    viewer_id = viewer.id or 0 if viewer else 0
    return [
        r.id for r in posts.explore_posts(session, page=1, per_page=50, viewer_id=viewer_id).items
    ]


def test_only_moderators_see_the_queue_and_act(
    session: Session, people: tuple[User, User, User]
) -> None:
    _, ann, troll = people
    with pytest.raises(Forbidden):
        moderation.list_open_reports(session, moderator_id=ann.id, page=1, per_page=10)
    with pytest.raises(Forbidden):
        moderation.suspend_account(session, moderator_id=ann.id, user_id=troll.id)
    with pytest.raises(Forbidden):
        moderation.audit_log(session, moderator_id=troll.id, page=1, per_page=10)
    with pytest.raises(Forbidden):  # only an administrator grants the role
        moderation.set_moderator(session, user_id=ann.id, moderator=True, granted_by=troll.id)


def test_report_reaches_the_queue_and_hiding_resolves_it(
    session: Session, people: tuple[User, User, User]
) -> None:
    mod, ann, troll = people
    bad = _post(session, troll, "something nasty")
    report = safety.report_post(
        session, reporter_id=ann.id, post_id=bad, reason="abuse", comment="rude"
    )
    session.commit()
    assert notifications.REPORT_RECEIVED in _kinds(session, ann)
    queue = moderation.list_open_reports(session, moderator_id=mod.id, page=1, per_page=10)
    assert [(r.id, r.reporter, r.target, r.post_id, r.reason) for r in queue.items] == [
        (report.id, "ann", "troll", bad, "abuse")
    ]
    moderation.hide_post(
        session, moderator_id=mod.id, post_id=bad, reason="insults", report_id=report.id
    )
    session.commit()
    assert (
        moderation.list_open_reports(session, moderator_id=mod.id, page=1, per_page=10).items == []
    )
    assert notifications.REPORT_ACTIONED in _kinds(session, ann)
    assert notifications.POST_HIDDEN in _kinds(session, troll)
    assert moderation.hidden_reason(session, post_id=bad) == "insults"
    # Gone for everyone but its author.
    assert bad not in _explore(session, ann) and bad not in _explore(session, None)
    assert bad in _explore(session, troll)
    with pytest.raises(NotFound):
        threads.open_thread(session, post_id=bad, viewer_id=ann.id, page=1, per_page=5)
    threads.open_thread(session, post_id=bad, viewer_id=troll.id, page=1, per_page=5)
    with pytest.raises(Conflict):  # one resolution per report
        moderation.dismiss_report(session, moderator_id=mod.id, report_id=report.id)
    moderation.unhide_post(session, moderator_id=mod.id, post_id=bad, reason="on appeal")
    session.commit()
    assert bad in _explore(session, ann)
    log = moderation.audit_log(session, moderator_id=mod.id, page=1, per_page=10)
    assert [(a.action, a.moderator, a.target) for a in log.items] == [
        ("unhide", "mod", "troll"),
        ("hide", "mod", "troll"),
        ("grant_moderator", "", "mod"),
    ]
    history = moderation.account_reports(session, moderator_id=mod.id, user_id=troll.id)
    assert [(r.status, r.outcome, r.resolver) for r in history] == [("resolved", "hide", "mod")]


def _kinds(session: Session, user: User) -> list[str]:
    page = notifications.list_notifications(session, user_id=user.id or 0, page=1, per_page=50)
    return [row.kind for row in page.items]


def test_report_checks_its_input(session: Session, people: tuple[User, User, User]) -> None:
    _, ann, troll = people
    mine = _post(session, ann, "mine")
    with pytest.raises(Invalid):
        safety.report_account(session, reporter_id=ann.id, user_id=troll.id, reason="boring")
    with pytest.raises(Invalid):
        safety.report_post(session, reporter_id=ann.id, post_id=mine, reason="spam")
    with pytest.raises(NotFound):
        safety.report_post(session, reporter_id=ann.id, post_id=9999, reason="spam")
    with pytest.raises(Invalid):  # text no database can store is refused, not a 500
        safety.report_account(
            session, reporter_id=ann.id, user_id=troll.id, reason="spam", comment="a\x00b"
        )
    report = safety.report_account(session, reporter_id=ann.id, user_id=troll.id, reason="spam")
    assert report.status == "open" and report.post_id is None


def test_suspension_ends_sessions_and_tokens_and_hides_content(
    session: Session, people: tuple[User, User, User]
) -> None:
    mod, ann, troll = people
    said = _post(session, troll, "spam spam #deals")
    ticket = auth_sessions.issue_login_ticket(
        session, user_id=troll.id, remember=False, next_path="/"
    )
    cookie, _, _ = auth_sessions.redeem_login_ticket(
        session, ticket=ticket, remember_days=30, default_hours=2
    )
    token = api_tokens.issue_token(session, user_id=troll.id, lifetime_seconds=3600)
    session.commit()
    assert auth_sessions.session_user(session, token=cookie) is not None
    assert api_tokens.resolve_token(session, token=token) is not None
    moderation.suspend_account(session, moderator_id=mod.id, user_id=troll.id, reason="spam")
    session.commit()
    assert auth_sessions.session_user(session, token=cookie) is None
    assert api_tokens.resolve_token(session, token=token) is None
    assert users.authenticate(session, login="troll", password="password123") is None
    assert said not in _explore(session, ann) and said not in _explore(session, None)
    assert tags.tag_posts(session, name="deals", viewer_id=0, page=1, per_page=5).items == []
    with pytest.raises(Conflict):
        moderation.suspend_account(session, moderator_id=mod.id, user_id=troll.id)
    with pytest.raises(Forbidden):
        moderation.suspend_account(session, moderator_id=mod.id, user_id=mod.id)
    moderation.unsuspend_account(session, moderator_id=mod.id, user_id=troll.id)
    session.commit()
    assert users.authenticate(session, login="troll", password="password123") is not None
    assert said in _explore(session, ann)
    actions = [
        a.action
        for a in moderation.audit_log(session, moderator_id=mod.id, page=1, per_page=5).items
    ]
    assert actions[:2] == ["unsuspend", "suspend"]


def test_limited_account_stays_out_of_public_lists_for_non_followers(
    session: Session, people: tuple[User, User, User]
) -> None:
    mod, ann, troll = people
    said = _post(session, troll, "buy cheapwatches now #offers")
    moderation.limit_account(session, moderator_id=mod.id, user_id=troll.id, reason="spam")
    session.commit()

    def seen(viewer: User) -> tuple[bool, bool, bool, bool]:
        vid = viewer.id or 0
        tagged = [
            r.id
            for r in tags.tag_posts(session, name="offers", viewer_id=vid, page=1, per_page=5).items
        ]
        found = [
            r.id
            for r in search.search_posts(
                session, q="cheapwatches", page=1, per_page=5, viewer_id=vid
            ).posts
        ]
        profile = [
            r.id
            for r in posts.user_posts(
                session, user_id=troll.id, page=1, per_page=5, viewer_id=vid
            ).items
        ]
        return said in _explore(session, viewer), said in tagged, said in found, said in profile

    assert seen(ann) == (False, False, False, True)  # the profile still shows it
    assert seen(troll) == (True, True, True, True)
    follows.follow(session, follower_id=ann.id, followed_id=troll.id)
    session.commit()
    assert seen(ann) == (True, True, True, True)
    moderation.unlimit_account(session, moderator_id=mod.id, user_id=troll.id)
    session.commit()
    assert said in _explore(session, mod)


def test_a_moderator_cannot_act_on_another_unless_administrator(
    session: Session, people: tuple[User, User, User], add_user: AddUser
) -> None:
    mod, _, _ = people
    other = add_user(session, "other")
    moderation.set_moderator(session, user_id=other.id, moderator=True)
    with pytest.raises(Forbidden):
        moderation.suspend_account(session, moderator_id=mod.id, user_id=other.id)
    mod.is_admin = True
    session.add(mod)
    moderation.limit_account(session, moderator_id=mod.id, user_id=other.id)
    assert moderation.is_moderator(mod)


@pytest.fixture
def brakes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SPAM_BRAKES", "1")
    monkeypatch.setenv("POST_RATE_LIMIT_NEW", "2/3600")
    monkeypatch.setenv("POST_RATE_LIMIT", "5/3600")
    monkeypatch.setenv("FOLLOW_RATE_LIMIT_NEW", "1/3600")
    monkeypatch.setenv("MESSAGE_RATE_LIMIT_NEW", "1/3600")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_spam_brakes_stop_new_accounts_sooner(
    session: Session, people: tuple[User, User, User], brakes: None
) -> None:
    mod, ann, troll = people
    _post(session, troll, "one")
    _post(session, troll, "two")
    with pytest.raises(TooManyRequests) as refused:
        _post(session, troll, "three")
    assert "posting too fast" in str(refused.value.message)
    assert refused.value.retry_after > 0
    session.rollback()
    follows.follow(session, follower_id=troll.id, followed_id=ann.id)
    with pytest.raises(TooManyRequests) as refused:
        follows.follow(session, follower_id=troll.id, followed_id=mod.id)
    assert "following too many people" in str(refused.value.message)
    session.rollback()
    # An older account has the looser limit.
    ann.created = ann.created - timedelta(days=30)
    session.add(ann)
    session.commit()
    for _ in range(5):
        check_spam_brake(session, user_id=ann.id, action="post")
    with pytest.raises(TooManyRequests):
        check_spam_brake(session, user_id=ann.id, action="post")
