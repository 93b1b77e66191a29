"""Posts and the three feeds: home (own + followed), explore (everyone), a user's profile.

Every feed is ordered by (timestamp, id) newest first and read through an index in that order, so
a page costs about `per_page` rows, not the size of the feed. See docs/performance.md.
"""

from __future__ import annotations

from sqlalchemy import func, union_all
from sqlmodel import Session, col, select

from microblog.models import POST_MAX, Post, User
from microblog.schemas import Page, PostRow
from microblog.services.errors import Invalid
from microblog.services.follows import followed_ids
from microblog.services.pagination import make_page, page_window

_NEWEST_FIRST = (col(Post.timestamp).desc(), col(Post.id).desc())


def validate_post_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise Invalid({"body": "Write something first."})
    if len(body) > POST_MAX:
        raise Invalid({"body": f"Posts can have at most {POST_MAX} characters ({len(body)} now)."})
    return body


def create_post(
    session: Session, *, author_id: int, body: str, language: str | None = None
) -> Post:
    post = Post(body=validate_post_body(body), user_id=author_id, language=language or None)
    session.add(post)
    session.flush()
    return post


def _post_rows(session: Session, ids: list[int]) -> list[tuple[Post, User]]:
    """The posts with these ids, with their authors, in the order of `ids`."""
    if not ids:
        return []
    statement = select(Post, User).join(User, col(Post.user_id) == col(User.id))
    found = {
        post.id: (post, user) for post, user in session.exec(statement.where(col(Post.id).in_(ids)))
    }
    return [found[i] for i in ids if i in found]


def _to_row(pair: tuple[Post, User]) -> PostRow:
    return PostRow.of(*pair)


def explore_posts(session: Session, *, page: int, per_page: int) -> Page[PostRow]:
    offset, limit = page_window(page, per_page)
    statement = (
        select(Post, User)
        .join(User, col(Post.user_id) == col(User.id))
        .order_by(*_NEWEST_FIRST)
        .offset(offset)
        .limit(limit)
    )
    return make_page(session.exec(statement).all(), page=page, per_page=per_page, to_item=_to_row)


def user_posts(session: Session, *, user_id: int, page: int, per_page: int) -> Page[PostRow]:
    offset, limit = page_window(page, per_page)
    statement = (
        select(Post, User)
        .join(User, col(Post.user_id) == col(User.id))
        .where(Post.user_id == user_id)
        .order_by(*_NEWEST_FIRST)
        .offset(offset)
        .limit(limit)
    )
    return make_page(session.exec(statement).all(), page=page, per_page=per_page, to_item=_to_row)


def count_user_posts(session: Session, *, user_id: int) -> int:
    statement = select(func.count()).select_from(Post).where(Post.user_id == user_id)
    return int(session.exec(statement).one())


def home_timeline(session: Session, *, user_id: int, page: int, per_page: int) -> Page[PostRow]:
    """The user's own posts and those of everyone they follow, newest first.

    Two plans, chosen by how much of the site the user follows (k authors of about N):
    - few authors: read each author's newest `offset + limit` posts from (user_id, timestamp)
      and merge them: about k * (offset + limit) index rows;
    - many authors: walk everyone's posts newest first on (timestamp, id) and keep those by the
      followed authors: about (offset + limit) * N / k index rows.
    The second is cheaper once k * k exceeds N. The tutorial's single OR/JOIN/GROUP BY query
    sorts the whole timeline instead, which takes seconds at a million posts.
    """
    offset, limit = page_window(page, per_page)
    authors = [user_id, *followed_ids(session, user_id=user_id)]
    population = session.exec(select(func.max(User.id))).one() or 1
    if len(authors) * len(authors) > population:
        ids = _ids_scanning_recent_posts(session, authors, offset, limit)
    else:
        ids = _ids_merging_authors(session, authors, offset, limit)
    return make_page(_post_rows(session, ids), page=page, per_page=per_page, to_item=_to_row)


def _ids_scanning_recent_posts(
    session: Session, authors: list[int], offset: int, limit: int
) -> list[int]:
    # `user_id + 0` keeps the planner off the (user_id, ...) index, which would fetch and sort
    # every post of every author; we want the (timestamp, id) walk that stops after `limit`.
    statement = (
        select(Post.id)
        .where((col(Post.user_id) + 0).in_(authors))
        .order_by(*_NEWEST_FIRST)
        .offset(offset)
        .limit(limit)
    )
    return list(session.exec(statement).all())


def _ids_merging_authors(
    session: Session, authors: list[int], offset: int, limit: int
) -> list[int]:
    per_author = []
    for author in authors:
        newest = (
            select(Post.id, Post.timestamp)
            .where(Post.user_id == author)
            .order_by(*_NEWEST_FIRST)
            .limit(offset + limit)
            .subquery()
        )
        # Each branch wrapped as a subquery: SQLite allows ORDER BY/LIMIT only there.
        per_author.append(select(newest.c.id, newest.c.timestamp))
    merged = union_all(*per_author).subquery()
    statement = (
        select(merged.c.id)
        .order_by(merged.c.timestamp.desc(), merged.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(session.exec(statement).all())
