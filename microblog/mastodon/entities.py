"""Mastodon's entities (docs.joinmastodon.org/entities) built from our rows: pure functions,
no database. Ids are strings; times ISO 8601 in UTC; `content` is the post's body as rendered
and sanitised when it was written (services/post_body.py), never rendered again here.

Fields that clients read (Mastodon.py and toot, checked against their code) are always present,
with Mastodon's neutral value where we have no such thing: no custom emojis, no profile fields,
no content warnings, every post public.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any
from urllib.parse import quote

from microblog.routes import post_url, tag_url, user_url
from microblog.schemas import (
    MediaRow,
    NotificationRow,
    PostRow,
    PostVersion,
    UserCounts,
    UserPublic,
)
from microblog.services.safety import Relationship

Json = dict[str, Any]

# Our notification kinds that Mastodon has, and its names for them. A reply is a "mention"
# there (the reply mentions its author); messages, exports and moderation notices have no
# Mastodon type and are left out of the Mastodon list.
NOTIFICATION_TYPES = {
    "follower": "follow",
    "reply": "mention",
    "mention": "mention",
    "like": "favourite",
    "boost": "reblog",
}


def absolute(base: str, url: str) -> str:
    """A URL the client can open: ours are often path-absolute (`/media/...`)."""
    if not url or "://" in url:
        return url
    return base.rstrip("/") + (url if url.startswith("/") else "/" + url)


def note_html(about_me: str) -> str:
    """An about-me (plain text) as Mastodon's `note` (HTML): escaped, paragraphs and breaks."""
    if not about_me.strip():
        return ""
    paragraphs = [p for p in about_me.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def account_json(user: UserPublic, counts: UserCounts, *, base: str) -> Json:
    """An `Account`: a local user (`acct` is the bare username)."""
    url = absolute(base, user_url(user.username))
    avatar = absolute(base, user.avatar)
    return {
        "id": str(user.id),
        "username": user.username,
        "acct": user.username,
        "display_name": user.username,
        "locked": False,
        "bot": False,
        "discoverable": True,
        "indexable": True,
        "group": False,
        "noindex": False,
        "created_at": user.member_since,
        "note": note_html(user.about_me),
        "url": url,
        "uri": url,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": "",
        "header_static": "",
        "followers_count": counts.followers,
        "following_count": counts.following,
        "statuses_count": counts.posts,
        "last_status_at": None,
        "hide_collections": False,
        "emojis": [],
        "fields": [],
        "roles": [],
    }


def _size(width: int, height: int) -> Json:
    return {
        "width": width,
        "height": height,
        "size": f"{width}x{height}",
        "aspect": round(width / height, 4) if height else 1.0,
    }


def media_json(media: MediaRow, *, base: str) -> Json:
    """A `MediaAttachment`: `description` is the alt text, `blurhash` the placeholder."""
    return {
        "id": str(media.id),
        "type": "image",
        "url": absolute(base, media.url),
        "preview_url": absolute(base, media.preview_url),
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": {
            "original": _size(media.width, media.height),
            "small": _size(media.thumb_width, media.thumb_height),
        },
        "description": media.description or None,
        "blurhash": media.blurhash or None,
    }


def card_json(post: PostRow, *, base: str) -> Json | None:
    """A `PreviewCard` for the post's first link, or None."""
    if not post.card_url:
        return None
    return {
        "url": post.card_url,
        "title": post.card_title,
        "description": post.card_description,
        "type": "link",
        "author_name": "",
        "author_url": "",
        "provider_name": post.card_site_name or post.card_domain,
        "provider_url": "",
        "html": "",
        "width": 0,
        "height": 0,
        "image": absolute(base, post.card_image) or None,
        "embed_url": "",
        "blurhash": None,
    }


def tag_json(name: str, *, base: str) -> Json:
    """A `Tag` (as a status lists it, and `GET /api/v1/tags/:name`)."""
    return {"name": name, "url": absolute(base, tag_url(name)), "history": [], "following": False}


def mention_json(user_id: int, username: str, *, base: str) -> Json:
    """A status's `Mention` of a local user."""
    return {
        "id": str(user_id),
        "username": username,
        "acct": username,
        "url": absolute(base, user_url(username)),
    }


def status_json(
    post: PostRow,
    accounts: Mapping[int, Json],
    *,
    base: str,
    booster_id: int = 0,
    reply_to_account_id: int = 0,
    tags: Iterable[str] = (),
    mentions: Iterable[tuple[int, str]] = (),
    muted: bool = False,
) -> Json:
    """A `Status` (`mentions`: the (id, username) of each person the post mentions). For a
    boost (a feed entry whose `entry_id` is not the post's id) the status is the boost, by
    `booster_id`, with the post it shares as `reblog`."""
    inner = _post_status(
        post,
        accounts,
        base=base,
        reply_to_account_id=reply_to_account_id,
        tags=tags,
        mentions=mentions,
        muted=muted,
    )
    if not post.entry_id or post.entry_id == post.id:
        return inner
    url = absolute(base, post_url(post.entry_id))
    return {
        **inner,
        "id": str(post.entry_id),
        "uri": url,
        "url": url,
        "account": accounts.get(booster_id) or inner["account"],
        "content": "",
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "media_attachments": [],
        "mentions": [],
        "tags": [],
        "card": None,
        "edited_at": None,
        "reblog": inner,
    }


