"""What leaves the database. These rows go into Reflex state vars (and so to the browser) and API
responses: they never carry a password hash, a token, or another user's email address."""

from __future__ import annotations

import hashlib
import json
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Generic, TypeVar
from urllib.parse import urlsplit

from microblog.i18n import Message, _l, _ln, translate
from microblog.models import Announcement, MediaAttachment, Notification, Post, User
from microblog.routes import conversation_url
from microblog.services.media.store import get_store

T = TypeVar("T")


def gravatar_url(email: str, size: int) -> str:
    """Gravatar URL for an email, with the identicon fallback (the tutorial's format)."""
    digest = hashlib.md5(email.strip().lower().encode("utf-8")).hexdigest()  # noqa: S324
    return f"https://www.gravatar.com/avatar/{digest}?d=identicon&s={size}"


def link_domain(url: str) -> str:
    """The host a card names under its title ("example.com"), without a leading `www.`;
    international names as people read them, not in IDNA."""
    host = (urlsplit(url).hostname or "") if url else ""
    with suppress(UnicodeError):
        host = host.encode("ascii").decode("idna")
    return host.removeprefix("www.")


# An uploaded avatar is kept in two sizes (services/avatars.py): faces drawn this wide or less
# (cards, lists, the navbar) take the small file, the rest (a profile, the user card) the large.
AVATAR_SMALL_UP_TO = 48


def avatar_picture_url(picture: str, size: int) -> str:
    """The address of an uploaded avatar (`User.avatar`: the large file's name, a space, the
    small file's name; services/avatars.py) in the size that suits `size`, from the media
    store (the backend's /media, or a bucket or CDN)."""
    large, _, small = picture.partition(" ")
    return get_store().url(small if small and size <= AVATAR_SMALL_UP_TO else large)


def avatar_url(email: str, size: int, *, picture: str | None) -> str:
    """The picture to draw for a user, `size` pixels wide: the one they uploaded (`picture`,
    `User.avatar`) when they have, else their Gravatar. Every face on every page, in the API and
    in the server's first paint comes from here, so the rule is in one place; the page draws the
    initial under it, which shows when neither loads."""
    if picture:
        return avatar_picture_url(picture, size)
    return gravatar_url(email, size)


