"""The email outbox: every email the product sends is a database row first.

Why: an email reports something that happened (a new follower, a reset request, a finished
export, a registration). Sent from memory after the commit, it was lost whenever the mail server
was down or the process stopped. Queued as a row in the same transaction as its cause, it exists
exactly when its cause does (a rollback queues nothing), and it waits in the database, across
restarts, until a mail server takes it.

- `queue_email(session, message)` adds the row and, once the transaction commits, kicks a drain
  on a background thread, so a healthy system sends at once.
- `deliver_due(engine)` is a drain: it claims one due row at a time, sends it, and deletes it;
  on failure it schedules the next try with exponential backoff (MAIL_RETRY_SECONDS, doubling, at
  most an hour apart), and after MAIL_MAX_ATTEMPTS tries or MAIL_MAX_AGE_HOURS it gives the row
  up (status `failed`, logged) until `python -m microblog mail retry`. A refusal for good (an
  SMTP 5xx) gives up at once; an unreachable server ends the pass (the other rows would only
  wait for the same timeout).
- `deliver_forever` is each backend worker's safety net (a lifespan task, jobs.py):
  it drains at start-up, whenever a retry comes due, and at least every POLL_SECONDS.

Claims. Any number of drains may run at once: the kicked one and the loop in each worker, in
several workers and hosts. A drain claims a row with one UPDATE that sets a random claim token
and a lease (`claimed_until`) only if the row is still due and unclaimed (or its lease expired),
so of two drains that go for the same row exactly one gets it; on PostgreSQL the candidate is
picked `FOR UPDATE SKIP LOCKED`, so concurrent drains take different rows instead of queueing on
one. Finishing (delete, or reschedule) also names the claim token, so a drain whose lease ran
out cannot touch a row someone else now holds. If a worker dies mid-send, its row comes due
again when the lease ends: delivery is at least once, and exactly once unless the process dies
between the server's "250 OK" and the delete (then the same message, with the same Message-ID,
goes again). The lease (LEASE) is far longer than a send can take with MAIL_TIMEOUT.

Attachments travel inside the row (the whole RFC 5322 message, as bytes): see the README's email
section for why that beats a reference to the export file.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from microblog.after_commit import defer
from microblog.config import get_settings
from microblog.db import engine_of
from microblog.mail import Mailer, MailError, MailRefused, MailServerDown, get_mailer
from microblog.models import MAIL_FAILED, MAIL_PENDING, MailOutbox, table_of, utcnow

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
MAX_RETRY = timedelta(hours=1)
POLL_SECONDS = 30.0
# The loop's own pause after a pass found the mail server down, doubling up to the maximum.
FIRST_PAUSE_SECONDS = 1.0
MAX_PAUSE_SECONDS = 60.0

_T = table_of(MailOutbox).c


# -- queueing ---------------------------------------------------------------------------------


def queue_email(session: Session, message: EmailMessage) -> MailOutbox:
    """Queue `message` in this session's transaction; it is sent after the commit (never if the
    transaction rolls back), and retried until a mail server takes it."""
    row = MailOutbox(
        recipients=", ".join(_recipients(message))[:1000],
        subject=str(message["Subject"] or "")[:300],
        message=message.as_bytes(),
    )
    session.add(row)
    engine = engine_of(session)
    defer(session, lambda: kick(engine))
    return row


def _recipients(message: EmailMessage) -> list[str]:
    return [str(address) for field in ("To", "Cc", "Bcc") for address in message.get_all(field, [])]


def message_of(data: bytes) -> EmailMessage:
    """A queued row's message as it will be sent."""
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


# -- the drain --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    id: int
    claim: str
    message: bytes
    attempts: int  # including this one
    created: datetime
    recipients: str
    subject: str


@dataclass
class DrainResult:
    sent: int = 0
    retrying: int = 0
    given_up: int = 0
    server_down: bool = False


