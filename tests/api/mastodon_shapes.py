"""The Mastodon entities' fields that clients read (Mastodon.py's and toot's entity classes),
with their JSON types: a check that every one is present and well typed."""

from __future__ import annotations

from typing import Any

STR, INT, BOOL, LIST, DICT, NONE = str, int, bool, list, dict, type(None)

ACCOUNT = {
    "id": STR,
    "username": STR,
    "acct": STR,
    "display_name": STR,
    "locked": BOOL,
    "bot": BOOL,
    "group": BOOL,
    "discoverable": BOOL,
    "created_at": STR,
    "note": STR,
    "url": STR,
    "uri": STR,
    "avatar": STR,
    "avatar_static": STR,
    "header": STR,
    "header_static": STR,
    "followers_count": INT,
    "following_count": INT,
    "statuses_count": INT,
    "last_status_at": (STR, NONE),
    "emojis": LIST,
    "fields": LIST,
}
STATUS = {
    "id": STR,
    "uri": STR,
    "url": (STR, NONE),
    "created_at": STR,
    "edited_at": (STR, NONE),
    "account": DICT,
    "content": STR,
    "visibility": STR,
    "sensitive": BOOL,
    "spoiler_text": STR,
    "media_attachments": LIST,
    "mentions": LIST,
    "tags": LIST,
    "emojis": LIST,
    "reblogs_count": INT,
    "favourites_count": INT,
    "replies_count": INT,
    "favourited": BOOL,
    "reblogged": BOOL,
    "muted": BOOL,
    "bookmarked": BOOL,
    "in_reply_to_id": (STR, NONE),
    "in_reply_to_account_id": (STR, NONE),
    "reblog": (DICT, NONE),
    "language": (STR, NONE),
    "card": (DICT, NONE),
    "application": NONE,
    "poll": NONE,
}
MEDIA = {
    "id": STR,
    "type": STR,
    "url": STR,
    "preview_url": STR,
    "remote_url": NONE,
    "meta": DICT,
    "description": (STR, NONE),
    "blurhash": (STR, NONE),
}
NOTIFICATION = {"id": STR, "type": STR, "created_at": STR, "account": DICT, "status": (DICT, NONE)}
RELATIONSHIP = {
    "id": STR,
    "following": BOOL,
    "followed_by": BOOL,
    "blocking": BOOL,
    "blocked_by": BOOL,
    "muting": BOOL,
    "muting_notifications": BOOL,
    "requested": BOOL,
    "showing_reblogs": BOOL,
    "notifying": BOOL,
    "domain_blocking": BOOL,
    "endorsed": BOOL,
    "note": STR,
}
STATUS_EDIT = {
    "content": STR,
    "spoiler_text": STR,
    "sensitive": BOOL,
    "created_at": STR,
    "account": DICT,
    "media_attachments": LIST,
    "emojis": LIST,
}


def check(entity: Any, shape: dict[str, Any]) -> None:
    """Every field of `shape` present with its type; nested accounts, statuses and media too."""
    assert isinstance(entity, dict), entity
    for name, kind in shape.items():
        assert name in entity, f"{name} missing from {sorted(entity)}"
        assert isinstance(entity[name], kind), f"{name}: {entity[name]!r} is not {kind}"
        if kind is BOOL or kind is INT:  # bool is an int: the other way round must not pass
            assert type(entity[name]) is kind, f"{name}: {entity[name]!r}"
    if shape is STATUS:
        check(entity["account"], ACCOUNT)
        for media in entity["media_attachments"]:
            check(media, MEDIA)
        if entity["reblog"] is not None:
            check(entity["reblog"], STATUS)
    if shape is NOTIFICATION:
        check(entity["account"], ACCOUNT)
        if entity["status"] is not None:
            check(entity["status"], STATUS)
    if shape is STATUS_EDIT:
        check(entity["account"], ACCOUNT)
