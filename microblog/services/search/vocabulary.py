"""The typo vocabulary (table `search_term`) shared by both built-in engines.

Why a table of our own rather than the engines' term lists: it works the same on SQLite and
PostgreSQL without extensions (no pg_trgm, no fuzzystrmatch), it holds surface words (FTS5's
vocabulary holds porter stems, which typos do not resemble), and a look-up is one primary-key
`IN (...)` over the few hundred strings one edit away from the query's words.
"""

from __future__ import annotations

from sqlalchemy import bindparam, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from microblog.models import SearchTerm
from microblog.services.search.analysis import neighbours, vocabulary_terms


def add_terms(session: Session, body: str) -> None:
    """Remember the post's words, in the post's transaction (insert-or-ignore)."""
    add_term_set(session, vocabulary_terms(body))


def add_term_set(session: Session, terms: set[str]) -> None:
    if not terms:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(SearchTerm).on_conflict_do_nothing()
    session.execute(statement, [{"term": t} for t in sorted(terms)])


_KNOWN_SQLITE = text("SELECT term FROM search_term WHERE term IN :terms").bindparams(
    bindparam("terms", expanding=True)
)
_KNOWN_POSTGRES = text("SELECT term FROM search_term WHERE term = ANY(:terms)")


def expand(session: Session, words: list[str]) -> dict[str, list[str]]:
    """For each query word not in the vocabulary, the vocabulary words one edit away.

    A word that is itself a known word is not expanded: "coffee" should not also find "toffee".
    At most two statements: which words are known, then which neighbours of the others are.
    """
    candidates = {w: neighbours(w) for w in words}
    if not any(candidates.values()):
        return {}
    known = _known(session, {w for w, near in candidates.items() if near})
    unknown = {w: near for w, near in candidates.items() if near and w not in known}
    if not unknown:
        return {}
    found = _known(session, set().union(*unknown.values()))
    return {word: sorted(near & found) for word, near in unknown.items() if near & found}


def _known(session: Session, terms: set[str]) -> set[str]:
    if session.get_bind().dialect.name == "postgresql":
        result = session.execute(_KNOWN_POSTGRES, {"terms": sorted(terms)})
    else:
        result = session.execute(_KNOWN_SQLITE, {"terms": sorted(terms)})
    return set(result.scalars())
