"""The tables. Field names follow the Mega-Tutorial so the code reads like the specification.

Indexes are chosen for the scale data set (10k users, 1M posts): see docs/performance.md for the
queries they serve.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, Table, func, inspect, text
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlmodel import Field, SQLModel

USERNAME_MAX = 64
# A username's confusable skeleton can be longer than the name (`m` -> `rn`).
USERNAME_SKELETON_MAX = 4 * USERNAME_MAX
EMAIL_MAX = 120
AVATAR_MAX = 200
ABOUT_ME_MAX = 140
# What a post may hold as typed. The limit people see is `POST_MAX_LENGTH` (config.py), counted
# the way Mastodon counts (a link is 23 characters, services/rich_text.py); this bounds the raw
# text, whose links can be long, so a row stays small.
POST_BODY_MAX = 5000
TAG_MAX = 100
REPORT_COMMENT_MAX = 1000


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Stored(Protocol):
    id: int | None


def row_id(row: _Stored) -> int:
    """A stored row's primary key. Models type `id` as optional because it is None until the
    INSERT; a row read from the database, or flushed, always has one."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id: it was never stored")
    return row.id


def table_of(model: type[SQLModel]) -> Table:
    """A model's Core table, for Core statements (`update(table_of(User))`, `.c` columns).
    SQLModel sets `__table__` on each table class but does not declare it, so a type checker
    cannot see `User.__table__`; this is the same object, typed."""
    table = inspect(model).local_table
    assert isinstance(table, Table)
    return table


def _user_fk(*, primary_key: bool = False, index: bool = False) -> Column[int]:
    """A foreign key to user.id that disappears with its user."""
    return Column(
        Integer,
        ForeignKey("user.id", ondelete="CASCADE"),
        primary_key=primary_key,
        nullable=False,
        index=index,
    )


class User(SQLModel, table=True):
    __tablename__ = "user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=USERNAME_MAX)
    email: str = Field(max_length=EMAIL_MAX)
    password_hash: str = Field(max_length=256)
    about_me: str | None = Field(default=None, max_length=ABOUT_ME_MAX)
    last_seen: datetime = Field(default_factory=utcnow)
    created: datetime = Field(default_factory=utcnow)
    # Read marker: every notification up to this id has been seen, so an unread count is a
    # short index range (user, id > marker) instead of a flag on every row. Messages are read
    # per conversation instead (`Conversation.unread`; migration 0015 retired the user's
    # message marker).
    last_notification_read_id: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Announcements up to this id are dismissed; the banner shows a newer one.
    dismissed_announcement_id: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Email me when someone follows me (a setting on Edit profile).
    email_on_follow: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})
    # Email me when someone mentions me or replies to me (Edit profile; migration 0016).
    email_on_mention: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})
    # The last password-reset email, so requests can be rate-limited per account.
    reset_requested_at: datetime | None = Field(default=None)
    # The UI language the user chose (en, es, zh): also the language of their emails. None until
    # they choose or first log in (migration 0008).
    language: str | None = Field(default=None, max_length=5)
    # False from registration until the owner opens the link emailed to the address, when the
    # site sends real email (services/registration.py); such an account cannot log in. Older
    # accounts, and every account made without a mail server, are confirmed (migration 0011).
    email_confirmed: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})
    # When the last confirmation link went to this address, so that asking for it again cannot
    # be used to flood the address.
    confirmation_sent_at: datetime | None = Field(default=None)
    # The username's TR39 confusable skeleton (services/lookalikes.py), kept by services/users.py
    # on every insert and username change: a new name whose skeleton an existing user has is
    # refused, with one indexed look-up (migration 0013). Not unique: names registered before
    # the rule may already share one.
    username_skeleton: str | None = Field(
        default=None, max_length=USERNAME_SKELETON_MAX, index=True
    )
    # Switched by the operator (`python -m microblog user disable|enable`, services/accounts.py;
    # migration 0021): a disabled account cannot log in, and disabling it ends its sessions
    # and API tokens.
    disabled: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    # An administrator (site-wide announcements), made by `user create --admin`. An address
    # listed in ADMINS is one too (services/accounts.py `is_admin`).
    is_admin: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    # The picture the user uploaded (Edit profile, the API), as the media store names its files
    # (services/avatars.py); None: their Gravatar. Read beside the username wherever a face is
    # drawn, so it is a column of the user, not a row to join (migration 0020).
    avatar: str | None = Field(default=None, max_length=AVATAR_MAX)
    # Moderation (services/moderation.py; migration 0024). A moderator works the reports queue;
    # administrators are moderators too. A suspended account cannot log in and its posts are
    # gone for everyone (the feeds probe `ix_user_suspended`, which holds only such accounts);
    # a limited one's posts stay out of Explore, tags and search for those who do not follow it.
    is_moderator: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    suspended: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    limited: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    # Who may send this user a private message: MESSAGE_POLICIES (services/safety.py).
    message_policy: str = Field(
        default="everyone", max_length=10, sa_column_kwargs={"server_default": "everyone"}
    )


