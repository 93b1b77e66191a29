"""Notifications (follower, message, announcement), their unread count and read marker, and
site-wide announcements: who may post them, the fan-out, the banner and its dismissal."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert
from sqlmodel import Session, select

from microblog.config import get_settings
from microblog.models import ANNOUNCEMENT_MAX, Announcement, Notification, User
from microblog.schemas import NotificationRow, avatar_url
from microblog.services import notifications
from microblog.services.announcements import (
    current_announcement,
    dismiss_announcement,
    is_admin,
    post_announcement,
)
from microblog.services.errors import Forbidden, Invalid
from microblog.services.follows import follow
from microblog.services.messages import send_message
from microblog.services.notifications import (
    list_notifications,
    mark_all_read,
    notify_everyone_of_announcement,
    read_notifications,
    unread_count,
)

AddUser = Callable[..., User]


@pytest.fixture
def set_admins(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """`set_admins("a@x.com,b@x.com")`: the ADMINS setting for this test only (settings are
    cached, so the cache is cleared on the way in and out)."""

    def _set(value: str) -> None:
        monkeypatch.setenv("ADMINS", value)
        get_settings.cache_clear()

    yield _set
    get_settings.cache_clear()


def _rows(session: Session, user_id: int, per_page: int = 50) -> list[NotificationRow]:
    return list_notifications(session, user_id=user_id, page=1, per_page=per_page).items


def _kinds(session: Session, user_id: int) -> list[str]:
    return [row.kind for row in _rows(session, user_id)]


def _column(session: Session, column: Any, user_id: int) -> int:
    """A marker as stored in the database (not the identity map's copy)."""
    return session.exec(select(column).where(User.id == user_id)).one()


# -- follower notifications -------------------------------------------------------------------


def test_follow_notifies_the_followed_user(session: Session, add_user: AddUser) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    follow(session, follower_id=john.id, followed_id=susan.id)
    session.commit()
    rows = _rows(session, susan.id)
    assert [(r.kind, r.actor_username) for r in rows] == [(notifications.FOLLOWER, "john")]
    assert rows[0].text == "john started following you."
    assert rows[0].href == "/user/john"
    assert rows[0].actor_avatar == avatar_url(john.email, 36, picture=None)
    assert rows[0].unread
    assert _rows(session, john.id) == []  # the follower is not notified


def test_following_twice_notifies_once(session: Session, add_user: AddUser) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    assert follow(session, follower_id=john.id, followed_id=susan.id) is True
    session.commit()
    assert follow(session, follower_id=john.id, followed_id=susan.id) is False
    session.commit()
    assert _kinds(session, susan.id) == [notifications.FOLLOWER]
    assert unread_count(session, user_id=susan.id) == 1


# -- the list ---------------------------------------------------------------------------------


def test_list_newest_first_with_text_and_href_per_kind(
    session: Session, add_user: AddUser, set_admins: Callable[[str], None]
) -> None:
    set_admins("boss@example.com")
    susan = add_user(session, "susan")
    john, boss = add_user(session, "john"), add_user(session, "boss")
    follow(session, follower_id=john.id, followed_id=susan.id)
    session.commit()
    send_message(session, sender_id=john.id, recipient_username="susan", body="hi")
    session.commit()
    post_announcement(session, author_id=boss.id, body="Maintenance at noon.")
    session.commit()

    rows = _rows(session, susan.id)
    assert [r.kind for r in rows] == [
        notifications.ANNOUNCEMENT,
        notifications.MESSAGE,
        notifications.FOLLOWER,
    ]
    assert [r.id for r in rows] == sorted((r.id for r in rows), reverse=True)
    announcement, message, follower = rows
    assert (announcement.text, announcement.href, announcement.actor_username) == (
        "Maintenance at noon.",
        "",
        "",
    )
    assert announcement.actor_avatar == ""
    assert (message.text, message.href) == ("john sent you a private message.", "/messages/john")
    assert (follower.text, follower.href) == ("john started following you.", "/user/john")
    assert all(r.unread and r.timestamp.endswith("Z") for r in rows)


def test_list_paginates(session: Session, add_user: AddUser) -> None:
    susan = add_user(session, "susan")
    followers = [add_user(session, f"fan{i}") for i in range(5)]
    for fan in followers:
        follow(session, follower_id=fan.id, followed_id=susan.id)
        session.commit()
    first = list_notifications(session, user_id=susan.id, page=1, per_page=2)
    second = list_notifications(session, user_id=susan.id, page=2, per_page=2)
    third = list_notifications(session, user_id=susan.id, page=3, per_page=2)
    names = [r.actor_username for page in (first, second, third) for r in page.items]
    assert names == [f.username for f in reversed(followers)]
    assert (first.has_next, second.has_next, third.has_next) == (True, True, False)
    assert (first.has_prev, third.has_prev) == (False, True)


def test_list_shows_only_my_notifications(session: Session, add_user: AddUser) -> None:
    john, susan, mary = (
        add_user(session, "john"),
        add_user(session, "susan"),
        add_user(session, "mary"),
    )
    follow(session, follower_id=john.id, followed_id=mary.id)
    follow(session, follower_id=mary.id, followed_id=susan.id)
    session.commit()
    assert [r.actor_username for r in _rows(session, susan.id)] == ["mary"]
    assert [r.actor_username for r in _rows(session, mary.id)] == ["john"]
    assert _rows(session, john.id) == []


# -- unread count and mark_all_read -----------------------------------------------------------


def test_unread_count_and_mark_all_read(session: Session, add_user: AddUser) -> None:
    susan = add_user(session, "susan")
    fans = [add_user(session, f"fan{i}") for i in range(3)]
    for fan in fans[:2]:
        follow(session, follower_id=fan.id, followed_id=susan.id)
    session.commit()
    assert unread_count(session, user_id=susan.id) == 2
    newest = _rows(session, susan.id)[0].id

    assert mark_all_read(session, user_id=susan.id) == 0  # the previous marker
    session.commit()
    assert _column(session, User.last_notification_read_id, susan.id) == newest
    assert unread_count(session, user_id=susan.id) == 0
    assert not any(r.unread for r in _rows(session, susan.id))

    follow(session, follower_id=fans[2].id, followed_id=susan.id)
    session.commit()
    assert unread_count(session, user_id=susan.id) == 1
    assert [r.unread for r in _rows(session, susan.id)] == [True, False, False]
    assert unread_count(session, user_id=susan.id, read_up_to=0) == 3

    assert mark_all_read(session, user_id=susan.id) == newest
    session.commit()
    latest = _rows(session, susan.id)[0].id
    assert _column(session, User.last_notification_read_id, susan.id) == latest
    # Nothing new: the marker stays.
    assert mark_all_read(session, user_id=susan.id) == latest
    session.commit()
    assert _column(session, User.last_notification_read_id, susan.id) == latest


def test_mark_all_read_ignores_other_users_notifications(
    session: Session, add_user: AddUser
) -> None:
    john, susan, mary = (
        add_user(session, "john"),
        add_user(session, "susan"),
        add_user(session, "mary"),
    )
    follow(session, follower_id=john.id, followed_id=susan.id)
    follow(session, follower_id=john.id, followed_id=mary.id)  # a newer id, but not susan's
    session.commit()
    mine = _rows(session, susan.id)[0].id
    mark_all_read(session, user_id=susan.id)
    session.commit()
    assert _column(session, User.last_notification_read_id, susan.id) == mine
    assert unread_count(session, user_id=mary.id) == 1


def test_unread_count_stops_at_cap_plus_one(session: Session, add_user: AddUser) -> None:
    susan, john = add_user(session, "susan"), add_user(session, "john")
    cap = notifications.UNREAD_CAP
    rows = [{"user_id": susan.id, "kind": notifications.FOLLOWER, "actor_id": john.id}] * cap
    session.execute(insert(Notification), rows)
    session.commit()
    assert unread_count(session, user_id=susan.id) == cap
    session.execute(insert(Notification), rows[:7])
    session.commit()
    total = session.exec(
        select(func.count()).select_from(Notification).where(Notification.user_id == susan.id)
    ).one()
    assert total == cap + 7
    assert unread_count(session, user_id=susan.id) == cap + 1


# -- announcement fan-out ---------------------------------------------------------------------


def test_notify_everyone_creates_one_row_per_user(session: Session, add_user: AddUser) -> None:
    users = [add_user(session, f"user{i}") for i in range(4)]
    announcement = Announcement(author_id=users[0].id, body="Hello all")
    session.add(announcement)
    session.flush()
    notify_everyone_of_announcement(session, announcement_id=announcement.id)
    session.commit()

    stored = session.exec(
        select(Notification.user_id, Notification.kind, Notification.announcement_id)
    ).all()
    assert sorted(stored) == sorted(
        (u.id, notifications.ANNOUNCEMENT, announcement.id) for u in users
    )
    for user in users:
        rows = _rows(session, user.id)
        assert [(r.kind, r.text, r.unread) for r in rows] == [
            (notifications.ANNOUNCEMENT, "Hello all", True)
        ]
        assert unread_count(session, user_id=user.id) == 1


def test_notify_everyone_returns_how_many_rows_it_created(
    session: Session, add_user: AddUser
) -> None:
    users = [add_user(session, f"user{i}") for i in range(3)]
    announcement = Announcement(author_id=users[0].id, body="Hello all")
    session.add(announcement)
    session.flush()
    created = notify_everyone_of_announcement(session, announcement_id=announcement.id)
    stored = session.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.announcement_id == announcement.id)
    ).one()
    assert stored == len(users)
    assert created == stored


