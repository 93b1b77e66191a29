"""What one live event (microblog/live/events.py) means to one reader of the streaming API
(streaming.py): the Mastodon frames it becomes for the streams they subscribed to, read for
them with the same service functions and safety rules as their web pages.

- NEW_POST: `update` on `user` when the author is in the reader's home feed
  (`new_posts.readers_of_author`: follows, less mutes and blocks either way), on `public*` and
  on `hashtag` (the post's tags) as Explore and the tag pages list it: never a boost, never a
  post the reader may not see (`cards_by_id`: hidden posts, blocks, mutes, suspended and, for
  lists of strangers' posts, limited accounts).
- POST_CHANGED: `status.update` for an edit, on the streams that would carry the post;
  `delete` (the id) for a deleted post, an undone boost or, for all but its author, a post a
  moderator hid. A change of counters alone (a like) is not streamed, as on Mastodon.
- INBOX for the reader: `notification` for each Mastodon-typed notification newer than the
  last one streamed, on `user` and `user:notification` (notifications.py's entities).

Each function here runs in a worker thread with its own read-only session; nothing is kept per
reader but the streams and the last notification id.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session

from microblog.live import events as ev
from microblog.mastodon import present
from microblog.mastodon.notifications import KINDS, notification_entities
from microblog.schemas import PostRow
from microblog.services import new_posts, notifications
from microblog.services.post_rows import cards_by_id
from microblog.services.tags import normalise_tag, tags_of_post

USER = "user"
NOTIFICATIONS = "user:notification"
PUBLIC = ("public", "public:local", "public:media", "public:local:media")
REMOTE = ("public:remote", "public:remote:media")  # no other servers here: always quiet
HASHTAG = ("hashtag", "hashtag:local")
STREAMS = (USER, NOTIFICATIONS, *PUBLIC, *REMOTE, *HASHTAG)
ALL_KINDS = [kind for kinds in KINDS.values() for kind in kinds]
NEWEST_NOTIFICATIONS = 20  # notifications streamed for one INBOX event at most


class Refused(Exception):
    """A stream that cannot be opened: Mastodon's error message and HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Channel:
    """One subscribed stream: its name, and for a hashtag stream the tag (as asked, and as
    stored)."""

    name: str
    tag: str = ""
    key: str = ""

    @property
    def label(self) -> list[str]:
        """Mastodon's `stream` field of a frame."""
        return [self.name, self.tag] if self.tag else [self.name]

    @property
    def scope(self) -> str:
        """What a token needs (Mastodon: `read` or this sub-scope)."""
        return "read:notifications" if self.name == NOTIFICATIONS else "read:statuses"

    @property
    def needs_user(self) -> bool:
        return self.name in (USER, NOTIFICATIONS)


def channel(name: str, tag: str | None = None) -> Channel:
    """The stream `name` (with `tag` for a hashtag stream); Refused if there is no such one."""
    if name not in STREAMS:
        raise Refused(400, "Unknown stream type")
    if name not in HASHTAG:
        return Channel(name)
    key = normalise_tag(tag or "")
    if not tag or not key:
        raise Refused(400, "No tag for stream provided")
    return Channel(name, tag.lstrip("#"), key)


@dataclass(frozen=True)
class Frame:
    """One event on one stream: `payload` is the entity's JSON (a deleted status's id)."""

    stream: tuple[str, ...]
    event: str
    payload: str

    def websocket_text(self) -> str:
        return json.dumps(
            {"stream": list(self.stream), "event": self.event, "payload": self.payload}
        )

    def sse_text(self) -> str:
        return f"event: {self.event}\ndata: {self.payload}\n\n"


def _frames(channels: Iterable[Channel], event: str, payload: str) -> list[Frame]:
    return [Frame(tuple(c.label), event, payload) for c in channels]


def wants(event: ev.LiveEvent, viewer_id: int, channels: Iterable[Channel]) -> bool:
    """Whether `event` may mean anything to these streams: decided without the database, so
    the many events that do not (a like's counters, someone else's inbox) cost nothing."""
    names = {c.name for c in channels}
    if event.kind == ev.NEW_POST:
        return bool(names - {NOTIFICATIONS, *REMOTE})
    if event.kind == ev.POST_CHANGED:
        changed = event.extra.get("change") or ("gone" if event.extra.get("gone") else "")
        return bool(changed) and bool(names - {NOTIFICATIONS})
    if event.kind == ev.INBOX:
        return bool(viewer_id) and event.concerns(viewer_id) and bool(names & {USER, NOTIFICATIONS})
    return False


