"""Development mail (`LogMailer`, MAIL_SERVER unset) is logged as a person reads it: headers
decoded, the text part as plain text with each link whole on one line, attachments as name,
type and size. Real emails, queued by the services that send them and drained through the
outbox to the log backend, as in development."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from microblog.config import get_settings
from microblog.mail import LogMailer
from microblog.models import User
from microblog.services import exports, mail_outbox, password_reset


@pytest.fixture
def logged(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    monkeypatch.delenv("MAIL_SERVER", raising=False)
    get_settings.cache_clear()
    caplog.set_level(logging.INFO, logger="microblog.mail")
    yield
    get_settings.cache_clear()


def _logged_emails(engine: Engine, caplog: pytest.LogCaptureFixture) -> list[str]:
    mail_outbox.settle()  # a drain kicked by the commit, if any, has finished
    mail_outbox.deliver_due(engine, mailer=LogMailer())
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "microblog.mail" and r.getMessage().startswith("Email (MAIL_SERVER")
    ]


@pytest.mark.usefixtures("logged")
@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_password_reset_link_is_whole_on_one_line(
    session: Session,
    engine: Engine,
    add_user: Callable[..., User],
    caplog: pytest.LogCaptureFixture,
    language: str,
) -> None:
    ann = add_user(session, "ann")
    ann.language = language
    session.commit()
    assert password_reset.request_password_reset(session, email="ann@example.com")
    session.commit()
    [shown] = _logged_emails(engine, caplog)
    links = re.findall(r"^\S*/reset_password/(\S+)$", shown, flags=re.MULTILINE)
    assert len(links) == 1, shown
    # The whole token, which opens the form for ann: what a developer pastes works.
    user = password_reset.user_for_token(session, links[0])
    assert user is not None and user.id == ann.id
    assert "=\n" not in shown and "=3D" not in shown  # no quoted-printable left
    assert "To: ann@example.com" in shown
    assert "Subject: [Microblog] " in shown
    if language == "zh":
        assert "ann" in shown and re.search(r"[\u4e00-\u9fff]", shown)  # decoded, not base64


@pytest.mark.usefixtures("logged")
def test_an_export_attachment_is_summarised_not_dumped(
    session: Session,
    engine: Engine,
    add_user: Callable[..., User],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    add_user(session, "ann")
    session.commit()
    archive = tmp_path / "posts.json"
    posts = [{"id": n, "body": f"Post number {n} " + "words " * 20} for n in range(300)]
    archive.write_text(json.dumps({"posts": posts}), encoding="utf-8")
    size = archive.stat().st_size
    assert size <= get_settings().export_mail_max_bytes  # small enough to be attached
    message = exports._email(("ann", "ann@example.com", "en"), archive, len(posts))
    mail_outbox.queue_email(session, message)
    session.commit()
    [shown] = _logged_emails(engine, caplog)
    assert f"Attachment: microblog-posts-ann.json (application/json, {size:,} bytes)" in shown
    assert "Post number" not in shown  # the archive's content is not in the log
    assert not re.search(r"^[A-Za-z0-9+/=]{60,}$", shown, flags=re.MULTILINE)  # nor its base64
    assert len(shown) < 2_000
    assert re.search(r"profile: \S+/user/ann$", shown, flags=re.MULTILINE)  # link whole