# -- announcements: who may post, validation --------------------------------------------------


def test_admin_is_matched_by_email_ignoring_case(
    session: Session, add_user: AddUser, set_admins: Callable[[str], None]
) -> None:
    set_admins(" Boss@Example.COM , other@example.com")
    boss = add_user(session, "boss", "boss@example.com")
    shouting = add_user(session, "shouting", "OTHER@EXAMPLE.COM")
    john = add_user(session, "john")
    assert is_admin(boss)
    assert is_admin(shouting)
    assert not is_admin(john)


def test_admin_posts_announcement_and_everyone_is_notified(
    session: Session, add_user: AddUser, set_admins: Callable[[str], None]
) -> None:
    set_admins("BOSS@example.com")
    boss = add_user(session, "boss", "Boss@Example.com")
    john, susan = add_user(session, "john"), add_user(session, "susan")
    announcement = post_announcement(session, author_id=boss.id, body="  New feature!  ")
    session.commit()
    assert announcement.id is not None
    assert (announcement.author_id, announcement.body) == (boss.id, "New feature!")
    for user in (boss, john, susan):
        assert _kinds(session, user.id) == [notifications.ANNOUNCEMENT]


def test_non_admin_cannot_post_announcement(
    session: Session, add_user: AddUser, set_admins: Callable[[str], None]
) -> None:
    set_admins("boss@example.com")
    add_user(session, "boss")
    john = add_user(session, "john")
    with pytest.raises(Forbidden):
        post_announcement(session, author_id=john.id, body="I am in charge now")
    session.commit()
    assert session.exec(select(func.count()).select_from(Announcement)).one() == 0
    assert session.exec(select(func.count()).select_from(Notification)).one() == 0
    assert current_announcement(session, user_id=None) is None


