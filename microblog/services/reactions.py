"""Likes and boosts: each a toggle with a counter on the post.

The counter moves in the same transaction as the row it counts, and only when the row really
came or went (`INSERT … ON CONFLICT DO NOTHING` / `DELETE` report how many rows they touched), so
two tabs clicking at once, or many people at once, leave `like_count` and `boost_count` equal to
the rows: the increment is one `UPDATE … SET n = n + 1`, which the database serialises per row.

A boost is a post row of its own (`boost_of_id`): followers see it in their home timeline as
"boosted by", once however many of the people they follow boosted it (services/timeline.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from microblog.i18n import _l
from microblog.live import events as ev
from microblog.live.events import NEW_POST, LiveEvent, publish_after_commit
from microblog.models import Like, Post, table_of, utcnow
from microblog.services import notifications, safety
from microblog.services.errors import NotFound
from microblog.services.pagination import keyset_ids

_POST = table_of(Post).c
_LIKE = table_of(Like).c


@dataclass(frozen=True)
class Counts:
    """A post's counters after a change, and the reader's own state."""

    post_id: int
    like_count: int
    boost_count: int
    reply_count: int
    liked: bool
    boosted: bool


def like_post(session: Session, *, user_id: int, post_id: int) -> Counts:
    """Like a post (liking it again changes nothing). Its author is notified."""
    shown = _shown_post(session, post_id)
    safety.check_may_interact(session, user_id=user_id, post=shown)
    added = _insert_ignoring_duplicate(
        session, Like, {"post_id": shown.id, "user_id": user_id, "created": utcnow()}
    )
    _after_adding(session, shown, user_id, added, "like_count", notifications.LIKE)
    return _counts(session, shown.id or 0, user_id, changed=added)


def unlike_post(session: Session, *, user_id: int, post_id: int) -> Counts:
    shown = _shown_post(session, post_id)
    result = session.execute(
        delete(Like).where(_LIKE.post_id == shown.id, _LIKE.user_id == user_id),
        execution_options={"preserve_rowcount": True},
    )
    removed = bool(result.rowcount)  # type: ignore[attr-defined]
    _after_removing(session, shown, user_id, removed, "like_count", notifications.LIKE)
    return _counts(session, shown.id or 0, user_id, changed=removed)


def boost_post(session: Session, *, user_id: int, post_id: int) -> Counts:
    """Boost a post to one's followers (once: boosting again changes nothing)."""
    shown = _shown_post(session, post_id)
    safety.check_may_interact(session, user_id=user_id, post=shown)
    now = utcnow()
    added = _insert_ignoring_duplicate(
        session,
        Post,
        {
            "body": "",
            "body_html": "",
            "user_id": user_id,
            "boost_of_id": shown.id,
            "timestamp": now,
        },
    )
    _after_adding(session, shown, user_id, added, "boost_count", notifications.BOOST)
    if added:
        # Followers' home feeds count it among their new posts.
        publish_after_commit(session, LiveEvent(NEW_POST, author_id=user_id, ref_id=shown.id or 0))
    return _counts(session, shown.id or 0, user_id, changed=added)


def unboost_post(session: Session, *, user_id: int, post_id: int) -> Counts:
    shown = _shown_post(session, post_id)
    gone = session.execute(
        delete(Post)
        .where(_POST.boost_of_id == shown.id, _POST.user_id == user_id)
        .returning(_POST.id)
    ).scalar()
    removed = gone is not None
    _after_removing(session, shown, user_id, removed, "boost_count", notifications.BOOST)
    return _counts(session, shown.id or 0, user_id, changed=removed, gone_entry=gone or 0)


def _after_adding(
    session: Session, shown: Post, user_id: int, added: bool, counter: str, kind: str
) -> None:
    """A like or boost that was really added: its counter, and a notice to the author."""
    if not added:
        return
    _bump(session, shown.id or 0, counter, +1)
    if shown.user_id != user_id:
        notifications.notify(
            session, user_id=shown.user_id, kind=kind, actor_id=user_id, post_id=shown.id
        )


