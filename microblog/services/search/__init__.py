"""Full-text search over posts (and usernames): one interface, two engines, chosen once.

- Elasticsearch when `ELASTICSEARCH_URL` is set (services/search/elasticsearch.py), kept in step
  through an outbox.
- Otherwise the built-in engine of the database in use (services/search/builtin.py): SQLite
  FTS5 or PostgreSQL full text, kept in the post's own transaction.

Services call `post_saved` / `post_deleted` inside the post's transaction; pages call
`search_posts` and `search_users`; the CLI calls `reindex`, `failed_posts` and `retry_failed`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import exists, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from microblog.config import get_settings
from microblog.models import Block, SearchFailure, SearchOutbox, User, table_of
from microblog.schemas import PostRow, avatar_url
from microblog.services.errors import DomainError
from microblog.services.post_rows import cards_by_id
from microblog.services.search import failures
from microblog.services.search.analysis import Segment, highlight, query_words
from microblog.services.search.builtin import PostgresEngine, SqliteEngine
from microblog.services.search.interface import Hits, SearchEngine, SearchUnavailable

__all__ = [
    "NotConfigured",
    "RetryReport",
    "SearchResults",
    "SearchUnavailable",
    "UserHit",
    "count_outbox",
    "count_text",
    "engine_for",
    "failed_posts",
    "post_deleted",
    "post_saved",
    "reindex",
    "retry_failed",
    "search_posts",
    "search_users",
]

QUERY_MAX = 200
"""Longer queries are cut here (a search box, not a document)."""
USER_HITS = 5

_SQLITE = SqliteEngine()
_POSTGRES = PostgresEngine()
_external: list[SearchEngine | None] = []


@lru_cache(maxsize=1)
def _configured_external() -> SearchEngine | None:
    settings = get_settings()
    if not settings.elasticsearch_url:
        return None
    from microblog.services.search.elasticsearch import ElasticsearchEngine, make_client

    return ElasticsearchEngine(make_client(settings), index=settings.elasticsearch_index)


def external_engine() -> SearchEngine | None:
    """The Elasticsearch engine when configured (or set by `use_external`), else None."""
    return _external[-1] if _external else _configured_external()


def use_external(engine: SearchEngine | None) -> None:
    """Replace the configured external engine (tests point it at a loopback server); None
    means the built-in engine. `use_external(...)` again, or `reset_external()`, to undo."""
    _external.clear()
    _external.append(engine)


def reset_external() -> None:
    _external.clear()


def builtin_engine(dialect: str) -> SearchEngine:
    return _POSTGRES if dialect == "postgresql" else _SQLITE


def engine_for(session: Session) -> SearchEngine:
    """Elasticsearch when configured, else the built-in engine of this session's database."""
    return external_engine() or builtin_engine(session.get_bind().dialect.name)


def post_saved(session: Session, *, post_id: int, body: str) -> None:
    """A post was created or edited: in its transaction, before the commit."""
    engine_for(session).index(session, post_id=post_id, body=body)


def post_deleted(session: Session, *, post_id: int) -> None:
    """A post was deleted: in its transaction, before the commit."""
    engine_for(session).remove(session, post_id=post_id)


@dataclass
class SearchPostRow(PostRow):
    """A post in the results, with its text cut into highlighted and plain segments."""

    segments: list[Segment] = field(default_factory=list)


@dataclass
class UserHit:
    username: str
    avatar: str
    about_me: str


@dataclass
class SearchResults:
    query: str
    words: list[str]
    posts: list[SearchPostRow]
    page: int
    per_page: int
    has_next: bool
    has_prev: bool
    total: int
    total_capped: bool
    expanded: dict[str, list[str]] = field(default_factory=dict)


def count_text(total: int, capped: bool) -> str:
    """The number of matches as the page shows it: "1,234", or "10,000+" when the engine
    stopped counting."""
    return f"{total:,}" + ("+" if capped else "")


def clean_query(q: str | None) -> str:
    return " ".join((q or "").split())[:QUERY_MAX]


