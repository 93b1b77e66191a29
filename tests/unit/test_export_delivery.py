"""How a finished export reaches its owner: by email through a real SMTP server on loopback
(attached, or a link when too big, and a dead server never undoes the export), and by download
over real HTTP from the backend's /export/<id>, for the owner's session cookie only."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from microblog.config import get_settings
from microblog.db import session_scope
from microblog.live import hub as live_hub
from microblog.models import MailOutbox, Task, utcnow
from microblog.services import auth_sessions, exports, mail_outbox
from microblog.services.tasks import LocalLeases, TaskRunner, set_runner
from tests.app_server import serve_asgi
from tests.smtp import SmtpSink
from tests.unit.test_exports import RecordingHub, add_posts


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, engine: Engine) -> Iterator[Path]:
    folder = tmp_path / "exports"
    monkeypatch.setenv("EXPORT_DIR", str(folder))
    monkeypatch.setenv("PUBLIC_URL", "https://blog.example.org")
    get_settings.cache_clear()
    runner = TaskRunner(workers=1, leases=LocalLeases())
    set_runner(runner)
    live_hub.set_hub(RecordingHub(engine))  # type: ignore[arg-type]
    yield folder
    runner.stop()
    set_runner(None)
    live_hub.set_hub(None)
    get_settings.cache_clear()


def mail_to(monkeypatch: pytest.MonkeyPatch, host: str, port: int) -> None:
    monkeypatch.setenv("MAIL_SERVER", host)
    monkeypatch.setenv("MAIL_PORT", str(port))
    monkeypatch.setenv("MAIL_TIMEOUT", "3")
    get_settings.cache_clear()


def export_now(engine: Engine, user_id: int) -> Task:
    with session_scope(engine) as db:
        started = exports.start_export(db, user_id=user_id)
    from microblog.services.tasks import get_runner

    get_runner().wait_idle()
    with Session(engine) as db:
        task = db.get(Task, started.id)
        assert task is not None
        return task


def test_the_file_is_emailed_as_an_attachment(
    engine: Engine, session: Session, add_user, env, smtp_sink: SmtpSink, monkeypatch
) -> None:
    mail_to(monkeypatch, smtp_sink.host, smtp_sink.port)
    susan = add_user(session, "susan")
    session.commit()
    add_posts(engine, susan.id, 1200)
    task = export_now(engine, susan.id)
    assert task.status == "done"

    (message,) = smtp_sink.wait_for(lambda got: len(got) == 1)
    assert message["To"] == "susan@example.com"
    assert message["Subject"] == "[Microblog] Your blog posts"
    assert smtp_sink.envelopes[0][1] == ["susan@example.com"]
    assert "Please find attached" in message.get_body(("plain",)).get_content()
    assert "https://blog.example.org/user/susan" in message.get_body(("plain",)).get_content()
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/json"
    assert attachment.get_filename() == "microblog-posts-susan.json"
    data = json.loads(attachment.get_content())
    assert data["count"] == 1200 and len(data["posts"]) == 1200
    assert data["posts"][0]["body"].startswith("post 0 — ünïcode")


def test_the_email_is_in_the_owner_language(
    engine: Engine, session: Session, add_user, env, smtp_sink: SmtpSink, monkeypatch
) -> None:
    mail_to(monkeypatch, smtp_sink.host, smtp_sink.port)
    susan = add_user(session, "susan")
    susan.language = "es"
    session.add(susan)
    session.commit()
    add_posts(engine, susan.id, 3)
    export_now(engine, susan.id)
    (message,) = smtp_sink.wait_for(lambda got: len(got) == 1)
    assert message["Subject"] == "[Microblog] Tus publicaciones"
    body = message.get_body(("plain",)).get_content()
    assert body.startswith("Hola, susan:")
    assert "(3 publicaciones)" in body


def test_a_large_file_is_linked_not_attached(
    engine: Engine, session: Session, add_user, env, smtp_sink: SmtpSink, monkeypatch
) -> None:
    mail_to(monkeypatch, smtp_sink.host, smtp_sink.port)
    monkeypatch.setenv("EXPORT_MAIL_MAX_BYTES", "1000")
    get_settings.cache_clear()
    susan = add_user(session, "susan")
    session.commit()
    add_posts(engine, susan.id, 100)
    export_now(engine, susan.id)
    (message,) = smtp_sink.wait_for(lambda got: len(got) == 1)
    assert list(message.iter_attachments()) == []
    assert "too large to attach" in message.get_body(("plain",)).get_content()


def test_a_dead_mail_server_leaves_the_export_done_and_the_email_waits_with_its_file(
    engine: Engine, session: Session, add_user, env, monkeypatch
) -> None:
    """The attachment travels in the outbox row: the email still carries the whole file after
    the file itself is gone (a newer export retires it at once; files expire)."""
    sink = SmtpSink()  # not listening yet: the mail server is down
    mail_to(monkeypatch, sink.host, sink.port)
    susan = add_user(session, "susan")
    session.commit()
    add_posts(engine, susan.id, 10)
    task = export_now(engine, susan.id)
    mail_outbox.settle()
    assert (task.status, task.progress, task.error) == ("done", 100, None)
    (row,) = session.exec(select(MailOutbox)).all()
    assert (row.status, row.attempts) == ("pending", 1)
    exported = (env / task.result_path).read_bytes()
    (env / task.result_path).unlink()

    with sink:
        result = mail_outbox.deliver_due(engine, now=lambda: utcnow() + timedelta(hours=1))
        assert result.sent == 1
        (message,) = sink.wait_for(lambda got: len(got) == 1)
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content() == exported
    assert session.exec(select(MailOutbox)).all() == []


# -- download over real HTTP ------------------------------------------------------------------


def _database_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def http_backend(engine: Engine, env: Path) -> Iterator[str]:
    """The backend's HTTP app served by granian (what `reflex run` uses) in its own process on
    a free loopback port, on the test's database and export folder."""
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(engine),
        "EXPORT_DIR": str(env),
        "MICROBLOG_ENV": "test",
        "SESSION_COOKIE_NAME": "microblog_session_test",
    }
    with serve_asgi(
        "microblog.web:create_http_app", env=environment, ready_path="/export/probe"
    ) as server:
        yield server.base


