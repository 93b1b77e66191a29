"""The Elasticsearch engine (the tutorial's choice), through the official client.

Writes never go to Elasticsearch inside a request. `index`/`remove` add a row to the outbox
(`search_outbox`) in the post's transaction and, after the commit, ask a background thread to
apply the outbox (`drain`). Applying a row reads the post: it exists, index it; it is gone,
delete it. Each write carries the outbox row id as an external version, so a late, older write
from another worker cannot overwrite a newer one. If Elasticsearch is down, the rows stay and
the outbox worker (a lifespan task, with backoff) applies them once it is back. A document
Elasticsearch refuses is that post's failure, not an outage: it is kept aside (failures.py) and
the outbox goes on.

Timestamps go out as ISO 8601 with the UTC offset, whatever the database: the `date` field's
default format (`strict_date_optional_time||epoch_millis`) refuses SQLite's own text form
(`2026-12-02 16:50:26.728903`, a space instead of `T`).

The pinned client (elasticsearch 9.x) talks to Elasticsearch 9.x servers: it sends
`compatible-with=9` headers, which 8.x servers refuse.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import TextClause, bindparam, delete, text
from sqlalchemy.engine import Engine
from sqlalchemy.sql.selectable import TextualSelect
from sqlmodel import Session, col, select

from microblog.after_commit import defer
from microblog.config import Settings
from microblog.db import engine_of
from microblog.i18n import _l
from microblog.models import Post, SearchOutbox, table_of
from microblog.services.search import failures
from microblog.services.search.failures import ItemResult, Outcome
from microblog.services.search.interface import Hits, SearchUnavailable

log = logging.getLogger(__name__)

MAX_RESULT_WINDOW = 10_000
"""Elasticsearch refuses from + size beyond `index.max_result_window` (10,000 by default); pages
past it are reached by walking with `search_after`."""
DRAIN_BATCH = 500
# Reindex writes below every outbox row's id (ids start at 1), so the first change the outbox
# makes to a reindexed post wins, and a change applied during the reindex is not overwritten.
REINDEX_VERSION = 0
UNAVAILABLE = _l("Search is unavailable right now. Please try again in a little while.")

MAPPINGS = {
    "properties": {
        "post_id": {"type": "long"},
        "body": {"type": "text"},
        "username": {"type": "text"},
        # The post's pictures' alt texts, one per line (services/media/attachments.py).
        "alt_text": {"type": "text"},
        "timestamp": {"type": "date"},
    }
}

# Boosts (post rows with no text of their own, `boost_of_id`) are never documents: the query
# also matches usernames, so a boost's document would answer a search for its booster's name
# with an empty post. The outbox treats a boost's id as a post that is not there (delete).
_POSTS = (
    'SELECT post.id, post.body, post."timestamp", "user".username, post.media_alt_text FROM post '
    'JOIN "user" ON "user".id = post.user_id WHERE post.boost_of_id IS NULL '
)


def _posts(where: TextClause) -> TextualSelect:
    """The posts' documents' columns, the timestamp read through the model's column type: a
    plain text query gives SQLite's stored text (`2026-12-02 16:50:26.728903`), not a
    datetime."""
    return where.columns(timestamp=table_of(Post).c.timestamp.type)


def make_client(settings: Settings) -> Any:
    """An Elasticsearch client from the settings: basic auth or an API key, and TLS options
    (a CA bundle for a self-signed cluster certificate, or verification off for a lab)."""
    from elasticsearch import Elasticsearch

    options: dict[str, Any] = {
        "request_timeout": settings.elasticsearch_timeout,
        "max_retries": 1,
        "retry_on_timeout": False,
    }
    if settings.elasticsearch_api_key:
        options["api_key"] = settings.elasticsearch_api_key
    elif settings.elasticsearch_username:
        options["basic_auth"] = (settings.elasticsearch_username, settings.elasticsearch_password)
    if settings.elasticsearch_ca_certs:
        options["ca_certs"] = settings.elasticsearch_ca_certs
    if not settings.elasticsearch_verify_certs:
        options["verify_certs"] = False
        options["ssl_show_warn"] = False
    return Elasticsearch(settings.elasticsearch_url, **options)


class ElasticsearchEngine:
    name = "elasticsearch"

    def __init__(
        self,
        client: Any,
        *,
        index: str = "posts",
        max_window: int = MAX_RESULT_WINDOW,
        count_cap: int = MAX_RESULT_WINDOW,
    ) -> None:
        self.client = client
        self.index_name = index
        self.max_window = max_window
        self.count_cap = count_cap
        self._ready = False
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-outbox")
        self._lock = threading.Lock()
        self._queued: set[Engine] = set()

    # -- writes: the outbox ---------------------------------------------------------------

    def index(self, session: Session, *, post_id: int, body: str) -> None:
        self._enqueue(session, post_id)

    def remove(self, session: Session, *, post_id: int) -> None:
        self._enqueue(session, post_id)

    def _enqueue(self, session: Session, post_id: int) -> None:
        session.add(SearchOutbox(post_id=post_id))
        engine = engine_of(session)
        defer(session, lambda: self.kick(engine))

    def kick(self, engine: Engine) -> None:
        """Ask the background thread to apply the outbox soon (after-commit: returns at once;
        several kicks while one is queued make one drain)."""
        with self._lock:
            if engine in self._queued:
                return
            self._queued.add(engine)
        self._pool.submit(self._drain_quietly, engine)

    def settle(self) -> None:
        """Wait until the drains kicked so far have run (one worker, in order), so that none is
        still under way: a test that restarts the engine counts the rows its own drain applies."""
        self._pool.submit(lambda: None).result()

    def _drain_quietly(self, engine: Engine) -> None:
        with self._lock:
            self._queued.discard(engine)
        try:
            self.drain(engine)
        except SearchUnavailable:
            log.warning("Elasticsearch is unavailable; the outbox keeps the changes for later")
        except Exception:
            log.exception("Applying the search outbox failed")

    def drain(self, engine: Engine, *, batch: int = DRAIN_BATCH) -> int:
        """Apply every outbox row, oldest first; returns how many rows were taken out of the
        outbox (applied, or kept aside because Elasticsearch refused the document). Raises
        SearchUnavailable when Elasticsearch is down or could not take some items (429, 5xx):
        those rows stay, and the rest of the batch is applied first."""
        applied = 0
        while True:
            with Session(engine) as session:
                rows = session.exec(
                    select(SearchOutbox).order_by(col(SearchOutbox.id)).limit(batch)
                ).all()
                if not rows:
                    return applied
                versions: dict[int, int] = {}
                for row in rows:
                    versions[row.post_id] = max(versions.get(row.post_id, 0), row.id or 0)
                docs = self._documents(session, list(versions))
                results = self._bulk(versions, docs)
                waiting = {r.post_id for r in results if r.outcome is Outcome.UNAVAILABLE}
                done = [row.id for row in rows if row.post_id not in waiting]
                if done:
                    session.execute(delete(SearchOutbox).where(col(SearchOutbox.id).in_(done)))
                failures.record(session, results)
                session.commit()
                applied += len(done)
                if waiting:
                    log.warning(
                        "Elasticsearch could not take %d post(s) now; they stay in the outbox",
                        len(waiting),
                    )
                    raise SearchUnavailable(UNAVAILABLE)

    def pending(self, engine: Engine) -> int:
        with Session(engine) as session:
            return int(session.execute(text("SELECT count(*) FROM search_outbox")).scalar() or 0)

    def _documents(self, session: Session, post_ids: list[int]) -> dict[int, dict[str, Any]]:
        query = text(_POSTS + "AND post.id IN :ids").bindparams(bindparam("ids", expanding=True))
        rows = session.execute(_posts(query), {"ids": post_ids}).all()
        return {row[0]: _document(*row) for row in rows}

    def _bulk(self, versions: dict[int, int], docs: dict[int, dict[str, Any]]) -> list[ItemResult]:
        """Write (or delete) each post at its version; Elasticsearch's answer for each.
        Raises SearchUnavailable when the request itself fails."""
        operations: list[dict[str, Any]] = []
        for post_id, version in versions.items():
            meta = _meta(self.index_name, post_id, version)
            if post_id in docs:
                operations += [{"index": meta}, docs[post_id]]
            else:
                operations.append({"delete": meta})
        self._call(self._ensure_index)
        response = self._call(lambda: self.client.bulk(operations=operations))
        return failures.item_results(response)

    def _ensure_index(self) -> None:
        if self._ready:
            return
        if not self.client.indices.exists(index=self.index_name):
            self.client.options(ignore_status=400).indices.create(
                index=self.index_name, mappings=MAPPINGS
            )
        self._ready = True

    def _call(self, action: Callable[[], Any]) -> Any:
        """Run a client call; any transport or server failure becomes SearchUnavailable."""
        from elasticsearch import ApiError, TransportError

        try:
            return action()
        except (ApiError, TransportError) as problem:
            self._ready = False  # the index may be gone after a server reset
            log.warning("Elasticsearch call failed: %s", problem)
            raise SearchUnavailable(UNAVAILABLE) from problem

    # -- reads ------------------------------------------------------------------------------

    def query(self, session: Session, words: list[str], *, offset: int, size: int) -> Hits:
        """One page: from/size inside the result window, a search_after walk beyond it. Sorted
        by score, then post id, so both paths give the same order."""
        if not words:
            return Hits(ids=[], has_next=False, total=0)
        query = {
            "multi_match": {
                "query": " ".join(words),
                "fields": ["body", "username", "alt_text"],
                "fuzziness": "AUTO",
                "operator": "and",
            }
        }
        sort = [{"_score": "desc"}, {"post_id": "desc"}]
        want = size + 1

        def search(**extra: Any) -> dict[str, Any]:
            response: dict[str, Any] = self._call(
                lambda: self.client.search(
                    index=self.index_name,
                    query=query,
                    sort=sort,
                    source=False,
                    track_total_hits=self.count_cap,
                    **extra,
                )
            )
            return response

        self._call(self._ensure_index)
        if offset + want <= self.max_window:
            response = search(from_=offset, size=want)
        else:
            after, skipped = None, 0
            while skipped < offset:  # walk to the page, a window at a time
                step = min(self.max_window, offset - skipped)
                page = search(size=step, **({"search_after": after} if after else {}))
                hits = page["hits"]["hits"]
                if not hits:
                    return Hits(ids=[], has_next=False, total=_total(page)[0])
                after, skipped = hits[-1]["sort"], skipped + len(hits)
            response = search(size=want, **({"search_after": after} if after else {}))
        ids = [int(hit["_id"]) for hit in response["hits"]["hits"]]
        total, capped = _total(response)
        return Hits(ids=ids[:size], has_next=len(ids) > size, total=total, total_capped=capped)

    def reindex(self, engine: Engine, *, batch_size: int, progress: Callable[[str], object]) -> int:
        """Drop and rebuild the index from the database, in batches by post id. Changes made
        meanwhile are in the outbox and are applied afterwards. A post Elasticsearch refuses is
        kept aside (as the outbox does) and the reindex goes on; items it cannot take now
        (429, 5xx) stop the reindex, to be run again."""
        self._call(
            lambda: self.client.options(ignore_status=404).indices.delete(index=self.index_name)
        )
        self._ready = False
        self._call(self._ensure_index)
        done, last_id, refused = 0, 0, 0
        while True:
            with Session(engine) as session:
                rows = session.execute(
                    _posts(text(_POSTS + "AND post.id > :last ORDER BY post.id LIMIT :n")),
                    {"last": last_id, "n": batch_size},
                ).all()
            if not rows:
                break
            operations: list[dict[str, Any]] = []
            for row in rows:
                operations += [
                    {"index": _meta(self.index_name, row[0], REINDEX_VERSION)},
                    _document(*row),
                ]
            response = self._call(partial(self.client.bulk, operations=operations))
            results = failures.item_results(response)
            with Session(engine) as session:
                failures.record(session, results)
                session.commit()
            if any(r.outcome is Outcome.UNAVAILABLE for r in results):
                raise SearchUnavailable("Elasticsearch could not take part of the reindex.")
            refused += sum(r.outcome is Outcome.REFUSED for r in results)
            last_id = rows[-1][0]
            done += len(rows)
            progress(f"  {done:,} posts")
        self._call(lambda: self.client.indices.refresh(index=self.index_name))
        self.drain(engine)
        if refused:
            progress(
                f"  {refused:,} refused by Elasticsearch, kept aside: "
                "`python -m microblog search failed` lists them"
            )
        return done


def _meta(index: str, post_id: int, version: int) -> dict[str, Any]:
    """A bulk action's target. External versions: Elasticsearch keeps a write only if its
    version is above the one it holds, so changes applied out of order cannot undo each other."""
    return {"_index": index, "_id": str(post_id), "version": version, "version_type": "external"}


def iso_timestamp(value: datetime) -> str:
    """ISO 8601 with the UTC offset (`2026-12-02T16:50:26.728903+00:00`), which the `date`
    field's default format takes. The database keeps UTC, so a naive value is UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def _document(
    post_id: int, body: str, timestamp: datetime, username: str, alt_text: str | None = ""
) -> dict[str, Any]:
    return {
        "post_id": post_id,
        "body": body,
        "username": username,
        "alt_text": alt_text or "",
        "timestamp": iso_timestamp(timestamp),
    }


def _total(response: dict[str, Any]) -> tuple[int, bool]:
    total = response["hits"].get("total") or {"value": 0, "relation": "eq"}
    return int(total["value"]), total.get("relation") == "gte"
