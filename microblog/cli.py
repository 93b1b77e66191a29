"""`python -m microblog ...`: the operator's commands."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from microblog.config import PROJECT_ROOT, get_settings
from microblog.db import get_engine


def migrate(url: str | None = None, revision: str = "head") -> None:
    """Bring the schema to `revision` (what `make run` does before serving)."""
    from alembic.config import Config

    from alembic import command

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, revision)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m microblog")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations (alembic upgrade head)")
    seed = sub.add_parser("seed", help="fill the database with demo or benchmark data")
    seed.add_argument("--scale", action="store_true", help="10k users, 1M posts (benchmarks)")
    seed.add_argument("--users", type=int, default=10_000)
    seed.add_argument("--posts", type=int, default=1_000_000)
    seed.add_argument("--yes", action="store_true", help="do not ask before replacing data")
    args = parser.parse_args(argv)

    if args.command == "migrate":
        migrate()
        return 0
    from microblog import seed as seeding

    settings = get_settings()
    if not args.yes and sys.stdin.isatty():
        answer = input(f"This replaces all data in {settings.database_url}. Continue? [y/N] ")
        if answer.strip().lower() not in {"y", "yes"}:
            return 1
    migrate()
    started = time.perf_counter()
    if args.scale:
        counts = seeding.seed_scale(get_engine(), users=args.users, posts=args.posts)
    else:
        counts = seeding.seed_demo(get_engine())
    took = time.perf_counter() - started
    print(f"Seeded {counts} in {took:.1f} s. Every demo user's password: {seeding.DEMO_PASSWORD}")
    if not args.scale:
        print(f"Try logging in as 'susan'. Database: {Path(settings.database_url).name}")
    return 0
