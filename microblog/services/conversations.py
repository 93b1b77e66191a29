"""Conversations: a user's private messages with each other person, and which are unread.

The Messages page lists `Conversation` rows (one per person written with, kept by
`record_message` in each message's own transaction), newest first, in one statement on
(owner_id, last_message_id): no grouping over the reader's messages. A conversation's messages
are read newest first from the pair index (sender_id, recipient_id, id), once in each
direction, merged: two short index ranges, whatever the size of either inbox.

Unread messages (the navbar badge says how many):

- A message is unread for its recipient until they read their conversation with its sender: its
  page (`/messages/<sender>`), the API's `GET /api/conversations/<sender>` (the newest page), or
  "Mark all as read". Listing the conversations reads none of them.
- Each of the recipient's conversations counts its unread messages (`Conversation.unread`, one
  more per message received). Reading sets it back to 0, unless a message newer than what was
  shown has arrived meanwhile: a message is never marked read unseen (the open page's live
  update reads again and marks it then).
- The badge is the sum over the user's conversations with unread messages (a partial index
  holds just those), capped like every badge.

This replaces the user's single message read marker (`read_markers.py`, which notifications
keep): one marker cannot say "read this conversation, not that one".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, case, func, literal_column, union_all, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from microblog.i18n import _l
from microblog.live.events import INBOX, MESSAGES, LiveEvent, publish_after_commit
from microblog.models import Conversation, Message, User, row_id, table_of
from microblog.routes import conversation_url
from microblog.schemas import ConversationRow, MessageRow, Page, UserPublic, avatar_url, iso_utc
from microblog.services.errors import Invalid
from microblog.services.pagination import make_page, page_window
from microblog.services.read_markers import UNREAD_CAP
from microblog.services.users import get_user_by_username

_C = table_of(Conversation).c
_M = table_of(Message).c
_U = table_of(User).c
# A literal, not a bound parameter: the planner then knows the partial index
# `ix_conversation_owner_unread` (WHERE unread > 0) holds every row the query wants.
_HAS_UNREAD = _C.unread > literal_column("0")


@dataclass(frozen=True)
class ConversationView:
    """A conversation as its reader opens it: who with, and a page of messages newest first."""

    other: UserPublic
    messages: Page[MessageRow]


# -- writing ---------------------------------------------------------------------------------


def record_message(session: Session, *, message: Message) -> None:
    """Point both people's conversation rows at `message` (creating them on a first message)
    and count it unread on the recipient's; tell both sides' open pages after the commit.

    One upsert for the two rows, in a fixed order (so two people writing to each other at the
    same moment lock the rows in the same order, and neither waits on the other for ever); a
    concurrent message on the same pair waits for the row lock, and the newer id wins."""
    sender, recipient, message_id = message.sender_id, message.recipient_id, row_id(message)
    sides = sorted(
        [
            {"owner_id": sender, "other_id": recipient, "last_message_id": message_id, "unread": 0},
            {"owner_id": recipient, "other_id": sender, "last_message_id": message_id, "unread": 1},
        ],
        key=lambda side: (side["owner_id"], side["other_id"]),
    )
    statement = _insert(session, table_of(Conversation)).values(sides)
    newer = statement.excluded.last_message_id > _C.last_message_id
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[_C.owner_id, _C.other_id],
            set_={
                "last_message_id": case(
                    (newer, statement.excluded.last_message_id), else_=_C.last_message_id
                ),
                "unread": _C.unread + statement.excluded.unread,
            },
        )
    )
    publish_after_commit(
        session,
        LiveEvent(MESSAGES, user_ids=(sender, recipient), author_id=sender, ref_id=message_id),
    )


def _insert(session: Session, table: Table) -> postgresql.Insert | sqlite.Insert:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert(table)
    return sqlite_insert(table)


def mark_conversation_read(
    session: Session, *, user_id: int, other_id: int, seen_up_to: int
) -> bool:
    """The reader has seen their conversation with `other_id` up to message `seen_up_to`: it
    has no unread messages any more, unless a newer message arrived meanwhile (then it keeps
    its count until that one is seen). True if this changed anything; the reader's open tabs
    then update their badge and list after the commit."""
    result = session.exec(
        update(Conversation)
        .where(_C.owner_id == user_id, _C.other_id == other_id, _HAS_UNREAD)
        .where(_C.last_message_id <= seen_up_to)
        .values(unread=0),
        execution_options={"preserve_rowcount": True},
    )
    changed = bool(result.rowcount)
    if changed:
        _tell_reader(session, user_id)
    return changed


def mark_all_read(session: Session, *, user_id: int) -> int:
    """Every conversation of the reader read ("Mark all as read"); returns how many were
    unread."""
    result = session.exec(
        update(Conversation).where(_C.owner_id == user_id, _HAS_UNREAD).values(unread=0),
        execution_options={"preserve_rowcount": True},
    )
    if result.rowcount:
        _tell_reader(session, user_id)
    return int(result.rowcount or 0)


def _tell_reader(session: Session, user_id: int) -> None:
    """After the commit: the badge (INBOX) and the conversation list (MESSAGES) of the reader's
    open tabs."""
    publish_after_commit(session, LiveEvent(INBOX, user_ids=(user_id,)))
    publish_after_commit(session, LiveEvent(MESSAGES, user_ids=(user_id,)))


# -- reading ---------------------------------------------------------------------------------


def unread_message_count(session: Session, *, user_id: int) -> int:
    """Unread messages over all the user's conversations (the badge), from the partial index
    of conversations with unread messages; at most UNREAD_CAP + 1 of them are read, which is
    enough for the badge's "99+"."""
    some = (
        sa_select(_C.unread)
        .where(_C.owner_id == user_id, _HAS_UNREAD)
        .limit(UNREAD_CAP + 1)
        .subquery()
    )
    total = session.execute(sa_select(func.coalesce(func.sum(some.c.unread), 0))).scalar_one()
    return min(int(total), UNREAD_CAP + 1)


