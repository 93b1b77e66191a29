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

from microblog.schemas import ConversationRow, MessageRow, Page, PostRow, UserCounts, UserPublic
from microblog.services import users

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
    return {
        "id": post.id,
        "body": post.body,
        "timestamp": post.timestamp,
        "language": post.language or None,
        "author": {
            "id": post.author_id,
            "username": post.author_username,
            "avatar": post.author_avatar,
        },
        "_links": {"self": post_path(post.id), "author": user_path(post.author_id)},
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