# Usernames and emails are unique regardless of case ("Susan" and "susan" are one name); the same
# expressions serve the case-insensitive look-ups at login.
Index("uq_user_username_lower", func.lower(User.username), unique=True)
Index("uq_user_email_lower", func.lower(User.email), unique=True)
# The suspended accounts alone: the feeds' "author is not suspended" probe reads this small
# index instead of the user row (services/visibility.py).
Index(
    "ix_user_suspended",
    table_of(User).c.id,
    sqlite_where=text("suspended"),
    postgresql_where=text("suspended"),
)

MESSAGE_POLICIES = ("everyone", "following", "nobody")


class Follow(SQLModel, table=True):
    """`follower` follows `followed`. The primary key serves "whom do I follow"; the second
    index serves "who follows me"."""

    __tablename__ = "follow"
    __table_args__ = (Index("ix_follow_followed_follower", "followed_id", "follower_id"),)

    follower_id: int = Field(sa_column=_user_fk(primary_key=True))
    followed_id: int = Field(sa_column=_user_fk(primary_key=True))
    created: datetime = Field(default_factory=utcnow)


def _post_fk(*, ondelete: str, nullable: bool = True) -> Column[int]:
    """A foreign key to post.id: CASCADE for what belongs to the post (its boosts, likes, tags),
    SET NULL for what only points at it (a reply outlives what it answered)."""
    return Column(Integer, ForeignKey("post.id", ondelete=ondelete), nullable=nullable)


class FollowNotice(SQLModel, table=True):
    """When `followed` was last told (a notification, an email) that `follower` follows them.
    Kept when the follow goes, so following, unfollowing and following again within
    FOLLOW_NOTICE_SECONDS tells them once (services/follows.py)."""

    __tablename__ = "follow_notice"

    follower_id: int = Field(sa_column=_user_fk(primary_key=True))
    followed_id: int = Field(sa_column=_user_fk(primary_key=True))
    notified_at: datetime = Field(default_factory=utcnow)


LINK_URL_MAX = 2048
LINK_TITLE_MAX = 200
LINK_DESCRIPTION_MAX = 300
LINK_SITE_NAME_MAX = 80
LINK_STATUSES = ("pending", "ok", "failed")