def search_posts(
    session: Session, *, q: str, page: int, per_page: int, viewer_id: int = 0
) -> SearchResults:
    """One page of posts matching `q`, best first, with highlight segments (cards as the feeds
    show them, for `viewer_id`). Raises SearchUnavailable when the engine cannot answer."""
    query = clean_query(q)
    words = query_words(query)
    hits = (
        engine_for(session).query(session, words, offset=(page - 1) * per_page, size=per_page)
        if words
        else Hits(ids=[], has_next=False, total=0)
    )
    rows = cards_by_id(session, hits.ids, viewer_id=viewer_id, listed=True)
    posts = [
        SearchPostRow(**vars(rows[i]), segments=highlight(rows[i].body, words))
        for i in hits.ids
        if i in rows  # a post deleted since the engine saw it is left out
    ]
    return SearchResults(
        query=query,
        words=words,
        posts=posts,
        page=page,
        per_page=per_page,
        has_next=hits.has_next,
        has_prev=page > 1,
        total=hits.total,
        total_capped=hits.total_capped,
        expanded=hits.expanded,
    )


def _not_blocked(viewer_id: int) -> Any:
    """SQL true unless the user row and `viewer_id` block each other either way."""
    blocks = table_of(Block).c
    either_way = or_(
        (blocks.blocker_id == viewer_id) & (blocks.blocked_id == col(User.id)),
        (blocks.blocker_id == col(User.id)) & (blocks.blocked_id == viewer_id),
    )
    return ~exists().where(either_way)


def search_users(
    session: Session, *, q: str, limit: int = USER_HITS, viewer_id: int = 0
) -> list[UserHit]:
    """Users whose name starts with a word of the query (an exact name first), at most
    `limit`. A prefix LIKE per word over the user table (10k rows scan in about a millisecond).
    Left out for `viewer_id`: those who block them and those they block (services/safety.py;
    a primary-key probe per name that matches)."""
    words = query_words(clean_query(q))[:3]
    if not words:
        return []
    name = func.lower(User.username)
    found: dict[int, User] = {}
    for word in words:
        statement = (
            select(User)
            .where(name.startswith(word, autoescape=True))
            .where(_not_blocked(viewer_id))
            .order_by(func.length(User.username), name)
            .limit(limit)
        )
        for user in session.exec(statement):
            found.setdefault(user.id or 0, user)
    ranked = sorted(
        found.values(),
        key=lambda u: (u.username.lower() not in words, len(u.username), u.username.lower()),
    )
    return [
        UserHit(
            username=u.username,
            avatar=avatar_url(u.email, 36, picture=u.avatar),
            about_me=u.about_me or "",
        )
        for u in ranked[:limit]
    ]


def reindex(
    engine: Engine, *, batch_size: int = 5_000, progress: Callable[[str], object] = print
) -> int:
    """Rebuild the configured engine's index from the database (`python -m microblog reindex`)."""
    search_engine = external_engine() or builtin_engine(engine.dialect.name)
    progress(f"Reindexing posts into {search_engine.name}")
    return search_engine.reindex(engine, batch_size=batch_size, progress=progress)


class NotConfigured(DomainError):
    """The command needs Elasticsearch, and `ELASTICSEARCH_URL` is not set."""


@dataclass
class RetryReport:
    retried: list[int]
    still_refused: list[SearchFailure]


def failed_posts(session: Session) -> list[SearchFailure]:
    """The posts whose documents Elasticsearch refused, kept aside (oldest first)."""
    return failures.list_failures(session)


def retry_failed(engine: Engine) -> RetryReport:
    """Send every refused post to Elasticsearch again (`python -m microblog search
    retry-failed`): they go back into the outbox, which is then applied. Accepted posts leave
    the list; refused again, they stay with one more attempt counted. Raises SearchUnavailable
    when Elasticsearch is down (the posts then wait in the outbox like any change)."""
    external = external_engine()
    drain = getattr(external, "drain", None)
    if drain is None:
        raise NotConfigured("Elasticsearch is not configured (ELASTICSEARCH_URL is not set).")
    with Session(engine) as session:
        post_ids = failures.requeue(session)
        session.commit()
    if post_ids:
        drain(engine)
    with Session(engine) as session:
        still = failures.list_failures(session, post_ids=post_ids) if post_ids else []
    return RetryReport(retried=post_ids, still_refused=still)


def count_outbox(session: Session, *, cap: int) -> int:
    """Post changes waiting for Elasticsearch, counted up to `cap` (the metrics' outbox depth):
    healthy, the table holds a handful of rows; a long outage must not make each scrape count
    millions."""
    waiting = select(SearchOutbox.id).limit(cap).subquery()
    return int(session.exec(select(func.count()).select_from(waiting)).one())
