"""`python -m microblog backup FILE` / `restore FILE` (microblog/backup.py), run as the operator
runs them: a database with data is backed up while a writer keeps writing, restored into a
fresh database, and the data is found there, posts' full-text search included. On SQLite, and
on PostgreSQL (pg_dump / pg_restore) when TEST_DATABASE_URL is set, with two databases created
for the test and dropped after it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from microblog.config import PROJECT_ROOT, normalize_database_url
from microblog.db import make_engine
from microblog.models import Post, User
from microblog.services import search
from microblog.services.posts import create_post
from microblog.services.users import authenticate, register_user
from tests.conftest import PG_URL, migrate, pg_database

PASSWORD = "correct horse battery"


def cli(url: str, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "MICROBLOG_ENV": "test"}
    env.pop("ELASTICSEARCH_URL", None)
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [sys.executable, "-m", "microblog", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _fill(url: str) -> None:
    engine = make_engine(normalize_database_url(url))
    try:
        with Session(engine) as db:
            user = register_user(
                db,
                username="keeper",
                email="keeper@example.com",
                password=PASSWORD,
                password2=PASSWORD,
            )
            db.flush()
            for n in range(30):
                create_post(db, author_id=user.id or 0, body=f"backed up post {n} zeppelin")
            db.commit()
    finally:
        engine.dispose()


def _check(url: str, *, posts: int) -> None:
    engine = make_engine(normalize_database_url(url))
    try:
        with Session(engine) as db:
            assert authenticate(db, login="keeper", password=PASSWORD) is not None
            assert len(db.exec(select(Post)).all()) >= posts
            found = search.search_posts(db, q="zeppelin", page=1, per_page=5)
            assert found.total >= posts and found.posts
    finally:
        engine.dispose()


def _writer(url: str, stop: threading.Event) -> threading.Thread:
    """Keeps adding posts while the backup runs: the backup must not wait for it, fail, or
    catch a half-written transaction."""

    def write() -> None:
        engine = make_engine(normalize_database_url(url))
        try:
            with Session(engine) as db:
                author = db.exec(select(User)).first()
                assert author is not None
                while not stop.is_set():
                    create_post(db, author_id=author.id or 0, body="written during the backup")
                    db.commit()
        finally:
            engine.dispose()

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def _round_trip(source: str, fresh: str, tmp_path: Path) -> None:
    migrate(source)
    _fill(source)
    stop = threading.Event()
    writer = _writer(source, stop)
    try:
        made = cli(source, "backup", str(tmp_path / "site.backup"))
    finally:
        stop.set()
        writer.join()
    assert made.returncode == 0, made.stderr
    assert "Backed up" in made.stdout and PASSWORD not in made.stdout
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no partial
    restored = cli(fresh, "restore", str(tmp_path / "site.backup"), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert "Schema revision" in restored.stdout and "migrate" not in restored.stdout
    _check(fresh, posts=30)


def test_sqlite_backup_and_restore(tmp_path: Path) -> None:
    _round_trip(f"sqlite:///{tmp_path / 'site.db'}", f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path)
    assert not (tmp_path / "site.backup-wal").exists()  # one self-contained file


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    migrate(url)
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all")
    refused = cli(url, "restore", str(junk), "--yes")
    assert refused.returncode == 1 and "not a SQLite database" in refused.stderr
    missing = cli(url, "restore", str(tmp_path / "nothing.backup"), "--yes")
    assert missing.returncode == 1 and "no backup file" in missing.stderr
    asked = cli(url, "restore", str(junk))  # no terminal to ask on, and no --yes
    assert asked.returncode == 1 and "--yes" in asked.stderr


@pytest.fixture
def pg_databases() -> Iterator[tuple[str, str]]:
    """Two new, empty PostgreSQL databases (a backup holds a whole database), dropped after."""
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL not set")
    with pg_database("mbbackup_site") as site, pg_database("mbbackup_fresh") as fresh:
        yield site, fresh


def test_postgresql_backup_and_restore(pg_databases: tuple[str, str], tmp_path: Path) -> None:
    source, fresh = pg_databases
    _round_trip(source, fresh, tmp_path)
    with (tmp_path / "site.backup").open("rb") as file:
        assert file.read(5) == b"PGDMP"  # pg_dump's custom format


def test_postgresql_without_the_client_tools(pg_databases: tuple[str, str], tmp_path: Path) -> None:
    source, _ = pg_databases
    empty = tmp_path / "bin"
    empty.mkdir()
    failed = cli(source, "backup", str(tmp_path / "x.backup"), path=str(empty))
    assert failed.returncode == 1
    assert "pg_dump was not found" in failed.stderr and "postgresql-client" in failed.stderr
    assert not (tmp_path / "x.backup").exists()