class LinkCard(SQLModel, table=True):
    """The preview of one web page (services/link_cards.py), shared by every post whose first
    link is that page, keyed by the normalised URL. Fetched in the background after a post is
    saved; fetched again for a newer post only once `fetched_at` is older than
    LINK_CARD_TTL_HOURS, so a popular link costs its site one request a day, however often it is
    posted. `claimed_until` is the lease of the fetch under way, so two posts of one link at once
    fetch it once. A card shows only when `status` is "ok"; the text is plain (escaped where it
    is shown), `image` is the file name of our own copy of its picture in the media store (never
    the page's picture, which readers would then load from that site). A card no post names any
    more goes once unused for the grace period (`delete_unused_link_cards`, hourly)."""

    __tablename__ = "link_card"
    __table_args__ = (
        Index("uq_link_card_url", "url", unique=True),
        # The hourly clean-up of cards no post uses reads only the long-unused ones.
        Index("ix_link_card_used_at", "used_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=LINK_URL_MAX)
    status: str = Field(default="pending", max_length=10)
    title: str = Field(default="", max_length=LINK_TITLE_MAX)
    description: str = Field(default="", max_length=LINK_DESCRIPTION_MAX)
    site_name: str = Field(default="", max_length=LINK_SITE_NAME_MAX)
    # The page's own address for itself, when on the same host (else ""): what the card links.
    canonical_url: str = Field(default="", max_length=LINK_URL_MAX)
    image: str = Field(default="", max_length=300)
    created: datetime = Field(default_factory=utcnow)
    fetched_at: datetime | None = Field(default=None)
    claimed_until: datetime | None = Field(default=None)
    # When a post last took this card (made or re-used): the clean-up deletes only cards no
    # post names and none took within the grace period (services/link_cards.py).
    used_at: datetime | None = Field(default_factory=utcnow)


class Post(SQLModel, table=True):
    """A post, a reply (`reply_to_id`) or a boost (`boost_of_id`, with no text of its own).

    A boost is a row of its own, as on Mastodon: the feeds walk one table by (author, time), so a
    followed author's boosts reach the home timeline through the same indexes as their posts.
    The counters are kept in the transaction that adds or removes a reply, like or boost
    (services/reactions.py, services/replies.py), so a card never counts rows.
    """

    __tablename__ = "post"
    __table_args__ = (
        # A user's posts newest first (profile, and each followed author in the home feed).
        # The home timeline's reply rule and "each post once" read the last two columns from
        # the index entry instead of the table row (services/timeline.py).
        Index(
            "ix_post_user_timestamp",
            "user_id",
            "timestamp",
            "id",
            "reply_to_user_id",
            "boost_of_id",
        ),
        # Everyone's posts newest first (explore, and the home feed of users who follow many).
        # `user_id` and the rest are there so the home feed checks each entry in the index
        # instead of reading the table row (migration 0002).
        Index(
            "ix_post_timestamp_user",
            "timestamp",
            "id",
            "user_id",
            "reply_to_user_id",
            "boost_of_id",
        ),
        # A post's replies in order (the thread page).
        Index("ix_post_reply_to", "reply_to_id", "timestamp", "id"),
        # The posts showing a link card: told live when it is fetched; SET NULL when it goes.
        Index("ix_post_link_card", "link_card_id", "id"),
        # One boost per user and post, and "who boosted this" / "did I boost this". Partial:
        # only boosts are in it (5 % of the rows, so it stays in cache), and a feed's
        # `boost_of_id IS NULL` cannot pick it (SQLite did, for Explore: it read every post
        # through it and sorted them, 14 s for page 40 on the scale data set).
        Index(
            "uq_post_boost_of_user",
            "boost_of_id",
            "user_id",
            unique=True,
            sqlite_where=text("boost_of_id IS NOT NULL"),
            postgresql_where=text("boost_of_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    body: str = Field(max_length=POST_BODY_MAX)
    timestamp: datetime = Field(default_factory=utcnow)
    user_id: int = Field(sa_column=_user_fk())
    language: str | None = Field(default=None, max_length=5)
    # The body rendered once, when written (services/rich_text.py): sanitised HTML that every
    # renderer (live card, first paint, API, email) shows as it is.
    body_html: str = Field(default="", sa_column_kwargs={"server_default": ""})
    reply_to_id: int | None = Field(default=None, sa_column=_post_fk(ondelete="SET NULL"))
    # Whom the reply answers, kept even if that post goes: "replying to @name" and the home
    # timeline's reply rule read it without a join.
    reply_to_user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), nullable=True),
    )
    boost_of_id: int | None = Field(default=None, sa_column=_post_fk(ondelete="CASCADE"))
    edited_at: datetime | None = Field(default=None)
    reply_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    like_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    boost_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # The post's pictures as its card shows them (JSON, services/media/attachments.py), kept
    # in the transaction that changes its `media_attachment` rows like the counters above, so
    # a list of cards reads them with the post instead of one more query per card. NULL: none.
    media_json: str | None = Field(default=None)
    # Their alt texts, one per line: searched with the body (services/search/).
    media_alt_text: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # The preview of the body's first link (services/link_cards.py), shared with other posts.
    link_card_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("link_card.id", ondelete="SET NULL"), nullable=True),
    )