def _post_status(
    post: PostRow,
    accounts: Mapping[int, Json],
    *,
    base: str,
    reply_to_account_id: int,
    tags: Iterable[str],
    mentions: Iterable[tuple[int, str]],
    muted: bool,
) -> Json:
    url = absolute(base, post_url(post.id))
    return {
        "id": str(post.id),
        "uri": url,
        "url": url,
        "created_at": post.timestamp,
        "edited_at": post.edited_at or None,
        "account": accounts.get(post.author_id) or _bare_account(post, base=base),
        "content": post.body_html,
        "text": None,
        "visibility": "public",
        "sensitive": False,
        "spoiler_text": "",
        "media_attachments": [media_json(m, base=base) for m in post.media],
        "mentions": [mention_json(i, name, base=base) for i, name in mentions],
        "tags": [tag_json(name, base=base) for name in tags],
        "emojis": [],
        "reblogs_count": post.boost_count,
        "favourites_count": post.like_count,
        "replies_count": post.reply_count,
        "favourited": post.liked,
        "reblogged": post.boosted,
        "muted": muted,
        "bookmarked": False,
        "pinned": False,
        "in_reply_to_id": str(post.reply_to_id) if post.reply_to_id else None,
        "in_reply_to_account_id": str(reply_to_account_id) if reply_to_account_id else None,
        "reblog": None,
        "language": post.language or None,
        "card": card_json(post, base=base),
        "application": None,
        "poll": None,
        "filtered": [],
    }


def _bare_account(post: PostRow, *, base: str) -> Json:
    """The author from the card alone (the statuses' callers pass full accounts; this is the
    fallback that keeps the shape whole)."""
    user = UserPublic(
        id=post.author_id,
        username=post.author_username,
        about_me="",
        last_seen=post.timestamp,
        member_since=post.timestamp,
        avatar=post.author_avatar,
        avatar_small=post.author_avatar,
    )
    return account_json(user, UserCounts(), base=base)


def edit_json(version: PostVersion, account: Json) -> Json:
    """A `StatusEdit`: one version of a post."""
    return {
        "content": version.body_html,
        "spoiler_text": "",
        "sensitive": False,
        "created_at": version.written_at,
        "account": account,
        "poll": None,
        "media_attachments": [],
        "emojis": [],
    }


def source_json(post_id: int, body: str) -> Json:
    """A `StatusSource` (what the author wrote, for an edit form)."""
    return {"id": str(post_id), "text": body, "spoiler_text": ""}


def notification_json(row: NotificationRow, account: Json, status: Json | None) -> Json | None:
    """A `Notification`, or None for a kind Mastodon has no type for."""
    kind = NOTIFICATION_TYPES.get(row.kind)
    if kind is None:
        return None
    return {
        "id": str(row.id),
        "type": kind,
        "created_at": row.timestamp,
        "group_key": f"ungrouped-{row.id}",
        "account": account,
        "status": status if kind != "follow" else None,
    }


def relationship_json(relation: Relationship) -> Json:
    """A `Relationship`."""
    return {
        "id": str(relation.other_id),
        "following": relation.following,
        "showing_reblogs": relation.following,
        "notifying": False,
        "languages": None,
        "followed_by": relation.followed_by,
        "blocking": relation.blocking,
        "blocked_by": relation.blocked_by,
        "muting": relation.muting,
        "muting_notifications": relation.muting_notifications,
        "requested": False,
        "requested_by": False,
        "domain_blocking": False,
        "endorsed": False,
        "note": "",
    }


def context_json(ancestors: list[Json], descendants: list[Json]) -> Json:
    """A `Context`: what the status answers, oldest first, and its replies."""
    return {"ancestors": ancestors, "descendants": descendants}


def marker_json(last_read_id: int, updated_at: str, version: int | None = None) -> Json:
    """A `Marker`; without a `version`, the id itself (the notifications marker only moves
    forward)."""
    return {
        "last_read_id": str(last_read_id),
        "version": last_read_id if version is None else version,
        "updated_at": updated_at,
    }


def preferences_json(language: str | None) -> Json:
    """`Preferences`: every post is public, nothing is hidden behind a warning."""
    return {
        "posting:default:visibility": "public",
        "posting:default:sensitive": False,
        "posting:default:language": language or None,
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    }


def hashtag_path(name: str) -> str:
    return f"/api/v1/timelines/tag/{quote(name, safe='')}"
