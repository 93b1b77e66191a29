"""Choosing the reader's language: Accept-Language negotiation on a first visit, the choice kept
in the user's profile, and emails written in the recipient's language."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session

from microblog.emails import new_follower_email, reset_password_email
from microblog.i18n import negotiate_language, normalize_language
from microblog.i18n.negotiation import parse_accept_language
from microblog.models import User
from microblog.services import follows, password_reset, users
from microblog.services.errors import Invalid
from tests.outbox import queued


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("es-ES,es;q=0.9,en;q=0.8", "es"),
        ("es-MX", "es"),
        ("zh-CN,zh;q=0.9", "zh"),
        ("zh-Hant-TW", "zh"),
        ("zh_CN", "zh"),
        ("fr-FR,fr;q=0.9,es;q=0.8,en;q=0.7", "es"),  # French is not offered: next best
        ("en-US,es;q=0.8,zh-CN;q=0.9", "en"),
        ("de;q=1.0, zh;q=0.5, es;q=0.7", "es"),  # by quality, not by position
        ("ES", "es"),
        ("es;q=0, en;q=0.1", "en"),  # q=0 means "not this one"
        ("fr, de", "en"),
        ("*", "en"),
        ("", "en"),
        (None, "en"),
        ("es;q=abc", "en"),  # a malformed quality counts as 0
        (";;;,,,", "en"),
        ("<script>,es", "es"),
    ],
)
def test_accept_language_negotiation(header: str | None, expected: str) -> None:
    assert negotiate_language(header) == expected


def test_parse_keeps_order_for_equal_quality() -> None:
    assert parse_accept_language("zh, es, en;q=0.5") == ["zh", "es", "en"]


def test_a_hostile_header_costs_little() -> None:
    assert negotiate_language(",".join(["xx"] * 10_000) + ",es") == "en"  # only 32 entries read


@pytest.mark.parametrize(("value", "expected"), [("es", "es"), (" ZH ", "zh"), ("xx", "en")])
def test_normalize_language(value: str, expected: str) -> None:
    assert normalize_language(value) == expected


def test_the_choice_is_kept_in_the_profile(session: Session, make_user: Callable) -> None:
    user = make_user(session, "ana")
    assert user.language is None
    # First login: the language the browser showed becomes the profile's.
    assert users.get_or_set_language(session, user_id=user.id, language="es") == "es"
    # Later logins from another browser: the profile wins.
    assert users.get_or_set_language(session, user_id=user.id, language="en") == "es"
    users.set_language(session, user_id=user.id, language="zh")
    session.commit()
    assert session.get(User, user.id).language == "zh"
    with pytest.raises(Invalid):
        users.set_language(session, user_id=user.id, language="klingon")
    assert session.get(User, user.id).language == "zh"


def test_emails_are_in_the_recipient_language() -> None:
    english = new_follower_email(username="ana", email="ana@example.com", follower="li")
    spanish = new_follower_email(
        username="ana", email="ana@example.com", follower="li", language="es"
    )
    chinese = reset_password_email(
        username="ana", email="ana@example.com", token="t", minutes=10, language="zh"
    )
    assert english["Subject"] == "[Microblog] li is now following you"
    assert spanish["Subject"] == "[Microblog] li ahora te sigue"
    assert "Hola, ana:" in spanish.get_body(("plain",)).get_content()
    assert chinese["Subject"] == "[Microblog] 重置你的密码"
    assert "10 分钟内" in chinese.get_body(("plain",)).get_content()
    assert "10 分钟内" in chinese.get_body(("html",)).get_content()


def test_services_send_emails_in_the_recipient_language(
    session: Session, make_user: Callable
) -> None:
    ana, li = make_user(session, "ana"), make_user(session, "lihua")
    users.set_language(session, user_id=ana.id, language="es")
    follows.follow(session, follower_id=li.id, followed_id=ana.id)
    assert queued(session)[0]["Subject"] == "[Microblog] lihua ahora te sigue"
    users.set_language(session, user_id=li.id, language="zh")
    assert password_reset.request_password_reset(session, email="lihua@example.com")
    assert queued(session)[1]["Subject"] == "[Microblog] 重置你的密码"