class PostEdit(SQLModel, table=True):
    """An earlier version of an edited post: its text as it was from `written_at` until the
    next version. The post row holds the current version."""

    __tablename__ = "post_edit"
    __table_args__ = (Index("ix_post_edit_post", "post_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(sa_column=_post_fk(ondelete="CASCADE", nullable=False))
    body: str = Field(max_length=POST_BODY_MAX)
    body_html: str = Field(default="")
    written_at: datetime


class Like(SQLModel, table=True):
    """`user` likes `post`. The primary key answers "did I like this" for a page of cards; the
    second index lists a user's likes (the export)."""

    __tablename__ = "post_like"
    __table_args__ = (Index("ix_post_like_user", "user_id", "created"),)

    post_id: int = Field(
        sa_column=Column(Integer, ForeignKey("post.id", ondelete="CASCADE"), primary_key=True)
    )
    user_id: int = Field(sa_column=_user_fk(primary_key=True))
    created: datetime = Field(default_factory=utcnow)


class Tag(SQLModel, table=True):
    """A hashtag by its normalised name (NFKC, case-folded: services/rich_text.py)."""

    __tablename__ = "tag"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=TAG_MAX, unique=True)


class PostTag(SQLModel, table=True):
    """A post carries a tag. The post's time is copied here so that a tag page is one walk
    of (tag, time) newest first, like a user's posts."""

    __tablename__ = "post_tag"
    __table_args__ = (Index("ix_post_tag_newest", "tag_id", "timestamp", "post_id"),)

    post_id: int = Field(
        sa_column=Column(Integer, ForeignKey("post.id", ondelete="CASCADE"), primary_key=True)
    )
    tag_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True)
    )
    timestamp: datetime


class Mention(SQLModel, table=True):
    """A post mentions a user (who was notified when it was written)."""

    __tablename__ = "mention"

    post_id: int = Field(
        sa_column=Column(Integer, ForeignKey("post.id", ondelete="CASCADE"), primary_key=True)
    )
    user_id: int = Field(sa_column=_user_fk(primary_key=True, index=True))


