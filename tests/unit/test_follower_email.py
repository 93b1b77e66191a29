"""A new follower is emailed to the user followed (unless they turned it off), through the email
outbox and a real SMTP server: queued in the follow's transaction, sent after the commit; a dead
mail server never breaks the follow, and the email waits for it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from sqlmodel import Session, select

from microblog.config import get_settings
from microblog.models import MailOutbox
from microblog.services import follows, mail_outbox, users
from tests.smtp import SmtpSink, free_port


@pytest.fixture
def mail_to(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, int], None]]:
    def point_at(host: str, port: int) -> None:
        monkeypatch.setenv("MAIL_SERVER", host)
        monkeypatch.setenv("MAIL_PORT", str(port))
        monkeypatch.setenv("MAIL_TIMEOUT", "3")
        monkeypatch.setenv("BASE_URL", "https://blog.example.org")
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