def test_nobody_is_admin_without_admins_setting(
    session: Session, add_user: AddUser, set_admins: Callable[[str], None]
) -> None:
    set_admins("")
    boss = add_user(session, "boss")
    assert not is_admin(boss)
    with pytest.raises(Forbidden):
        post_announcement(session, author_id=boss.id, body="hello")


@pytest.mark.parametrize("body", ["", "   ", "\n\t", "a" * (ANNOUNCEMENT_MAX + 1)])
def test_announcement_validation(
    session: Session, add_user: AddUser, set_admins: Callable[[str], None], body: str
) -> None:
    set_admins("boss@example.com")
    boss = add_user(session, "boss")
    with pytest.raises(Invalid) as caught:
        post_announcement(session, author_id=boss.id, body=body)
    assert set(caught.value.errors) == {"announcement"}
    if body.strip():
        assert f"at most {ANNOUNCEMENT_MAX} characters ({len(body)} now)" in caught.value.message
    session.commit()
    assert session.exec(select(func.count()).select_from(Announcement)).one() == 0
    assert session.exec(select(func.count()).select_from(Notification)).one() == 0


def test_announcement_of_exactly_the_limit_is_accepted(
    session: Session, add_user: AddUser, set_admins: Callable[[str], None]
) -> None:
    set_admins("boss@example.com")
    boss = add_user(session, "boss")
    body = "b" * ANNOUNCEMENT_MAX
    assert post_announcement(session, author_id=boss.id, body=body).body == body


