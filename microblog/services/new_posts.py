"""The "N new posts" bar: how many posts arrived in a feed since the reader loaded it.

Post ids only grow, so "newer than what I saw" is `id > since_id`: a primary-key range holding
just the posts written since, however large the feed. Counting stops at COUNT_CAP + 1.
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, text
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from microblog.models import Post, utcnow
from microblog.services import visibility
from microblog.services.follows import followed_ids

COUNT_CAP = 99


def latest_post_id(session: Session) -> int:
    """The newest post id anywhere: the mark a freshly loaded feed starts counting from."""
    return int(session.exec(select(func.max(Post.id))).one() or 0)


def _capped_count(session: Session, ids_query: SelectOfScalar[int | None]) -> int:
    limited = ids_query.limit(COUNT_CAP + 1).subquery()
    return int(session.exec(select(func.count()).select_from(limited)).one())


# Explore's new posts as Explore lists them (services/posts.py): the reader's safety rules
# (blocks either way, mutes, hidden posts, suspended and limited accounts) tested on each new
# id, a range of the primary key holding only the posts written since.
_NEW_EXPLORE = text(
    "SELECT COUNT(*) FROM (SELECT p.id FROM post AS p "  # noqa: S608 (constants only)
    "WHERE p.id > :since_id AND p.boost_of_id IS NULL "
    f"AND {visibility.shown_to_viewer('p')} AND {visibility.listed_to_viewer('p.user_id', 'p')} "
    "LIMIT :cap) AS new_posts"
).bindparams(visibility.NOW)


def count_new_explore_posts(session: Session, *, since_id: int, viewer_id: int = 0) -> int:
    """New posts Explore would show `viewer_id` (0: a visitor), counted up to COUNT_CAP + 1."""
    parameters = {"since_id": since_id, "cap": COUNT_CAP + 1}
    found = session.execute(_NEW_EXPLORE, {**parameters, **visibility.parameters(viewer_id)})
    return int(found.scalar_one())


def count_new_home_posts(session: Session, *, user_id: int, since_id: int) -> int:
    """New posts by the reader or anyone they follow (read now, so a follow made since counts),
    but not by those they mute (services/visibility.py)."""
    hidden = readers_hidden_authors(session, reader_id=user_id)
    authors = [a for a in [user_id, *followed_ids(session, user_id=user_id)] if a not in hidden]
    query = (
        select(col(Post.id))
        .where(col(Post.id) > since_id)
        # `+ 0`: walk the few new ids on the primary key, not each author's index.
        .where((col(Post.user_id) + 0).in_(authors))
    )
    return _capped_count(session, query)


_READERS = text(
    "SELECT f.follower_id FROM follow AS f WHERE f.followed_id = :author "
    "AND f.follower_id IN :readers "
    "AND NOT EXISTS (SELECT 1 FROM user_mute AS m WHERE m.muter_id = f.follower_id "
    "AND m.muted_id = :author AND (m.expires_at IS NULL OR m.expires_at > :now)) "
    "AND NOT EXISTS (SELECT 1 FROM user_block AS b WHERE b.blocker_id = f.follower_id "
    "AND b.blocked_id = :author) "
    "AND NOT EXISTS (SELECT 1 FROM user_block AS b2 WHERE b2.blocker_id = :author "
    "AND b2.blocked_id = f.follower_id)"
).bindparams(bindparam("readers", expanding=True), visibility.NOW)


def readers_of_author(session: Session, *, author_id: int, candidates: set[int]) -> set[int]:
    """Which of `candidates` have `author_id` in their home feed (they follow them, or are
    them), leaving out those who mute the author (or block them, or are blocked by them: a
    block ends the follows, this holds whatever changed them): one query on the follow index
    and a primary-key probe of user_mute and user_block per follower, however many tabs are
    open. The live pushes of a new post go to these readers' home tabs only."""
    if not candidates:
        return set()
    found: set[int] = set()
    others = candidates - {author_id}
    if others:
        rows = session.execute(
            _READERS, {"author": author_id, "readers": sorted(others), "now": utcnow()}
        )
        found = {int(reader) for (reader,) in rows}
    if author_id in candidates:
        found.add(author_id)
    return found


_HIDING = text(
    "SELECT muter_id FROM user_mute WHERE muted_id = :author AND muter_id IN :readers "
    "AND (expires_at IS NULL OR expires_at > :now) "
    "UNION SELECT blocker_id FROM user_block WHERE blocked_id = :author AND blocker_id IN :readers "
    "UNION SELECT blocked_id FROM user_block WHERE blocker_id = :author AND blocked_id IN :readers"
).bindparams(bindparam("readers", expanding=True), visibility.NOW)


def readers_hiding_author(session: Session, *, author_id: int, candidates: set[int]) -> set[int]:
    """Which of `candidates` must not be told of `author_id`'s new post: they mute the author
    or block them, or the author blocks them (services/visibility.py's rule, for live pushes).
    One statement on the (muted, muter) and (blocked, blocker) indexes."""
    readers = candidates - {author_id}
    if not readers:
        return set()
    found = session.execute(
        _HIDING, {"author": author_id, "readers": sorted(readers), "now": utcnow()}
    )
    return {int(reader) for (reader,) in found}


_MUTED_BY = text(
    "SELECT muted_id FROM user_mute WHERE muter_id = :reader "
    "AND (expires_at IS NULL OR expires_at > :now)"
).bindparams(visibility.NOW)


def readers_hidden_authors(session: Session, *, reader_id: int) -> set[int]:
    """The authors whose posts `reader_id` mutes (unexpired), on user_mute's primary key: the
    followed accounts the "N new posts" bar must not count. (A block ends the follows, so a
    blocked account is never among the authors counted.)"""
    found = session.execute(_MUTED_BY, {"reader": reader_id, "now": utcnow()})
    return {int(author) for (author,) in found}


_ANNOUNCED = text(
    "SELECT id FROM post WHERE (id = :post AND user_id = :author AND boost_of_id IS NULL) "
    "OR (boost_of_id = :post AND user_id = :author)"
)


def announced_entry(session: Session, *, author_id: int, post_id: int) -> int | None:
    """The feed entry a NEW_POST event announces (`author_id` wrote `post_id`, or boosted it):
    the post itself or the author's boost of it; None once it is gone. Two probes of the
    primary key and of the one-boost-per-user index."""
    found = session.execute(_ANNOUNCED, {"post": post_id, "author": author_id}).scalar()
    return int(found) if found is not None else None
