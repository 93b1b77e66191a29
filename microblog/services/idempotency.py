"""Posting once per `Idempotency-Key`: a client that resends a post after a timeout (a flaky
network) sends the same key, and gets the status its first request posted instead of a second
copy. As on Mastodon, a key is the user's own (another user's same key posts) and holds for an
hour.

Shared by every worker through the database, with or without Redis: the key is claimed by
inserting its row (`status_idempotency`, primary key (user, SHA-256 of the key)) in the
transaction that writes the post, before writing it. A concurrent request with the same key
blocks on that row until the first commits (PostgreSQL waits on the unique key; SQLite has one
writer at a time), then finds it and answers the first status; if the first fails, its claim
rolls back with it and the retry posts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Table, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from microblog.models import StatusIdempotency, row_id, table_of, utcnow
from microblog.services import posts
from microblog.services.errors import Conflict

KEEP = timedelta(hours=1)
KEY_MAX = 1000  # characters of a key that count; a longer one is cut (it is hashed anyway)


def _hash(key: str) -> str:
    return hashlib.sha256(key[:KEY_MAX].encode("utf-8", "surrogatepass")).hexdigest()


def _claim(session: Session, *, user_id: int, key_hash: str, now: datetime) -> int | None:
    """Claim the key; None when it is ours now, else the post id the first request wrote."""
    table = table_of(StatusIdempotency)
    mine = (table.c.user_id == user_id) & (table.c.key_hash == key_hash)
    session.execute(delete(table).where(mine, table.c.created <= now - KEEP))
    insert: Callable[[Table], postgresql.Insert | sqlite.Insert] = (
        postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    )
    claimed = session.execute(
        insert(table)
        .values(user_id=user_id, key_hash=key_hash, post_id=None, created=now)
        .on_conflict_do_nothing(index_elements=[table.c.user_id, table.c.key_hash])
        .returning(table.c.user_id)
    ).first()
    if claimed is not None:
        return None
    first = session.execute(select(table.c.post_id).where(mine)).scalar_one_or_none()
    if first is None:  # only if the first request's post has gone since
        raise Conflict("The post sent earlier with this Idempotency-Key is being written")
    return int(first)


def create_post_once(
    session: Session,
    *,
    idempotency_key: str | None,
    author_id: int,
    body: str,
    language: str | None = None,
    reply_to_id: int | None = None,
    media_ids: Sequence[int] = (),
    now: datetime | None = None,
) -> tuple[int, bool]:
    """`posts.create_post` unless this author sent `idempotency_key` within the hour: (the
    post's id, whether it was written now). Without a key, it posts."""
    key = (idempotency_key or "").strip()
    key_hash = _hash(key) if key else None
    if key_hash is not None:
        first = _claim(session, user_id=author_id, key_hash=key_hash, now=now or utcnow())
        if first is not None:
            return first, False
    post = posts.create_post(
        session,
        author_id=author_id,
        body=body,
        language=language,
        reply_to_id=reply_to_id,
        media_ids=media_ids,
    )
    post_id = row_id(post)
    if key_hash is not None:
        table = table_of(StatusIdempotency)
        session.execute(
            update(table)
            .where(table.c.user_id == author_id, table.c.key_hash == key_hash)
            .values(post_id=post_id)
        )
    return post_id, True


def delete_expired_keys(session: Session, *, now: datetime | None = None) -> int:
    """Forget the keys older than the hour (the hourly sweep, microblog/jobs.py); how many."""
    cutoff = (now or utcnow()) - KEEP
    statement = delete(StatusIdempotency).where(col(StatusIdempotency.created) <= cutoff)
    return int(session.exec(statement).rowcount or 0)