def _request(url: str, token: str = "") -> urllib.request.Request:
    headers = {"Cookie": f"microblog_session_test={token}"} if token else {}
    return urllib.request.Request(url, headers=headers)  # noqa: S310 (loopback)


def _status(url: str, token: str = "") -> int | None:
    try:
        with urllib.request.urlopen(_request(url, token), timeout=5) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def _log_in(engine: Engine, user_id: int) -> str:
    with session_scope(engine) as db:
        ticket = auth_sessions.issue_login_ticket(
            db, user_id=user_id, remember=False, next_path="/"
        )
        redeemed = auth_sessions.redeem_login_ticket(
            db, ticket=ticket, remember_days=1, default_hours=1
        )
    assert redeemed is not None
    return redeemed[0]


def test_only_the_owner_downloads_the_file_over_http(
    engine: Engine, session: Session, add_user, env, http_backend: str
) -> None:
    susan, john = add_user(session, "susan"), add_user(session, "john")
    session.commit()
    add_posts(engine, susan.id, 300)
    task = export_now(engine, susan.id)
    url = f"{http_backend}/export/{task.id}"
    susan_token, john_token = _log_in(engine, susan.id), _log_in(engine, john.id)

    with urllib.request.urlopen(_request(url, susan_token), timeout=10) as response:  # noqa: S310
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json"
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "microblog-posts-susan-" in disposition
        assert "no-store" in response.headers["Cache-Control"]
        data = json.loads(response.read())
    assert data["count"] == 300

    assert _status(url, john_token) == 404  # someone else's export
    assert _status(url) == 401  # not signed in
    assert _status(url, "forged-token") == 401
    assert _status(f"{http_backend}/export/{'0' * 36}", susan_token) == 404
    with session_scope(engine) as db:  # logged out: the cookie is worth nothing
        auth_sessions.end_session(db, token=susan_token)
    assert _status(url, susan_token) == 401