def newest_notification_id(db: Session, *, user_id: int) -> int:
    """Where a new user stream starts: notifications after this one are streamed."""
    page = notifications.list_notifications(
        db, user_id=user_id, page=1, per_page=1, kinds=ALL_KINDS
    )
    return page.items[0].id if page.items else 0


@dataclass
class Reader:
    """Who reads (0: nobody signed in), what they subscribed to, and how far their
    notifications have been streamed."""

    viewer_id: int
    channels: tuple[Channel, ...]
    last_notification: int = 0


def frames_for(db: Session, event: ev.LiveEvent, reader: Reader) -> list[Frame]:
    """The frames `event` becomes for `reader` (call when `wants` says so)."""
    if event.kind == ev.NEW_POST:
        return _new_post(db, event, reader)
    if event.kind == ev.POST_CHANGED:
        return _post_changed(db, event, reader)
    if event.kind == ev.INBOX:
        return _notifications(db, reader)
    return []


def _card(db: Session, entry_id: int, viewer_id: int, *, listed: bool) -> PostRow | None:
    return cards_by_id(db, [entry_id], viewer_id=viewer_id, listed=listed).get(entry_id)


def _in_home(db: Session, reader: Reader, author_id: int) -> bool:
    if not reader.viewer_id:
        return False
    candidates = {reader.viewer_id}
    return bool(new_posts.readers_of_author(db, author_id=author_id, candidates=candidates))


def _listing(db: Session, reader: Reader, card: PostRow) -> list[Channel]:
    """The public and hashtag streams that list `card` (an original post the reader may see
    in lists of strangers' posts), as Explore and the tag pages do."""
    found = [c for c in reader.channels if c.name in PUBLIC]
    if not card.media:
        found = [c for c in found if not c.name.endswith(":media")]
    tagged = [c for c in reader.channels if c.name in HASHTAG]
    if tagged:
        tags = tags_of_post(db, post_id=card.id)
        found += [c for c in tagged if c.key in tags]
    return found


def _status_frames(
    db: Session, reader: Reader, entry_id: int, author_id: int, kind: str
) -> list[Frame]:
    """`kind` (update, status.update) of entry `entry_id` on the streams that carry it."""
    home = [c for c in reader.channels if c.name == USER]
    if home and not _in_home(db, reader, author_id):
        home = []
    listing: list[Channel] = []
    listed = None
    if any(c.name in PUBLIC or c.name in HASHTAG for c in reader.channels):
        listed = _card(db, entry_id, reader.viewer_id, listed=True)
        if listed is not None and not listed.boosted_by:  # boosts are not listed publicly
            listing = _listing(db, reader, listed)
    if not home and not listing:
        return []
    # A card listed for strangers is one the reader may see: no second read for it.
    card = listed or _card(db, entry_id, reader.viewer_id, listed=False)
    if card is None:
        return []
    payload = json.dumps(present.status(db, card))
    return _frames([*home, *listing], kind, payload)


def _new_post(db: Session, event: ev.LiveEvent, reader: Reader) -> list[Frame]:
    entry = new_posts.announced_entry(db, author_id=event.author_id, post_id=event.ref_id)
    if entry is None:
        return []
    return _status_frames(db, reader, entry, event.author_id, "update")


def _post_changed(db: Session, event: ev.LiveEvent, reader: Reader) -> list[Frame]:
    streams = [c for c in reader.channels if c.name != NOTIFICATIONS]
    change = event.extra.get("change", "")
    gone = event.extra.get("gone", "")
    found = _frames(streams, "delete", gone) if gone else []
    if change == ev.DELETED:
        return found + _frames(streams, "delete", str(event.ref_id))
    if change == ev.HIDDEN:  # its author still sees it (with its notice)
        if _card(db, event.ref_id, reader.viewer_id, listed=False) is None:
            found += _frames(streams, "delete", str(event.ref_id))
        return found
    if change == ev.EDITED:
        card = _card(db, event.ref_id, reader.viewer_id, listed=False)
        if card is not None:
            found += _status_frames(db, reader, event.ref_id, card.author_id, "status.update")
    return found


def _notifications(db: Session, reader: Reader) -> list[Frame]:
    streams = [c for c in reader.channels if c.name in (USER, NOTIFICATIONS)]
    page = notifications.list_notifications(
        db,
        user_id=reader.viewer_id,
        page=1,
        per_page=NEWEST_NOTIFICATIONS,
        since_id=reader.last_notification,
        kinds=ALL_KINDS,
    )
    if not page.items:
        return []
    reader.last_notification = max(row.id for row in page.items)
    shown = notification_entities(db, list(reversed(page.items)), reader.viewer_id)
    return [
        frame for entity in shown for frame in _frames(streams, "notification", json.dumps(entity))
    ]
