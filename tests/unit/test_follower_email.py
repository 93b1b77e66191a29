"""A new follower is emailed to the user followed (unless they turned it off), through the email
outbox and a real SMTP server: queued in the follow's transaction, sent after the commit; a dead
mail server never breaks the follow, and the email waits for it. Following, unfollowing and
following again within FOLLOW_NOTICE_SECONDS is told once: one notification, one email."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from microblog.config import get_settings
from microblog.models import FollowNotice, MailOutbox, Notification, utcnow
from microblog.services import follows, mail_outbox, notifications, users
from tests.app_server import free_port
from tests.smtp import SmtpSink


@pytest.fixture
def mail_to(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, int], None]]:
    def point_at(host: str, port: int) -> None:
        monkeypatch.setenv("MAIL_SERVER", host)
        monkeypatch.setenv("MAIL_PORT", str(port))
        monkeypatch.setenv("MAIL_TIMEOUT", "3")
        monkeypatch.setenv("PUBLIC_URL", "https://blog.example.org")
        get_settings.cache_clear()

    yield point_at
    get_settings.cache_clear()


def test_follow_emails_the_followed_user_after_commit(
    session: Session, add_user, smtp_sink: SmtpSink, mail_to
) -> None:
    mail_to(smtp_sink.host, smtp_sink.port)
    susan, john = add_user(session, "susan"), add_user(session, "john")
    follows.follow(session, follower_id=john.id, followed_id=susan.id)
    mail_outbox.settle()
    assert smtp_sink.messages == []  # nothing leaves before the commit
    session.commit()

    (message,) = smtp_sink.wait_for(lambda received: len(received) == 1)
    assert message["To"] == "susan@example.com"
    assert "john is now following you" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "https://blog.example.org/user/john" in text
    assert 'href="https://blog.example.org/user/john"' in html
    assert "https://blog.example.org/edit_profile" in text
    mail_outbox.settle()
    assert session.exec(select(MailOutbox)).all() == []  # sent, so gone from the outbox


def test_no_email_when_turned_off_or_rolled_back(
    session: Session, add_user, smtp_sink: SmtpSink, mail_to
) -> None:
    mail_to(smtp_sink.host, smtp_sink.port)
    quiet, loud, john = (
        add_user(session, "quiet"),
        add_user(session, "loud"),
        add_user(session, "john"),
    )
    users.update_profile(
        session, user_id=quiet.id, username="quiet", about_me="", email_on_follow=False
    )
    session.commit()
    follows.follow(session, follower_id=john.id, followed_id=loud.id)
    session.flush()
    assert len(session.exec(select(MailOutbox)).all()) == 1  # queued in the transaction...
    session.rollback()  # ...which never happened: nothing queued, nothing sent
    assert session.exec(select(MailOutbox)).all() == []
    mail_outbox.settle()
    assert smtp_sink.messages == []

    follows.follow(session, follower_id=john.id, followed_id=quiet.id)
    follows.follow(session, follower_id=john.id, followed_id=loud.id)
    follows.follow(session, follower_id=john.id, followed_id=loud.id)  # already following
    session.commit()
    smtp_sink.wait_for(lambda received: len(received) == 1)
    mail_outbox.settle()
    assert [m["To"] for m in smtp_sink.messages] == ["loud@example.com"]


def test_dead_mail_server_keeps_the_email_and_the_follow_stands(
    session: Session, add_user, mail_to, caplog: pytest.LogCaptureFixture
) -> None:
    mail_to("127.0.0.1", free_port())
    susan, john = add_user(session, "susan"), add_user(session, "john")
    with caplog.at_level(logging.WARNING, logger="microblog.services.mail_outbox"):
        assert follows.follow(session, follower_id=john.id, followed_id=susan.id) is True
        session.commit()
        mail_outbox.settle()
    assert follows.is_following(session, follower_id=john.id, followed_id=susan.id)
    (row,) = session.exec(select(MailOutbox)).all()
    assert (row.status, row.attempts, row.recipients) == ("pending", 1, "susan@example.com")
    assert "Cannot reach the mail server" in (row.last_error or "")
    assert any("not sent (try 1)" in record.getMessage() for record in caplog.records)


def _follower_notifications(session: Session, user_id: int) -> list[int | None]:
    """The actors of `user_id`'s "new follower" notifications, oldest first."""
    session.expire_all()
    found = session.exec(
        select(Notification.actor_id)
        .where(Notification.user_id == user_id, Notification.kind == notifications.FOLLOWER)
        .order_by(col(Notification.id))
    )
    return list(found.all())


def test_follow_unfollow_follow_tells_them_once(
    session: Session, add_user, smtp_sink: SmtpSink, mail_to
) -> None:
    mail_to(smtp_sink.host, smtp_sink.port)
    susan, john, mary = (add_user(session, name) for name in ("susan", "john", "mary"))
    session.commit()
    for _ in range(3):  # follow, unfollow, follow... within the hour
        assert follows.follow(session, follower_id=john.id, followed_id=susan.id) is True
        session.commit()
        assert follows.unfollow(session, follower_id=john.id, followed_id=susan.id) is True
        session.commit()
    assert follows.follow(session, follower_id=john.id, followed_id=susan.id) is True
    # Someone else's follow is news of its own.
    follows.follow(session, follower_id=mary.id, followed_id=susan.id)
    session.commit()

    smtp_sink.wait_for(lambda received: len(received) == 2)
    mail_outbox.settle()
    assert sorted(m["Subject"] for m in smtp_sink.messages) == [
        "[Microblog] john is now following you",
        "[Microblog] mary is now following you",
    ]
    assert _follower_notifications(session, susan.id) == [john.id, mary.id]
    assert notifications.unread_count(session, user_id=susan.id) == 2
    assert follows.is_following(session, follower_id=john.id, followed_id=susan.id)

    # Once the notice is older than FOLLOW_NOTICE_SECONDS, following again is news again.
    session.execute(
        update(FollowNotice)
        .where(col(FollowNotice.follower_id) == john.id)
        .values(notified_at=utcnow() - timedelta(seconds=3601))
    )
    follows.unfollow(session, follower_id=john.id, followed_id=susan.id)
    follows.follow(session, follower_id=john.id, followed_id=susan.id)
    session.commit()
    smtp_sink.wait_for(lambda received: len(received) == 3)
    mail_outbox.settle()
    assert len(smtp_sink.messages) == 3
    assert _follower_notifications(session, susan.id) == [john.id, mary.id, john.id]


def test_the_quiet_time_is_a_setting(
    session: Session, add_user, mail_to, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FOLLOW_NOTICE_SECONDS=0: every follow tells them (emails go to the log here)."""
    mail_to("", 25)
    monkeypatch.setenv("FOLLOW_NOTICE_SECONDS", "0")
    get_settings.cache_clear()
    susan, john = add_user(session, "susan"), add_user(session, "john")
    session.commit()
    for _ in range(2):
        follows.follow(session, follower_id=john.id, followed_id=susan.id)
        session.commit()
        follows.unfollow(session, follower_id=john.id, followed_id=susan.id)
        session.commit()
    assert _follower_notifications(session, susan.id) == [john.id, john.id]
