"""`python -m microblog backup FILE` and `restore FILE`: the database named by `DATABASE_URL`,
whole, in one file.

- SQLite: SQLite's online backup API (`sqlite3.Connection.backup`), which copies a consistent
  snapshot page by page while the site keeps running and writing; the copy is a plain SQLite
  file (rollback journal, not WAL), so it is complete on its own. A restore copies a backup
  into the database the same way, after checking that it is an intact SQLite file of ours.
- PostgreSQL: `pg_dump --format=custom` (a consistent snapshot, taken while the site runs)
  and `pg_restore --clean --if-exists --single-transaction` (all or nothing). The client tools
  must be installed (Debian: `postgresql-client`), of the server's major version or newer.
  The password goes to them in the environment (`PGPASSWORD`), never on the command line.

Both write the backup to a temporary file beside FILE and rename it at the end: a backup that
failed half-way never looks like a good one. What is not in the database is not in the
backup: uploaded media (MEDIA_DIR, or the S3 bucket) and export files; README "Backups" says
how to keep those.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

from microblog.config import PROJECT_ROOT, get_settings

SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(RuntimeError):
    """A backup or restore that could not be made; the message says why and what to do."""


def add_commands(sub: Any) -> None:
    """Register `backup` and `restore` on the CLI's subcommands."""
    backup = sub.add_parser("backup", help="write a backup of the database to FILE (online)")
    backup.add_argument("file", type=Path)
    backup.set_defaults(run=backup_command)
    restore = sub.add_parser("restore", help="replace the database's contents with FILE")
    restore.add_argument("file", type=Path)
    restore.add_argument("--yes", action="store_true", help="do not ask before replacing data")
    restore.set_defaults(run=restore_command)


def backup_command(args: argparse.Namespace) -> int:
    try:
        print(backup_database(get_settings().database_url, args.file))
    except BackupError as problem:
        print(f"Backup failed: {problem}", file=sys.stderr)
        return 1
    return 0


def restore_command(args: argparse.Namespace) -> int:
    settings = get_settings()
    where = make_url(settings.database_url).render_as_string()
    if not args.yes:
        if not sys.stdin.isatty():
            print("Restore replaces all data: add --yes to go ahead.", file=sys.stderr)
            return 1
        answer = input(f"This replaces all data in {where} with {args.file}. Continue? [y/N] ")
        if answer.strip().lower() not in {"y", "yes"}:
            return 1
    try:
        print(restore_database(settings.database_url, args.file))
    except BackupError as problem:
        print(f"Restore failed: {problem}", file=sys.stderr)
        return 1
    print(_after_restore(settings.database_url, bool(settings.elasticsearch_url)))
    return 0


def _after_restore(database_url: str, elasticsearch: bool) -> str:
    """What to do next: migrate a backup of an older schema; reindex an external search."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from microblog.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            restored = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
    head = ScriptDirectory.from_config(Config(str(PROJECT_ROOT / "alembic.ini"))).get_current_head()
    lines = [f"Schema revision: {restored} (this code's: {head})."]
    if restored != head:
        lines.append("Bring it up to date: python -m microblog migrate")
    if elasticsearch:
        lines.append("Elasticsearch still holds the old posts: python -m microblog reindex")
    return "\n".join(lines)


def backup_database(database_url: str, target: Path) -> str:
    """Write a backup of the database to `target`; returns a line saying what was written."""
    url = make_url(database_url)
    partial = target.with_name(f".{target.name}.partial")
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_backup(_sqlite_path(url), partial)
        elif url.get_backend_name() == "postgresql":
            _run("pg_dump", ["--format=custom", "--no-owner", f"--file={partial}"], url)
        else:
            raise BackupError(f"No backup method for {url.get_backend_name()} databases.")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return f"Backed up {url.render_as_string()} to {target} ({target.stat().st_size:,} bytes)."


def restore_database(database_url: str, source: Path) -> str:
    """Replace the database's contents with the backup in `source`."""
    if not source.is_file():
        raise BackupError(f"There is no backup file {source}.")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_restore(source, _sqlite_path(url))
    elif url.get_backend_name() == "postgresql":
        options = ["--clean", "--if-exists", "--no-owner", "--single-transaction"]
        _run("pg_restore", [*options, "--exit-on-error", str(source)], url)
    else:
        raise BackupError(f"No restore method for {url.get_backend_name()} databases.")
    return f"Restored {url.render_as_string()} from {source}."


# -- SQLite ---------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    database = url.database or ""
    if not database or database == ":memory:" or "mode=memory" in str(url):
        raise BackupError("An in-memory SQLite database has nothing to back up or restore.")
    return Path(database)


def _sqlite_backup(database: Path, target: Path) -> None:
    if not database.is_file():
        raise BackupError(f"The database file {database} does not exist.")
    # Read-only: the backup can never change the site's database.
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    with closing(source), closing(sqlite3.connect(target)) as copy:
        source.backup(copy)  # one step: a consistent snapshot, whatever writers do meanwhile
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it


def _sqlite_restore(source: Path, database: Path) -> None:
    with source.open("rb") as file:
        if file.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{source} is not a SQLite database (a PostgreSQL backup?).")
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup:
        problems = [row[0] for row in backup.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise BackupError(f"{source} is damaged: {'; '.join(problems[:3])}")
        tables = {row[0] for row in backup.execute("SELECT name FROM sqlite_master")}
        if "alembic_version" not in tables:
            raise BackupError(f"{source} is not a Microblog database (no alembic_version).")
        database.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(database, timeout=30)) as target:
            backup.backup(target)  # page by page, under SQLite's own locks


# -- PostgreSQL -----------------------------------------------------------------------------


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """(a libpq connection URI without the password, the environment carrying it)."""
    plain = url.set(drivername="postgresql", password=None)
    env = {**os.environ}
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return plain.render_as_string(hide_password=False), env


def _run(tool: str, arguments: list[str], url: URL) -> None:
    program = shutil.which(tool)
    if program is None:
        raise BackupError(
            f"{tool} was not found on PATH. Install PostgreSQL's client tools, of the "
            "server's major version or newer (Debian: apt-get install postgresql-client)."
        )
    dsn, env = _libpq(url)
    done = subprocess.run(  # noqa: S603 (our own arguments, no shell)
        [program, *arguments, f"--dbname={dsn}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        said = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise BackupError(f"{tool} failed (exit {done.returncode}):\n{said}")
