"""Spam brakes: how many posts, follows and messages one account may write per window, with
stricter limits for accounts younger than NEW_ACCOUNT_HOURS (where spam comes from).

Counted per account in the rate-limit counters (services/rate_limits.py `hit_user`), inside
the transaction of what they count: a refused or failed action rolls its count back with it.
The limits are settings (config.py, .env.example); SPAM_BRAKES=0 turns them off.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlmodel import Session

from microblog.config import get_settings
from microblog.i18n import Message, _ln
from microblog.models import User, table_of, utcnow
from microblog.services import rate_limits
from microblog.services.errors import TooManyRequests

Action = Literal["post", "follow", "message"]

_USER = table_of(User).c


def check_spam_brake(session: Session, *, user_id: int, action: Action) -> None:
    """Count one `action` by `user_id`; TooManyRequests (with the wait) once past the limit."""
    settings = get_settings()
    if not settings.spam_brakes:
        return
    created = session.execute(select(_USER.created).where(_USER.id == user_id)).scalar()
    new = created is not None and _aware(created) > utcnow() - timedelta(
        hours=settings.new_account_hours
    )
    requests, window = getattr(settings, f"{action}_rate_limit" + ("_new" if new else ""))
    limit = rate_limits.RateLimit(f"{action}{'-new' if new else ''}", requests, window)
    if wait := rate_limits.hit_user(session, limit=limit, user_id=user_id):
        raise TooManyRequests(too_many(action, wait), retry_after=wait)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def too_many(action: Action, seconds: int) -> Message:
    """The message of a brake, in minutes once the wait is two minutes or more."""
    minutes = seconds >= 120
    num = math.ceil(seconds / 60) if minutes else seconds
    if action == "post":
        if minutes:
            return _ln(
                "You are posting too fast. Try again in %(num)d minute.",
                "You are posting too fast. Try again in %(num)d minutes.",
                num,
            )
        return _ln(
            "You are posting too fast. Try again in %(num)d second.",
            "You are posting too fast. Try again in %(num)d seconds.",
            num,
        )
    if action == "follow":
        if minutes:
            return _ln(
                "You are following too many people too fast. Try again in %(num)d minute.",
                "You are following too many people too fast. Try again in %(num)d minutes.",
                num,
            )
        return _ln(
            "You are following too many people too fast. Try again in %(num)d second.",
            "You are following too many people too fast. Try again in %(num)d seconds.",
            num,
        )
    if minutes:
        return _ln(
            "You are sending messages too fast. Try again in %(num)d minute.",
            "You are sending messages too fast. Try again in %(num)d minutes.",
            num,
        )
    return _ln(
        "You are sending messages too fast. Try again in %(num)d second.",
        "You are sending messages too fast. Try again in %(num)d seconds.",
        num,
    )
