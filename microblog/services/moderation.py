"""The moderators' tools: the reports queue, actions on posts and accounts, and the audit log.

Moderators are the administrators (`User.is_admin` or an address in ADMINS:
services/announcements.py `is_admin`) and the accounts granted the role (`User.is_moderator`,
`python -m microblog user moderator grant|revoke`). Every function that acts checks the role
itself (`require_moderator`), so the API, a page or the CLI cannot skip it.

Every action is one row of the audit log (`moderation_action`: who, what, to whom, when, why);
an undo (unhide, unlimit, unsuspend) is an action of its own, so the log is never rewritten.
Acting on a report resolves it (its outcome is the action) and tells the reporter.

- hide: the post is gone for everyone but its author (services/visibility.py), who is told;
- limit: the account's posts stay out of Explore, tags and search for those not following it;
- suspend: the account cannot log in, its sessions and API tokens end, its posts are gone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Row, Select, func, or_, select
from sqlmodel import Session

from microblog.i18n import _l
from microblog.live.events import (
    ACCOUNT_SUSPENDED,
    HIDDEN,
    LiveEvent,
    post_changed,
    publish_after_commit,
)
from microblog.models import (
    REPORT_COMMENT_MAX,
    HiddenPost,
    ModerationAction,
    Post,
    Report,
    User,
    row_id,
    table_of,
    utcnow,
)
from microblog.schemas import ModerationActionRow, Page, PostRow, ReportRow, avatar_url, iso_utc
from microblog.services import announcements, api_tokens, auth_sessions, notifications, safety
from microblog.services.errors import Conflict, Forbidden, Invalid, NotFound
from microblog.services.pagination import make_page, page_window
from microblog.services.post_rows import cards_by_id
from microblog.services.text import require_storable
from microblog.services.users import get_user

ACTIONS = (
    "dismiss",
    "hide",
    "unhide",
    "limit",
    "unlimit",
    "suspend",
    "unsuspend",
    "grant_moderator",
    "revoke_moderator",
    "reopen",
)
# The undo of each action a moderator takes from the queue.
UNDO = {"dismiss": "reopen", "hide": "unhide", "limit": "unlimit", "suspend": "unsuspend"}
USER_CHANGED_BY_MODERATION = "moderation"

_REPORT = table_of(Report).c
_ACTION = table_of(ModerationAction).c
_POST = table_of(Post).c


def is_moderator(user: User) -> bool:
    """An administrator, or an account granted the moderator role."""
    return user.is_moderator or announcements.is_admin(user)


def require_moderator(session: Session, *, user_id: int) -> User:
    """The moderator acting; Forbidden for anyone else."""
    user = session.get(User, user_id)
    if user is None or not is_moderator(user):
        raise Forbidden(_l("Only moderators can do this."))
    return user


def _reason(reason: str) -> str:
    require_storable(reason=reason or "")
    reason = (reason or "").strip()
    if len(reason) > REPORT_COMMENT_MAX:
        raise Invalid(
            {"reason": _l("A reason can have at most %(max)d characters.", max=REPORT_COMMENT_MAX)}
        )
    return reason


def _record(
    session: Session,
    *,
    moderator_id: int | None,
    action: str,
    target_user_id: int | None,
    post_id: int | None = None,
    report_id: int | None = None,
    reason: str = "",
    resolves: bool = True,
) -> ModerationAction:
    if (
        report_id is not None and resolves
    ):  # first: a resolved report refuses before anything is written
        _resolve(session, report_id=report_id, outcome=action, resolver_id=moderator_id)
    row = ModerationAction(
        moderator_id=moderator_id,
        action=action,
        target_user_id=target_user_id,
        post_id=post_id,
        report_id=report_id,
        reason=reason,
    )
    session.add(row)
    session.flush()
    publish_after_commit(session, LiveEvent(safety.REPORTS_CHANGED, ref_id=report_id or 0))
    return row


def _resolve(session: Session, *, report_id: int, outcome: str, resolver_id: int | None) -> None:
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound(_l("No such report."))
    if report.status != "open":
        raise Conflict(_l("This report is already resolved."))
    report.status = "resolved"
    report.outcome = outcome
    report.resolved_at = utcnow()
    report.resolver_id = resolver_id
    session.add(report)
    # The reporter learns the outcome: closed without action, or acted on.
    kind = notifications.REPORT_RESOLVED if outcome == "dismiss" else notifications.REPORT_ACTIONED
    notifications.notify(session, user_id=report.reporter_id, kind=kind)


def _target(session: Session, moderator: User, user_id: int) -> User:
    """The account to act on: not oneself, and not another moderator unless the actor is an
    administrator."""
    target = get_user(session, user_id)
    if target.id == moderator.id:
        raise Forbidden(_l("You cannot moderate your own account."))
    if is_moderator(target) and not announcements.is_admin(moderator):
        raise Forbidden(_l("Only an administrator can act on another moderator."))
    return target


def dismiss_report(
    session: Session, *, moderator_id: int, report_id: int, reason: str = ""
) -> ModerationAction:
    """Close a report with no action (the reporter is told it was reviewed)."""
    require_moderator(session, user_id=moderator_id)
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound(_l("No such report."))
    return _record(
        session,
        moderator_id=moderator_id,
        action="dismiss",
        target_user_id=report.target_user_id,
        post_id=report.post_id,
        report_id=report_id,
        reason=_reason(reason),
    )


def reopen_report(
    session: Session, *, moderator_id: int, report_id: int, reason: str = ""
) -> ModerationAction:
    """Undo a dismissal: the report is open again, back in the queue."""
    require_moderator(session, user_id=moderator_id)
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound(_l("No such report."))
    if report.status == "open":
        raise Conflict(_l("This report is already open."))
    report.status, report.outcome, report.resolved_at, report.resolver_id = "open", None, None, None
    session.add(report)
    return _record(
        session,
        moderator_id=moderator_id,
        action="reopen",
        target_user_id=report.target_user_id,
        post_id=report.post_id,
        report_id=report_id,
        reason=_reason(reason),
        resolves=False,
    )


def hide_post(
    session: Session,
    *,
    moderator_id: int,
    post_id: int,
    reason: str,
    report_id: int | None = None,
) -> ModerationAction:
    """Hide a post (a boost's id hides the boosted post) from everyone but its author, who is
    told. Open pages showing it re-read its card, which is then gone."""
    moderator = require_moderator(session, user_id=moderator_id)
    post = session.get(Post, post_id)
    if post is not None and post.boost_of_id is not None:
        post = session.get(Post, post.boost_of_id)
    if post is None:
        raise NotFound(_l("No such post."))
    shown_id = row_id(post)
    _target(session, moderator, post.user_id)
    if session.get(HiddenPost, shown_id) is not None:
        raise Conflict(_l("This post is already hidden."))
    reason = _reason(reason)
    session.add(
        HiddenPost(
            post_id=shown_id, author_id=post.user_id, reason=reason, moderator_id=moderator_id
        )
    )
    notifications.notify(
        session, user_id=post.user_id, kind=notifications.POST_HIDDEN, post_id=shown_id
    )
    publish_after_commit(session, post_changed(shown_id, actor_id=moderator_id, change=HIDDEN))
    return _record(
        session,
        moderator_id=moderator_id,
        action="hide",
        target_user_id=post.user_id,
        post_id=shown_id,
        report_id=report_id,
        reason=reason,
    )


def unhide_post(
    session: Session, *, moderator_id: int, post_id: int, reason: str = ""
) -> ModerationAction:
    """Undo `hide_post`: the post is back where it was."""
    require_moderator(session, user_id=moderator_id)
    hidden = session.get(HiddenPost, post_id)
    if hidden is None:
        raise NotFound(_l("This post is not hidden."))
    author_id = hidden.author_id
    session.delete(hidden)
    for event in restored_events(session, post_id=post_id, actor_id=moderator_id):
        publish_after_commit(session, event)
    return _record(
        session,
        moderator_id=moderator_id,
        action="unhide",
        target_user_id=author_id,
        post_id=post_id,
        reason=_reason(reason),
    )


def restored_events(session: Session, *, post_id: int, actor_id: int) -> list[LiveEvent]:
    """What makes a post that comes back (unhidden) reappear on open pages, as a hide made it
    go: its own `POST_CHANGED`, marked restored with its newest feed entry (itself or its
    latest boost, one probe of `uq_post_boost_of_user`), so the feeds whose window reaches it
    re-read their page; and its parent's, so the open threads that show the parent re-read
    (as a new reply reaches them)."""
    newest = session.execute(
        select(func.max(_POST.id)).where(_POST.boost_of_id == post_id)
    ).scalar()
    events = [post_changed(post_id, actor_id=actor_id, restored=max(post_id, newest or 0))]
    post = session.get(Post, post_id)
    if post is not None and post.reply_to_id:
        events.append(post_changed(post.reply_to_id, actor_id=actor_id))
    return events


def hidden_reason(session: Session, *, post_id: int) -> str | None:
    """Why a post was hidden (what its author is shown), or None when it is not."""
    hidden = session.get(HiddenPost, post_id)
    return None if hidden is None else hidden.reason


def _set_flag(
    session: Session,
    *,
    moderator_id: int,
    user_id: int,
    flag: str,
    value: bool,
    action: str,
    reason: str,
    report_id: int | None,
) -> ModerationAction:
    moderator = require_moderator(session, user_id=moderator_id)
    target = _target(session, moderator, user_id)
    if getattr(target, flag) == value:
        raise Conflict(_l("Nothing to change: the account is already so."))
    setattr(target, flag, value)
    session.add(target)
    session.flush()
    return _record(
        session,
        moderator_id=moderator_id,
        action=action,
        target_user_id=user_id,
        report_id=report_id,
        reason=_reason(reason),
    )


def limit_account(
    session: Session,
    *,
    moderator_id: int,
    user_id: int,
    reason: str = "",
    report_id: int | None = None,
) -> ModerationAction:
    """Keep the account's posts out of Explore, tags and search for non-followers."""
    return _set_flag(
        session,
        moderator_id=moderator_id,
        user_id=user_id,
        flag="limited",
        value=True,
        action="limit",
        reason=reason,
        report_id=report_id,
    )


def unlimit_account(
    session: Session, *, moderator_id: int, user_id: int, reason: str = ""
) -> ModerationAction:
    return _set_flag(
        session,
        moderator_id=moderator_id,
        user_id=user_id,
        flag="limited",
        value=False,
        action="unlimit",
        reason=reason,
        report_id=None,
    )


def suspend_account(
    session: Session,
    *,
    moderator_id: int,
    user_id: int,
    reason: str = "",
    report_id: int | None = None,
) -> ModerationAction:
    """Suspend the account: no more logins, every session (its open tabs are emptied live) and
    API token ends, and its posts are gone for everyone (services/visibility.py)."""
    action = _set_flag(
        session,
        moderator_id=moderator_id,
        user_id=user_id,
        flag="suspended",
        value=True,
        action="suspend",
        reason=reason,
        report_id=report_id,
    )
    auth_sessions.end_all_sessions(session, user_id=user_id)
    api_tokens.revoke_all_tokens(session, user_id=user_id)
    target = get_user(session, user_id)
    publish_after_commit(
        session,
        # The name too: open pages drop the boosts they show by it ("boosted by NAME").
        LiveEvent(ACCOUNT_SUSPENDED, author_id=user_id, extra={"username": target.username}),
    )
    return action


def unsuspend_account(
    session: Session, *, moderator_id: int, user_id: int, reason: str = ""
) -> ModerationAction:
    """Lift a suspension: the account may log in again (no session comes back), and its posts
    come back on the open pages whose window reaches its newest entry (`returned_events`)."""
    action = _set_flag(
        session,
        moderator_id=moderator_id,
        user_id=user_id,
        flag="suspended",
        value=False,
        action="unsuspend",
        reason=reason,
        report_id=None,
    )
    for event in returned_events(session, user_id=user_id, actor_id=moderator_id):
        publish_after_commit(session, event)
    return action


def returned_events(session: Session, *, user_id: int, actor_id: int) -> list[LiveEvent]:
    """What brings an account's posts back on open pages after a suspension is lifted: the
    restored `POST_CHANGED` of its newest post, carrying its newest feed entry (that post or a
    later boost by it), so every open feed whose window reaches that entry re-reads its page
    (which then holds all of the account's entries in it). Pages further back get them at their
    next read. Two probes of the (user_id, timestamp, id) index; none for an account with no
    post."""
    newest_entry = session.execute(
        select(_POST.id)
        .where(_POST.user_id == user_id)
        .order_by(_POST.timestamp.desc(), _POST.id.desc())
        .limit(1)
    ).scalar()
    newest_post = session.execute(
        select(_POST.id)
        .where(_POST.user_id == user_id, _POST.boost_of_id.is_(None))
        .order_by(_POST.timestamp.desc(), _POST.id.desc())
        .limit(1)
    ).scalar()
    if newest_entry is None:
        return []
    shown = newest_post if newest_post is not None else newest_entry
    return [post_changed(shown, actor_id=actor_id, restored=max(shown, newest_entry))]


def set_moderator(
    session: Session, *, user_id: int, moderator: bool, granted_by: int | None = None
) -> User:
    """Grant or revoke the moderator role (the CLI, or an administrator: `granted_by` must then
    be one). Recorded in the audit log."""
    if granted_by is not None:
        actor = session.get(User, granted_by)
        if actor is None or not announcements.is_admin(actor):
            raise Forbidden(_l("Only an administrator can grant or revoke the moderator role."))
    user = get_user(session, user_id)
    user.is_moderator = moderator
    session.add(user)
    session.flush()
    _record(
        session,
        moderator_id=granted_by,
        action="grant_moderator" if moderator else "revoke_moderator",
        target_user_id=user_id,
    )
    return user


_REPORTER = table_of(User).alias("reporter").c
_TARGET = table_of(User).alias("target").c
_RESOLVER = table_of(User).alias("resolver").c


def _report_rows(statement: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    return (
        statement.join(_REPORTER.id.table, _REPORTER.id == _REPORT.reporter_id)
        .join(_TARGET.id.table, _TARGET.id == _REPORT.target_user_id)
        .outerjoin(_RESOLVER.id.table, _RESOLVER.id == _REPORT.resolver_id)
    )


_REPORT_COLUMNS = (
    _REPORT.id,
    _REPORTER.username,
    _TARGET.username,
    _REPORT.target_user_id,
    _REPORT.post_id,
    _REPORT.reason,
    _REPORT.comment,
    _REPORT.status,
    _REPORT.outcome,
    _REPORT.created,
    _REPORT.resolved_at,
    _RESOLVER.username,
)


def _to_report(row: Row[*tuple[Any, ...]]) -> ReportRow:
    (rid, reporter, target, target_id, post_id, reason, comment, status) = row[:8]
    outcome, created, resolved_at, resolver = row[8:]
    return ReportRow(
        id=rid,
        reporter=reporter,
        target=target,
        target_id=target_id,
        post_id=post_id,
        reason=reason,
        comment=comment,
        status=status,
        outcome=outcome or "",
        created=iso_utc(created),
        resolved_at=iso_utc(resolved_at) if resolved_at else "",
        resolver=resolver or "",
    )


def list_open_reports(
    session: Session, *, moderator_id: int, page: int, per_page: int
) -> Page[ReportRow]:
    """The queue: open reports, oldest first (the partial index `ix_report_open`)."""
    require_moderator(session, user_id=moderator_id)
    offset, limit = page_window(page, per_page)
    statement = _report_rows(select(*_REPORT_COLUMNS).select_from(table_of(Report)))
    rows = session.execute(
        statement.where(_REPORT.status == "open").order_by(_REPORT.id).offset(offset).limit(limit)
    ).all()
    return make_page(rows, page=page, per_page=per_page, to_item=_to_report)


def open_reports_after(
    session: Session, *, moderator_id: int, after_id: int | None, per_page: int
) -> tuple[list[ReportRow], int | None]:
    """A page of the queue by keyset: the open reports made after report `after_id` (None:
    from the oldest), oldest first, and the cursor of the next page (None: this is the last).
    Reads `per_page + 1` rows of the partial index `ix_report_open`; never a COUNT or OFFSET."""
    require_moderator(session, user_id=moderator_id)
    statement = _report_rows(select(*_REPORT_COLUMNS).select_from(table_of(Report)))
    statement = statement.where(_REPORT.status == "open")
    if after_id is not None:
        statement = statement.where(_REPORT.id > after_id)
    rows = session.execute(statement.order_by(_REPORT.id).limit(per_page + 1)).all()
    items = [_to_report(row) for row in rows[:per_page]]
    more = len(rows) > per_page and bool(items)
    return items, (items[-1].id if more else None)


def account_reports(
    session: Session, *, moderator_id: int, user_id: int, limit: int = 50
) -> list[ReportRow]:
    """An account's history of reports, newest first (`ix_report_target`)."""
    require_moderator(session, user_id=moderator_id)
    statement = _report_rows(select(*_REPORT_COLUMNS).select_from(table_of(Report)))
    rows = session.execute(
        statement.where(_REPORT.target_user_id == user_id).order_by(_REPORT.id.desc()).limit(limit)
    )
    return [_to_report(row) for row in rows]


_MODERATOR = table_of(User).alias("moderator").c
_ACTED_ON = table_of(User).alias("acted_on").c


def _audit_statement(target_user_id: int | None) -> Select[*tuple[Any, ...]]:
    statement = (
        select(
            _ACTION.id,
            _MODERATOR.username,
            _ACTION.action,
            _ACTED_ON.username,
            _ACTION.post_id,
            _ACTION.report_id,
            _ACTION.reason,
            _ACTION.created,
            _ACTION.target_user_id,
        )
        .select_from(table_of(ModerationAction))
        .outerjoin(_MODERATOR.id.table, _MODERATOR.id == _ACTION.moderator_id)
        .outerjoin(_ACTED_ON.id.table, _ACTED_ON.id == _ACTION.target_user_id)
    )
    if target_user_id is not None:
        statement = statement.where(_ACTION.target_user_id == target_user_id)
    return statement.order_by(_ACTION.id.desc())


def _audit_line(row: Row[*tuple[Any, ...]]) -> ModerationActionRow:
    aid, moderator, action, target, post_id, report_id, reason, created, target_id = row
    return ModerationActionRow(
        id=aid,
        moderator=moderator or "",
        action=action,
        target=target or "",
        post_id=post_id,
        report_id=report_id,
        reason=reason,
        created=iso_utc(created),
        target_id=target_id or 0,
    )


# What each undo is keyed on: the report dismissed, the post hidden, the account limited or
# suspended.
_UNDO_KEY = {
    "reopen": "report_id",
    "unhide": "post_id",
    "unlimit": "target_user_id",
    "unsuspend": "target_user_id",
}


def _undo_key(line: ModerationActionRow) -> int:
    """What the undo of `line` is keyed on (`_UNDO_KEY`)."""
    column = _UNDO_KEY[UNDO[line.action]]
    if column == "report_id":
        return line.report_id or 0
    return (line.post_id or 0) if column == "post_id" else line.target_id


def _mark_undone(session: Session, lines: list[ModerationActionRow]) -> list[ModerationActionRow]:
    """Mark the lines a later line undid (an unhide after a hide of the same post, ...): one
    read of the undo lines newer than the page's oldest undoable one, on the primary key."""
    undoable = [line for line in lines if line.action in UNDO]
    if not undoable:
        return lines
    kinds = {UNDO[line.action] for line in undoable}
    keys: dict[str, set[int]] = {}
    for line in undoable:
        keys.setdefault(_UNDO_KEY[UNDO[line.action]], set()).add(_undo_key(line))
    wanted = [getattr(_ACTION, column).in_(ids - {0}) for column, ids in keys.items() if ids - {0}]
    if not wanted:
        return lines
    found = session.execute(
        select(
            _ACTION.id, _ACTION.action, _ACTION.report_id, _ACTION.post_id, _ACTION.target_user_id
        ).where(
            _ACTION.id > min(line.id for line in undoable),
            _ACTION.action.in_(kinds),
            or_(*wanted),
        )
    ).all()
    # (undo kind, key) -> the newest undo of it
    latest: dict[tuple[str, int], int] = {}
    for aid, action, report_id, post_id, target_id in found:
        column = _UNDO_KEY[action]
        key = report_id if column == "report_id" else post_id if column == "post_id" else target_id
        key = key or 0
        latest[(action, key)] = max(aid, latest.get((action, key), 0))

    def undone(line: ModerationActionRow) -> bool:
        undo = UNDO.get(line.action)
        return undo is not None and latest.get((undo, _undo_key(line)), 0) > line.id

    return [replace(line, undone=True) if undone(line) else line for line in lines]


def audit_log(
    session: Session,
    *,
    moderator_id: int,
    page: int,
    per_page: int,
    target_user_id: int | None = None,
) -> Page[ModerationActionRow]:
    """The audit log, newest first; one account's when `target_user_id` is given."""
    require_moderator(session, user_id=moderator_id)
    offset, limit = page_window(page, per_page)
    statement = _audit_statement(target_user_id).offset(offset).limit(limit)
    rows = session.execute(statement).all()
    found = make_page(rows, page=page, per_page=per_page, to_item=_audit_line)
    return replace(found, items=_mark_undone(session, list(found.items)))


def audit_log_before(
    session: Session,
    *,
    moderator_id: int,
    before_id: int | None,
    per_page: int,
    target_user_id: int | None = None,
) -> tuple[list[ModerationActionRow], int | None]:
    """A page of the audit log by keyset: the actions older than `before_id` (None: the
    newest), newest first, and the cursor of the next page (None: this is the last). Reads
    `per_page + 1` rows down the primary key; never a COUNT, never an OFFSET."""
    require_moderator(session, user_id=moderator_id)
    statement = _audit_statement(target_user_id)
    if before_id is not None:
        statement = statement.where(_ACTION.id < before_id)
    rows = session.execute(statement.limit(per_page + 1)).all()
    lines = _mark_undone(session, [_audit_line(row) for row in rows[:per_page]])
    more = len(rows) > per_page and bool(lines)
    return lines, (lines[-1].id if more else None)


@dataclass(frozen=True)
class AccountFacts:
    """The account a report is about, as a moderator sees it (no email address)."""

    id: int
    username: str
    avatar: str
    about_me: str
    created: str
    limited: bool
    suspended: bool
    moderator: bool


@dataclass(frozen=True)
class ReportContext:
    """What a moderator reads to decide on one report: the report, the post as a card (None
    for an account's report, or when the post is gone), whether the post is hidden, the
    account, and its history of reports (this one included)."""

    report: ReportRow
    post: PostRow | None
    post_hidden: bool
    account: AccountFacts
    history: list[ReportRow]


def report_context(session: Session, *, moderator_id: int, report_id: int) -> ReportContext:
    """One report in context (a handful of primary-key and index reads)."""
    require_moderator(session, user_id=moderator_id)
    statement = _report_rows(select(*_REPORT_COLUMNS).select_from(table_of(Report)))
    row = session.execute(statement.where(_REPORT.id == report_id)).first()
    if row is None:
        raise NotFound(_l("No such report."))
    report = _to_report(row)
    target = get_user(session, report.target_id)
    card = None
    if report.post_id is not None:
        # As its author sees it, so a moderator sees a post that is hidden or whose author is
        # suspended too (the card is drawn on the moderation page only).
        card = cards_by_id(session, [report.post_id], viewer_id=target.id or 0).get(report.post_id)
    return ReportContext(
        report=report,
        post=card,
        post_hidden=report.post_id is not None
        and session.get(HiddenPost, report.post_id) is not None,
        account=AccountFacts(
            id=row_id(target),
            username=target.username,
            avatar=avatar_url(target.email, 48, picture=target.avatar),
            about_me=target.about_me or "",
            created=iso_utc(target.created),
            limited=target.limited,
            suspended=target.suspended,
            moderator=is_moderator(target),
        ),
        history=account_reports(session, moderator_id=moderator_id, user_id=report.target_id),
    )


def list_moderators(session: Session, *, admin_id: int, limit: int = 200) -> list[str]:
    """The names of the accounts granted the moderator role (administrators are moderators
    by being administrators), for an administrator."""
    actor = session.get(User, admin_id)
    if actor is None or not announcements.is_admin(actor):
        raise Forbidden(_l("Only an administrator can grant or revoke the moderator role."))
    rows = session.execute(
        select(table_of(User).c.username)
        .where(table_of(User).c.is_moderator)
        .order_by(table_of(User).c.username)
        .limit(limit)
    )
    return [name for (name,) in rows]
