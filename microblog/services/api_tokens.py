"""Bearer tokens for the REST API: the API's counterpart of the login session.

A token is 256 random bits (`security.new_token`); the client holds it, we keep only its SHA-256,
so a copy of the database yields no working tokens. Every token expires (`API_TOKEN_LIFETIME`,
an hour by default) and `revoke_token` kills it at once by deleting the row.

Unlike the tutorial, a new token is issued on every request for one (we cannot hand back a token
we only know the hash of); the user's expired tokens are swept at the same time and only the
newest `MAX_TOKENS_PER_USER` live ones are kept, so the table stays small.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete
from sqlalchemy import false as sa_false
from sqlmodel import Session, col, select

from microblog.live.events import publish_after_commit, tokens_revoked
from microblog.models import ApiToken, OAuthToken, User, table_of, utcnow
from microblog.security import hash_token, new_token

MAX_TOKENS_PER_USER = 20


def issue_token(
    session: Session, *, user_id: int, lifetime_seconds: int, now: datetime | None = None
) -> str:
    """A new token for `user_id`, valid for `lifetime_seconds`; returns the only copy of it."""
    now = now or utcnow()
    raw, digest = new_token()
    session.execute(
        delete(ApiToken).where(col(ApiToken.user_id) == user_id, col(ApiToken.expires_at) <= now)
    )
    session.add(
        ApiToken(
            token_hash=digest,
            user_id=user_id,
            created=now,
            expires_at=now + timedelta(seconds=lifetime_seconds),
        )
    )
    session.flush()
    _keep_newest(session, user_id=user_id)
    return raw


def _keep_newest(session: Session, *, user_id: int) -> None:
    """Drop the user's oldest tokens beyond MAX_TOKENS_PER_USER (a client that asks for a token
    at every start and never revokes one must not grow the table without end)."""
    keep = (
        select(ApiToken.id)
        .where(col(ApiToken.user_id) == user_id)
        .order_by(col(ApiToken.id).desc())
        .limit(MAX_TOKENS_PER_USER)
    )
    kept = list(session.exec(keep).all())
    if len(kept) == MAX_TOKENS_PER_USER:
        session.execute(
            delete(ApiToken).where(col(ApiToken.user_id) == user_id, col(ApiToken.id).not_in(kept))
        )


# Built once: every API request runs it (building a select costs about as much as running it).
# One look-up on the unique token_hash index, joined to the token's user.
_TOKEN_USER = (
    select(User)
    .join(ApiToken, col(ApiToken.user_id) == col(User.id))
    .where(
        col(ApiToken.token_hash) == bindparam("token_hash"),
        col(ApiToken.expires_at) > bindparam("now", type_=table_of(ApiToken).c.expires_at.type),
        # A disabled account's tokens are deleted when it is disabled; this holds whatever
        # changed the flag (services/accounts.py).
        col(User.disabled) == sa_false(),
        col(User.suspended) == sa_false(),  # likewise a suspended one (services/moderation.py)
    )
)


def resolve_token(session: Session, *, token: str, now: datetime | None = None) -> User | None:
    """The user a live token belongs to; None for an empty, unknown, expired or revoked one."""
    if not token:
        return None
    parameters = {"token_hash": hash_token(token), "now": now or utcnow()}
    return session.execute(_TOKEN_USER, parameters).scalars().first()


def revoke_token(session: Session, *, token: str) -> bool:
    """Kill a token now; True if it existed. Its open streams end (TOKENS_REVOKED)."""
    owner = session.execute(
        delete(ApiToken)
        .where(col(ApiToken.token_hash) == hash_token(token))
        .returning(col(ApiToken.user_id))
    ).scalar()
    if owner is None:
        return False
    publish_after_commit(session, tokens_revoked(owner))
    return True


def revoke_all_tokens(session: Session, *, user_id: int) -> int:
    """Kill every token of a user (e.g. after a password change), the Mastodon clients' too
    (services/oauth.py); returns how many of our own API's."""
    result = session.exec(delete(ApiToken).where(col(ApiToken.user_id) == user_id))
    session.exec(delete(OAuthToken).where(col(OAuthToken.user_id) == user_id))
    publish_after_commit(session, tokens_revoked(user_id))
    return int(result.rowcount or 0)
