"""What the search tests (built-in engines and Elasticsearch) do over and over: publish a post,
and ask which post ids a query finds."""

from __future__ import annotations

from sqlmodel import Session

from microblog.models import User
from microblog.services import posts, search


def commit_post(session: Session, user: User, body: str) -> int:
    """Publish `body` as `user` and commit (which is when the search index hears of it)."""
    post = posts.create_post(session, author_id=user.id or 0, body=body)
    session.commit()
    return post.id or 0


def search_ids(session: Session, q: str, page: int = 1, per_page: int = 25) -> list[int]:
    return [p.id for p in search.search_posts(session, q=q, page=page, per_page=per_page).posts]
