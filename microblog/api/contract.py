"""The API's request bodies and the response shapes, as pydantic models for the OpenAPI document.

Requests are validated with these models. Responses are built as dicts by `representations.py`
(no per-response model validation on the hot path); these models only describe them, and the
contract test and schemathesis check the real responses against this description.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict, JsonValue

from microblog.api.representations import MAX_ID
from microblog.models import (
    ABOUT_ME_MAX,
    EMAIL_MAX,
    MEDIA_ALT_MAX,
    MESSAGE_MAX,
    MESSAGE_POLICIES,
    POST_BODY_MAX,
    REPORT_COMMENT_MAX,
)
from microblog.services.safety import MUTE_MAX_SECONDS, REPORT_REASONS
from microblog.services.users import PASSWORD_MAX, PASSWORD_MIN, USERNAME_RE

# -- requests --------------------------------------------------------------------------------
# The schema states the services' limits (the same constants), but the services alone enforce
# them: FastAPI checks only types and required fields, so a request with several problems hears
# about all of them at once, in the same words as the forms. Leading and trailing spaces are
# trimmed before the limits apply. tests/api/test_api_schema_rules.py asks the server on both
# sides of each documented bound, and schemathesis checks that what the schema forbids is
# refused.

USERNAME_MIN, USERNAME_MAX = 3, 32  # what USERNAME_RE allows (a test checks they agree)
MEDIA_PER_POST_DEFAULT = 4  # config.py's default MEDIA_PER_POST


def _documented(description: str, **rules: JsonValue) -> Any:
    """A field whose JSON Schema carries `rules` (minLength, pattern...) that the services
    enforce."""
    return Field(description=description, json_schema_extra=rules)


_USERNAME_RULES: JsonDict = {
    "minLength": USERNAME_MIN,
    "maxLength": USERNAME_MAX,
    "pattern": USERNAME_RE.pattern,
}
_USERNAME = (
    f"{USERNAME_MIN} to {USERNAME_MAX} letters, digits, '.', '_' or '-', starting with a letter "
    "or digit; not taken, nor one that looks like a taken one (e.g. `aIice` for `alice`)."
)
_EMAIL = "A valid email address, not taken."
_EMAIL_RULES: JsonDict = {"minLength": 1, "maxLength": EMAIL_MAX}


class UserCreate(BaseModel):
    """A new account, checked by the same rules as the registration form."""

    username: str = _documented(_USERNAME, **_USERNAME_RULES)
    email: str = _documented(_EMAIL, **_EMAIL_RULES)
    password: str = _documented(
        f"{PASSWORD_MIN} to {PASSWORD_MAX} characters.",
        minLength=PASSWORD_MIN,
        maxLength=PASSWORD_MAX,
    )
    about_me: str | None = Field(
        default=None,
        description=f"At most {ABOUT_ME_MAX} characters.",
        json_schema_extra={"maxLength": ABOUT_ME_MAX},
    )


class UserUpdate(BaseModel):
    """Any of these fields; the ones left out keep their value."""

    username: str | None = Field(
        default=None, description=_USERNAME, json_schema_extra=_USERNAME_RULES
    )
    email: str | None = Field(default=None, description=_EMAIL, json_schema_extra=_EMAIL_RULES)
    about_me: str | None = Field(
        default=None,
        description=f'At most {ABOUT_ME_MAX} characters; null or "" clears it.',
        json_schema_extra={"maxLength": ABOUT_ME_MAX},
    )


_POST_BODY = (
    "The text, in Markdown (emphasis, strong, code, links, lists); bare links, @mentions and "
    "#tags become links. Not empty after trimming spaces (unless the post has pictures), and "
    "at most POST_MAX_LENGTH "
    "characters (500 unless the site says otherwise: GET /api/instance), each link counting "
    f"as 23 characters however long. At most {POST_BODY_MAX} characters as typed."
)


_MEDIA_IDS = (
    "Your uploaded pictures (`POST /api/media`), in the order to show them: at most "
    f"MEDIA_PER_POST ({MEDIA_PER_POST_DEFAULT} unless the site says otherwise), each on no other "
    "post. A post with pictures may have an empty body."
)


def _media_ids_field(default: Any, description: str) -> Any:
    return Field(
        default=default,
        description=description,
        json_schema_extra={
            "maxItems": MEDIA_PER_POST_DEFAULT,
            "items": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        },
    )


class PostCreate(BaseModel):
    # Strict: `true` is not post 1, nor `"7"` a picture (pydantic would convert them).
    model_config = ConfigDict(strict=True)

    body: str = _documented(_POST_BODY, maxLength=POST_BODY_MAX)
    media_ids: list[int] = _media_ids_field([], _MEDIA_IDS)
    in_reply_to: int | None = Field(
        default=None,
        description="The id of the post this one answers (a boost's id answers the post it "
        "shares); its author is notified. 404 if there is no such post.",
        json_schema_extra={"minimum": 1, "maximum": MAX_ID},
    )


class PostUpdate(BaseModel):
    """The new text of one of your posts; the text it replaces stays in its history. With
    `media_ids`, its pictures become exactly those (the ones left out are deleted); without,
    they stay."""

    model_config = ConfigDict(strict=True)

    body: str = _documented(_POST_BODY, maxLength=POST_BODY_MAX)
    media_ids: list[int] | None = _media_ids_field(None, _MEDIA_IDS)


class MediaUpdate(BaseModel):
    description: str = _documented(
        f"The picture's alt text, for people who cannot see it: at most {MEDIA_ALT_MAX} "
        'characters; "" clears it.',
        maxLength=MEDIA_ALT_MAX,
    )


class MessageCreate(BaseModel):
    body: str = _documented(
        f"1 to {MESSAGE_MAX} characters after trimming spaces.", minLength=1, maxLength=MESSAGE_MAX
    )


class MuteCreate(BaseModel):
    """A mute of a user (services/safety.py)."""

    duration_seconds: int | None = _documented(
        "How long the mute lasts, 60 seconds to one year; null or absent: until you unmute.",
        minimum=60,
        maximum=MUTE_MAX_SECONDS,
    )
    hide_notifications: bool = Field(
        default=True, description="Also hide their likes, boosts, replies and mentions."
    )


class ReportCreate(BaseModel):
    """A report to the moderators: of a post (`post_id`) or of an account (`user_id`)."""

    post_id: int | None = Field(default=None, description="The post reported.")
    user_id: int | None = Field(default=None, description="The account reported (no post).")
    reason: str = _documented(
        "One of: " + ", ".join(REPORT_REASONS) + ".", enum=list(REPORT_REASONS)
    )
    comment: str = Field(
        default="",
        description=f"What the moderators should know, at most {REPORT_COMMENT_MAX} characters.",
        json_schema_extra={"maxLength": REPORT_COMMENT_MAX},
    )


class ModerationReason(BaseModel):
    """Why a moderator acts (kept in the audit log); `report_id` resolves that report."""

    reason: str = Field(
        default="",
        description=f"At most {REPORT_COMMENT_MAX} characters.",
        json_schema_extra={"maxLength": REPORT_COMMENT_MAX},
    )
    report_id: int | None = Field(default=None, description="The report this action resolves.")


class MessagePolicyUpdate(BaseModel):
    message_policy: str = _documented(
        "Who may send you private messages: everyone, following (people you follow) or nobody.",
        enum=list(MESSAGE_POLICIES),
    )


# -- responses -------------------------------------------------------------------------------


class UserLinks(BaseModel):
    self: str
    followers: str
    following: str
    avatar: str


class UserOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: int
    username: str
    last_seen: str = Field(description="ISO 8601 in UTC, e.g. 2026-11-21T15:04:27Z.")
    about_me: str | None
    post_count: int
    follower_count: int
    following_count: int
    email: str | None = Field(default=None, description="Only in your own representation.")
    links: UserLinks = Field(alias="_links")


class Meta(BaseModel):
    page: int
    per_page: int
    total_pages: int | None = Field(description="null for feeds, which are not counted.")
    total_items: int | None = Field(description="null for feeds, which are not counted.")


class CollectionLinks(BaseModel):
    self: str
    next: str | None
    prev: str | None


class UserCollection(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    items: list[UserOut]
    meta: Meta = Field(alias="_meta")
    links: CollectionLinks = Field(alias="_links")


class PostAuthor(BaseModel):
    id: int
    username: str
    avatar: str


class PostLinks(BaseModel):
    self: str
    author: str
    thread: str = Field(description="The post with what it answers and its replies.")
    history: str = Field(description="Its earlier versions, if it was edited.")
    in_reply_to: str | None = Field(description="The post it answers; null if none.")


class MediaSize(BaseModel):
    width: int
    height: int
    size: str = Field(description='"WIDTHxHEIGHT".')
    aspect: float = Field(description="width / height.")


class MediaMeta(BaseModel):
    original: MediaSize = Field(description="The file at `url` (at most 1600 pixels a side).")
    small: MediaSize = Field(description="The thumbnail at `preview_url` (at most 400).")


class MediaOut(BaseModel):
    """A picture, in Mastodon's shape. Every upload was decoded and written again: no EXIF or
    other metadata. Files never change (their names are content hashes): cache them."""

    id: int
    type: str = Field(description='"image" (JPEG, PNG, WebP; a GIF stays animated).')
    url: str = Field(description="The picture, at most 1600 pixels a side.")
    preview_url: str = Field(description="A thumbnail, at most 400 pixels a side.")
    description: str | None = Field(description="Alt text; null if none was written.")
    blurhash: str = Field(description="A placeholder to draw while it loads (blurha.sh).")
    content_type: str = Field(description="The MIME type of the file at `url`.")
    meta: MediaMeta


class CardOut(BaseModel):
    """The preview of the post's first link, as Mastodon's `card`: fetched in the background
    after the post is saved, so a new post has none for a moment (and a page that cannot be
    previewed never has one)."""

    url: str = Field(description="Where the link leads.")
    title: str = Field(description="Plain text.")
    description: str = Field(description="Plain text; may be empty.")
    image: str | None = Field(description="Our copy of the page's picture (a path), or null.")
    provider_name: str = Field(description="The site's name, else its domain.")


class PostOut(BaseModel):
    """A post or a reply. `body` is the text as written, `body_html` as shown (safe HTML,
    rendered once when the post was written or edited). Counts are kept with the rows they
    count; `liked` and `boosted` are yours (the token holder's)."""

    model_config = ConfigDict(populate_by_name=True)

    id: int
    body: str
    body_html: str
    timestamp: str = Field(description="ISO 8601 in UTC.")
    edited_at: str | None = Field(description="ISO 8601 in UTC; null if never edited.")
    language: str | None
    author: PostAuthor
    in_reply_to: int | None = Field(description="The id of the post it answers, or null.")
    in_reply_to_username: str | None = Field(
        description="The author of the post it answers, or null."
    )
    replies_count: int
    likes_count: int
    boosts_count: int
    liked: bool = Field(description="Whether you like it.")
    boosted: bool = Field(description="Whether you boosted it.")
    media_attachments: list[MediaOut] = Field(description="Its pictures, in order.")
    card: CardOut | None = Field(description="The first link's preview, or null.")
    links: PostLinks = Field(alias="_links")


class BoostLinks(BaseModel):
    self: str
    boost_of: str


class BoostOut(BaseModel):
    """A boost: `boosted_by` shared `boost_of` with their followers. `id` is the boost's own
    (DELETE it to unboost); likes, replies and boosts go to `boost_of`. Feeds and a user's
    posts list boosts beside posts: an item with `boost_of` is a boost."""

    model_config = ConfigDict(populate_by_name=True)

    id: int
    boosted_by: str = Field(description="The username of who boosted it.")
    boost_of: PostOut
    links: BoostLinks = Field(alias="_links")


class PostCollection(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    items: list[PostOut | BoostOut]
    meta: Meta = Field(alias="_meta")
    links: CollectionLinks = Field(alias="_links")


class ThreadOut(BaseModel):
    """A post (a boost's original for a boost), the chain of posts it answers from the first
    down, and one page of its direct replies, oldest first (`page`, `per_page`)."""

    ancestors: list[PostOut]
    post: PostOut
    replies: PostCollection


class PostOnlyLinks(BaseModel):
    post: str


class ReactionOut(BaseModel):
    """A post's counts after a like, unlike, boost or unboost, and your own state. The same
    request twice changes nothing the second time."""

    model_config = ConfigDict(populate_by_name=True)

    post_id: int = Field(description="The post reacted to (a boost's original for a boost).")
    replies_count: int
    likes_count: int
    boosts_count: int
    liked: bool
    boosted: bool
    links: PostOnlyLinks = Field(alias="_links")


class PostVersionOut(BaseModel):
    body: str
    body_html: str
    written_at: str = Field(description="ISO 8601 in UTC: when this version was written.")


class HistoryOut(BaseModel):
    """Every version of a post, the current one first."""

    model_config = ConfigDict(populate_by_name=True)

    items: list[PostVersionOut]
    links: PostOnlyLinks = Field(alias="_links")


class InstanceOut(BaseModel):
    post_max_length: int = Field(
        description="The most characters a post may have, counted with links as below."
    )
    characters_per_link: int = Field(
        description="What a link (http:// or https://) counts toward post_max_length, "
        "however long it is."
    )


class MessageLinks(BaseModel):
    sender: str
    recipient: str


class MessageOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: int
    body: str
    timestamp: str = Field(description="ISO 8601 in UTC.")
    from_me: bool = Field(description="Whether you sent it (else you received it).")
    links: MessageLinks = Field(alias="_links")


class MessageCollection(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    items: list[MessageOut] = Field(description="Newest first.")
    meta: Meta = Field(alias="_meta")
    links: CollectionLinks = Field(alias="_links")


class ConversationLinks(BaseModel):
    self: str = Field(description="The conversation's messages.")
    user: str


class ConversationOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    user: PostAuthor = Field(description="The other person.")
    last_message: MessageOut = Field(description="The newest message, either way.")
    unread: int = Field(description="Messages they sent you that you have not read.")
    links: ConversationLinks = Field(alias="_links")


class ConversationCollection(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    items: list[ConversationOut] = Field(description="The most recent conversation first.")
    meta: Meta = Field(alias="_meta")
    links: CollectionLinks = Field(alias="_links")


class TokenOut(BaseModel):
    token: str


class AcceptedOut(BaseModel):
    message: str = Field(description="What happens next (check your email).")


class BlockedUserOut(BaseModel):
    id: int
    username: str
    avatar: str
    since: str = Field(description="When the block or mute was made (ISO 8601, UTC).")
    expires_at: str | None = Field(default=None, description="A mute's end; null: none.")
    hide_notifications: bool | None = Field(default=None, description="A mute's setting.")


class BlockedUserCollection(BaseModel):
    items: list[BlockedUserOut]


class ReportOut(BaseModel):
    id: int
    reporter: str
    target: str
    target_id: int
    post_id: int | None
    reason: str
    comment: str
    status: str = Field(description="open or resolved.")
    outcome: str | None = Field(description="The action that resolved it.")
    created: str
    resolved_at: str | None
    resolver: str | None


class ReportCollection(BaseModel):
    items: list[ReportOut]
    page: int
    per_page: int
    has_next: bool
    next_after: int | None = Field(
        default=None,
        description="Pass as `after` for the next page (later reports); null on the last page.",
    )


class ModerationActionOut(BaseModel):
    id: int
    moderator: str | None
    action: str
    target: str | None
    post_id: int | None
    report_id: int | None
    reason: str
    created: str
    target_id: int = Field(description="The account acted on (0: none).")
    undone: bool = Field(
        default=False, description="A later action undid it (it can no longer be undone)."
    )


class ModerationActionCollection(BaseModel):
    items: list[ModerationActionOut]
    page: int
    per_page: int
    has_next: bool
    next_before: int | None = Field(
        description="Pass as `before` for the next (older) page; null on the last page."
    )


class ErrorOut(BaseModel):
    error: str = Field(description="The HTTP reason phrase, e.g. Bad Request.")
    message: str


def errors(
    *statuses: int, examples: dict[int, tuple[str, str]] | None = None
) -> dict[int | str, dict[str, object]]:
    """The `responses=` entry documenting these error statuses with the error shape.
    `examples` gives one operation's own meaning of a status: (description, the message it
    answers with), shown as the example body."""
    described: dict[int, str] = {
        400: "Bad or missing fields, malformed JSON, or a bad query argument.",
        401: "Missing, wrong, expired or revoked credentials.",
        403: "Not allowed for this user.",
        404: "No such resource (or URL).",
        409: "Already so: the report is resolved, the post hidden, the account limited...",
        413: "The body is larger than 64 KiB.",
        415: "The body is not JSON (Content-Type must be application/json).",
        429: "Rate limited: retry after the `Retry-After` header's seconds.",
        503: "A service it needs is down (the media storage, say): try again later.",
    }
    responses: dict[int | str, dict[str, object]] = {
        status: {"model": ErrorOut, "description": described[status]} for status in statuses
    }
    for status, (description, message) in (examples or {}).items():
        example = {"error": HTTPStatus(status).phrase, "message": message}
        responses[status] = {
            "model": ErrorOut,
            "description": description,
            "content": {"application/json": {"example": example}},
        }
    return responses