# A page of the reader's conversations, newest first: one range of the covering index
# (owner_id, last_message_id, other_id, unread), skipped rows included, and only then the other
# person and the newest message, two primary-key look-ups for each row of the page (a deep page
# does not pay them for the rows before it).
_PAGE = (
    sa_select(_C.other_id, _C.last_message_id, _C.unread)
    .where(_C.owner_id == bindparam("user_id"))
    .order_by(_C.last_message_id.desc())
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
    .subquery("page")
)
_LIST = (
    sa_select(
        _PAGE.c.other_id,
        _U.username,
        _U.email,
        _U.avatar,
        _PAGE.c.last_message_id,
        _M.body,
        _M.timestamp,
        _M.sender_id,
        _PAGE.c.unread,
    )
    .select_from(_PAGE)
    .join(table_of(User), _U.id == _PAGE.c.other_id)
    .join(table_of(Message), _M.id == _PAGE.c.last_message_id)
    .order_by(_PAGE.c.last_message_id.desc())
)


def list_conversations(
    session: Session, *, user_id: int, page: int, per_page: int
) -> Page[ConversationRow]:
    """The Messages page: one row per person the user has written with or heard from, the
    most recent conversation first. One statement; reads only (nothing is marked read)."""

    def row(found: Any) -> ConversationRow:
        other_id, username, email, picture, last_id, body, timestamp, sender_id, unread = found
        return ConversationRow(
            user_id=other_id,
            username=username,
            avatar=avatar_url(email, 48, picture=picture),
            href=conversation_url(username),
            last_message_id=last_id,
            last_body=body,
            last_timestamp=iso_utc(timestamp),
            last_mine=sender_id == user_id,
            unread=unread,
        )

    offset, limit = page_window(page, per_page)
    rows = session.execute(_LIST, {"user_id": user_id, "offset": offset, "limit": limit}).all()
    return make_page(rows, page=page, per_page=per_page, to_item=row)


def _one_way(sender_id: int, recipient_id: int, before_id: int | None, limit: int) -> Any:
    """The newest `limit` messages from `sender_id` to `recipient_id` (below `before_id`):
    one range of the pair index, newest first."""
    query = sa_select(_M.id, _M.body, _M.timestamp, _M.sender_id, _M.recipient_id).where(
        _M.sender_id == sender_id, _M.recipient_id == recipient_id
    )
    if before_id is not None:
        query = query.where(_M.id < before_id)
    return query.order_by(_M.id.desc()).limit(limit).subquery()


def conversation_messages(
    session: Session,
    *,
    user_id: int,
    other_id: int,
    page: int,
    per_page: int,
    before_id: int | None = None,
) -> Page[MessageRow]:
    """The messages between the two, newest first: a page of them, or with `before_id` the
    page of those older than that message ("Load earlier messages", which new messages arriving
    meanwhile do not shift). Each direction is read up to the page's end from the pair index,
    and the two short lists are merged."""
    offset, limit = page_window(page, per_page)
    mine = _one_way(user_id, other_id, before_id, offset + limit)
    theirs = _one_way(other_id, user_id, before_id, offset + limit)
    both = union_all(sa_select(mine), sa_select(theirs)).subquery()
    statement = sa_select(both).order_by(both.c.id.desc()).offset(offset).limit(limit)
    rows = session.execute(statement).all()

    def row(found: Any) -> MessageRow:
        return MessageRow.of_columns(*found, reader_id=user_id)

    return make_page(rows, page=page, per_page=per_page, to_item=row)


def correspondent(session: Session, *, user_id: int, username: str) -> User:
    """The person `user_id` writes to or reads messages from: anyone but themselves."""
    other = get_user_by_username(session, username)
    if other.id == user_id:
        raise Invalid({"message": _l("You cannot send a message to yourself.")})
    return other


def read_conversation(
    session: Session,
    *,
    user_id: int,
    other_username: str,
    page: int = 1,
    per_page: int,
    before_id: int | None = None,
    mark_read: bool = True,
) -> ConversationView:
    """A conversation as its reader opens it: the other person and a page of messages, newest
    first. Reading the newest page (page 1, nothing before) marks the conversation read up to
    what it shows; older pages change nothing, nor does `mark_read=False` (the server's first
    paint of the page, which the live page follows). Unknown user: NotFound; oneself:
    Invalid."""
    other = correspondent(session, user_id=user_id, username=other_username)
    other_id = row_id(other)
    listing = conversation_messages(
        session,
        user_id=user_id,
        other_id=other_id,
        page=page,
        per_page=per_page,
        before_id=before_id,
    )
    if mark_read and page == 1 and before_id is None and listing.items:
        mark_conversation_read(
            session, user_id=user_id, other_id=other_id, seen_up_to=listing.items[0].id
        )
    return ConversationView(other=UserPublic.of(other), messages=listing)


def get_message_row(session: Session, *, message_id: int) -> MessageRow | None:
    """One message, for the live update that shows it on both people's open pages (read once
    for all of them; each tab checks it belongs to its conversation and takes its own view
    with `MessageRow.for_reader`)."""
    found: Any = session.execute(
        sa_select(_M.id, _M.body, _M.timestamp, _M.sender_id, _M.recipient_id).where(
            _M.id == message_id
        )
    ).first()
    return MessageRow.of_columns(*found, reader_id=0) if found is not None else None
