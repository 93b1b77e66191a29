"""`python -m microblog user ...` and `post ...`: the operator's commands on accounts and posts
(`user grant-moderator|revoke-moderator`: the moderator role, services/moderation.py).

Each command is one call of the service function the pages and the API use for that use case
(services/accounts.py, services/posts.py), in one transaction; what it changes reaches open
pages like any change (live events after the commit: at once on every worker with
`REDIS_URL`; without Redis the server is another process, so its tabs learn of an ended
session at their next action, or within a minute from the live layer's check).

Passwords never go on the command line, where `ps` and the shell's history would show them:
`--password-stdin` reads one line from standard input; otherwise a random password is made
and printed once.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from sqlmodel import Session

from microblog.db import session_scope
from microblog.services import accounts, moderation, posts, users
from microblog.services.errors import DomainError, Invalid

T = TypeVar("T")
GENERATED_PASSWORD_BYTES = 12  # 16 URL-safe characters


def add_commands(sub: Any) -> None:
    """Register `user` and `post` on the CLI's subcommands (`argparse` subparsers)."""
    user = sub.add_parser(
        "user",
        help="accounts: create | reset-password | disable | enable | grant-moderator | "
        "revoke-moderator",
    )
    actions = user.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create an account (--admin: an administrator)")
    create.add_argument("username")
    create.add_argument("email")
    create.add_argument("--admin", action="store_true", help="make it an administrator")
    _password_option(create)
    create.set_defaults(run=create_user)
    reset = actions.add_parser(
        "reset-password", help="set a new password; ends the user's sessions and API tokens"
    )
    reset.add_argument("username")
    _password_option(reset)
    reset.set_defaults(run=reset_password)
    disable = actions.add_parser(
        "disable", help="no more logins; ends the user's sessions (live) and API tokens"
    )
    disable.add_argument("username")
    disable.set_defaults(run=disable_user)
    enable = actions.add_parser("enable", help="let a disabled user log in again")
    enable.add_argument("username")
    enable.set_defaults(run=enable_user)
    grant = actions.add_parser("grant-moderator", help="make the user a moderator")
    grant.add_argument("username")
    grant.set_defaults(run=grant_moderator)
    revoke = actions.add_parser("revoke-moderator", help="take the moderator role back")
    revoke.add_argument("username")
    revoke.set_defaults(run=revoke_moderator)

    post = sub.add_parser("post", help="posts: delete ID")
    post_actions = post.add_subparsers(dest="action", required=True)
    delete = post_actions.add_parser("delete", help="delete any post, as its author's Delete does")
    delete.add_argument("id", type=int)
    delete.set_defaults(run=delete_post)


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (otherwise one is made and printed)",
    )


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    """(the password, whether it was made here)."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    return secrets.token_urlsafe(GENERATED_PASSWORD_BYTES), True


def _in_transaction(work: Callable[[Session], T]) -> T:
    with session_scope() as db:
        return work(db)


def _refused(problem: DomainError) -> int:
    reasons = problem.errors.values() if isinstance(problem, Invalid) else [problem.message]
    for reason in reasons:
        print(f"Refused: {reason}", file=sys.stderr)
    return 1


def _user_id(db: Session, username: str) -> int:
    return users.get_user_by_username(db, username).id or 0


def create_user(args: argparse.Namespace) -> int:
    password, made = _password(args)

    def create(db: Session) -> tuple[int, str]:
        user = accounts.create_user(
            db, username=args.username, email=args.email, password=password, admin=args.admin
        )
        return user.id or 0, user.username

    try:
        user_id, username = _in_transaction(create)
    except DomainError as problem:
        return _refused(problem)
    role = "an administrator" if args.admin else "a user"
    print(f"Created {username} (id {user_id}), {role}.")
    if made:
        print(f"Password: {password}")
    return 0


def reset_password(args: argparse.Namespace) -> int:
    password, made = _password(args)

    def reset(db: Session) -> str:
        user = accounts.set_password(db, user_id=_user_id(db, args.username), password=password)
        return user.username

    try:
        username = _in_transaction(reset)
    except DomainError as problem:
        return _refused(problem)
    print(f"New password set for {username}; their sessions and API tokens have ended.")
    if made:
        print(f"Password: {password}")
    return 0


def disable_user(args: argparse.Namespace) -> int:
    try:
        ended = _in_transaction(
            lambda db: accounts.disable_user(db, user_id=_user_id(db, args.username))
        )
    except DomainError as problem:
        return _refused(problem)
    print(f"Disabled {args.username}: {ended} session(s) ended, API tokens revoked.")
    return 0


def enable_user(args: argparse.Namespace) -> int:
    try:
        _in_transaction(lambda db: accounts.enable_user(db, user_id=_user_id(db, args.username)))
    except DomainError as problem:
        return _refused(problem)
    print(f"Enabled {args.username}: they can log in again.")
    return 0


def _set_moderator(args: argparse.Namespace, moderator: bool) -> int:
    try:
        _in_transaction(
            lambda db: moderation.set_moderator(
                db, user_id=_user_id(db, args.username), moderator=moderator
            )
        )
    except DomainError as problem:
        return _refused(problem)
    done = "is now a moderator" if moderator else "is no longer a moderator"
    print(f"{args.username} {done} (recorded in the audit log).")
    return 0


def grant_moderator(args: argparse.Namespace) -> int:
    return _set_moderator(args, True)


def revoke_moderator(args: argparse.Namespace) -> int:
    return _set_moderator(args, False)


def delete_post(args: argparse.Namespace) -> int:
    try:
        _in_transaction(lambda db: posts.remove_post(db, post_id=args.id))
    except DomainError as problem:
        return _refused(problem)
    print(f"Deleted post {args.id}.")
    return 0
