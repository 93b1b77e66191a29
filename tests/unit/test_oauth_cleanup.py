"""The hourly sweep of the Mastodon client API (microblog/jobs.py), on SQLite and PostgreSQL:
apps registered over a day ago that no user authorised are deleted (with their own
client-credentials tokens); apps with a user's token or a pending code, and young apps, stay.
Idempotency-Keys older than the hour go too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select, update

from microblog import jobs
from microblog.models import OAuthApp, OAuthToken, StatusIdempotency, User, row_id, utcnow
from microblog.services import idempotency, oauth


def _app(session: Session, name: str, *, age: timedelta) -> OAuthApp:
    app, _secret = oauth.register_app(
        session,
        name=name,
        redirect_uris="https://app.example/cb",
        scopes="read write",
        website=None,
    )
    session.exec(update(OAuthApp).where(col(OAuthApp.id) == app.id).values(created=utcnow() - age))
    return app


def _names(session: Session) -> set[str]:
    return set(session.exec(select(OAuthApp.name)).all())


def test_unused_apps_older_than_a_day_are_swept(
    use_engine: Engine, add_user: Callable[..., User]
) -> None:
    old = timedelta(days=1, minutes=5)
    with Session(use_engine, expire_on_commit=False) as session:
        ann = add_user(session, "ann")
        _app(session, "abandoned", age=old)
        lonely = _app(session, "own token only", age=old)
        used = _app(session, "used", age=old)
        pending = _app(session, "pending consent", age=old)
        _app(session, "young", age=timedelta(hours=23))
        session.add(OAuthToken(token_hash="a" * 64, app_id=row_id(lonely), scopes="read"))
        session.add(
            OAuthToken(token_hash="b" * 64, app_id=row_id(used), user_id=row_id(ann), scopes="read")
        )
        request = oauth.AuthorizationRequest(
            app_id=row_id(pending),
            app_name=pending.name,
            website=None,
            redirect_uri="https://app.example/cb",
            scopes=("read",),
            state="",
            code_challenge=None,
        )
        oauth.grant_code(session, user_id=row_id(ann), request=request)
        session.commit()
    assert jobs.sweep_unused_oauth_apps() == 2
    with Session(use_engine) as session:
        assert _names(session) == {"used", "pending consent", "young"}
        assert session.exec(select(OAuthToken.token_hash)).all() == ["b" * 64]
    assert jobs.sweep_unused_oauth_apps() == 0


def test_old_idempotency_keys_are_swept(use_engine: Engine, add_user: Callable[..., User]) -> None:
    with Session(use_engine, expire_on_commit=False) as session:
        ann = add_user(session, "ann")
        past = utcnow() - idempotency.KEEP - timedelta(minutes=1)
        idempotency.create_post_once(
            session, idempotency_key="old", author_id=row_id(ann), body="a", now=past
        )
        kept, _ = idempotency.create_post_once(
            session, idempotency_key="new", author_id=row_id(ann), body="b"
        )
        session.commit()
    assert jobs.sweep_idempotency_keys() == 1
    with Session(use_engine) as session:
        assert session.exec(select(StatusIdempotency.post_id)).all() == [kept]
