"""The JSON the API sends: the tutorial's user and collection shapes, and our post, message and
conversation shapes.

Built as plain dicts from the services' rows (`UserPublic`, `PostRow`, `UserCounts`, `Page`),
which never hold a password hash or another user's email. `contract.py` describes the same shapes
for the OpenAPI document; the contract test and schemathesis check that the two agree.
Links are path-absolute, as the tutorial's `url_for` makes them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from sqlmodel import Session

from microblog.schemas import (
    ConversationRow,
    MediaRow,
    MessageRow,
    Page,
    PostRow,
    PostVersion,
    UserCounts,
    UserPublic,
)
from microblog.services import users
from microblog.services.reactions import Counts
from microblog.services.threads import Thread

API_PREFIX = "/api"
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 10
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database

T = TypeVar("T")
Json = dict[str, Any]


def user_path(user_id: int) -> str:
    return f"{API_PREFIX}/users/{user_id}"


def post_path(post_id: int) -> str:
    return f"{API_PREFIX}/posts/{post_id}"


def user_json(user: UserPublic, counts: UserCounts, *, email: str | None = None) -> Json:
    """A user; `email` only when the caller is that user."""
    base = user_path(user.id)
    data: Json = {
        "id": user.id,
        "username": user.username,
        "last_seen": user.last_seen,
        "about_me": user.about_me or None,
        "post_count": counts.posts,
        "follower_count": counts.followers,
        "following_count": counts.following,
        "_links": {
            "self": base,
            "followers": f"{base}/followers",
            "following": f"{base}/following",
            "avatar": user.avatar,
        },
    }
    if email is not None:
        data["email"] = email
    return data


def one_user_json(db: Session, user: UserPublic, *, email: str | None = None) -> Json:
    counts = users.user_counts(db, user_ids=[user.id]).get(user.id, UserCounts())
    return user_json(user, counts, email=email)


def post_json(post: PostRow) -> Json:
    """A feed entry: a post, or for a boost the boost around the post it shares."""
    if post.entry_id and post.entry_id != post.id:
        return {
            "id": post.entry_id,
            "boosted_by": post.boosted_by,
            "boost_of": _post_only_json(post),
            "_links": {"self": post_path(post.entry_id), "boost_of": post_path(post.id)},
        }
    return _post_only_json(post)


def _post_only_json(post: PostRow) -> Json:
    base = post_path(post.id)
    return {
        "id": post.id,
        "body": post.body,
        "body_html": post.body_html,
        "timestamp": post.timestamp,
        "edited_at": post.edited_at or None,
        "language": post.language or None,
        "author": {
            "id": post.author_id,
            "username": post.author_username,
            "avatar": post.author_avatar,
        },
        "in_reply_to": post.reply_to_id or None,
        "in_reply_to_username": post.reply_to_username or None,
        "replies_count": post.reply_count,
        "likes_count": post.like_count,
        "boosts_count": post.boost_count,
        "liked": post.liked,
        "boosted": post.boosted,
        "media_attachments": [media_json(m) for m in post.media],
        "card": card_json(post),
        "_links": {
            "self": base,
            "author": user_path(post.author_id),
            "thread": f"{base}/thread",
            "history": f"{base}/history",
            "in_reply_to": post_path(post.reply_to_id) if post.reply_to_id else None,
        },
    }


def media_json(media: MediaRow) -> Json:
    """A picture in Mastodon's shape (`MediaAttachment`)."""

    def size(width: int, height: int) -> Json:
        return {
            "width": width,
            "height": height,
            "size": f"{width}x{height}",
            "aspect": round(width / height, 4) if height else 1.0,
        }

    return {
        "id": media.id,
        "type": "image",
        "url": media.url,
        "preview_url": media.preview_url,
        "description": media.description or None,
        "blurhash": media.blurhash,
        "content_type": media.content_type,
        "meta": {
            "original": size(media.width, media.height),
            "small": size(media.thumb_width, media.thumb_height),
        },
    }


def card_json(post: PostRow) -> Json | None:
    """The first link's preview, Mastodon's `card` shape; None when the post has none."""
    if not post.card_url:
        return None
    return {
        "url": post.card_url,
        "title": post.card_title,
        "description": post.card_description,
        "image": post.card_image or None,
        "provider_name": post.card_site_name or post.card_domain,
    }


def thread_json(thread: Thread, path: str) -> Json:
    return {
        "ancestors": [_post_only_json(post) for post in thread.ancestors],
        "post": _post_only_json(thread.post),
        "replies": collection_json(thread.replies, post_json, path),
    }


def reaction_json(counts: Counts) -> Json:
    return {
        "post_id": counts.post_id,
        "replies_count": counts.reply_count,
        "likes_count": counts.like_count,
        "boosts_count": counts.boost_count,
        "liked": counts.liked,
        "boosted": counts.boosted,
        "_links": {"post": post_path(counts.post_id)},
    }


def history_json(post_id: int, versions: list[PostVersion]) -> Json:
    return {
        "items": [
            {"body": v.body, "body_html": v.body_html, "written_at": v.written_at} for v in versions
        ],
        "_links": {"post": post_path(post_id)},
    }


def conversation_path(username: str) -> str:
    return f"{API_PREFIX}/conversations/{quote(username, safe='')}"


def message_json(message: MessageRow) -> Json:
    return {
        "id": message.id,
        "body": message.body,
        "timestamp": message.timestamp,
        "from_me": message.mine,
        "_links": {
            "sender": user_path(message.sender_id),
            "recipient": user_path(message.recipient_id),
        },
    }


def conversation_json(row: ConversationRow, *, reader_id: int) -> Json:
    """One of the reader's conversations: who with, the newest message, what is unread."""
    sender, recipient = (reader_id, row.user_id) if row.last_mine else (row.user_id, reader_id)
    last = MessageRow(
        id=row.last_message_id,
        body=row.last_body,
        timestamp=row.last_timestamp,
        sender_id=sender,
        recipient_id=recipient,
        mine=row.last_mine,
    )
    return {
        "user": {"id": row.user_id, "username": row.username, "avatar": row.avatar},
        "last_message": message_json(last),
        "unread": row.unread,
        "_links": {"self": conversation_path(row.username), "user": user_path(row.user_id)},
    }


def collection_json(page: Page[T], to_json: Callable[[T], Json], path: str) -> Json:
    """`{items, _meta, _links}`; totals are null for feeds, which are never counted."""

    def link(number: int) -> str:
        return f"{path}?{urlencode({'page': number, 'per_page': page.per_page})}"

    return {
        "items": [to_json(item) for item in page.items],
        "_meta": {
            "page": page.page,
            "per_page": page.per_page,
            "total_pages": page.total_pages,
            "total_items": page.total,
        },
        "_links": {
            "self": link(page.page),
            "next": link(page.page + 1) if page.has_next else None,
            "prev": link(page.page - 1) if page.has_prev else None,
        },
    }


def users_collection_json(db: Session, page: Page[UserPublic], path: str) -> Json:
    """A page of users with their counts, read for the whole page in one statement."""
    counts = users.user_counts(db, user_ids=[user.id for user in page.items])
    return collection_json(
        page, lambda user: user_json(user, counts.get(user.id, UserCounts())), path
    )
