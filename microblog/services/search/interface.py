"""The one search interface (index, remove, query, reindex) both engines implement, and what a
query returns. Engines return post ids in rank order; `services/search/__init__.py` turns them
into rows for the page and the API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from microblog.services.errors import DomainError


class SearchUnavailable(DomainError):
    """The search engine cannot answer now (Elasticsearch is down, say). Posting still works;
    the page shows the message instead of results."""


@dataclass
class Hits:
    """One page of matches: post ids best first, whether there is a next page, and a count of
    all matches that may be capped (`total_capped`: "at least `total`")."""

    ids: list[int]
    has_next: bool
    total: int
    total_capped: bool = False
    # Words the engine searched for beyond the query's own (typo corrections), for the docs
    # and tests; highlighting does its own matching.
    expanded: dict[str, list[str]] = field(default_factory=dict)


class SearchEngine(Protocol):
    """What every engine does. `index`/`remove` are called inside the post's transaction with
    its session: the built-in engines write there (so the index cannot drift), Elasticsearch
    writes an outbox row there and applies it after the commit."""

    name: str

    def index(self, session: Session, *, post_id: int, body: str) -> None: ...

    def remove(self, session: Session, *, post_id: int) -> None: ...

    def query(self, session: Session, words: list[str], *, offset: int, size: int) -> Hits: ...

    def reindex(
        self, engine: Engine, *, batch_size: int, progress: Callable[[str], object]
    ) -> int: ...