class AuthSession(SQLModel, table=True):
    """A browser login. The browser holds only a random token; we keep its SHA-256, so a leaked
    database does not yield working cookies. Deleting the row logs that browser out."""

    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(sa_column=_user_fk(index=True))
    remember: bool = False
    created: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class LoginTicket(SQLModel, table=True):
    """A single-use, short-lived hand-over from the websocket login form to the HTTP endpoint that
    sets the HttpOnly session cookie (page scripts cannot set such a cookie)."""

    __tablename__ = "login_ticket"

    ticket_hash: str = Field(max_length=64, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    remember: bool = False
    next_path: str = Field(default="/", max_length=512)
    expires_at: datetime


MESSAGE_MAX = 140
ANNOUNCEMENT_MAX = 280


class Message(SQLModel, table=True):
    """A private message. A conversation's messages are read newest first from the pair index,
    once in each direction (services/conversations.py); the recipient index serves the
    foreign key (and the conversation backfill of migration 0015)."""

    __tablename__ = "message"
    __table_args__ = (
        Index("ix_message_recipient_id", "recipient_id", "id"),
        Index("ix_message_sender_recipient", "sender_id", "recipient_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sender_id: int = Field(sa_column=_user_fk())
    recipient_id: int = Field(sa_column=_user_fk())
    body: str = Field(max_length=MESSAGE_MAX)
    timestamp: datetime = Field(default_factory=utcnow)


class Conversation(SQLModel, table=True):
    """One person's side of their private messages with another: the Messages page lists these
    rows, newest first, without looking at the messages themselves (services/conversations.py).

    Each message updates two rows, the sender's and the recipient's, in its own transaction:
    `last_message_id` (the newest message either way, whose text and time the list shows) and,
    on the recipient's row, `unread` (messages received and not yet read there). Reading the
    conversation sets `unread` back to 0; the navbar badge is the sum over the user's rows with
    unread messages, which the partial index holds (a handful of rows, not every conversation).
    No foreign key on `last_message_id`: messages are never deleted on their own (only with a
    user, whose conversations go too)."""

    __tablename__ = "conversation"
    __table_args__ = (
        # My conversations, newest first; covering, so a deep page skips rows in the index.
        Index("ix_conversation_owner_last", "owner_id", "last_message_id", "other_id", "unread"),
        # My conversations with unread messages, for the badge: index-only.
        Index(
            "ix_conversation_owner_unread",
            "owner_id",
            "unread",
            sqlite_where=text("unread > 0"),
            postgresql_where=text("unread > 0"),
        ),
    )

    owner_id: int = Field(sa_column=_user_fk(primary_key=True))
    other_id: int = Field(sa_column=_user_fk(primary_key=True))
    last_message_id: int
    unread: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Announcement(SQLModel, table=True):
    """A site-wide notice from one of the ADMINS, shown as a banner until dismissed."""

    __tablename__ = "announcement"

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(sa_column=_user_fk(index=True))
    body: str = Field(max_length=ANNOUNCEMENT_MAX)
    created: datetime = Field(default_factory=utcnow)


# The notification kinds shown one line per post (SQL, for the partial indexes' predicates and
# the queries that must repeat them word for word for SQLite to use those indexes).
NOTIFICATION_GROUPED = "kind IN ('like', 'boost')"


class Notification(SQLModel, table=True):
    """Something that happened to a user: a new follower, a message, an announcement, a reply,
    a mention, a like or a boost of one of their posts.

    Rows persist, so a reload or a new tab shows what the live stream showed. `actor_id` is who
    did it (the follower, the sender); an announcement's row points at the announcement.

    The list shows one line per notification, except that the likes of one post are one line,
    and its boosts another ("ann and 3 others liked your post"): a group. The line is the
    group's newest row, and only it has `others` set (how many more rows, one per person, the
    group holds); the older rows of the group have NULL there. services/notifications.py keeps
    this in the transaction that adds or takes back a like or boost, so a page of lines is one
    range of `ix_notification_lines`, however many likes stand behind each line.
    """

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_id", "user_id", "id"),
        # The lines of a user's list, newest first (also the unread ones, for the badge).
        Index(
            "ix_notification_lines",
            "user_id",
            "id",
            sqlite_where=text("others IS NOT NULL"),
            postgresql_where=text("others IS NOT NULL"),
        ),
        # A group holds one row per person (their newest like or boost of the post) ...
        Index(
            "uq_notification_group_actor",
            "user_id",
            "post_id",
            "kind",
            "actor_id",
            unique=True,
            sqlite_where=text(NOTIFICATION_GROUPED),
            postgresql_where=text(NOTIFICATION_GROUPED),
        ),
        # ... its rows newest first (the line is the newest; when it is taken back, the next
        # one takes over) ...
        Index(
            "ix_notification_group",
            "user_id",
            "post_id",
            "kind",
            "id",
            sqlite_where=text(NOTIFICATION_GROUPED),
            postgresql_where=text(NOTIFICATION_GROUPED),
        ),
        # ... and one line.
        Index(
            "uq_notification_group_line",
            "user_id",
            "post_id",
            "kind",
            unique=True,
            sqlite_where=text(f"{NOTIFICATION_GROUPED} AND others IS NOT NULL"),
            postgresql_where=text(f"{NOTIFICATION_GROUPED} AND others IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    kind: str = Field(max_length=20)
    actor_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=True),
    )
    announcement_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("announcement.id", ondelete="CASCADE"), nullable=True),
    )
    # The post a reply, mention, like or boost notification is about.
    post_id: int | None = Field(default=None, sa_column=_post_fk(ondelete="CASCADE"))
    created: datetime = Field(default_factory=utcnow)
    # On a line of the list: how many other people the group stands for (0 for a notification
    # of its own); NULL on the older rows of a group, which its newest row stands for.
    others: int | None = Field(
        default=0, sa_column=Column(Integer, nullable=True, server_default="0")
    )


class LoginFailure(SQLModel, table=True):
    """Failed logins counted per key ("pair:<login>|<client>", "client:<client>",
    "login:<login>"), for growing delays against password guessing (services/login_throttle.py).
    Keys use the login as typed (lower-cased), never whether the account exists."""

    __tablename__ = "login_failure"

    key: str = Field(max_length=200, primary_key=True)
    failures: int = 0
    last_failure_at: datetime = Field(default_factory=utcnow)


TASK_STATUSES = ("queued", "running", "done", "failed")
ACTIVE_TASK_STATUSES = ("queued", "running")


class Task(SQLModel, table=True):
    """A background job a user started (the post export). The row is the truth about its progress,
    so a reload, a new tab or another worker shows the same bar the live updates show.

    The partial unique index allows one queued-or-running task per user and name: a second click
    cannot start a second export, even from two tabs at once.
    """

    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_user_created", "user_id", "created"),
        Index(
            "uq_task_user_name_active",
            "user_id",
            "name",
            unique=True,
            sqlite_where=text("status IN ('queued', 'running')"),
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )

    id: str = Field(max_length=36, primary_key=True)
    name: str = Field(max_length=40)
    description: str = Field(default="", max_length=200)
    user_id: int = Field(sa_column=_user_fk())
    status: str = Field(default="queued", max_length=10)
    progress: int = 0
    error: str | None = Field(default=None, max_length=500)
    # Where the finished file is, relative to the export folder (see config.export_dir).
    result_path: str | None = Field(default=None, max_length=200)
    created: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = Field(default=None)
    finished_at: datetime | None = Field(default=None)


class ApiToken(SQLModel, table=True):
    """A bearer token for the REST API. Like browser sessions, only the token's SHA-256 is kept;
    DELETE /api/tokens removes the row, and `expires_at` bounds a token's life."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(sa_column=_user_fk(index=True))
    created: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class SearchTerm(SQLModel, table=True):
    """The vocabulary of the built-in search engine: every word (of 5+ letters) that appears in a
    post, for typo tolerance. A query word is expanded to the words one edit away that are here,
    with one primary-key look-up. Filled in the post's own transaction; never shrinks (a stale
    word only expands to a search that finds nothing)."""

    __tablename__ = "search_term"

    term: str = Field(max_length=64, primary_key=True)


class SearchOutbox(SQLModel, table=True):
    """Posts whose search-index entry must be (re)written in Elasticsearch. Written in the post's
    transaction, so a committed change is never forgotten; applying a row reads the post (there:
    index it; gone: delete it), so applying twice is harmless. No foreign key: the row must
    outlive a deleted post so that its removal reaches the index."""

    __tablename__ = "search_outbox"
    # Ids are versions in Elasticsearch: never reuse one, even once the table is empty
    # (migration 0009).
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    post_id: int
    created: datetime = Field(default_factory=utcnow)


class SearchFailure(SQLModel, table=True):
    """A post whose document Elasticsearch refused (a mapping or parse error, HTTP 400 for that
    item of a bulk write): kept aside so that the outbox goes on with the other changes, listed
    and retried by `python -m microblog search failed | retry-failed`. Any later write of the
    post that Elasticsearch accepts removes the row. No foreign key, like the outbox: a deleted
    post's failure goes when its delete is applied."""

    __tablename__ = "search_failure"

    post_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    status: int
    error_type: str = Field(max_length=100)
    reason: str = Field(max_length=2000)
    attempts: int = Field(default=1)
    first_failed: datetime = Field(default_factory=utcnow)
    last_failed: datetime = Field(default_factory=utcnow)