def _after_removing(
    session: Session, shown: Post, user_id: int, removed: bool, counter: str, kind: str
) -> None:
    """A like or boost that was really removed: its counter, and its notice if still unread."""
    if not removed:
        return
    _bump(session, shown.id or 0, counter, -1)
    notifications.withdraw(
        session, user_id=shown.user_id, kind=kind, actor_id=user_id, post_id=shown.id or 0
    )


def _shown_post(session: Session, post_id: int) -> Post:
    """The post a reaction is about: a boost's original (liking a boost likes the post)."""
    post = session.get(Post, post_id)
    if post is not None and post.boost_of_id is not None:
        post = session.get(Post, post.boost_of_id)
    if post is None:
        raise NotFound(_l("No such post."))
    return post


def _insert_ignoring_duplicate(session: Session, model: type, values: dict[str, object]) -> bool:
    """Insert the row unless the unique key it would repeat exists; whether it was added."""
    make = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = session.execute(
        make(model).values(**values).on_conflict_do_nothing(),
        execution_options={"preserve_rowcount": True},
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _bump(session: Session, post_id: int, counter: str, by: int) -> None:
    column = _POST[counter]
    session.execute(update(table_of(Post)).where(_POST.id == post_id).values({column: column + by}))


def _counts(
    session: Session, post_id: int, user_id: int, *, changed: bool, gone_entry: int = 0
) -> Counts:
    """The counters as this transaction sees them; open pages hear of a change after the
    commit and re-read the cards they show. The event names who acted (only their own tabs'
    "liked"/"boosted" change) and the boost entry an unboost removed (every feed drops it)."""
    if changed:
        publish_after_commit(session, ev.post_changed(post_id, actor_id=user_id, gone=gone_entry))
    row = session.execute(
        select(_POST.like_count, _POST.boost_count, _POST.reply_count).where(_POST.id == post_id)
    ).one()
    liked = session.execute(
        select(_LIKE.user_id).where(_LIKE.post_id == post_id, _LIKE.user_id == user_id)
    ).first()
    boosted = session.execute(
        select(_POST.id).where(_POST.boost_of_id == post_id, _POST.user_id == user_id)
    ).first()
    return Counts(
        post_id=post_id,
        like_count=row[0],
        boost_count=row[1],
        reply_count=row[2],
        liked=liked is not None,
        boosted=boosted is not None,
    )


def likers(
    session: Session,
    *,
    post_id: int,
    limit: int,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
) -> list[int]:
    """Who liked the post (a boost: its original): user ids, highest first, at most `limit`,
    within the keyset bounds when given (services/pagination.py `keyset_ids`)."""
    post = _shown_post(session, post_id)
    statement = select(_LIKE.user_id).where(_LIKE.post_id == post.id)
    bounds = {"max_id": max_id, "since_id": since_id, "min_id": min_id}
    return keyset_ids(session, statement, _LIKE.user_id, limit=limit, **bounds)


def boosters(
    session: Session,
    *,
    post_id: int,
    limit: int,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
) -> list[int]:
    """Who boosted the post (a boost: its original), user ids (as `likers`)."""
    post = _shown_post(session, post_id)
    statement = select(_POST.user_id).where(_POST.boost_of_id == post.id)
    bounds = {"max_id": max_id, "since_id": since_id, "min_id": min_id}
    return keyset_ids(session, statement, _POST.user_id, limit=limit, **bounds)


def find_boost(session: Session, *, user_id: int, post_id: int) -> int | None:
    """The id of `user_id`'s boost of the post (a boost: its original), if they boosted it."""
    post = _shown_post(session, post_id)
    statement = select(_POST.id).where(_POST.boost_of_id == post.id, _POST.user_id == user_id)
    return session.execute(statement).scalar()
