"""The events services publish, and the after-commit hook that publishes them.

An event names who is affected and which ids changed, never the content: the receiving tab
re-reads what it shows from the database for its own user, so an event cannot leak or forge
anything. Services call `publish_after_commit(session, event)`; the event leaves only when the
transaction commits, so a receiver that re-reads at once sees the new rows, and a rolled-back
transaction announces nothing.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, replace

from sqlalchemy.orm import Session

from microblog.after_commit import defer

# Kinds of events.
INBOX = "inbox"  # a user's messages or notifications changed (unread badges, lists)
# Conversations changed: message `ref_id` went from `author_id` to the other user named, or
# (`ref_id` 0) the one user named read a conversation.
MESSAGES = "messages"
NEW_POST = "new_post"  # `author_id` posted: home feeds of followers, explore for everyone
ANNOUNCEMENT = "announcement"  # a site-wide banner appeared
TASK = "task"  # a background task of a user made progress (the export issue)
SESSIONS_ENDED = "sessions_ended"  # login sessions ended: their open tabs are emptied
# A post's text, counters or existence changed (`ref_id`): pages showing it re-read its card.
POST_CHANGED = "post_changed"
# A user's face changed (`author_id`: their picture, uploaded or removed): open pages that draw
# it (their own navbar, cards of their posts, their profile) draw the new one.
USER_CHANGED = "user_changed"
# A moderator suspended `author_id`: open pages listing their posts drop them.
ACCOUNT_SUSPENDED = "account_suspended"
# API or Mastodon-client tokens of the users named were revoked: their open streams
# (microblog/mastodon/streaming.py) check their token again.
TOKENS_REVOKED = "tokens_revoked"

# What a POST_CHANGED says changed beyond counters (`extra["change"]`), for the Mastodon
# streams, which tell clients of edits and removals but not of every like.
EDITED = "edited"
DELETED = "deleted"
HIDDEN = "hidden"


@dataclass(frozen=True)
class LiveEvent:
    kind: str
    user_ids: tuple[int, ...] = ()  # who is affected; empty means everyone
    author_id: int = 0
    ref_id: int = 0  # the id of the row that changed (message, post, task…), for receivers
    extra: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    # When it was published (Unix time; 0: not yet), so a delivery can tell how late it is
    # (the live-delivery latency metric).
    published: float = field(default=0.0, hash=False, compare=False)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str | bytes) -> LiveEvent:
        """Parse an event from the wire; anything malformed raises ValueError."""
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("a live event is a JSON object")
        data["user_ids"] = tuple(int(u) for u in data.get("user_ids", ()))
        return cls(**data)

    def concerns(self, user_id: int) -> bool:
        return not self.user_ids or user_id in self.user_ids


def sessions_ended(*, keys: tuple[str, ...] = (), user_id: int = 0, keep: str = "") -> LiveEvent:
    """Sessions that ended: the listed ones (`keys`, token hashes), or every session of
    `user_id` but `keep`. Token hashes are what the database stores, not the cookies' tokens."""
    extra = {"keys": ",".join(keys)} if keys else {"keep": keep}
    return LiveEvent(kind=SESSIONS_ENDED, user_ids=(user_id,) if user_id else (), extra=extra)


def post_changed(
    post_id: int, *, actor_id: int = 0, gone: int = 0, change: str = "", restored: int = 0
) -> LiveEvent:
    """Post `post_id`'s text, counters or existence changed, by `actor_id`'s doing; `gone` is a
    feed entry (a boost of it) that no longer exists; `change` is EDITED, DELETED or HIDDEN
    when that is what happened. Pages showing the post re-read its card once for all their
    tabs; the actor's own tabs read theirs (their "liked" may have changed).
    `restored`: the post is back (a moderator unhid it) and its newest feed entry (itself or
    its latest boost) is this id: the pages whose window may reach it re-read their page."""
    extra = {"gone": str(gone)} if gone else {}
    if change:
        extra["change"] = change
    if restored:
        extra["restored"] = str(restored)
    return LiveEvent(kind=POST_CHANGED, author_id=actor_id, ref_id=post_id, extra=extra)


def tokens_revoked(user_id: int) -> LiveEvent:
    return LiveEvent(kind=TOKENS_REVOKED, user_ids=(user_id,))


def user_changed(user_id: int) -> LiveEvent:
    """Everyone's tabs may show this user's face: the event names nobody, and each
    subscription keeps the tabs that draw it (their own, or listing their posts)."""
    return LiveEvent(kind=USER_CHANGED, author_id=user_id)


def publish_after_commit(session: Session, event: LiveEvent) -> None:
    """Publish `event` when (and only if) the session's outermost transaction commits."""

    def publish() -> None:
        from microblog.live.hub import get_hub  # the hub is chosen from config at first use

        get_hub().publish(replace(event, published=time.time()))

    defer(session, publish)