MAIL_PENDING = "pending"
MAIL_FAILED = "failed"


class MailOutbox(SQLModel, table=True):
    """An email on its way out (services/mail_outbox.py). Written in the transaction of what it
    reports, so a committed follow, reset request or finished export always has its email and a
    rolled-back one never does; deleted once the mail server has taken it.

    `message` is the whole message as it will be sent (RFC 5322 bytes, attachments included):
    a retry sends the very same message, Message-ID and all, whatever happened to the data it
    was made from. `claim`/`claimed_until` is the lease of the drain that is sending it, so two
    drains (threads, workers, hosts) never send one row twice. A row that keeps failing becomes
    `failed` and waits for `python -m microblog mail retry`."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    created: datetime = Field(default_factory=utcnow)
    recipients: str = Field(max_length=1000)  # for the log and the CLI: who it is for
    subject: str = Field(max_length=300)
    message: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(default=MAIL_PENDING, max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    claim: str | None = Field(default=None, max_length=32)
    claimed_until: datetime | None = Field(default=None)
    last_error: str | None = Field(default=None, max_length=500)


MEDIA_ALT_MAX = 1500
MEDIA_NAME_MAX = 80


class MediaAttachment(SQLModel, table=True):
    """A picture uploaded by `user_id`: stored at once (services/media/attachments.py), attached
    to a post when the post is written (`post_id`, `position` 0-3), deleted with its post. An
    upload never attached is an orphan, deleted after MEDIA_ORPHAN_HOURS (jobs.py). A post
    deleted by its author's removal (SET NULL) leaves orphans the same job cleans up.

    The files are named by their content's hash (services/media/store.py): the same picture
    uploaded twice is one file with two rows, so a file is deleted only when no row names it.
    """

    __tablename__ = "media_attachment"
    __table_args__ = (
        # A post's pictures in order (a card, the API, the export).
        Index("ix_media_attachment_post", "post_id", "position"),
        # Orphans, oldest first (the clean-up job): only unattached rows are in it.
        Index(
            "ix_media_attachment_orphans",
            "created_at",
            sqlite_where=text("post_id IS NULL"),
            postgresql_where=text("post_id IS NULL"),
        ),
        # "Does any other row still name this file?" before a file is deleted.
        Index("ix_media_attachment_file", "file_name"),
        Index("ix_media_attachment_thumb", "thumb_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    post_id: int | None = Field(default=None, sa_column=_post_fk(ondelete="SET NULL"))
    position: int = Field(default=0)
    file_name: str = Field(max_length=MEDIA_NAME_MAX)
    thumb_name: str = Field(max_length=MEDIA_NAME_MAX)
    content_type: str = Field(max_length=32)
    width: int
    height: int
    thumb_width: int
    thumb_height: int
    blurhash: str = Field(max_length=64)
    alt_text: str = Field(default="", max_length=MEDIA_ALT_MAX)
    byte_size: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow)


class Block(SQLModel, table=True):
    """`blocker` blocks `blocked` (services/safety.py): no follow either way, no messages, no
    replies, mentions, likes or boosts reaching the blocker, and neither sees the other's posts.
    The feeds test both directions with a primary-key probe per entry; the second index serves
    "who blocks me" and the user's deletion."""

    __tablename__ = "user_block"
    __table_args__ = (Index("ix_user_block_blocked", "blocked_id", "blocker_id"),)

    blocker_id: int = Field(sa_column=_user_fk(primary_key=True))
    blocked_id: int = Field(sa_column=_user_fk(primary_key=True))
    created: datetime = Field(default_factory=utcnow)