def iso_utc(value: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, which every browser parses as UTC."""
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class UserPublic:
    id: int
    username: str
    about_me: str
    last_seen: str
    member_since: str
    avatar: str
    avatar_small: str

    @classmethod
    def of(cls, user: User) -> UserPublic:
        return cls.of_columns(
            user.id or 0,
            user.username,
            user.email,
            user.about_me,
            user.last_seen,
            user.created,
            user.avatar,
        )

    @classmethod
    def of_columns(
        cls,
        user_id: int,
        username: str,
        email: str,
        about_me: str | None,
        last_seen: datetime,
        created: datetime,
        picture: str | None,
    ) -> UserPublic:
        """`of` for a row of plain columns (id, username, email, about me, last seen, created,
        avatar), without building a User first: lists of users read only these."""
        return cls(
            id=user_id,
            username=username,
            about_me=about_me or "",
            last_seen=iso_utc(last_seen),
            member_since=iso_utc(created),
            avatar=avatar_url(email, 128, picture=picture),
            avatar_small=avatar_url(email, 36, picture=picture),
        )


@dataclass(frozen=True)
class UserFace:
    """How a user is drawn, in each size the pages use: what a live update sends when their
    picture changes (USER_CHANGED), so every open page draws the new one."""

    user_id: int
    username: str
    card: str  # a post card's, a conversation's (48 px)
    small: str  # a list's, the navbar's (36 px)
    large: str  # a profile's (128 px)
    uploaded: bool  # the picture is one they uploaded (not their Gravatar)

    @classmethod
    def of(cls, user: User) -> UserFace:
        email, picture = user.email, user.avatar
        return cls(
            user_id=user.id or 0,
            username=user.username,
            card=avatar_url(email, 48, picture=picture),
            small=avatar_url(email, 36, picture=picture),
            large=avatar_url(email, 128, picture=picture),
            uploaded=bool(picture),
        )


@dataclass
class PostVersion:
    """One version of an edited post: its text from `written_at` until the next one."""

    body: str
    body_html: str
    written_at: str


@dataclass(frozen=True)
class MediaRow:
    """One picture of a post as a card shows it: the thumbnail in the grid (with `blurhash` as
    its placeholder, sized by `thumb_width`/`thumb_height`), the display file when opened, and
    its alt text (`description`)."""

    id: int
    url: str
    preview_url: str
    content_type: str
    width: int
    height: int
    thumb_width: int
    thumb_height: int
    blurhash: str
    description: str
    file_name: str = ""
    # The blurhash as a tiny image (a data: URL), drawn until the thumbnail loads.
    placeholder: str = ""

    @classmethod
    def of(cls, row: MediaAttachment) -> MediaRow:
        """An upload as its owner sees it (the compose box, `POST /api/media`)."""
        from microblog.services.media.store import get_store

        store = get_store()
        return cls(
            id=row.id or 0,
            url=store.url(row.file_name),
            preview_url=store.url(row.thumb_name),
            content_type=row.content_type,
            width=row.width,
            height=row.height,
            thumb_width=row.thumb_width,
            thumb_height=row.thumb_height,
            blurhash=row.blurhash,
            description=row.alt_text,
            file_name=row.file_name,
        )


def _media_url(name: str | None) -> str:
    """The address of a file of the media store (a link card's picture), or ""."""
    if not name:
        return ""
    from microblog.services.media.store import get_store

    return get_store().url(name)


def media_rows(media_json: str | None) -> tuple[MediaRow, ...]:
    """The pictures of a post from its stored copy (services/media/attachments.py), with the
    URLs of today's media store."""
    if not media_json:
        return ()
    from microblog.services.media.store import get_store

    store = get_store()
    return tuple(
        MediaRow(
            id=item["id"],
            url=store.url(item["f"]),
            preview_url=store.url(item["t"]),
            content_type=item["ct"],
            width=item["w"],
            height=item["h"],
            thumb_width=item["tw"],
            thumb_height=item["th"],
            blurhash=item["b"],
            description=item["a"],
            file_name=item["f"],
            placeholder=item.get("p", ""),
        )
        for item in json.loads(media_json)
    )


@dataclass
class PostRow:
    """A post as a card shows it. For a boost, `entry_id` is the boost (the feed's entry) and the
    rest is the post it shares, with `boosted_by` naming the booster; otherwise `entry_id` is
    `id`. `liked` and `boosted` are the reader's own (False for a visitor)."""

    id: int
    body: str
    timestamp: str
    language: str
    author_id: int
    author_username: str
    author_avatar: str
    entry_id: int = 0
    body_html: str = ""
    edited_at: str = ""
    reply_to_id: int = 0
    reply_to_username: str = ""
    reply_count: int = 0
    like_count: int = 0
    boost_count: int = 0
    boosted_by: str = ""
    liked: bool = False
    boosted: bool = False
    media: tuple[MediaRow, ...] = ()
    # The preview of the first link (services/link_cards.py), all "" when there is none:
    # where it leads, plain text to show (escaped where shown), our copy of its picture.
    card_url: str = ""
    card_title: str = ""
    card_description: str = ""
    card_domain: str = ""
    card_site_name: str = ""
    card_image: str = ""
    # A moderator hid it (only its author is shown it): they see it marked, with the reason.
    hidden: bool = False
    hidden_reason: str = ""

    @classmethod
    def of(cls, post: Post, author: User) -> PostRow:
        """A card of a post just written by `author` (nobody has reacted to it yet)."""
        return cls.of_card(
            post.id or 0,
            post.id or 0,
            post.body,
            post.body_html,
            post.timestamp,
            post.edited_at,
            post.language,
            author.id or 0,
            author.username,
            author.email,
            author.avatar,
            post.reply_to_id,
            None,
            post.reply_count,
            post.like_count,
            post.boost_count,
            None,
            False,
            False,
            post.media_json,
        )

    @classmethod
    def of_card(
        cls,
        entry_id: int,
        post_id: int,
        body: str,
        body_html: str,
        timestamp: datetime,
        edited_at: datetime | None,
        language: str | None,
        author_id: int,
        username: str,
        email: str,
        picture: str | None,
        reply_to_id: int | None,
        reply_to_username: str | None,
        reply_count: int,
        like_count: int,
        boost_count: int,
        boosted_by: str | None,
        liked: bool,
        boosted: bool,
        media_json: str | None = None,
        card_url: str | None = None,
        card_canonical_url: str | None = None,
        card_title: str | None = None,
        card_description: str | None = None,
        card_site_name: str | None = None,
        card_image: str | None = None,
        hidden: bool | None = False,
        hidden_reason: str | None = None,
    ) -> PostRow:
        """A row of plain columns in services/post_rows.py's order, without building a Post and
        a User first: a page is 25 of these, and each microsecond here is 25 in the call."""
        return cls(
            id=post_id,
            body=body,
            timestamp=iso_utc(timestamp),
            language=language or "",
            author_id=author_id,
            author_username=username,
            author_avatar=avatar_url(email, 48, picture=picture),
            entry_id=entry_id,
            body_html=body_html,
            edited_at=iso_utc(edited_at) if edited_at else "",
            reply_to_id=reply_to_id or 0,
            reply_to_username=reply_to_username or "",
            reply_count=reply_count,
            like_count=like_count,
            boost_count=boost_count,
            boosted_by=boosted_by or "",
            liked=bool(liked),
            boosted=bool(boosted),
            media=media_rows(media_json),
            card_url=card_canonical_url or card_url or "",
            card_title=card_title or "",
            card_description=card_description or "",
            card_domain=link_domain(card_url or ""),
            card_site_name=card_site_name or "",
            card_image=_media_url(card_image),
            hidden=bool(hidden),
            hidden_reason=hidden_reason or "",
        )


@dataclass
class UserCard:
    """What the hover popup shows about a user, as seen by the reader."""

    id: int
    username: str
    about_me: str
    last_seen: str
    avatar: str
    followers: int
    following: int
    is_following: bool
    is_self: bool
    # The reader blocks / mutes them: the card's menu offers Unblock / Unmute instead.
    blocked: bool = False
    muted: bool = False


@dataclass(frozen=True)
class UserCounts:
    """A user's posts, followers and following (the API's `post_count` and friends)."""

    posts: int = 0
    followers: int = 0
    following: int = 0


@dataclass
class MessageRow:
    """One private message as its reader sees it: `mine` when the reader sent it."""

    id: int
    body: str
    timestamp: str
    sender_id: int
    recipient_id: int
    mine: bool

    @classmethod
    def of_columns(
        cls,
        message_id: int,
        body: str,
        timestamp: datetime,
        sender_id: int,
        recipient_id: int,
        *,
        reader_id: int,
    ) -> MessageRow:
        return cls(
            id=message_id,
            body=body,
            timestamp=iso_utc(timestamp),
            sender_id=sender_id,
            recipient_id=recipient_id,
            mine=sender_id == reader_id,
        )

    def for_reader(self, reader_id: int) -> MessageRow:
        """The same message as `reader_id` sees it (a live update read once for both sides)."""
        return replace(self, mine=self.sender_id == reader_id)


@dataclass
class ConversationRow:
    """One line of the Messages page: the other person, the newest message either way, and how
    many of theirs are unread."""

    user_id: int
    username: str
    avatar: str
    href: str  # the conversation's page
    last_message_id: int
    last_body: str
    last_timestamp: str
    last_mine: bool
    unread: int


@dataclass
class NotificationRow:
    """One line of the notifications list; `text` is built by the service, `href` where it
    leads."""

    id: int
    kind: str
    text: str
    href: str
    timestamp: str
    actor_username: str
    actor_avatar: str
    unread: bool
    # `text` as its catalog message (set by the page's state, `with_message`), so the page
    # translates it in the browser and a language switch changes it in place; empty msgid: an
    # announcement's own words, shown as they are.
    msgid: str = ""
    plural: str = ""
    num: int = 0
    params: dict[str, str] = field(default_factory=dict)
    # Who did it and the post it is about (0: none), for the Mastodon API's `Notification`.
    actor_id: int = 0
    post_id: int = 0

    def for_page(self, lang: str) -> NotificationRow:
        """The row as the Notifications page draws it, on the server and live: its message
        spelled out for translation, and `text` in `lang` (what shows for an announcement)."""
        self.with_message().text = translate(self.text, lang)
        return self

    def with_message(self) -> NotificationRow:
        """The row with `text`'s catalog message spelled out for the browser's translation."""
        if isinstance(self.text, Message):
            self.msgid, self.plural = self.text.msgid, self.text.plural or ""
            self.num = self.text.num or 0
            self.params = {name: str(value) for name, value in self.text.params.items()}
        return self

    @classmethod
    def of(
        cls,
        notification: Notification,
        actor: User | None,
        announcement: Announcement | None,
        *,
        read_up_to: int,
        others: int = 0,
    ) -> NotificationRow:
        """`others`: how many more people did the same to the same post (likes and boosts are
        shown one line per post: services/notifications.py groups them)."""
        actor_name = actor.username if actor else ""
        text: str
        if notification.kind in _POST_NOTICES:
            text = _post_notice(notification.kind, actor_name, others)
            href = f"/post/{notification.post_id or 0}"
        elif notification.kind == "follower":
            text = _l("%(username)s started following you.", username=actor_name)
            href = f"/user/{actor_name}"
        elif notification.kind == "message":
            text = _l("%(username)s sent you a private message.", username=actor_name)
            href = conversation_url(actor_name)
        elif notification.kind == "report_received":
            text = _l("Thank you: your report was received. A moderator will look at it.")
            href = ""
        elif notification.kind == "report_resolved":
            text = _l("A moderator has reviewed your report and closed it.")
            href = ""
        elif notification.kind == "report_actioned":
            text = _l("A moderator has reviewed your report and acted on it. Thank you.")
            href = ""
        elif notification.kind == "post_hidden":
            text = _l("A moderator hid one of your posts: only you can see it now.")
            href = f"/post/{notification.post_id or 0}"
        else:
            text = announcement.body if announcement else _l("An announcement.")
            href = ""
        return cls(
            id=notification.id or 0,
            kind=notification.kind,
            text=text,
            href=href,
            timestamp=iso_utc(notification.created),
            actor_username=actor_name,
            actor_avatar=avatar_url(actor.email, 36, picture=actor.avatar) if actor else "",
            unread=(notification.id or 0) > read_up_to,
            actor_id=notification.actor_id or 0,
            post_id=notification.post_id or 0,
        )


_POST_NOTICES = ("reply", "mention", "like", "boost")


def _post_notice(kind: str, actor: str, others: int) -> str:
    if kind == "reply":
        return _l("%(username)s replied to your post.", username=actor)
    if kind == "mention":
        return _l("%(username)s mentioned you in a post.", username=actor)
    if kind == "like":
        if others:
            return _ln(
                "%(username)s and %(num)d other liked your post.",
                "%(username)s and %(num)d others liked your post.",
                others,
                username=actor,
            )
        return _l("%(username)s liked your post.", username=actor)
    if others:
        return _ln(
            "%(username)s and %(num)d other boosted your post.",
            "%(username)s and %(num)d others boosted your post.",
            others,
            username=actor,
        )
    return _l("%(username)s boosted your post.", username=actor)


@dataclass
class AnnouncementRow:
    id: int
    body: str
    author_username: str
    timestamp: str

    @classmethod
    def of(cls, announcement: Announcement, author: User) -> AnnouncementRow:
        return cls(
            id=announcement.id or 0,
            body=announcement.body,
            author_username=author.username,
            timestamp=iso_utc(announcement.created),
        )


@dataclass
class Page(Generic[T]):
    """One page of a listing. `total` is None unless the caller asked for a count: feeds never
    do, because a COUNT over a million-row timeline on every page view is the slow part."""

    items: list[T]
    page: int
    per_page: int
    has_next: bool
    has_prev: bool
    total: int | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def total_pages(self) -> int | None:
        if self.total is None:
            return None
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class BlockedUser:
    """One line of "whom I block" or "whom I mute" (services/safety.py). `expires_at` and
    `hide_notifications` are a mute's ("" when it has no end)."""

    id: int
    username: str
    avatar_small: str
    since: str
    expires_at: str = ""
    hide_notifications: bool = False


@dataclass(frozen=True)
class ReportRow:
    """A report as the moderators' queue shows it (services/moderation.py). The reporter's and
    the target's names only: never an email address."""

    id: int
    reporter: str
    target: str
    target_id: int
    post_id: int | None
    reason: str
    comment: str
    status: str
    outcome: str
    created: str
    resolved_at: str
    resolver: str


@dataclass(frozen=True)
class ModerationActionRow:
    """A line of the audit log: who did what to whom, when and why."""

    id: int
    moderator: str
    action: str
    target: str
    post_id: int | None
    report_id: int | None
    reason: str
    created: str
    target_id: int = 0
    # A later line of the log undid it (only a dismissal, hide, limit or suspension can be).
    undone: bool = False
