"""The email outbox against a real SMTP server (aiosmtpd on loopback) and a real database, on
SQLite and PostgreSQL: an email queued while the mail server is down arrives once it is back,
also through a fresh drain after a restart; drains running at once send each email exactly
once; failures back off, then give up, and the CLI sends them again."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from microblog.config import get_settings
from microblog.mail import build_message
from microblog.models import MailOutbox, utcnow
from microblog.services import follows, mail_outbox
from microblog.services.mail_outbox import Policy, deliver_due, deliver_forever
from tests.app_server import free_port
from tests.smtp import SmtpSink


@pytest.fixture
def mail_to(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    def point_at(host: str, port: int, **settings: str) -> None:
        monkeypatch.setenv("MAIL_SERVER", host)
        monkeypatch.setenv("MAIL_PORT", str(port))
        monkeypatch.setenv("MAIL_TIMEOUT", "3")
        for name, value in settings.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield point_at
    get_settings.cache_clear()


@pytest.fixture
def no_kicks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commits queue without starting a drain, so the test runs every drain itself."""
    monkeypatch.setattr(mail_outbox, "kick", lambda _engine: None)


def rows(engine: Engine) -> list[MailOutbox]:
    with Session(engine) as db:
        return list(db.exec(select(MailOutbox).order_by(MailOutbox.id)).all())


def queue(engine: Engine, count: int) -> list[str]:
    """`count` emails queued in one transaction; their Message-IDs."""
    ids = []
    with Session(engine) as db:
        for number in range(count):
            message = build_message(
                subject=f"number {number}",
                recipients=[f"user{number}@example.com"],
                text_body=f"Email number {number}.",
            )
            ids.append(message["Message-ID"])
            mail_outbox.queue_email(db, message)
        db.commit()
    return ids


def wait_until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


async def async_wait_until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    await asyncio.to_thread(wait_until, condition, timeout)


@pytest.mark.anyio
async def test_smtp_down_during_a_follow_then_back_after_a_restart(
    engine: Engine, session: Session, add_user, mail_to
) -> None:
    sink = SmtpSink()  # its port, nothing listening: the mail server is down
    mail_to(sink.host, sink.port, MAIL_RETRY_SECONDS="0.2")
    susan, john = add_user(session, "susan"), add_user(session, "john")
    session.commit()
    follows.follow(session, follower_id=john.id, followed_id=susan.id)
    session.commit()  # kicks a drain at once, which finds the server down
    await asyncio.to_thread(mail_outbox.settle)
    (row,) = rows(engine)
    assert (row.status, row.attempts) == ("pending", 1)

    # The worker's loop keeps trying while the server is down, then the worker stops.
    fast = {"poll": 0.2, "first_pause": 0.05, "max_pause": 0.2}
    first = asyncio.create_task(deliver_forever(lambda: engine, **fast))
    await async_wait_until(lambda: rows(engine)[0].attempts >= 3)
    first.cancel()
    await asyncio.gather(first, return_exceptions=True)
    assert sink.messages == []

    # The server comes back; a restarted worker's fresh loop sends the email, once.
    with sink:
        second = asyncio.create_task(deliver_forever(lambda: engine, **fast))
        try:
            await asyncio.to_thread(sink.wait_for, lambda got: len(got) == 1, 15)
            await async_wait_until(lambda: rows(engine) == [])
        finally:
            second.cancel()
            await asyncio.gather(second, return_exceptions=True)
    (message,) = sink.messages
    assert message["To"] == "susan@example.com"
    assert "john is now following you" in message["Subject"]