class Mute(SQLModel, table=True):
    """`muter` no longer sees `muted`'s posts, boosts and (with `hide_notifications`) their
    notifications until `expires_at` (NULL: until unmuted). Nothing changes for the muted. An
    expired row is ignored by every query (`expires_at > now`) and deleted when the mute is set
    or lifted again."""

    __tablename__ = "user_mute"
    __table_args__ = (Index("ix_user_mute_muted", "muted_id", "muter_id"),)

    muter_id: int = Field(sa_column=_user_fk(primary_key=True))
    muted_id: int = Field(sa_column=_user_fk(primary_key=True))
    hide_notifications: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})
    expires_at: datetime | None = Field(default=None)
    created: datetime = Field(default_factory=utcnow)


class ConversationMute(SQLModel, table=True):
    """`user` muted the conversation that starts at `root` (the first post of a reply chain):
    replies and mentions in it no longer notify them."""

    __tablename__ = "conversation_mute"

    user_id: int = Field(sa_column=_user_fk(primary_key=True))
    root_id: int = Field(
        sa_column=Column(Integer, ForeignKey("post.id", ondelete="CASCADE"), primary_key=True)
    )
    created: datetime = Field(default_factory=utcnow)


class HiddenPost(SQLModel, table=True):
    """A post a moderator hid: gone for everyone but its author (`author_id`, copied here so the
    feeds' probe needs no join), who is told `reason`. A table of its own rather than a column
    of `post`: the feeds check it with one primary-key probe on a small table and keep reading
    post's covering indexes without touching the row."""

    __tablename__ = "hidden_post"

    post_id: int = Field(
        sa_column=Column(Integer, ForeignKey("post.id", ondelete="CASCADE"), primary_key=True)
    )
    author_id: int = Field(sa_column=_user_fk())
    reason: str = Field(default="", max_length=REPORT_COMMENT_MAX)
    moderator_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), nullable=True),
    )
    created: datetime = Field(default_factory=utcnow)


class Report(SQLModel, table=True):
    """A user reports an account or one of its posts. The queue is the open reports, oldest
    first (a partial index holds only those); an account's history is (target, id)."""

    __tablename__ = "report"
    __table_args__ = (
        Index(
            "ix_report_open",
            "id",
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_report_target", "target_user_id", "id"),
        Index("ix_report_reporter", "reporter_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reporter_id: int = Field(sa_column=_user_fk())
    target_user_id: int = Field(sa_column=_user_fk())
    post_id: int | None = Field(default=None, sa_column=_post_fk(ondelete="SET NULL"))
    reason: str = Field(max_length=20)
    comment: str = Field(default="", max_length=REPORT_COMMENT_MAX)
    status: str = Field(default="open", max_length=10)
    outcome: str | None = Field(default=None, max_length=20)
    created: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = Field(default=None)
    resolver_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), nullable=True),
    )


