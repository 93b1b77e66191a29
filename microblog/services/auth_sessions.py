"""Server-side login sessions and the single-use tickets that hand a login to the cookie endpoint.

Why the ticket: the login form talks to us over the websocket, and nothing sent there can set an
HttpOnly cookie. So the form's handler checks the password and issues a ticket (single use, 60 s);
the browser then visits `/auth/session?ticket=…` over plain HTTP, where the session is created and
its token set as an HttpOnly cookie. The ticket also carries the already-checked `next` path, so
the redirect target never comes from the URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete
from sqlalchemy import false as sa_false
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from microblog.live import events as ev
from microblog.models import AuthSession, LoginTicket, User, utcnow
from microblog.security import hash_token, new_token, safe_next_path

TICKET_SECONDS = 60


def issue_login_ticket(
    session: Session, *, user_id: int, remember: bool, next_path: str | None
) -> str:
    raw, digest = new_token()
    session.add(
        LoginTicket(
            ticket_hash=digest,
            user_id=user_id,
            remember=remember,
            next_path=safe_next_path(next_path),
            expires_at=utcnow() + timedelta(seconds=TICKET_SECONDS),
        )
    )
    # Expired tickets of anyone are useless: sweep them while we are here.
    session.execute(delete(LoginTicket).where(col(LoginTicket.expires_at) < utcnow()))
    return raw


def redeem_login_ticket(
    session: Session, *, ticket: str, remember_days: int, default_hours: int
) -> tuple[str, AuthSession, str] | None:
    """Exchange a ticket for (session token, session row, next path); None if unknown or expired.

    The ticket row is deleted in the same transaction, so it works once.
    """
    row = session.get(LoginTicket, hash_token(ticket))
    if row is None:
        return None
    session.delete(row)
    if row.expires_at < utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled or user.suspended:  # since the password check
        return None
    lifetime = timedelta(days=remember_days) if row.remember else timedelta(hours=default_hours)
    raw, digest = new_token()
    auth = AuthSession(
        token_hash=digest,
        user_id=row.user_id,
        remember=row.remember,
        expires_at=utcnow() + lifetime,
    )
    session.add(auth)
    session.flush()
    return raw, auth, row.next_path


def resolve_session(session: Session, *, token: str) -> AuthSession | None:
    """The live session for a cookie token, or None (unknown, expired or revoked)."""
    if not token:
        return None
    auth = session.exec(
        select(AuthSession).where(AuthSession.token_hash == hash_token(token))
    ).first()
    if auth is None or auth.expires_at < utcnow():
        return None
    return auth


@dataclass(frozen=True, slots=True)
class SessionUser:
    """Who a live session belongs to: what every page load and action needs to know."""

    user_id: int
    username: str
    email: str
    last_seen: datetime
    language: str | None = None  # the UI language chosen in the profile, if any
    avatar: str | None = None  # the picture they uploaded (`User.avatar`), if any

    def seen_within(self, seconds: int) -> bool:
        """Whether `last_seen` is recent enough that recording activity now would change
        nothing (see `users.touch_last_seen`)."""
        return self.last_seen >= utcnow() - timedelta(seconds=seconds)


# SQLAlchemy's select: sqlmodel's is typed for at most four columns.
_SESSION_USER = (
    sa_select(
        col(User.id),
        col(User.username),
        col(User.email),
        col(User.last_seen),
        col(User.language),
        col(User.avatar),
        col(AuthSession.expires_at),
    )
    .join(AuthSession, col(AuthSession.user_id) == col(User.id))
    .where(col(AuthSession.token_hash) == bindparam("token_hash"))
    # Disabling an account deletes its sessions; this holds whatever changed the flag.
    .where(col(User.disabled) == sa_false())
    # A suspension (services/moderation.py) deletes them too; this holds the same way.
    .where(col(User.suspended) == sa_false())
)


def session_user(session: Session, *, token: str) -> SessionUser | None:
    """The user of a live session token, or None (unknown, expired or revoked): one read.

    Every page load and every action re-checks the session, so this is the whole check in one
    statement, with nothing written: it can run read-only (`db.read`), without a transaction.
    """
    if not token:
        return None
    row = session.execute(_SESSION_USER, {"token_hash": hash_token(token)}).first()
    if row is None or row.expires_at < utcnow():
        return None
    return SessionUser(row.id, row.username, row.email, row.last_seen, row.language, row.avatar)


def end_session(session: Session, *, token: str) -> None:
    """Log one browser out; its open tabs are emptied once this commits."""
    digest = hash_token(token)
    session.execute(delete(AuthSession).where(col(AuthSession.token_hash) == digest))
    ev.publish_after_commit(session, ev.sessions_ended(keys=(digest,)))


def end_all_sessions(session: Session, *, user_id: int, except_token: str | None = None) -> int:
    """Log a user out everywhere (e.g. after a password change), optionally keeping one browser.
    Every open tab of the ended sessions is emptied once this commits, on every worker."""
    statement = delete(AuthSession).where(col(AuthSession.user_id) == user_id)
    keep = hash_token(except_token) if except_token else ""
    if keep:
        statement = statement.where(col(AuthSession.token_hash) != keep)
    ended = session.exec(statement).rowcount or 0
    ev.publish_after_commit(session, ev.sessions_ended(user_id=user_id, keep=keep))
    return ended


def live_session_keys(session: Session, *, keys: set[str]) -> set[str]:
    """Which of these sessions (token hashes) are still live: one indexed read, for the live
    layer's periodic check of the tabs it delivers to."""
    if not keys:
        return set()
    rows = session.exec(
        select(AuthSession.token_hash).where(
            col(AuthSession.token_hash).in_(keys), col(AuthSession.expires_at) >= utcnow()
        )
    )
    return set(rows)