class SlowSink(SmtpSink):
    """Takes a moment over each message, as a real server does, so drains overlap."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.01)
        return await super().handle_DATA(server, session, envelope)


def test_drains_at_once_deliver_each_email_exactly_once(engine: Engine, mail_to, no_kicks) -> None:
    with SlowSink() as sink:
        mail_to(sink.host, sink.port)
        queued_ids = queue(engine, 40)
        start = threading.Barrier(4)
        results = []

        def drain() -> None:
            start.wait()
            results.append(deliver_due(engine))

        threads = [threading.Thread(target=drain) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    sent = Counter(message["Message-ID"] for message in sink.messages)
    assert sent == Counter(queued_ids)  # every email, each exactly once
    assert sum(result.sent for result in results) == 40
    assert sum(1 for result in results if result.sent) >= 2  # the drains really overlapped
    assert rows(engine) == []


def test_a_rolled_back_transaction_queues_nothing(engine: Engine, smtp_sink, mail_to) -> None:
    mail_to(smtp_sink.host, smtp_sink.port)
    with Session(engine) as db:
        mail_outbox.queue_email(
            db, build_message(subject="never", recipients=["a@example.com"], text_body="no")
        )
        db.flush()
        assert len(db.exec(select(MailOutbox)).all()) == 1
        db.rollback()
    mail_outbox.settle()
    assert deliver_due(engine).sent == 0
    assert rows(engine) == []
    assert smtp_sink.messages == []


def test_backoff_grows_then_gives_up_and_the_cli_sends_it_again(
    engine: Engine, mail_to, no_kicks, caplog: pytest.LogCaptureFixture
) -> None:
    mail_to("127.0.0.1", free_port())
    queue(engine, 1)
    policy = Policy(first_retry=timedelta(seconds=30), max_attempts=5, max_age=timedelta(days=2))
    clock = [utcnow()]
    gaps = []
    with caplog.at_level(logging.WARNING, logger="microblog.services.mail_outbox"):
        while rows(engine)[0].status == "pending":
            assert deliver_due(engine, now=lambda: clock[0], policy=policy).server_down
            row = rows(engine)[0]
            if row.status == "pending":
                gap = row.next_attempt_at - clock[0]
                # Not due a moment before its time: nothing is tried.
                clock[0] += gap - timedelta(seconds=1)
                assert deliver_due(engine, now=lambda: clock[0], policy=policy).retrying == 0
                clock[0] += timedelta(seconds=1)
                gaps.append(gap.total_seconds())
    assert gaps == [30, 60, 120, 240]
    (row,) = rows(engine)
    assert (row.status, row.attempts) == ("failed", 5)
    assert any("given up after 5 tries" in r.getMessage() for r in caplog.records)
    assert deliver_due(engine, now=lambda: clock[0] + timedelta(days=1)).sent == 0  # left alone

    with SmtpSink() as sink:
        env = {
            **os.environ,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "MAIL_SERVER": sink.host,
            "MAIL_PORT": str(sink.port),
        }
        status = subprocess.run(
            [sys.executable, "-m", "microblog", "mail", "status"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert "Given up: 1." in status.stdout
        assert f"#{row.id}" in status.stdout and "user0@example.com" in status.stdout
        retry = subprocess.run(
            [sys.executable, "-m", "microblog", "mail", "retry", str(row.id)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert "Queued 1 given-up email(s) again." in retry.stdout
        assert "Waiting to be sent: 0. Given up: 0." in retry.stdout
        (message,) = sink.wait_for(lambda got: len(got) == 1)
    assert message["Subject"] == "number 0"
    assert rows(engine) == []


def test_old_emails_are_given_up_and_a_refusal_at_once(engine: Engine, mail_to, no_kicks) -> None:
    class Refusing(SmtpSink):
        async def handle_RCPT(
            self, server: Any, session: Any, envelope: Any, address: str, options: Any
        ) -> str:
            return "550 5.1.1 No such user here"

    with Refusing() as sink:
        mail_to(sink.host, sink.port)
        queue(engine, 1)
        result = deliver_due(engine)
    assert (result.given_up, result.retrying) == (1, 0)
    (row,) = rows(engine)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "550" in (row.last_error or "")

    mail_to("127.0.0.1", free_port())
    queue(engine, 1)
    policy = Policy(first_retry=timedelta(seconds=30), max_attempts=20, max_age=timedelta(hours=1))
    later = utcnow() + timedelta(hours=2)
    assert deliver_due(engine, now=lambda: later, policy=policy).given_up == 1
    assert [row.status for row in rows(engine)] == ["failed", "failed"]


def test_a_crashed_drains_row_comes_back_when_its_lease_ends(
    engine: Engine, smtp_sink, mail_to, no_kicks
) -> None:
    mail_to(smtp_sink.host, smtp_sink.port)
    queue(engine, 1)
    now = utcnow()
    dead = mail_outbox._claim_one(engine, now)  # a drain claims it, then its process dies
    assert dead is not None
    assert mail_outbox._claim_one(engine, now + timedelta(seconds=5)) is None  # still held
    assert deliver_due(engine, now=lambda: now + timedelta(seconds=5)).sent == 0
    after_lease = now + mail_outbox.LEASE + timedelta(seconds=1)
    assert deliver_due(engine, now=lambda: after_lease).sent == 1
    smtp_sink.wait_for(lambda got: len(got) == 1)
    assert rows(engine) == []


def test_a_late_drain_cannot_touch_a_row_another_drain_holds(engine: Engine, no_kicks) -> None:
    queue(engine, 1)
    now = utcnow()
    late = mail_outbox._claim_one(engine, now)
    assert late is not None
    current = mail_outbox._claim_one(engine, now + mail_outbox.LEASE + timedelta(seconds=1))
    assert current is not None and current.claim != late.claim
    mail_outbox._finish(engine, late)  # the late drain's delete names its own, expired claim
    (row,) = rows(engine)
    assert row.claim == current.claim
    mail_outbox._finish(engine, current)
    assert rows(engine) == []


def test_without_a_mail_server_the_log_mailer_takes_the_same_path(
    engine: Engine, session: Session, add_user, monkeypatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("MAIL_SERVER", raising=False)
    get_settings.cache_clear()
    susan, john = add_user(session, "susan"), add_user(session, "john")
    with caplog.at_level(logging.INFO, logger="microblog.mail"):
        follows.follow(session, follower_id=john.id, followed_id=susan.id)
        session.commit()
        mail_outbox.settle()
    assert rows(engine) == []
    (logged,) = [r.getMessage() for r in caplog.records if r.name == "microblog.mail"]
    assert "MAIL_SERVER not set" in logged and "john is now following you" in logged