class ModerationAction(SQLModel, table=True):
    """The audit log: who did what to whom, when and why. Rows are never changed; an undo
    (unhide, unlimit, unsuspend) is an action of its own."""

    __tablename__ = "moderation_action"
    __table_args__ = (Index("ix_moderation_action_target", "target_user_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    moderator_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), nullable=True),
    )
    action: str = Field(max_length=20)
    target_user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), nullable=True),
    )
    post_id: int | None = Field(default=None, sa_column=_post_fk(ondelete="SET NULL"))
    report_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("report.id", ondelete="SET NULL"), nullable=True),
    )
    reason: str = Field(default="", max_length=REPORT_COMMENT_MAX)
    created: datetime = Field(default_factory=utcnow)


OAUTH_NAME_MAX = 200
OAUTH_URIS_MAX = 2000
OAUTH_SCOPES_MAX = 500


class OAuthApp(SQLModel, table=True):
    """A client registered with `POST /api/v1/apps` (the Mastodon client API, microblog/mastodon).
    Only the SHA-256 of its secret is kept; `redirect_uris` holds one URI a line, `scopes` the
    space-separated scopes it may ask for."""

    __tablename__ = "oauth_app"

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=64, unique=True)
    secret_hash: str = Field(max_length=64)
    name: str = Field(max_length=OAUTH_NAME_MAX)
    website: str | None = Field(default=None, max_length=OAUTH_URIS_MAX)
    redirect_uris: str = Field(max_length=OAUTH_URIS_MAX)
    scopes: str = Field(max_length=OAUTH_SCOPES_MAX)
    created: datetime = Field(default_factory=utcnow)


def _app_fk() -> Column[int]:
    return Column(
        Integer, ForeignKey("oauth_app.id", ondelete="CASCADE"), nullable=False, index=True
    )


class OAuthCode(SQLModel, table=True):
    """An authorization code: given on the consent page, traded once (and only within minutes)
    for a token at `POST /oauth/token`, with the PKCE verifier when a challenge was given."""

    __tablename__ = "oauth_code"

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    app_id: int = Field(sa_column=_app_fk())
    user_id: int = Field(sa_column=_user_fk(index=True))
    redirect_uri: str = Field(max_length=OAUTH_URIS_MAX)
    scopes: str = Field(max_length=OAUTH_SCOPES_MAX)
    code_challenge: str | None = Field(default=None, max_length=128)
    expires_at: datetime


class OAuthToken(SQLModel, table=True):
    """An access token of a Mastodon client: for a user (authorization code) or for the app
    alone (client credentials, `user_id` empty). Only its SHA-256 is kept; revoking deletes the
    row, so it stops working at once. Mastodon's tokens do not expire, and neither do these."""

    __tablename__ = "oauth_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    app_id: int = Field(sa_column=_app_fk())
    user_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    scopes: str = Field(max_length=OAUTH_SCOPES_MAX)
    created: datetime = Field(default_factory=utcnow)


class StatusIdempotency(SQLModel, table=True):
    """A Mastodon client's `Idempotency-Key` on `POST /api/v1/statuses` (services/idempotency.py):
    the same key from the same user within the hour answers the status the first request
    posted instead of posting again. The key is kept as SHA-256; rows older than the hour are
    replaced when the key comes again and deleted by the hourly sweep (microblog/jobs.py).
    The key is claimed (`post_id` empty) before the post is written, in the same transaction,
    so a concurrent retry on another worker waits on the row and then reads the status.
    The post's index serves the cascade when a post is deleted."""

    __tablename__ = "status_idempotency"

    user_id: int = Field(sa_column=_user_fk(primary_key=True))
    key_hash: str = Field(max_length=64, primary_key=True)
    post_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("post.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    created: datetime = Field(default_factory=utcnow, index=True)


class TimelineMarker(SQLModel, table=True):
    """A Mastodon client's reading position in a timeline (`POST /api/v1/markers`): the `home`
    one, so an app opened on another device resumes where the reader stopped. (The
    `notifications` marker is the user's read marker, `User.last_notification_read_id`.)
    `version` counts the updates, as Mastodon's does."""

    __tablename__ = "timeline_marker"

    user_id: int = Field(sa_column=_user_fk(primary_key=True))
    timeline: str = Field(max_length=20, primary_key=True)
    last_read_id: int
    version: int = 0
    updated_at: datetime = Field(default_factory=utcnow)