# -- the banner and its dismissal -------------------------------------------------------------


def test_current_announcement_for_users_and_visitors(
    session: Session, add_user: AddUser, set_admins: Callable[[str], None]
) -> None:
    set_admins("boss@example.com")
    boss, john = add_user(session, "boss"), add_user(session, "john")
    assert current_announcement(session, user_id=john.id) is None
    assert current_announcement(session, user_id=None) is None

    older = post_announcement(session, author_id=boss.id, body="first")
    newer = post_announcement(session, author_id=boss.id, body="second")
    session.commit()
    for reader in (john.id, None):
        row = current_announcement(session, user_id=reader)
        assert row is not None
        assert (row.id, row.body, row.author_username) == (newer.id, "second", "boss")
        assert row.timestamp.endswith("Z")
    assert older.id < newer.id


def test_dismiss_hides_it_and_older_ones_until_a_newer_one(
    session: Session, add_user: AddUser, set_admins: Callable[[str], None]
) -> None:
    set_admins("boss@example.com")
    boss, john, susan = (
        add_user(session, "boss"),
        add_user(session, "john"),
        add_user(session, "susan"),
    )
    older = post_announcement(session, author_id=boss.id, body="first")
    newer = post_announcement(session, author_id=boss.id, body="second")
    session.commit()

    dismiss_announcement(session, user_id=john.id, announcement_id=newer.id)
    session.commit()
    assert current_announcement(session, user_id=john.id) is None  # the older one stays hidden
    # Only john dismissed it: susan and visitors still see the banner.
    susan_row = current_announcement(session, user_id=susan.id)
    assert susan_row is not None and susan_row.id == newer.id
    visitor_row = current_announcement(session, user_id=None)
    assert visitor_row is not None and visitor_row.id == newer.id

    newest = post_announcement(session, author_id=boss.id, body="third")
    session.commit()
    again = current_announcement(session, user_id=john.id)
    assert again is not None
    assert (again.id, again.body) == (newest.id, "third")
    assert older.id < newer.id < newest.id


def test_dismissing_an_older_one_shows_the_newer(
    session: Session, add_user: AddUser, set_admins: Callable[[str], None]
) -> None:
    set_admins("boss@example.com")
    boss, john = add_user(session, "boss"), add_user(session, "john")
    older = post_announcement(session, author_id=boss.id, body="first")
    newer = post_announcement(session, author_id=boss.id, body="second")
    session.commit()
    dismiss_announcement(session, user_id=john.id, announcement_id=older.id)
    session.commit()
    row = current_announcement(session, user_id=john.id)
    assert row is not None and row.id == newer.id