@dataclass(frozen=True)
class Policy:
    """When to try again and when to give up (from the settings unless a test says otherwise)."""

    first_retry: timedelta
    max_attempts: int
    max_age: timedelta

    @classmethod
    def from_settings(cls) -> Policy:
        settings = get_settings()
        return cls(
            first_retry=timedelta(seconds=settings.mail_retry_seconds),
            max_attempts=settings.mail_max_attempts,
            max_age=timedelta(hours=settings.mail_max_age_hours),
        )

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failed try: first_retry, doubling, at most an hour."""
        doubling: int = 2 ** min(max(attempts - 1, 0), 20)
        doubled = self.first_retry * doubling
        return min(doubled, max(MAX_RETRY, self.first_retry))


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        _T.status == MAIL_PENDING,
        _T.next_attempt_at <= now,
        or_(_T.claimed_until.is_(None), _T.claimed_until < now),
    )


def _claim_one(engine: Engine, now: datetime) -> Claimed | None:
    """Claim the row that has been due longest, or None. One statement: the due check is made
    again on the row being updated, so two drains never both get it."""
    token = secrets.token_hex(16)
    candidate = select(_T.id).where(_due(now)).order_by(_T.next_attempt_at, _T.id).limit(1)
    if engine.dialect.name == "postgresql":
        candidate = candidate.with_for_update(skip_locked=True)
    statement = (
        update(table_of(MailOutbox))
        .where(_T.id == candidate.scalar_subquery(), _due(now))
        .values(claim=token, claimed_until=now + LEASE, attempts=_T.attempts + 1)
        .returning(_T.id, _T.message, _T.attempts, _T.created, _T.recipients, _T.subject)
    )
    with engine.begin() as conn:
        row = conn.execute(statement).first()
    if row is None:
        return None
    row_id, data, attempts, created, recipients, subject = row
    return Claimed(row_id, token, bytes(data), attempts, created, recipients, subject)


def _finish(engine: Engine, claimed: Claimed) -> None:
    with engine.begin() as conn:
        conn.execute(
            delete(table_of(MailOutbox)).where(_T.id == claimed.id, _T.claim == claimed.claim)
        )


def _fail(
    engine: Engine, claimed: Claimed, problem: Exception, now: datetime, policy: Policy
) -> bool:
    """Record a failed try: schedule the next one, or give up. True if given up."""
    give_up = (
        isinstance(problem, MailRefused)
        or claimed.attempts >= policy.max_attempts
        or now - claimed.created >= policy.max_age
    )
    values: dict[str, object] = {
        "claim": None,
        "claimed_until": None,
        "last_error": f"{type(problem).__name__}: {problem}"[:500],
    }
    wait = policy.backoff(claimed.attempts)
    if give_up:
        values["status"] = MAIL_FAILED
    else:
        values["next_attempt_at"] = now + wait
    with engine.begin() as conn:
        conn.execute(
            update(table_of(MailOutbox))
            .where(_T.id == claimed.id, _T.claim == claimed.claim)
            .values(**values)
        )
    if give_up:
        log.error(
            "Email %d to %s (%r) given up after %d tries: %s. "
            "Send it again with: python -m microblog mail retry %d",
            claimed.id,
            claimed.recipients,
            claimed.subject,
            claimed.attempts,
            problem,
            claimed.id,
        )
    else:
        log.warning(
            "Email %d to %s (%r) not sent (try %d): %s; next try in %.0f s",
            claimed.id,
            claimed.recipients,
            claimed.subject,
            claimed.attempts,
            problem,
            wait.total_seconds(),
        )
    return give_up


def deliver_due(
    engine: Engine,
    *,
    mailer: Mailer | None = None,
    now: Callable[[], datetime] = utcnow,
    policy: Policy | None = None,
) -> DrainResult:
    """Send every due email, one claimed row at a time (blocking: run it on a thread).
    Database errors propagate (the rows stay as they were, or come due when their lease ends)."""
    mailer = mailer or get_mailer()
    policy = policy or Policy.from_settings()
    result = DrainResult()
    while (claimed := _claim_one(engine, now())) is not None:
        try:
            mailer.send(message_of(claimed.message))
        except Exception as problem:
            if not isinstance(problem, MailError):
                log.exception("Email %d: unexpected error while sending", claimed.id)
            if _fail(engine, claimed, problem, now(), policy):
                result.given_up += 1
            else:
                result.retrying += 1
            if isinstance(problem, MailServerDown):
                result.server_down = True
                return result
            continue
        _finish(engine, claimed)
        result.sent += 1
    return result


def seconds_until_due(engine: Engine, *, now: datetime | None = None) -> float | None:
    """How long until the next pending row comes due (0 if one is due now), or None if there
    is none. A claimed row counts from the end of its lease."""
    now = now or utcnow()
    with engine.connect() as conn:
        rows = conn.execute(
            select(func.min(_T.next_attempt_at), func.min(_T.claimed_until)).where(
                _T.status == MAIL_PENDING
            )
        ).one()
    times: list[datetime] = [moment for moment in rows if moment is not None]
    if not times:
        return None
    return max(0.0, (min(times) - now).total_seconds())


# -- kicks after a commit ---------------------------------------------------------------------

# One thread per process: a kick returns at once; several kicks while one waits make one drain.
_kicks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail-outbox")
_lock = threading.Lock()
_queued: set[Engine] = set()


def kick(engine: Engine) -> None:
    """Drain soon on the background thread (called after a commit that queued an email)."""
    with _lock:
        if engine in _queued:
            return
        _queued.add(engine)
    _kicks.submit(_drain_quietly, engine)


def _drain_quietly(engine: Engine) -> None:
    with _lock:
        _queued.discard(engine)
    try:
        deliver_due(engine)
    except Exception:
        log.exception("Delivering the email outbox failed; the loop will try again")


def settle(timeout: float = 60.0) -> None:
    """Wait until the drains kicked so far have run (tests, and the CLI before it exits)."""
    _kicks.submit(lambda: None).result(timeout=timeout)


# -- the safety net ---------------------------------------------------------------------------


async def deliver_forever(
    database: Callable[[], Engine],
    *,
    poll: float = POLL_SECONDS,
    first_pause: float = FIRST_PAUSE_SECONDS,
    max_pause: float = MAX_PAUSE_SECONDS,
) -> None:
    """Drain now, then whenever the next retry comes due (at least every `poll` seconds). While
    the mail server or the database is down, pause `first_pause`, doubling up to `max_pause`."""
    pause = first_pause
    while True:
        try:
            engine = database()
            result = await asyncio.to_thread(deliver_due, engine)
            if result.server_down:
                await asyncio.sleep(pause)
                pause = min(pause * 2, max_pause)
                continue
            pause = first_pause
            if result.sent:
                log.info("Email outbox: sent %d email(s)", result.sent)
            wait = await asyncio.to_thread(seconds_until_due, engine)
            await asyncio.sleep(poll if wait is None else min(max(wait, 0.05), poll))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("Email outbox: drain failed; retrying in %.0f s", pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, max_pause)


# -- the operator's view ----------------------------------------------------------------------


@dataclass(frozen=True)
class QueuedEmail:
    id: int
    status: str
    created: datetime
    attempts: int
    next_attempt_at: datetime
    recipients: str
    subject: str
    last_error: str


def list_emails(
    session: Session, *, status: str | None = None, limit: int = 100
) -> list[QueuedEmail]:
    """The queued emails (without their bytes), oldest first."""
    query = select(
        _T.id,
        _T.status,
        _T.created,
        _T.attempts,
        _T.next_attempt_at,
        _T.recipients,
        _T.subject,
        _T.last_error,
    ).order_by(_T.id)
    if status is not None:
        query = query.where(_T.status == status)
    rows = session.execute(query.limit(limit)).all()
    return [
        QueuedEmail(email_id, state, created, attempts, retry_at, recipients, subject, error or "")
        for email_id, state, created, attempts, retry_at, recipients, subject, error in rows
    ]


def count_emails(session: Session) -> dict[str, int]:
    """{"pending": n, "failed": m}."""
    rows = session.execute(select(_T.status, func.count()).group_by(_T.status)).all()
    counts = {MAIL_PENDING: 0, MAIL_FAILED: 0}
    counts.update({status: int(count) for status, count in rows})
    return counts


def retry_failed(session: Session, *, ids: list[int] | None = None) -> int:
    """Put given-up emails (all, or these ids) back in the queue, due now, with a fresh count
    of tries and a fresh age (`created`, from which MAIL_MAX_AGE_HOURS counts); returns how
    many. A drain is kicked after the commit."""
    now = utcnow()
    statement = (
        update(table_of(MailOutbox))
        .where(_T.status == MAIL_FAILED)
        .values(
            status=MAIL_PENDING,
            attempts=0,
            created=now,
            next_attempt_at=now,
            claim=None,
            claimed_until=None,
        )
    )
    if ids is not None:
        statement = statement.where(_T.id.in_(ids))
    count = session.exec(statement).rowcount or 0
    if count:
        engine = engine_of(session)
        defer(session, lambda: kick(engine))
    return count
