"""The server's description: `GET /api/v1/instance`, `GET /api/v2/instance` (Mastodon's
shapes, with `configuration` from our settings: the post length limit, the media limits) and
NodeInfo 2.0 (`/.well-known/nodeinfo`, `/nodeinfo/2.0`).

The user and post counts are read at most once every ten minutes per process (a COUNT over a
million posts is not something to run per request)."""

from __future__ import annotations

import time
from threading import Lock
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import func
from sqlmodel import col, select

from microblog.config import get_settings, public_addresses
from microblog.db import session_scope
from microblog.i18n import SUPPORTED
from microblog.models import Post, User
from microblog.services.media.images import MIME
from microblog.services.rich_text import URL_LENGTH

router = APIRouter()
SOFTWARE_VERSION = "0.1.0"
# Clients read the Mastodon version to know which API they may use.
VERSION = f"4.2.0 (compatible; Microblog {SOFTWARE_VERSION})"
TITLE = "Microblog"
DESCRIPTION = "A microblog: short posts, replies, likes, follows and private messages."
STATS_SECONDS = 600
_stats: tuple[float, int, int] | None = None
_stats_lock = Lock()


def usage() -> tuple[int, int]:
    """(users, posts), counted at most every STATS_SECONDS."""
    global _stats
    with _stats_lock:
        if _stats is not None and time.monotonic() - _stats[0] < STATS_SECONDS:
            return _stats[1], _stats[2]
    with session_scope() as db:
        users = db.exec(
            select(func.count()).select_from(User).where(col(User.disabled).is_(False))
        ).one()
        posts = db.exec(select(func.count()).select_from(Post)).one()
    with _stats_lock:
        _stats = (time.monotonic(), int(users), int(posts))
    return int(users), int(posts)


def _site() -> tuple[str, str]:
    site = public_addresses().site
    return site, urlsplit(site).netloc


def _configuration() -> dict[str, Any]:
    settings = get_settings()
    return {
        "accounts": {"max_featured_tags": 0, "max_pinned_statuses": 0},
        "statuses": {
            "max_characters": settings.post_max_length,
            "max_media_attachments": settings.media_per_post,
            "characters_reserved_per_url": URL_LENGTH,
        },
        "media_attachments": {
            "supported_mime_types": sorted(set(MIME.values())),
            "image_size_limit": settings.media_max_bytes,
            "image_matrix_limit": settings.media_max_pixels,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
        },
        "polls": {
            "max_options": 0,
            "max_characters_per_option": 0,
            "min_expiration": 0,
            "max_expiration": 0,
        },
    }


def streaming_url() -> str:
    """Where the streaming API answers (streaming.py): beside this API, on the backend's
    address (under `make run` its own port; in production the site's, through nginx), as
    ws(s)://. Mastodon.py turns it back into http(s) for its server-sent events."""
    return public_addresses().backend.replace("http", "ws", 1)


def _thumbnail(site: str) -> str:
    return f"{site}/icons/icon-512.png"


@router.get("/api/v1/instance")
def instance_v1() -> JSONResponse:
    site, host = _site()
    users, posts = usage()
    streaming = streaming_url()
    return JSONResponse(
        {
            "uri": host,
            "title": TITLE,
            "short_description": DESCRIPTION,
            "description": DESCRIPTION,
            "email": "",
            "version": VERSION,
            "urls": {"streaming_api": streaming},
            "stats": {"user_count": users, "status_count": posts, "domain_count": 0},
            "thumbnail": _thumbnail(site),
            "languages": list(SUPPORTED),
            "registrations": True,
            "approval_required": False,
            "invites_enabled": False,
            "configuration": _configuration(),
            "contact_account": None,
            "rules": [],
        }
    )


@router.get("/api/v2/instance")
def instance_v2() -> JSONResponse:
    site, host = _site()
    users, _posts = usage()
    configuration = _configuration() | {
        "urls": {"streaming": streaming_url()},
        "translation": {"enabled": False},
    }
    return JSONResponse(
        {
            "domain": host,
            "title": TITLE,
            "version": VERSION,
            "source_url": "",
            "description": DESCRIPTION,
            "usage": {"users": {"active_month": users}},
            "thumbnail": {"url": _thumbnail(site)},
            "languages": list(SUPPORTED),
            "configuration": configuration,
            "registrations": {"enabled": True, "approval_required": False, "message": None},
            "api_versions": {"mastodon": 2},
            "contact": {"email": "", "account": None},
            "rules": [],
        }
    )


@router.get("/.well-known/nodeinfo")
def nodeinfo_links() -> JSONResponse:
    site, _host = _site()
    return JSONResponse(
        {
            "links": [
                {
                    "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
                    "href": f"{site}/nodeinfo/2.0",
                }
            ]
        }
    )


@router.get("/nodeinfo/2.0")
def nodeinfo() -> JSONResponse:
    users, posts = usage()
    return JSONResponse(
        {
            "version": "2.0",
            "software": {"name": "microblog", "version": SOFTWARE_VERSION},
            "protocols": [],
            "services": {"inbound": [], "outbound": []},
            "openRegistrations": True,
            "usage": {"users": {"total": users}, "localPosts": posts},
            "metadata": {"nodeName": TITLE},
        },
        media_type='application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.0#"',
    )
