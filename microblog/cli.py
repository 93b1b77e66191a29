"""`python -m microblog ...`: the operator's commands."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine

from microblog import admin, backup
from microblog.config import PROJECT_ROOT, get_settings
from microblog.db import get_engine
from microblog.models import User, table_of


def migrate(url: str | None = None, revision: str = "head") -> None:
    """Bring the schema to `revision` (what `make run` does before serving)."""
    from alembic.config import Config

    from alembic import command

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    if url:
        # ConfigParser interpolation: a literal '%' (a URL escape) must be doubled.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, revision)


def reindex_posts(batch_size: int) -> int:
    """Rebuild the search index (Elasticsearch, or the built-in one) from the posts."""
    from microblog.services import search

    started = time.perf_counter()
    try:
        done = search.reindex(get_engine(), batch_size=max(1, batch_size))
    except search.SearchUnavailable as problem:
        print(f"Reindex failed: {problem.message}", file=sys.stderr)
        return 1
    print(f"Reindexed {done:,} posts in {time.perf_counter() - started:.1f} s.")
    return 0


def list_failed_posts() -> int:
    """Print the posts whose documents Elasticsearch refused (kept aside by the outbox)."""
    from sqlmodel import Session

    from microblog.services import search

    with Session(get_engine()) as session:
        failed = search.failed_posts(session)
    if not failed:
        print("No post is waiting: Elasticsearch took every document it was sent.")
        return 0
    print(f"{len(failed)} post(s) refused by Elasticsearch:")
    print("post_id  attempts  last failed (UTC)    error")
    for f in failed:
        when = f.last_failed.strftime("%Y-%m-%d %H:%M:%S")
        print(
            f"{f.post_id:>7}  {f.attempts:>8}  {when}  HTTP {f.status} {f.error_type}: {f.reason}"
        )
    print("Fix the cause, then: python -m microblog search retry-failed")
    return 0


def retry_failed_posts() -> int:
    """Send the refused posts to Elasticsearch again."""
    from microblog.services import search

    try:
        report = search.retry_failed(get_engine())
    except search.NotConfigured as problem:
        print(f"Retry failed: {problem.message}", file=sys.stderr)
        return 1
    except search.SearchUnavailable as problem:
        print(
            f"Retry failed: {problem.message} The posts wait in the search outbox, which "
            "sends them when Elasticsearch is back; run this again to see what it refused.",
            file=sys.stderr,
        )
        return 1
    if not report.retried:
        print("No post was waiting.")
        return 0
    accepted = len(report.retried) - len(report.still_refused)
    print(f"Retried {len(report.retried)} post(s): {accepted} accepted.")
    for f in report.still_refused:
        print(
            f"  post {f.post_id} refused again (attempt {f.attempts}): {f.error_type}: {f.reason}"
        )
    return 1 if report.still_refused else 0


def mail_command(action: str, ids: list[int]) -> int:
    """The email outbox (services/mail_outbox.py): `status` lists what waits and what was given
    up; `retry [ID ...]` queues given-up emails again (all of them without ids) and sends
    whatever is due before it exits."""
    from microblog.db import session_scope
    from microblog.models import MAIL_FAILED
    from microblog.services import mail_outbox

    engine = get_engine()
    if action == "retry":
        with session_scope(engine) as db:
            count = mail_outbox.retry_failed(db, ids=ids or None)
        print(f"Queued {count} given-up email(s) again.")
        mail_outbox.settle()  # the drain that commit kicked
        mail_outbox.deliver_due(engine)  # and anything else that is due
    with session_scope(engine) as db:
        counts = mail_outbox.count_emails(db)
        failed = mail_outbox.list_emails(db, status=MAIL_FAILED)
    print(f"Waiting to be sent: {counts['pending']}. Given up: {counts['failed']}.")
    for row in failed:
        print(
            f"  #{row.id}  {row.created:%Y-%m-%d %H:%M}  tries {row.attempts}  "
            f"to {row.recipients}  {row.subject!r}\n      {row.last_error}"
        )
    return 0


def holds_data(engine: Engine) -> bool:
    """Whether the database has any account (what a seed would throw away); False before the
    first migration."""
    if not inspect(engine).has_table("user"):
        return False
    with engine.connect() as conn:
        return conn.execute(select(table_of(User).c.id).limit(1)).first() is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m microblog")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations (alembic upgrade head)")
    seed = sub.add_parser("seed", help="fill the database with demo or benchmark data")
    seed.add_argument("--scale", action="store_true", help="10k users, 1M posts (benchmarks)")
    seed.add_argument("--users", type=int, default=10_000)
    seed.add_argument("--posts", type=int, default=1_000_000)
    seed.add_argument(
        "--pictures",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="--scale: the share of posts (0 to 1) that carry pictures, stored in the media "
        "store (default: %(default)s; make seed-scale uses 0.2)",
    )
    seed.add_argument("--yes", action="store_true", help="do not ask before replacing data")
    reindex = sub.add_parser("reindex", help="rebuild the search index from the database")
    reindex.add_argument("--batch-size", type=int, default=5_000)
    search_cmd = sub.add_parser(
        "search", help="posts Elasticsearch refused: list them (failed) or send them again"
    )
    search_cmd.add_argument("action", choices=("failed", "retry-failed"))
    translate = sub.add_parser("translate", help="message catalogs: init LANG | update | compile")
    translate.add_argument("action", choices=("init", "update", "compile"))
    translate.add_argument("lang", nargs="?", help="the new language's code (init only)")
    mail = sub.add_parser("mail", help="the email outbox: status | retry [ID ...]")
    mail.add_argument("action", choices=("status", "retry"))
    mail.add_argument("ids", nargs="*", type=int, help="retry only these emails (default: all)")
    admin.add_commands(sub)  # user create|reset-password|disable|enable, post delete
    backup.add_commands(sub)  # backup FILE, restore FILE
    args = parser.parse_args(argv)
    if args.command == "seed" and not 0 <= args.pictures <= 1:
        parser.error(f"--pictures is a share of the posts, from 0 to 1, not {args.pictures:g}")
    if (run := getattr(args, "run", None)) is not None:
        return int(run(args))

    if args.command == "translate":
        from microblog.i18n.tools import run as run_translate

        return run_translate(args.action, args.lang)
    if args.command == "migrate":
        migrate()
        return 0
    if args.command == "reindex":
        return reindex_posts(args.batch_size)
    if args.command == "search":
        return list_failed_posts() if args.action == "failed" else retry_failed_posts()
    if args.command == "mail":
        return mail_command(args.action, args.ids)
    from microblog import seed as seeding

    settings = get_settings()
    if not args.yes and holds_data(get_engine()):
        where = settings.database_url
        if not sys.stdin.isatty():
            print(
                f"{where} holds data, and seeding replaces all of it. Nothing was changed.\n"
                "To replace it, run again with --yes (make seed YES=1).",
                file=sys.stderr,
            )
            return 2
        answer = input(f"This replaces all data in {where}. Continue? [y/N] ")
        if answer.strip().lower() not in {"y", "yes"}:
            print("Nothing was changed.")
            return 1
    migrate()
    started = time.perf_counter()
    if args.scale:
        counts = seeding.seed_scale(
            get_engine(), users=args.users, posts=args.posts, pictures=args.pictures
        )
    else:
        counts = seeding.seed_demo(get_engine())
    took = time.perf_counter() - started
    print(f"Seeded {counts} in {took:.1f} s. Every demo user's password: {seeding.DEMO_PASSWORD}")
    if not args.scale:
        print(f"Try logging in as 'susan'. Database: {Path(settings.database_url).name}")
    return 0
