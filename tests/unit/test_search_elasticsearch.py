"""The Elasticsearch adapter over real HTTP, against two servers on loopback: the fake in
tests/fake_elasticsearch.py (the official client runs unchanged, product check included; it can
be told to fail in every way an outage looks), and noida-db's Elasticsearch emulator
(tests/noida_elasticsearch.py), a server we did not write, so our mapping, bulk writes, external
versions, fuzzy queries, deep pages and deletes meet someone else's reading of the API. A test
that only the fake can run says why. Also against a real server when ELASTICSEARCH_URL is set.

The outbox: a post's change is written in its transaction and applied after the commit; with
the server down, posting still works and the change waits; when the server is back, it lands.
A document the server refuses is that post's failure: kept aside, and the rest goes on.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from microblog import cli
from microblog.config import PROJECT_ROOT, get_settings
from microblog.models import Post, User
from microblog.services import posts, reactions, search
from microblog.services.search import elasticsearch as es_module
from microblog.services.search.elasticsearch import MAPPINGS, ElasticsearchEngine, make_client
from microblog.services.search.interface import SearchUnavailable
from microblog.services.search.outbox import apply_forever
from tests.fake_elasticsearch import FakeElasticsearch
from tests.noida_elasticsearch import NoidaElasticsearch
from tests.search_helpers import commit_post, search_ids

WINDOW = 30  # a small result window, so deep paging is tested with 60 posts, not 10,000
CREDENTIALS = ("elastic", "s3cret")
ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00")


@pytest.fixture
def fake() -> Iterator[FakeElasticsearch]:
    with FakeElasticsearch(max_result_window=WINDOW, credentials=CREDENTIALS) as server:
        yield server


@pytest.fixture(scope="session")
def noida(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NoidaElasticsearch]:
    """One emulator for the whole run (it starts in well under a second, but there is no need
    to start it for every test): each test writes to an index of its own and deletes it."""
    with NoidaElasticsearch(tmp_path_factory.mktemp("noida")) as server:
        yield server


@dataclasses.dataclass
class Server:
    """The server a test talks to, and how to take it down and bring it back."""

    kind: str
    url: str
    index: str
    stop: Callable[[], None]
    start: Callable[[], None]


@pytest.fixture(params=["fake", "noida"])
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    if request.param == "fake":
        fake: FakeElasticsearch = request.getfixturevalue("fake")
        yield Server("fake", fake.url, "posts", fake.stop, fake.start)
        return
    noida: NoidaElasticsearch = request.getfixturevalue("noida")
    yield Server("noida", noida.url, f"posts-{uuid.uuid4().hex[:12]}", noida.stop, noida.start)
    noida.start()  # a test that failed while the service was stopped must not break the next


def _client(url: str, **settings: object):
    settings = {"elasticsearch_timeout": 2.0, **settings}
    return make_client(dataclasses.replace(get_settings(), elasticsearch_url=url, **settings))


def _credentials() -> dict[str, str]:
    return {"elasticsearch_username": CREDENTIALS[0], "elasticsearch_password": CREDENTIALS[1]}


@pytest.fixture
def es(server: Server) -> Iterator[ElasticsearchEngine]:
    client = _client(server.url, **_credentials())
    engine = ElasticsearchEngine(client, index=server.index, max_window=WINDOW, count_cap=50)
    search.use_external(engine)
    yield engine
    search.reset_external()
    engine.settle()  # no drain still under way to write into the index deleted below
    if server.kind == "noida":
        client.options(ignore_status=404).indices.delete(index=server.index)
    client.close()


def _wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def _refresh(es: ElasticsearchEngine) -> None:
    """Make what was written searchable. Elasticsearch (and noida) search only what the last
    refresh saw, about a second behind; the app lives with that, the tests need it now."""
    es.client.options(ignore_status=404).indices.refresh(index=es.index_name)


def _applied(es: ElasticsearchEngine, engine: Engine) -> None:
    """Wait until the after-commit drains have emptied the outbox, then refresh."""
    _wait_until(lambda: es.pending(engine) == 0)
    _refresh(es)


def _found(session: Session, es: ElasticsearchEngine, q: str) -> list[int]:
    _refresh(es)
    return search_ids(session, q)


def _indexed(session: Session, es: ElasticsearchEngine, word: str) -> list[int]:
    """What the index itself holds, not the search page (which drops ids the database no longer
    has)."""
    _refresh(es)
    return es.query(session, [word], offset=0, size=25).ids


def _source(es: ElasticsearchEngine, post_id: int) -> dict | None:
    """The document the index holds for a post (a real-time GET), or None."""
    answer = es.client.options(ignore_status=404).get(index=es.index_name, id=str(post_id))
    return answer.body.get("_source") if answer.body.get("found") else None


def test_a_new_post_reaches_the_index_after_commit(
    engine: Engine, session: Session, add_user: Callable, es: ElasticsearchEngine
) -> None:
    susan = add_user(session, "susan")
    post = posts.create_post(session, author_id=susan.id, body="Learning python with reflex")
    # Inside the transaction: an outbox row, and nothing sent yet.
    assert session.execute(text("SELECT post_id FROM search_outbox")).scalars().all() == [post.id]
    session.commit()
    _applied(es, engine)  # drained by the after-commit kick
    assert search_ids(session, "python") == [post.id]
    results = search.search_posts(session, q="pyhton", page=1, per_page=25)  # fuzziness AUTO
    assert [p.id for p in results.posts] == [post.id]
    assert [s.text for s in results.posts[0].segments if s.hit] == ["python"]
    assert search_ids(session, "susan") == [post.id]  # the author's name is a searched field too


def test_a_post_reaches_a_strict_engine_with_an_iso_timestamp(
    engine: Engine, session: Session, add_user: Callable, es: ElasticsearchEngine
) -> None:
    """Both servers refuse SQLite's text form of a timestamp (`2026-12-02 16:50:26.728903`) in
    a `date` field, as Elasticsearch does; the post must arrive, its time in ISO 8601 with the
    UTC offset, in an index with our mapping."""
    susan = add_user(session, "susan")
    post_id = commit_post(session, susan, "timestamps travel well")
    _applied(es, engine)
    assert search.failed_posts(session) == []
    source = _source(es, post_id)
    assert source is not None, "the post never reached the index"
    post = session.get(Post, post_id)
    assert post is not None
    assert ISO_UTC.fullmatch(source["timestamp"]), source["timestamp"]
    assert source["timestamp"] == post.timestamp.astimezone(UTC).isoformat()
    mapping = es.client.indices.get_mapping(index=es.index_name).body
    assert mapping[es.index_name]["mappings"]["properties"] == MAPPINGS["properties"]


def _spoil(monkeypatch: pytest.MonkeyPatch, marker: str) -> None:
    """Build documents as the code before the ISO fix did for SQLite, for posts whose body
    contains `marker`: a timestamp with a space, which the engine refuses (HTTP 400)."""
    build = es_module._document

    def old_document(post_id: int, body: str, timestamp, username: str, alt: str = "") -> dict:
        document = build(post_id, body, timestamp, username, alt)
        if marker in body:
            document["timestamp"] = timestamp.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return document

    monkeypatch.setattr(es_module, "_document", old_document)


def _run_cli(engine: Engine, server: Server, *args: str) -> subprocess.CompletedProcess:
    """`python -m microblog ARGS` as an operator runs it, on this test's database and index."""
    env = {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "ELASTICSEARCH_URL": server.url,
        "ELASTICSEARCH_INDEX": server.index,
        "ELASTICSEARCH_USERNAME": CREDENTIALS[0],
        "ELASTICSEARCH_PASSWORD": CREDENTIALS[1],
    }
    return subprocess.run(
        [sys.executable, "-m", "microblog", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_refused_document_is_kept_aside_and_the_rest_goes_on(
    engine: Engine,
    session: Session,
    add_user: Callable,
    es: ElasticsearchEngine,
    server: Server,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    susan = add_user(session, "susan")
    _spoil(monkeypatch, "broken")
    # One transaction, one drain, one bulk request with three documents; the second is refused.
    first = posts.create_post(session, author_id=susan.id, body="apples before")
    broken = posts.create_post(session, author_id=susan.id, body="broken bananas")
    last = posts.create_post(session, author_id=susan.id, body="cherries after")
    session.commit()
    _applied(es, engine)  # the batch is not stuck in the outbox
    assert _found(session, es, "apples") == [first.id]
    assert _found(session, es, "cherries") == [last.id]
    assert _source(es, broken.id or 0) is None

    [failure] = search.failed_posts(session)
    assert failure.post_id == broken.id and failure.attempts == 1 and failure.status == 400
    assert failure.error_type == "document_parsing_exception"
    assert "timestamp" in failure.reason and "strict_date_optional_time" in failure.reason

    later = commit_post(session, susan, "dates afterwards")  # later changes go on too
    _applied(es, engine)
    assert _found(session, es, "dates") == [later]

    monkeypatch.setattr(cli, "get_engine", lambda: engine)
    assert cli.main(["search", "failed"]) == 0
    listing = capsys.readouterr().out
    assert f"{broken.id}" in listing and "document_parsing_exception" in listing

    # Retried before the cause is fixed: refused again, one more attempt counted.
    report = search.retry_failed(engine)
    assert report.retried == [broken.id]
    assert [(f.post_id, f.attempts) for f in report.still_refused] == [(broken.id, 2)]
    session.expire_all()

    monkeypatch.undo()  # the fix is deployed; the operator retries from the command line
    done = _run_cli(engine, server, "search", "retry-failed")
    assert done.returncode == 0, done.stderr
    assert "1 accepted" in done.stdout
    session.expire_all()
    assert search.failed_posts(session) == []
    assert es.pending(engine) == 0
    source = _source(es, broken.id or 0)
    assert source is not None and ISO_UTC.fullmatch(source["timestamp"])
    assert _found(session, es, "bananas") == [broken.id]


def test_a_later_accepted_write_clears_the_failure(
    engine: Engine,
    session: Session,
    add_user: Callable,
    es: ElasticsearchEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A refused post that is then deleted (or written again and accepted) leaves the list."""
    susan = add_user(session, "susan")
    _spoil(monkeypatch, "broken")
    post_id = commit_post(session, susan, "broken on arrival")
    _applied(es, engine)
    assert [f.post_id for f in search.failed_posts(session)] == [post_id]
    posts.delete_post(session, post_id=post_id, user_id=susan.id)
    session.commit()
    _applied(es, engine)
    assert search.failed_posts(session) == []


def test_reindex_keeps_a_refused_document_aside_and_goes_on(
    engine: Engine,
    session: Session,
    add_user: Callable,
    es: ElasticsearchEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    susan = add_user(session, "susan")
    ids = [commit_post(session, susan, f"soup recipe {i}") for i in range(4)]
    broken = commit_post(session, susan, "broken soup")
    _applied(es, engine)
    _spoil(monkeypatch, "broken")
    messages: list[str] = []
    assert search.reindex(engine, batch_size=2, progress=messages.append) == 5
    assert sorted(_found(session, es, "recipe")) == ids
    assert [f.post_id for f in search.failed_posts(session)] == [broken]
    assert any("1 refused" in m for m in messages)


@pytest.mark.parametrize(
    "fault",
    ["request 503", "request 429", "item 429", "timeout"],
)
def test_an_outage_keeps_the_changes_and_records_no_failure(
    fault: str,
    engine: Engine,
    session: Session,
    add_user: Callable,
    fake: FakeElasticsearch,
) -> None:
    """Fake only: noida cannot be told to answer 503 or 429 or to stall. A server that is
    overloaded or failing is not a refused document: the change stays in the outbox (the
    outbox worker retries with backoff) and nothing is set aside."""
    client = _client(fake.url, elasticsearch_timeout=0.3, **_credentials())
    es = ElasticsearchEngine(client, index="posts", max_window=WINDOW)
    search.use_external(es)
    try:
        susan = add_user(session, "susan")
        fine = commit_post(session, susan, "steady")
        _applied(es, engine)
        if fault == "request 503":
            fake.outage = (503, "unavailable_shards_exception")
        elif fault == "request 429":
            fake.outage = (429, "es_rejected_execution_exception")
        elif fault == "timeout":
            fake.delay = 0.6
        # One transaction: a new post and an edit, so one drain sends both in one request.
        waiting = posts.create_post(session, author_id=susan.id, body="waiting patiently").id
        edited = session.get(Post, fine)
        assert edited is not None
        edited.body = "steady and edited"
        search.post_saved(session, post_id=fine, body=edited.body)
        if fault == "item 429":
            fake.item_errors[str(waiting)] = (429, "es_rejected_execution_exception")
        session.commit()
        es.settle()  # the after-commit drain has failed too

        with pytest.raises(SearchUnavailable):
            es.drain(engine)
        # Per item, the rest of the batch went through; per request, nothing did.
        assert es.pending(engine) == (1 if fault == "item 429" else 2)
        assert search.failed_posts(session) == []

        fake.outage, fake.delay = None, 0.0
        fake.item_errors.clear()
        es.drain(engine)
        assert es.pending(engine) == 0
        assert search_ids(session, "patiently") == [waiting]
        assert search_ids(session, "edited") == [fine]
    finally:
        search.reset_external()
        es.settle()
        client.close()


def test_rolled_back_post_leaves_nothing_behind(
    engine: Engine, session: Session, add_user: Callable, es: ElasticsearchEngine
) -> None:
    susan = add_user(session, "susan")
    session.commit()
    posts.create_post(session, author_id=susan.id, body="never happened")
    session.rollback()
    assert es.pending(engine) == 0
    assert _indexed(session, es, "happened") == []


def test_rolled_back_post_sends_nothing(
    engine: Engine, session: Session, add_user: Callable, es: ElasticsearchEngine, fake
) -> None:
    """Fake only: it records the requests it received."""
    susan = add_user(session, "susan")
    session.commit()
    posts.create_post(session, author_id=susan.id, body="never happened")
    session.rollback()
    es.settle()
    assert not any(path == "/_bulk" for _, path in fake.requests)


def test_engine_down_posting_works_and_changes_wait(
    engine: Engine,
    session: Session,
    add_user: Callable,
    es: ElasticsearchEngine,
    server: Server,
) -> None:
    susan = add_user(session, "susan")
    gone = commit_post(session, susan, "soon deleted")
    es.drain(engine)
    server.stop()

    kept = commit_post(session, susan, "written while the engine was down")  # posting still works
    posts.delete_post(session, post_id=gone, user_id=susan.id)
    session.commit()
    with pytest.raises(SearchUnavailable):
        es.drain(engine)
    assert es.pending(engine) == 2  # both changes kept
    with pytest.raises(SearchUnavailable, match="unavailable"):
        search.search_posts(session, q="engine", page=1, per_page=25)

    # The two commits kicked drains in the background, which fail against the stopped engine
    # (slowly, with the client's retries): one still under way when the engine is back would
    # apply a change this test's own drain then does not count (CI saw 1 instead of 2).
    es.settle()
    server.start()  # back, same port, same data
    assert es.drain(engine) == 2
    assert es.pending(engine) == 0
    assert _found(session, es, "engine") == [kept]
    assert search_ids(session, "deleted") == []
    assert search.failed_posts(session) == []


def test_outbox_worker_retries_until_the_engine_is_back(
    engine: Engine,
    session: Session,
    add_user: Callable,
    es: ElasticsearchEngine,
    server: Server,
) -> None:
    susan = add_user(session, "susan")
    session.commit()
    server.stop()
    post_id = commit_post(session, susan, "patience pays")

    async def scenario() -> None:
        worker = asyncio.create_task(
            apply_forever(lambda: engine, poll=0.05, first_retry=0.05, max_retry=0.2)
        )
        try:
            await asyncio.sleep(0.3)  # a few failed attempts while the server is down
            assert es.pending(engine) == 1
            await asyncio.to_thread(server.start)
            deadline = time.monotonic() + 10
            while es.pending(engine):
                assert time.monotonic() < deadline
                await asyncio.sleep(0.02)
        finally:
            worker.cancel()

    asyncio.run(scenario())
    assert _found(session, es, "patience") == [post_id]


def test_an_older_write_never_overwrites_a_newer_one(
    engine: Engine, session: Session, add_user: Callable, es: ElasticsearchEngine
) -> None:
    """Two workers draining at once: the edit (newer outbox row) wins even if the index of
    the older row arrives after it."""
    susan = add_user(session, "susan")
    post_id = commit_post(session, susan, "first draft")
    _applied(es, engine)
    post = session.get(Post, post_id)
    assert post is not None
    post.body = "final words"
    search.post_saved(session, post_id=post_id, body=post.body)  # as an edit feature would
    # Read before the commit: once committed, the outbox's own drain may apply the row first.
    rows = session.execute(text("SELECT id FROM search_outbox ORDER BY id")).scalars().all()
    session.commit()
    _applied(es, engine)
    late = {"post_id": post_id, "body": "first draft", "username": "susan"}
    [result] = es._bulk({post_id: rows[0] - 1}, {post_id: late})
    assert result.status == 409
    assert (_source(es, post_id) or {}).get("body") == "final words"


def test_an_older_write_never_brings_back_a_deleted_post(
    engine: Engine, session: Session, add_user: Callable, es: ElasticsearchEngine, fake
) -> None:
    """Fake only: Elasticsearch keeps a deleted document's version for `index.gc_deletes` (60 s)
    and answers 409 to an older write; noida-db forgets it with the document and writes the
    older copy back (checked with noida-db 0.2.3)."""
    susan = add_user(session, "susan")
    post_id = commit_post(session, susan, "racing writes")
    posts.delete_post(session, post_id=post_id, user_id=susan.id)
    session.commit()
    rows = session.execute(text("SELECT id FROM search_outbox ORDER BY id")).scalars().all()
    _wait_until(lambda: es.pending(engine) == 0)
    es._bulk({post_id: rows[0]}, {post_id: {"post_id": post_id, "body": "racing writes"}})
    assert search_ids(session, "racing") == []


def _delete_and_apply(
    session: Session, es: ElasticsearchEngine, engine: Engine, *, post_id: int, user: User
) -> None:
    posts.delete_post(session, post_id=post_id, user_id=user.id or 0)
    session.commit()
    _applied(es, engine)


def test_a_delete_after_the_outbox_emptied_still_reaches_the_index(
    engine: Engine, session: Session, add_user: Callable, es: ElasticsearchEngine
) -> None:
    """The outbox row's id is the change's version in Elasticsearch, so ids must never be
    reused: SQLite hands out max(id) + 1 unless the table is AUTOINCREMENT, and once the outbox
    is empty that restarts at 1, below the versions already in the index."""
    susan = add_user(session, "susan")
    commit_post(session, susan, "first note")
    second = commit_post(session, susan, "second note")
    _applied(es, engine)
    _delete_and_apply(session, es, engine, post_id=second, user=susan)
    assert _indexed(session, es, "second") == []


def test_a_post_indexed_by_reindex_can_still_be_deleted(
    engine: Engine, session: Session, add_user: Callable, es: ElasticsearchEngine
) -> None:
    """Posts written outside the outbox (the seed command) reach the index by `reindex`; the
    first change the outbox ever makes to one of them must still win over that copy."""
    susan = add_user(session, "susan")
    seeded_post = Post(body="seeded morning walk", user_id=susan.id)
    session.add(seeded_post)  # as the seed command writes: no service, no outbox row
    session.commit()
    seeded = seeded_post.id
    assert es.pending(engine) == 0  # the seed path wrote no outbox row
    assert search.reindex(engine, batch_size=10, progress=lambda _m: None) == 1
    assert _indexed(session, es, "walk") == [seeded]
    _delete_and_apply(session, es, engine, post_id=seeded, user=susan)
    assert _indexed(session, es, "walk") == []


def test_deep_pages_walk_past_the_result_window(
    engine: Engine, session: Session, add_user: Callable, es: ElasticsearchEngine
) -> None:
    # The index's own window is WINDOW too (the fake's is set when it starts), so a page past
    # it asked with from/size would be refused.
    es.client.indices.create(
        index=es.index_name, settings={"index": {"max_result_window": WINDOW}}, mappings=MAPPINGS
    )
    susan = add_user(session, "susan")
    ids = [commit_post(session, susan, f"garden note {i}") for i in range(60)]
    _applied(es, engine)
    seen: list[int] = []
    for page in range(1, 5):  # pages 2-4 reach past the 30-result window
        results = search.search_posts(session, q="garden", page=page, per_page=15)
        seen += [p.id for p in results.posts]
        assert results.total == 50 and results.total_capped
        assert results.has_next == (page < 4)
    assert seen == sorted(ids, reverse=True)  # equal scores: post id breaks the tie


def test_reindex_rebuilds_from_the_database(
    engine: Engine, session: Session, add_user: Callable, es: ElasticsearchEngine
) -> None:
    susan = add_user(session, "susan")
    ids = [commit_post(session, susan, f"bread recipe {i}") for i in range(5)]
    _applied(es, engine)
    es.client.indices.delete(index=es.index_name)  # the cluster lost everything, versions too
    es._ready = False
    assert search.reindex(engine, batch_size=2, progress=lambda _m: None) == 5
    assert sorted(_found(session, es, "bread")) == ids
    assert search.failed_posts(session) == []
    assert ISO_UTC.fullmatch((_source(es, ids[0]) or {}).get("timestamp", ""))


def test_the_search_commands_without_elasticsearch(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "get_engine", lambda: engine)
    search.use_external(None)  # the built-in engine: nothing to retry against
    try:
        assert cli.main(["search", "failed"]) == 0
        assert "No post is waiting" in capsys.readouterr().out
        assert cli.main(["search", "retry-failed"]) == 1
        assert "ELASTICSEARCH_URL" in capsys.readouterr().err
    finally:
        search.reset_external()


DATES = [
    "2026-12-02 16:50:26.728903",  # SQLite's text form: refused
    "2026-12-02T16:50:26.728903",
    "2026-12-02T16:50:26.728903+00:00",
    "2026-12-02T16:50:26,5Z",
    "2026-12-02T16:50:26+0100",
    "2026-12-02T16",
    "2026-12-02",
    "2026",
    "2026-13-01",
    "2026-02-30",
    "2026-12-02T25:00",
    "yesterday",
    1764694226728,
    "1764694226728",
]


def test_the_fake_judges_dates_as_noida_does(
    fake: FakeElasticsearch, noida: NoidaElasticsearch
) -> None:
    """The fake's date check, item by item, against a server we did not write: the same
    statuses and the same error bodies (type, reason, cause) for each value."""
    answers = {}
    for url in (fake.url, noida.url):
        client = _client(url, **_credentials())
        index = f"dates-{uuid.uuid4().hex[:12]}"
        try:
            client.indices.create(index=index, mappings=MAPPINGS)
            operations: list[dict] = []
            for i, value in enumerate(DATES):
                document = {"post_id": i, "body": "x", "username": "u", "timestamp": value}
                operations += [{"index": {"_index": index, "_id": str(i)}}, document]
            items = client.bulk(operations=operations)["items"]
            answers[url] = [(item["index"]["status"], item["index"].get("error")) for item in items]
        finally:
            client.options(ignore_status=404).indices.delete(index=index)
            client.close()
    assert answers[fake.url] == answers[noida.url]
    refused = {DATES[i] for i, (status, _) in enumerate(answers[fake.url]) if status == 400}
    assert refused == {
        "2026-12-02 16:50:26.728903",
        "2026-13-01",
        "2026-02-30",
        "2026-12-02T25:00",
        "yesterday",
    }


def test_wrong_credentials_are_a_clear_failure(fake: FakeElasticsearch, engine: Engine) -> None:
    """Fake only: noida-db has no security; it accepts any credentials."""
    client = _client(fake.url, elasticsearch_username="elastic", elasticsearch_password="nope")
    engine_ = ElasticsearchEngine(client, max_window=WINDOW)
    with Session(engine) as session, pytest.raises(SearchUnavailable):
        engine_.query(session, ["anything"], offset=0, size=25)
    assert fake.requests[-1][0] == "HEAD"  # refused before any search


def test_client_settings_carry_auth_and_tls() -> None:
    client = _client(
        "https://es.example.com:9200",
        elasticsearch_api_key="a2V5OnNlY3JldA==",
        elasticsearch_verify_certs=False,
    )
    node = client.transport.node_pool.all()[0]
    assert node.config.scheme == "https" and node.config.verify_certs is False
    assert client._headers["authorization"] == "ApiKey a2V5OnNlY3JldA=="
    client.close()


REAL_URL = os.environ.get("ELASTICSEARCH_URL", "")


@pytest.mark.skipif(not REAL_URL, reason="ELASTICSEARCH_URL not set (no real Elasticsearch)")
def test_against_a_real_server(engine: Engine, session: Session, add_user: Callable) -> None:
    settings = dataclasses.replace(get_settings(), elasticsearch_url=REAL_URL)
    client = make_client(settings)
    index = f"microblog-test-{uuid.uuid4().hex[:8]}"
    es = ElasticsearchEngine(client, index=index)
    search.use_external(es)
    try:
        susan = add_user(session, "susan")
        post_id = commit_post(session, susan, "Learning python with reflex")
        es.drain(engine)
        client.indices.refresh(index=index)
        assert search_ids(session, "pyhton") == [post_id]
    finally:
        search.reset_external()
        client.options(ignore_status=404).indices.delete(index=index)
        client.close()


def test_boosts_are_never_documents(
    engine: Engine, session: Session, add_user: Callable, es: ElasticsearchEngine
) -> None:
    """The query matches usernames too: a boost's document would answer a search for its
    booster's name with an empty post. Neither the outbox nor a reindex writes one."""
    susan, booster = add_user(session, "susan"), add_user(session, "moonwatcher")
    post_id = commit_post(session, susan, "harvest moon tonight")
    reactions.boost_post(session, user_id=booster.id, post_id=post_id)
    session.commit()
    boost_id = session.execute(
        text("SELECT id FROM post WHERE boost_of_id = :i"), {"i": post_id}
    ).scalar_one()
    _applied(es, engine)
    assert _found(session, es, "harvest") == [post_id]
    assert _indexed(session, es, "moonwatcher") == []
    assert search.reindex(engine, batch_size=10, progress=lambda _m: None) == 1
    assert _found(session, es, "harvest") == [post_id]
    assert _indexed(session, es, "moonwatcher") == []
    assert _source(es, boost_id) is None


def test_an_edit_reaches_the_index_through_the_outbox(
    engine: Engine, session: Session, add_user: Callable, es: ElasticsearchEngine
) -> None:
    susan = add_user(session, "susan")
    post_id = commit_post(session, susan, "spring onion soup")
    _applied(es, engine)
    posts.edit_post(session, post_id=post_id, user_id=susan.id, body="winter leek soup")
    session.commit()
    _applied(es, engine)
    assert _found(session, es, "onion") == []
    assert _found(session, es, "leek") == [post_id]
    assert (_source(es, post_id) or {}).get("body") == "winter leek soup"