def test_dismissal_marker_never_moves_backwards(
    session: Session, add_user: AddUser, set_admins: Callable[[str], None]
) -> None:
    set_admins("boss@example.com")
    boss, john = add_user(session, "boss"), add_user(session, "john")
    older = post_announcement(session, author_id=boss.id, body="first")
    newer = post_announcement(session, author_id=boss.id, body="second")
    session.commit()

    dismiss_announcement(session, user_id=john.id, announcement_id=newer.id)
    session.commit()
    assert _column(session, User.dismissed_announcement_id, john.id) == newer.id
    # A stale tab dismissing the older banner afterwards must not bring the newer one back.
    dismiss_announcement(session, user_id=john.id, announcement_id=older.id)
    session.commit()
    assert _column(session, User.dismissed_announcement_id, john.id) == newer.id
    assert current_announcement(session, user_id=john.id) is None


def test_announcement_for_readers_matches_the_per_user_reads(
    session: Session, add_user: AddUser, set_admins: Callable[[str], None]
) -> None:
    """The batched read the live delivery uses gives each reader what their own re-read gives."""
    from microblog.services.announcements import announcement_for_readers

    set_admins("boss@example.com")
    boss, ann, bob, cid = (add_user(session, n) for n in ("boss", "ann", "bob", "cid"))
    follow(session, follower_id=bob.id, followed_id=ann.id)  # ann: one unread before
    old = post_announcement(session, author_id=boss.id, body="Old news")
    dismiss_announcement(session, user_id=bob.id, announcement_id=old.id)
    mark_all_read(session, user_id=cid.id)
    new = post_announcement(session, author_id=boss.id, body="Fresh news")

    row, dismissed, unread = announcement_for_readers(
        session, announcement_id=new.id, user_ids={ann.id, bob.id, cid.id}
    )
    assert row is not None and (row.id, row.body, row.author_username) == (
        new.id,
        "Fresh news",
        "boss",
    )
    assert dismissed == {ann.id: 0, bob.id: old.id, cid.id: 0}
    for user in (ann, bob, cid):
        assert unread[user.id] == notifications.unread_count(session, user_id=user.id)
    assert unread == {ann.id: 3, bob.id: 2, cid.id: 1}
    assert announcement_for_readers(session, announcement_id=new.id + 99, user_ids=set())[0] is None


def test_reading_the_notifications_page_shows_what_was_new_and_marks_all_read(
    session: Session, add_user: AddUser
) -> None:
    susan = add_user(session, "susan")
    for fan in [add_user(session, f"fan{i}") for i in range(3)]:
        follow(session, follower_id=fan.id, followed_id=susan.id)
    session.commit()

    page = read_notifications(session, user_id=susan.id, page=1, per_page=2).listing
    session.commit()
    assert [r.unread for r in page.items] == [True, True] and page.has_next
    assert unread_count(session, user_id=susan.id) == 0  # all of them, not only the page
    again = read_notifications(session, user_id=susan.id, page=1, per_page=5).listing
    assert [r.unread for r in again.items] == [False, False, False]


def test_export_line_is_in_the_readers_language(session: Session, add_user: AddUser) -> None:
    """The export-finished line was a plain English literal, never in the catalogs: Spanish and
    Chinese readers saw it in English. It is a catalog message now, read in each language."""
    from microblog.i18n import Message, translate

    susan = add_user(session, "susan")
    notifications.notify(session, user_id=susan.id, kind=notifications.EXPORT)
    session.commit()

    (line,) = _rows(session, susan.id)
    assert line.href == "/user/susan"
    # Marked (`_l`), so `translate update` extracts it into the catalogs.
    assert isinstance(line.text, Message) and line.text.msgid == str(line.text)
    english = translate(line.text, "en")
    spanish, chinese = translate(line.text, "es"), translate(line.text, "zh")
    assert english == str(line.text)
    assert spanish != english and "perfil" in spanish
    assert chinese != english and any("\u4e00" <= ch <= "\u9fff" for ch in chinese)


def test_every_kind_of_notification_is_listed_by_default() -> None:
    """A kind left out of ALL_KINDS would silently never be listed (the list filters on it):
    every `NAME = "kind"` the module defines is in it."""
    source = ast.parse(Path(notifications.__file__).read_text())
    kinds = {
        node.value.value
        for node in source.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        and all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets)
    }
    assert kinds == set(notifications.ALL_KINDS)
